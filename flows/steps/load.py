"""Step 2, load and clean: read each file within the limits, decode, parse, clean.

Bad input becomes ``rejects`` rows (stage 'load' for a file, 'clean' for a record) and a
``sources`` row says what became of every file. The cleaned articles go to a scratch file for
the dedup step, with their MinHash keys computed here, batch-wise and vectorised.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pyarrow as pa

from flows.listing import FileEntry, Known, reject_rows
from flows.nlp import detect_language
from flows.progress import progress
from flows.reference_data import load_tone_lexicon
from flows.steps.base import RunContext, StepResult, as_task
from flows.steps.dedup import dedup_keys
from transforms.clean import clean_article
from transforms.dedup import DedupKey
from transforms.formats import JSON, JSONL, WARC, detect_format
from transforms.ids import UniqueKeys, record_key, stable_id
from transforms.load import stream_file
from transforms.records import CleanArticle, Reject, RejectError
from warehouse.changes import CHANGES
from warehouse.schemas import REJECTS, SOURCES, to_table


@dataclass
class LoadedBatch(StepResult):
    """A scratch file of cleaned articles (pickled lists of at most config.chunk_articles), their
    dedup keys, and the batch's counts."""

    scratch: str = ""
    keys: list[DedupKey] = field(default_factory=list)
    files_loaded: int = 0
    files_rejected: int = 0
    files_unchanged: int = 0  # touched (new mtime, same bytes): recorded, not loaded again
    files_ignored: int = 0
    records_rejected: int = 0
    articles: int = 0
    replaced: list[str] = field(default_factory=list)  # files whose committed articles this run replaces


def read_file(entry: FileEntry, max_file_bytes: int, timeout_s: float | None = None) -> bytes:
    """Read a file whole within ``timeout_s`` seconds, refusing files over the limit and files
    that change under us.

    A read from a hung network mount or a failing disk blocks in the kernel, where no flag
    helps: the read runs in a thread, and past the limit the file is rejected and the run goes
    on (the thread is left to the kernel; it holds no lock). Without the limit one stuck file
    would hold the writer lock for ever."""
    if timeout_s is None:
        return _read_whole(entry, max_file_bytes)
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["data"] = _read_whole(entry, max_file_bytes)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    reader = threading.Thread(target=work, name=f"read {entry.relative}", daemon=True)
    reader.start()
    reader.join(timeout_s)
    if reader.is_alive():
        raise ReadProblem(
            "read_timeout",
            f"reading took longer than the read_timeout_s limit of {timeout_s:g} s (a hung mount or "
            "a failing disk?); the run went on without it and the next run tries again",
        )
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["data"]  # type: ignore[return-value]


def _read_whole(entry: FileEntry, max_file_bytes: int) -> bytes:
    if entry.size > max_file_bytes:
        raise ReadProblem(
            "file_too_large",
            f"{entry.size:,} bytes is over the max_file_bytes limit of {max_file_bytes:,}",
            unreadable=False,
        )
    try:
        # Non-blocking open: a file swapped for a FIFO after listing would otherwise block the run
        # (and hold the writer lock) forever; it is refused below as soon as fstat sees it.
        with open(entry.os_path, "rb", opener=lambda path, flags: os.open(path, flags | os.O_NONBLOCK)) as fh:
            before = os.fstat(fh.fileno())
            if not stat.S_ISREG(before.st_mode):
                raise ReadProblem(
                    "not_a_regular_file", "replaced by a device, socket or pipe after it was listed"
                )
            data = fh.read(max_file_bytes + 1)
    except FileNotFoundError:
        raise ReadProblem("vanished", "file disappeared before it could be read") from None
    except PermissionError as exc:
        raise ReadProblem("permission_denied", f"cannot read: {exc.strerror}") from None
    except OSError as exc:
        raise ReadProblem("unreadable", f"{type(exc).__name__}: {exc.strerror}") from None
    if len(data) > max_file_bytes:
        raise ReadProblem(
            "file_too_large",
            f"grew past the max_file_bytes limit of {max_file_bytes:,} while being read",
            unreadable=False,
        )
    try:
        after = os.stat(entry.os_path)
    except OSError:
        raise ReadProblem("vanished", "file disappeared while being read") from None
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(
        data
    ) != before.st_size:
        raise ReadProblem(
            "changed_while_reading",
            "file was modified while being read; it will be read again on the next run",
        )
    return data


def reference_date_for(entry: FileEntry, configured: date | None) -> date:
    """The date year-less datelines are read against: the configured one, else the file's
    modification day; a time no calendar holds (past year 9999) falls back to today rather
    than failing this file on every run."""
    if configured is not None:
        return configured
    try:
        return datetime.fromtimestamp(entry.mtime_ns / 1e9, UTC).date()
    except (OverflowError, OSError, ValueError):
        return datetime.now(UTC).date()


class ReadProblem(Exception):
    def __init__(self, reason: str, detail: str, *, unreadable: bool = True) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.unreadable = reason, detail, unreadable


