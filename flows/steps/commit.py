"""Step 5 and 6: rebuild the corpus-wide snapshots, then commit the run (or record its failure).

The commit is the only moment readers see a change: every table's staged rows land in one
DuckLake transaction (warehouse.store). The search index is rebuilt after it; if that fails
the run is still committed, the run says so, and the next run rebuilds the index. A run that
fails before its commit leaves only a 'failed' row in ``runs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flows.run_record import stage_run_row
from flows.steps.base import RunContext, StepResult, as_task
from flows.steps.entities import stage_entities
from flows.steps.stories import stage_stories
from transforms.aliases import AliasTable
from warehouse.catalog import SEARCH_STALE, connect_memory, refresh_search_index


@dataclass
class Snapshots(StepResult):
    entities: int = 0
    stories: int = 0


@as_task("write", "entities-and-stories")
def rebuild_snapshots(ctx: RunContext, changed: bool, aliases: AliasTable) -> Snapshots:
    """Corpus-wide entities, redirects, pairs and stories from all mentions.

    Skipped when the run added nothing (an unchanged folder costs only the listing).
    """
    if not changed:
        return Snapshots(entities=_count(ctx, "entities"), stories=_count(ctx, "stories"))
    return Snapshots(entities=stage_entities(ctx, aliases), stories=stage_stories(ctx))


def _count(ctx: RunContext, table: str) -> int:
    con = connect_memory(ctx.wh.root)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


@dataclass
class Committed(StepResult):
    run_id: str = ""
    snapshot: int = -1
    search_error: str = ""

    def describe(self) -> str:
        line = f"committed run {self.run_id} as snapshot {self.snapshot}"
        if self.search_error:
            return f"{line}; the search index was NOT rebuilt ({self.search_error}); the next run rebuilds it"
        return f"{line}; search index up to date"


@as_task("commit", "commit")
def commit(ctx: RunContext, run_row: dict[str, Any]) -> Committed:
    """Stage the runs row, commit every table in one transaction, then refresh the search index."""
    stage_run_row(ctx, {**run_row, "status": "completed", "finished_at": datetime.now(UTC)})
    staged = ctx.wh.staged_files(ctx.run_id)
    if staged["articles"] or staged["_changes"]:
        (ctx.wh.root / SEARCH_STALE).touch()
    record = ctx.wh.commit(ctx.run_id, [str(p) for p in ctx.config.source_paths()])
    return Committed(
        run_id=ctx.run_id, snapshot=record["snapshot"], search_error=refresh_search_index(ctx.wh.root)
    )


def record_failure(ctx: RunContext, run_row: dict[str, Any], exc: BaseException) -> None:
    """Best effort: drop the run's staged data and commit only a 'failed' runs row."""
    ctx.wh.discard(ctx.run_id)
    try:
        stage_run_row(
            ctx,
            {
                **run_row,
                "status": "failed",
                "error": f"{type(exc).__name__}: {exc}"[:2000],
                "finished_at": datetime.now(UTC),
            },
        )
        ctx.wh.commit(ctx.run_id)
    except Exception:  # the original error matters more than the bookkeeping
        ctx.wh.discard(ctx.run_id)
