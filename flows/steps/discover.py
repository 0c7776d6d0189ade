"""Step 1, discover: list the source folders and decide which files need work.

Only ``stat`` is used (flows/listing.py): a file whose size and mtime match the manifest is
unchanged without reading a byte. Entries that cannot be listed (broken links, loops, links
leaving the sources, devices) become rejects at stage 'discover'.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flows.listing import FileEntry, Known, find_work, known_files, reject_rows
from flows.steps.base import RunContext, StepResult, as_task
from warehouse.schemas import REJECTS, to_table


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

    def known_for(self, entries: list[FileEntry]) -> dict[str, Known]:
        """The manifest rows of one batch's files: a task gets only what it needs (Dask pickles it)."""
        return {e.path: self.known[e.path] for e in entries if e.path in self.known}

    def describe(self) -> str:
        ignored = Counter(entry.ignored for entry in self.todo if entry.ignored)
        lines = [
            f"{self.files_seen} files: {self.files_new} new, {self.files_changed} changed or touched, "
            f"{self.files_unchanged} unchanged (skipped), {self.records_rejected} unlistable"
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
    return Discovery(
        todo=work.todo,
        known=work.known,
        files_seen=work.files_seen,
        files_new=work.files_new,
        files_changed=work.files_changed,
        files_unchanged=work.files_unchanged,
        records_rejected=len(work.rejects),
    )
