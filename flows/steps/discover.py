"""Step 1, discover: list the source folders and decide which files need work.

Only ``stat`` is used (flows/listing.py): a file whose size and mtime match the manifest is
unchanged without reading a byte. Entries that cannot be listed (broken links, loops, links
leaving the sources, devices) become rejects at stage 'discover'.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from flows.listing import FileEntry, Known, find_work, known_files, reject_rows
from flows.steps.base import RunContext, StepResult, as_task
from warehouse.changes import CHANGES
from warehouse.schemas import REJECTS, SOURCES, to_table


@dataclass
class Discovery(StepResult):
    """The files to read, with what the manifest knew of the changed ones."""

    todo: list[FileEntry] = field(default_factory=list)
    known: dict[str, Known] = field(default_factory=dict)
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    records_rejected: int = 0
    files_missing: int = 0
    removed: list[str] = field(default_factory=list)  # missing files whose articles this run removes

    def known_for(self, entries: list[FileEntry]) -> dict[str, Known]:
        """The manifest rows of one batch's files: a task gets only what it needs (Dask pickles it)."""
        return {e.path: self.known[e.path] for e in entries if e.path in self.known}

    def describe(self) -> str:
        ignored = Counter(entry.ignored for entry in self.todo if entry.ignored)
        lines = [
            f"{self.files_seen} files: {self.files_new} new, {self.files_changed} changed or touched, "
            f"{self.files_unchanged} unchanged (skipped), {self.records_rejected} unlistable, "
            f"{self.files_missing} missing since the last run"
        ]
        lines += [f"recording {n} files as ignored, not loaded: {reason}" for reason, n in ignored.items()]
        return "; ".join(lines)


@as_task("discover", "discover")
def discover(ctx: RunContext) -> Discovery:
    """List files, diff against the sources manifest, stage rejects for unlistable entries."""
    config = ctx.config
    work = find_work(
        config.source_paths(),
        tuple(config.exclude),
        known_files(ctx.wh.root),
        allow_outside_links=config.allow_outside_links,
    )
    ctx.wh.stage(ctx.run_id, REJECTS, to_table(REJECTS, reject_rows(work.rejects, {})), "discover")
    stage_missing(ctx, work.missing)
    return Discovery(
        removed=[p for p in work.missing if config.missing_files == "remove"],
        files_missing=len(work.missing),
        todo=work.todo,
        known=work.known,
        files_seen=work.files_seen,
        files_new=work.files_new,
        files_changed=work.files_changed,
        files_unchanged=work.files_unchanged,
        records_rejected=len(work.rejects),
    )


def stage_missing(ctx: RunContext, missing: dict[str, Known]) -> None:
    """Record files gone from their source folder; their rejects leave, and with
    ``missing_files="remove"`` their articles too (warehouse.changes)."""
    if not missing:
        return
    remove = ctx.config.missing_files == "remove"
    note = (
        "not found under its source folder; its articles were removed (missing_files=remove)"
        if remove
        else "not found under its source folder; its articles are kept (missing_files=keep)"
    )
    now = datetime.now(UTC)
    rows = [
        {
            "path": path,
            "source_root": k.source_root,
            "relative_path": k.relative_path,
            "size": k.size,
            "mtime_ns": k.mtime_ns,
            "sha256": k.sha256,
            "status": "missing",
            "note": note,
            "seen_at": now,
        }
        for path, k in sorted(missing.items())
    ]
    ctx.wh.stage(ctx.run_id, SOURCES, to_table(SOURCES, rows), "missing")
    changes = [{"path": path, "articles": remove, "rejects": True} for path in sorted(missing)]
    ctx.wh.stage_changes(ctx.run_id, pa.Table.from_pylist(changes, schema=CHANGES), "missing")
