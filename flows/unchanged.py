"""An unchanged folder, answered without starting Prefect.

Most scheduled or repeated runs find nothing new. The full flow would boot a temporary Prefect
server and its engine (about 10 s here) to list files and write one row. So the CLI first takes
the writer lock and lists the sources against the manifest, with nothing but the standard
library, DuckDB and pyarrow: when every file is unchanged and nothing is unlistable, it records
the run in ``runs`` (one atomic commit, as any run) and stops. Anything else (a new, changed or
unreadable file, a reject, a first run, a crashed run to clean up) releases the lock and runs
the real flow. Runs through a configured Prefect server or a deployment always use the flow, so
they keep their Prefect flow-run records.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import duckdb

from flows.config import RunConfig
from flows.listing import find_work, known_files, known_from
from flows.run_record import stage_run_row, versions
from flows.steps.base import RunContext, RunStats
from warehouse.catalog import SEARCH_DB, SEARCH_STALE, connect_memory
from warehouse.lock import writer_lock
from warehouse.store import Warehouse, new_run_id
from warehouse.verify import WarehouseDamaged, damage_message, quick_problems


def _catalog_opens(root) -> bool:
    """A warehouse whose search index exists and is not marked stale (the tables are read next)."""
    return Warehouse(root).exists() and (root / SEARCH_DB).exists() and not (root / SEARCH_STALE).exists()


def files_to_read(config: RunConfig) -> int:
    """How many files the coming run will read: the CLI says so before Prefect starts."""
    root = config.warehouse_path()
    known = known_files(root) if Warehouse(root).exists() else {}
    work = find_work(
        config.source_paths(), tuple(config.exclude), known, allow_outside_links=config.allow_outside_links
    )
    return len(work.todo)


def record_if_unchanged(config: RunConfig) -> dict[str, Any] | None:
    """The run's summary when nothing under the sources needs work (the run is then committed);
    None when the flow must run."""
    t0, started = time.perf_counter(), datetime.now(UTC)
    root = config.warehouse_path()
    if not _catalog_opens(root):
        return None  # a first run, or a missing or damaged catalog: the flow builds both
    wh = Warehouse(root)
    with writer_lock(root, wait_seconds=config.lock_wait_seconds):
        if wh.staging.exists() and any(wh.staging.iterdir()):
            return None  # a killed run left work: the flow recovers it
        try:
            con = connect_memory(root)
        except duckdb.Error:
            return None  # a damaged catalog: the flow reports it
        try:  # one connection for the checks, the manifest and the counts after the run
            problems = quick_problems(con, root)
            if any(not p.repairable for p in problems):
                raise WarehouseDamaged(damage_message(root, problems))
            if problems:
                return None  # a newer release's table or column to add: the flow does that
            known = known_from(con)
            entities, stories = con.execute(
                "select (select count(*) from entities), (select count(*) from stories)"
            ).fetchone()
        except duckdb.Error:
            return None  # e.g. a newer release's column to add first: the flow does that
        finally:
            con.close()
        work = find_work(
            config.source_paths(),
            tuple(config.exclude),
            known,
            allow_outside_links=config.allow_outside_links,
        )
        if work.todo or work.rejects or work.missing:
            return None
        stats = RunStats(files_seen=work.files_seen, files_unchanged=work.files_unchanged)
        stats.check()
        stats.entities, stats.stories = entities, stories
        stats.seconds["discover"] = time.perf_counter() - t0
        stats.seconds["total"] = time.perf_counter() - t0
        ctx = RunContext(wh, new_run_id(), config)
        row = {
            "run_id": ctx.run_id,
            "flow_run_id": "",  # no Prefect flow run: nothing was there to orchestrate
            "started_at": started,
            "parameters": config.model_dump_json(),
            "versions": versions(),
            "status": "completed",
            "finished_at": datetime.now(UTC),
            **stats.columns(),
        }
        try:
            stage_run_row(ctx, row)
            wh.commit(ctx.run_id)  # one runs row: the search index stays valid
        except BaseException:
            wh.discard(ctx.run_id)
            raise
    return {"run_id": ctx.run_id, "status": "completed", "warehouse": str(root), **stats.columns()}
