"""Listing the source folders and deciding which files need work.

Only ``stat`` is used here: a file whose size and mtime match the manifest is unchanged without
reading a byte, which is what makes a re-run on an unchanged folder cheap.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.formats import detect_format
from transforms.records import Reject

# Files that live beside articles in drop folders and corpora but are not articles. They are
# recorded in `sources` with status 'ignored' (so nothing vanishes unseen), not loaded or rejected.
DEFAULT_EXCLUDE = ("README*", "LICENSE*", "LICENCE*", "MANIFEST*", "CHANGELOG*", "*.sha256", "*.md5")


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


def storable(path: str) -> str:
    """A file name that is not valid UTF-8 becomes storable text (invalid bytes as U+FFFD)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
    roots: list[Path], exclude: tuple[str, ...] = DEFAULT_EXCLUDE
) -> Iterator[FileEntry | Reject]:
    """Every regular file under the roots, in sorted order; problems as Rejects.

    Hidden names (starting with '.') are skipped: editors, sync tools and partial downloads put
    their files there. Symlinked directories are not followed, so loops cannot recurse.
    """
    for root in roots:
        root_str = os.fspath(root.resolve())
        if os.path.isfile(root_str):
            yield from _entry(root_str, os.path.dirname(root_str), ())
            continue
        walk_errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root_str, onerror=walk_errors.append):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield from _entry(os.path.join(dirpath, name), root_str, exclude)
        for exc in walk_errors:
            yield Reject(
                storable(exc.filename or root_str),
                "discover",
                "unreadable_directory",
                f"cannot list directory: {exc.strerror}",
            )


def _entry(full: str, root: str, exclude: tuple[str, ...]) -> Iterator[FileEntry | Reject]:
    try:
        st = os.stat(full)
    except OSError as exc:
        yield _stat_reject(full, exc)
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
    if known is None or known.status == "unreadable":
        return True
    if known.status == "ignored" and entry.ignored is None:
        return True  # the exclude patterns changed: load it now
    return (known.size, known.mtime_ns) != (entry.size, entry.mtime_ns)