@as_task("load", "load-and-clean", retries=1, retry_delay_seconds=2)
def load_and_clean(
    ctx: RunContext, batch_no: int, entries: list[FileEntry], known: dict[str, Known]
) -> LoadedBatch:
    """Read, decode, parse and clean a batch of files; stage sources and rejects rows.

    Retried once: a file system hiccup should not cost the run (the retry writes the same parts).
    """
    wh, run_id, config = ctx.wh, ctx.run_id, ctx.config
    now = datetime.now(UTC)
    lexicon = load_tone_lexicon()
    result = LoadedBatch(scratch=str(wh.scratch_path(run_id, f"loaded-{batch_no:06d}.pkl")))
    seconds_clean = 0.0
    sources: list[dict] = []
    rejects: list[Reject] = []
    sha_of: dict[str, str | None] = {}
    changes: list[dict] = []
    # Cleaned articles go to the scratch file in chunks of config.chunk_articles (a pickle per
    # chunk), with their dedup keys: a file of a million JSON lines never has all its articles
    # in memory, here or in the steps after this one (they read the scratch chunk by chunk).
    chunk: list[CleanArticle] = []
    hasher = config.minhash.hasher()
    scratch = open(result.scratch, "wb")  # noqa: SIM115 (closed after the loop, below)

    def flush() -> None:
        if chunk:
            pickle.dump(chunk, scratch, protocol=pickle.HIGHEST_PROTOCOL)
            result.keys.extend(dedup_keys(chunk, hasher))
            chunk.clear()

    for entry in progress(entries, len(entries), f"load batch {batch_no}", config.progress):
        fmt, gzipped = detect_format(entry.path)
        row = {
            "path": entry.path,
            "source_root": entry.root,
            "relative_path": entry.relative,
            "size": entry.size,
            "mtime_ns": entry.mtime_ns,
            "format": fmt,
            "gzipped": gzipped,
            "seen_at": now,
        }
        if entry.ignored:
            sources.append({**row, "status": "ignored", "note": entry.ignored})
            result.files_ignored += 1
            continue
        # Read again: its rejects are replaced by this run's (none, if it is fixed); its articles
        # are replaced too once its content is read (below), not when it could not be read.
        changes.append({"path": entry.path, "articles": False, "rejects": True})
        try:
            data = read_file(entry, config.max_file_bytes, config.read_timeout_s)
        except ReadProblem as exc:
            changes[-1]["articles"] = not exc.unreadable  # too large now: its old articles go
            rejects.append(Reject(entry.path, "load", exc.reason, exc.detail))
            sources.append(
                {**row, "status": "unreadable" if exc.unreadable else "rejected", "articles": 0, "rejects": 1}
            )
            result.files_rejected += 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        row["sha256"] = sha_of[entry.path] = digest
        previous = known.get(entry.path)
        if previous and previous.sha256 == digest and previous.status != "unreadable":
            # Touched, not changed: remember the new mtime so the next run skips it by stat.
            changes.pop()
            sources.append({**row, "status": previous.status})
            result.files_unchanged += 1
            continue
        changes[-1]["articles"] = True  # a changed file replaces its articles, even by none
        loaded = stream_file(entry.path, data, max_decompressed_bytes=config.max_decompressed_bytes)
        reference = reference_date_for(entry, config.reference_date)
        t1 = time.perf_counter()
        file_rejects: list[Reject] = []
        kept = 0
        unique = UniqueKeys()
        for raw in loaded.items:
            if isinstance(raw, Reject):
                file_rejects.append(raw)
                continue
            key = unique(record_key(raw.input_format, raw.external_id, raw.url, raw.title, raw.text))
            article_id = stable_id(raw.source_path, key)
            try:
                cleaned = clean_article(
                    raw,
                    article_id,
                    detect_language,
                    max_chars=config.max_text_chars,
                    reference_date=reference,
                    tone_lexicon=lexicon,
                )
            except RejectError as exc:
                record = raw.record_index if raw.input_format in (JSON, JSONL, WARC) else None
                file_rejects.append(Reject(entry.path, "clean", exc.reason, exc.detail, record_index=record))
                continue
            cleaned.record_key = key
            chunk.append(cleaned)
            kept += 1
            if len(chunk) >= config.chunk_articles:
                flush()
        seconds_clean += time.perf_counter() - t1
        rejects += file_rejects
        status = "rejected" if not kept else ("partial" if file_rejects else "loaded")
        sources.append(
            {
                **row,
                "encoding": loaded.encoding,
                "status": status,
                "articles": kept,
                "rejects": len(file_rejects),
            }
        )
        result.files_loaded += bool(kept)
        result.files_rejected += not kept
        result.articles += kept
    flush()
    scratch.close()
    part = f"{batch_no:06d}"
    wh.stage(run_id, SOURCES, to_table(SOURCES, sources), part)
    wh.stage(run_id, REJECTS, to_table(REJECTS, reject_rows(rejects, sha_of)), part)
    wh.stage_changes(run_id, pa.Table.from_pylist(changes, schema=CHANGES), part)
    result.replaced = [c["path"] for c in changes if c["articles"]]
    result.records_rejected = len(rejects)
    result.seconds["clean"] = seconds_clean
    return result
