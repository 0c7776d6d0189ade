"""Listing the source folders and deciding which files need work (the discover step's logic).

Only ``stat`` is used here: a file whose size and mtime match the manifest is unchanged without
reading a byte, which is what makes a re-run on an unchanged folder cheap. Entries that cannot
be listed (broken links, loops, devices) become rejects at stage 'discover'.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flows.config import DEFAULT_EXCLUDE
from transforms.formats import detect_format
from transforms.ids import stable_id
from transforms.records import Reject
from warehouse.catalog import connect_memory


@dataclass(slots=True)
class FileEntry:
    """A file found under a source root (``os_path`` may hold undecodable bytes; ``path`` never)."""

    os_path: str
    path: str
    root: str
    relative: str
    size: int
    mtime_ns: int
    ignored: str | None = None


@dataclass(slots=True)
class Known:
    """What the manifest remembers of a path."""

    size: int | None
    mtime_ns: int | None
    sha256: str | None
    status: str
    source_root: str | None = None
    relative_path: str | None = None


def storable(path: str) -> str:
    """A file name as text that keeps it distinct: bytes that are not UTF-8 become "\\xff".

    Replacing them all with U+FFFD made "a\\xff.txt" and "a\\xfe.txt" one path: one sources row,
    one article, the other file lost without a reject.
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _stat_reject(path: str, exc: OSError) -> Reject:
    if exc.errno == errno.ELOOP:
        return Reject(storable(path), "discover", "symlink_loop", "symbolic links form a loop")
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        return Reject(
            storable(path),
            "discover",
            "broken_symlink",
            f"symbolic link points to a missing file ({storable(os.readlink(path))})",
        )
    if isinstance(exc, FileNotFoundError):
        return Reject(storable(path), "discover", "vanished", "file disappeared while being listed")
    return Reject(storable(path), "discover", "unreadable", f"{type(exc).__name__}: {exc.strerror}")


def ignore_reason(name: str, exclude: tuple[str, ...]) -> str | None:
    """Why a file is not an article input, or None when it should be loaded."""
    for pattern in exclude:
        if fnmatch.fnmatch(name, pattern):
            return f"name matches exclude pattern {pattern!r}"
    if detect_format(name)[0] is None:
        return "unsupported format (not .txt/.md/.html/.htm/.json/.jsonl/.ndjson/.warc, optionally .gz)"
    return None


def walk_sources(
    roots: list[Path], exclude: tuple[str, ...] = DEFAULT_EXCLUDE, *, allow_outside_links: bool = False
) -> Iterator[FileEntry | Reject]:
    """Every regular file under the roots, in sorted order; problems as Rejects.

    Hidden names (starting with '.') are skipped: editors, sync tools and partial downloads put
    their files there. Symlinked directories are not followed, so loops cannot recurse. A link
    whose target is outside every root is rejected unless ``allow_outside_links``: a link to
    /etc/passwd dropped into the folder must not become an article.
    """
    resolved = [os.fspath(r.resolve()) for r in roots]
    inside = None if allow_outside_links else tuple(resolved)
    for root_str in resolved:
        if os.path.isfile(root_str):
            yield from _entry(root_str, os.path.dirname(root_str), (), None)
            continue
        walk_errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root_str, onerror=walk_errors.append):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield from _entry(os.path.join(dirpath, name), root_str, exclude, inside)
        for exc in walk_errors:
            yield Reject(
                storable(exc.filename or root_str),
                "discover",
                "unreadable_directory",
                f"cannot list directory: {exc.strerror}",
            )


def _entry(
    full: str, root: str, exclude: tuple[str, ...], inside: tuple[str, ...] | None
) -> Iterator[FileEntry | Reject]:
    try:
        st = os.stat(full)
    except OSError as exc:
        yield _stat_reject(full, exc)
        return
    if inside is not None and os.path.islink(full):
        target = os.path.realpath(full)
        if not any(target == r or target.startswith(r.rstrip(os.sep) + os.sep) for r in inside):
            yield Reject(
                storable(full),
                "discover",
                "symlink_outside_source",
                f"symbolic link points outside the source folders, to {storable(target)}",
            )
            return
    if stat.S_ISDIR(st.st_mode):
        return  # a symlink to a directory: not followed
    if not stat.S_ISREG(st.st_mode):
        yield Reject(storable(full), "discover", "not_a_regular_file", "a device, socket or pipe, not a file")
        return
    yield FileEntry(
        full,
        storable(full),
        storable(root),
        storable(os.path.relpath(full, root)),
        st.st_size,
        st.st_mtime_ns,
        ignored=ignore_reason(os.path.basename(full), exclude),
    )


