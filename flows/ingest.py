"""The ``ingest_articles`` flow: discover, load, clean, deduplicate, extract, write.

The flow body is the pipeline's table of contents: one line per step (flows/steps/), each a
Prefect task made by ``as_task``, each returning a result whose counts and seconds RunStats adds
up. Settings come in as one ``RunConfig``; ``run_ingest`` runs the flow here or on Dask.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.api_server import TemporaryServer
from flows.config import EXAMPLES, RunConfig
from flows.locations import check_allowed_roots
from flows.nlp import load_pipeline
from flows.reference_data import load_aliases
from flows.run_record import versions
from flows.runtime import prefect_api
from flows.steps.base import RunContext, RunStats
from flows.steps.commit import commit, rebuild_snapshots, record_failure
from flows.steps.dedup import deduplicate, plan_dedup, repoint
from flows.steps.discover import discover
from flows.steps.extract import extract
from flows.steps.load import load_and_clean
from flows.summary import publish, rejects_by_reason, top_entities
from flows.text_items import can_use_helper, helper_pool
from warehouse import lake
from warehouse.lock import writer_lock
from warehouse.store import Warehouse, new_run_id
from warehouse.verify import WarehouseDamaged, damage_message, verify

__all__ = ["EXAMPLES", "RunConfig", "ingest_articles", "prefect_api", "run_ingest"]


@flow(name="ingest_articles", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def ingest_articles(config: RunConfig | None = None) -> dict[str, Any]:
    """Ingest every new or changed file under ``config.sources`` into ``config.warehouse``."""
    config = config or RunConfig()
    logger = get_run_logger()
    new_remote = bool(config.catalog or config.data_path) and not lake.exists(config.warehouse_path())
    check_allowed_roots(config.source_paths(), config.warehouse_path(), new_remote)
    missing = [str(r) for r in config.source_paths() if not r.exists()]
    if missing:
        raise FileNotFoundError(f"source not found: {', '.join(missing)}")
    aliases = load_aliases(config.aliases)
    ctx = RunContext(Warehouse(config.warehouse_path()), new_run_id(), config)
    stats, started = RunStats(), datetime.now(UTC)
    run_row = {
        "run_id": ctx.run_id,
        "flow_run_id": str(flow_run.get_id() or ""),
        "started_at": started,
        "parameters": config.model_dump_json(),
        "versions": versions(),
    }
    with writer_lock(ctx.wh.root, wait_seconds=config.lock_wait_seconds):
        ctx.wh.init(config.location())
        for action in ctx.wh.recover():
            logger.warning("recovery: %s", action)
        problems = [p for p in verify(ctx.wh.root, full=False)[0] if not p.repairable]
        if problems:  # before any work: a damaged table is named, with what to do
            raise WarehouseDamaged(damage_message(ctx.wh.root, problems))
        try:
            found = stats.add(discover(ctx))
            # Batches go to the flow's task runner: one after another here, in parallel on Dask
            # workers with --workers / --dask-address (run_ingest).
            batches = list(enumerate(batched(found.todo, config.batch_size)))
            loads = [
                load_and_clean.submit(ctx, n, entries, found.known_for(entries)) for n, entries in batches
            ]
            loaded = stats.add_all([future.result() for future in loads])
            # quote(): Prefect walks every task argument to record its inputs; walking 65,000
            # decisions took 4 s a call. A quoted argument does not survive the trip to Dask,
            # so only tasks that run here get one.
            replaced = [p for b in loaded for p in b.replaced] + found.removed
            plan = stats.add(plan_dedup(ctx, quote([k for b in loaded for k in b.keys]), quote(replaced)))
            deduped = stats.add_all(
                [
                    deduplicate(ctx, n, b.scratch, quote(b.keys), quote(plan.decisions))
                    for n, b in enumerate(loaded)
                ]
            )
            if plan.repoints:
                deduped.append(stats.add(repoint(ctx, quote(plan.repoints))))
            # Quantities, dates and keywords need only the text: with a core to spare they run in
            # a helper process while NER runs here (flows/text_items.py); not on Dask workers.
            wanted = (
                config.text_helper
                and bool(deduped)
                and _tasks_run_here()
                and can_use_helper(config.n_process)
            )
            with helper_pool(wanted) as helper:
                # a task per staged articles part (a chunk of at most config.chunk_articles), so
                # NER holds one chunk in memory, however many records one file had
                extracts = [
                    extract.submit(
                        ctx, f"{n:06d}-{k:04d}", [path], aliases, quote(helper) if helper else None
                    )
                    for n, b in enumerate(deduped)
                    for k, path in enumerate(b.articles_parts)
                ]
                stats.add_all([future.result() for future in extracts])
            stats.check()
            changed = bool(found.todo or found.records_rejected or found.files_missing)
            stats.add(rebuild_snapshots(ctx, changed, aliases))
            stats.seconds["total"] = (datetime.now(UTC) - started).total_seconds()
            committed = commit(ctx, {**run_row, **stats.columns()})
            stats.seconds.update(committed.seconds)  # shown in the summary (the runs row is in the commit)
        except BaseException as exc:
            record_failure(ctx, {**run_row, **stats.columns()}, exc)
            raise
    stats.seconds["total"] = (datetime.now(UTC) - started).total_seconds()
    summary = {
        "run_id": ctx.run_id,
        "status": "completed",
        "warehouse": str(ctx.wh.root),
        "snapshot": committed.snapshot,
        **({"search_error": committed.search_error} if committed.search_error else {}),
        **stats.columns(),
        "rejects_by_reason": rejects_by_reason(ctx.wh, ctx.run_id),
        "top_entities": top_entities(ctx.wh),
    }
    publish(summary)
    return summary


def _tasks_run_here() -> bool:
    """True when this flow's tasks run in this process (not on Dask workers)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    return context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)


def batched(items: list, size: int):
    """itertools.batched arrived in Python 3.12; this project runs on 3.11."""
    it = iter(items)
    while chunk := list(islice(it, max(1, size))):
        yield chunk


def run_ingest(
    config: RunConfig,
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    server: TemporaryServer | None = None,
) -> dict[str, Any]:
    """Run ``ingest_articles`` here, or with its batches on Dask: a local cluster of ``workers``
    processes, or the existing cluster at ``dask_address``. The commit stays in this process.

    ``server`` is a temporary Prefect server the caller spawned early (flows/api_server.py);
    one is spawned here when neither it nor PREFECT_API_URL is given. spaCy runs one process per
    Dask worker (a worker cannot fork its own pool), so n_process is 1 there; scale with workers.
    """
    if not workers and not dask_address:
        english = config.models.get("en")  # most runs read English: load it while the server boots
        with prefect_api(server, warm=(lambda: load_pipeline(english)) if english else None):
            return ingest_articles(config)
    from prefect_dask import DaskTaskRunner

    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    if dask_address:
        runner = DaskTaskRunner(address=dask_address)
    else:
        runner = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    config = config.model_copy(update={"n_process": 1, "progress": False})
    with prefect_api(server):
        return ingest_articles.with_options(task_runner=runner)(config)