def needs_work(entry: FileEntry, known: Known | None) -> bool:
    """New, changed (size or mtime), unreadable or ignored last time: read it. Otherwise skip it."""
    if known is None or known.status in ("unreadable", "missing"):
        return True
    if known.status == "ignored" and entry.ignored is None:
        return True  # the exclude patterns changed: load it now
    return (known.size, known.mtime_ns) != (entry.size, entry.mtime_ns)


def reject_rows(rejects: Iterable[Reject], sha: dict[str, str | None]) -> list[dict]:
    """``rejects`` rows; the id hashes what makes a reject distinct, so a re-run writes the same id."""
    rows = []
    for r in rejects:
        digest = sha.get(r.path)
        rows.append(
            {
                "reject_id": stable_id(r.path, digest, r.record_index, r.stage, r.reason),
                "path": r.path,
                "record_index": r.record_index,
                "stage": r.stage,
                "reason": r.reason,
                "detail": r.detail,
                "sha256": digest,
            }
        )
    return rows


def known_files(root: Path) -> dict[str, Known]:
    """The sources manifest of the warehouse at ``root``: what committed runs saw of each path."""
    con = connect_memory(root)
    try:
        return known_from(con)
    finally:
        con.close()


def known_from(con) -> dict[str, Known]:
    """The sources manifest from a connection with the warehouse views."""
    rows = con.execute(
        "select path, size, mtime_ns, sha256, status, source_root, relative_path from sources"
    ).fetchall()
    return {p: Known(s, m, h, st, r, rel) for p, s, m, h, st, r, rel in rows}


@dataclass
class Work:
    """What a listing found: files to read (with the manifest rows of changed ones) and counts."""

    todo: list[FileEntry]
    known: dict[str, Known]
    rejects: list[Reject]
    missing: dict[str, Known] = field(default_factory=dict)
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0


def find_work(
    roots: list[Path], exclude: tuple[str, ...], known: dict[str, Known], *, allow_outside_links: bool = False
) -> Work:
    """List the roots and diff against the manifest; one reject per (path, reason)."""
    work = Work([], {}, [])
    seen_rejects: set[tuple[str, str]] = set()
    listed: set[str] = set()
    for item in walk_sources(roots, exclude, allow_outside_links=allow_outside_links):
        if isinstance(item, Reject):
            if (item.path, item.reason) not in seen_rejects:  # one entry under two SOURCE arguments
                seen_rejects.add((item.path, item.reason))
                work.rejects.append(item)
            continue
        if item.path in listed:  # the same file under two SOURCE arguments counts once
            continue
        listed.add(item.path)
        work.files_seen += 1
        previous = known.get(item.path)
        if not needs_work(item, previous):
            work.files_unchanged += 1
            continue
        work.todo.append(item)
        if previous is None:
            work.files_new += 1
        else:
            work.files_changed += 1
            work.known[item.path] = previous
    work.missing = missing_files(known, listed, roots)
    return work


def missing_files(known: dict[str, Known], listed: set[str], roots: list[Path]) -> dict[str, Known]:
    """Manifest paths under this run's roots that the listing no longer found (newly missing)."""
    prefixes = tuple(storable(os.fspath(r.resolve())) for r in roots)
    under = tuple(p.rstrip(os.sep) + os.sep for p in prefixes)
    return {
        path: k
        for path, k in known.items()
        if k.status != "missing"
        and path not in listed
        and (path in prefixes or path.startswith(under))
        and not os.path.lexists(path)  # listed elsewhere (e.g. now a broken link) is not missing
    }
