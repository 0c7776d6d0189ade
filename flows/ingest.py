"""The ``ingest_articles`` flow: discover, load, clean, deduplicate, extract, write.

Read the flow body as the pipeline's table of contents; each stage is a task in this module
whose I/O lives in ``flows.stages`` and whose logic lives in ``transforms``.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.api_server import TemporaryServer
from flows.discover import DEFAULT_EXCLUDE, FileEntry, Known, needs_work, walk_sources
from flows.locations import local_path
from flows.nlp import DEFAULT_MODEL, load_pipeline
from flows.reference_data import load_aliases
from flows.stages import (
    DedupedBatch,
    Limits,
    LoadedBatch,
    committed_members,
    deduplicate,
    extract_entities,
    load_and_clean,
    reject_rows,
    stage_entities,
    stage_repoints,
    stage_run_row,
    stage_stories,
    versions,
)
from flows.summary import SUMMARY_ROWS, summary_markdown
from flows.text_items import can_use_helper, helper_pool
from transforms.aliases import AliasTable
from transforms.dedup import Duplicate, Repoint, resolve_duplicates
from transforms.records import Reject
from warehouse.catalog import build_catalog, connect_memory
from warehouse.lock import writer_lock
from warehouse.schemas import REJECTS, to_table
from warehouse.store import Warehouse, new_run_id

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@dataclass
class Discovery:
    todo: list[FileEntry]
    known: dict[str, Known]
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    rejects: int = 0
    seconds: float = 0.0


@dataclass
class RunStats:
    """Counts and timings accumulated over the batches of one run."""

    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_rejected: int = 0
    files_ignored: int = 0
    records_rejected: int = 0
    articles: int = 0
    canonical: int = 0
    duplicates: int = 0
    repointed: int = 0
    mentions: int = 0
    entities: int = 0
    stories: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: Counter())

    def add_load(self, b: LoadedBatch) -> None:
        self.files_loaded += b.files_loaded
        self.files_rejected += b.files_rejected
        self.files_unchanged += b.files_touched
        self.files_ignored += b.files_ignored
        self.records_rejected += b.rejects
        self.articles += b.articles
        self.seconds["load"] += b.seconds_load
        self.seconds["clean"] += b.seconds_clean

    def add_dedup(self, b: DedupedBatch) -> None:
        self.canonical += b.canonical
        self.duplicates += b.duplicates
        self.seconds["dedup"] += b.seconds

    def check(self) -> None:
        """Nothing lost: every file and article is accounted for, or the run fails loudly."""
        files = self.files_loaded + self.files_rejected + self.files_ignored + self.files_unchanged
        if self.files_seen != files:
            raise RuntimeError(
                f"accounting mismatch: {self.files_seen} files seen but {files} "
                "loaded + rejected + ignored + unchanged"
            )
        if self.articles != self.canonical + self.duplicates:
            raise RuntimeError(
                f"accounting mismatch: {self.articles} articles but "
                f"{self.canonical} canonical + {self.duplicates} duplicates"
            )


# -- tasks -----------------------------------------------------------------------------------


@task(name="discover", cache_policy=NO_CACHE)
def discover(wh: Warehouse, run_id: str, roots: list[Path], exclude: tuple[str, ...]) -> Discovery:
    """List files, diff against the sources manifest, stage rejects for unlistable entries."""
    logger = get_run_logger()
    t0 = time.perf_counter()
    con = connect_memory(wh.root)
    try:
        known = {
            p: Known(s, m, h, st)
            for p, s, m, h, st in con.execute(
                "select path, size, mtime_ns, sha256, status from sources"
            ).fetchall()
        }
    finally:
        con.close()
    found = Discovery(todo=[], known={})
    rejects: list[Reject] = []
    listed: set[str] = set()
    for item in walk_sources(roots, exclude):
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        if item.path in listed:  # the same file under two SOURCE arguments counts once
            continue
        listed.add(item.path)
        found.files_seen += 1
        previous = known.get(item.path)
        if not needs_work(item, previous):
            found.files_unchanged += 1
            continue
        found.todo.append(item)
        if previous is None:
            found.files_new += 1
        else:
            found.files_changed += 1
            found.known[item.path] = previous
    wh.stage(run_id, REJECTS, to_table(REJECTS, reject_rows(rejects, run_id, {})), "discover")
    found.rejects = len(rejects)
    found.seconds = time.perf_counter() - t0
    logger.info(
        "discovered %d files: %d new, %d changed or touched, %d unchanged (skipped), %d unlistable",
        found.files_seen,
        found.files_new,
        found.files_changed,
        found.files_unchanged,
        len(rejects),
    )
    ignored = Counter(entry.ignored for entry in found.todo if entry.ignored)
    for reason, count in ignored.items():
        logger.info("recording %d files as ignored, not loaded: %s", count, reason)
    return found


@task(name="load-and-clean", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load_batch(
    wh: Warehouse,
    run_id: str,
    batch_no: int,
    entries: list[FileEntry],
    known: dict[str, Known],
    limits: Limits,
    show_progress: bool = False,
) -> LoadedBatch:
    """Read, decode, parse, clean; bad input becomes reject rows (retried once on I/O errors)."""
    batch = load_and_clean(wh, run_id, batch_no, entries, known, limits, show_progress)
    get_run_logger().info(
        "batch %d: %d files -> %d articles, %d rejects, %d touched",
        batch_no,
        len(entries),
        batch.articles,
        batch.rejects,
        batch.files_touched,
    )
    return batch


@task(name="plan-dedup", cache_policy=NO_CACHE)
def plan_dedup(wh: Warehouse, loaded: list[LoadedBatch]) -> tuple[dict[str, Duplicate], list[Repoint], float]:
    """Exact-duplicate decisions for the whole run at once, against the committed groups it touches.

    Deciding over all of the run's keys together makes the result independent of batch size;
    re-pointing committed groups makes it independent of how the input was split into runs.
    """
    t0 = time.perf_counter()
    keys = [key for batch in loaded for key in batch.keys]
    decisions, repoints = resolve_duplicates(keys, committed_members(wh, keys))
    return decisions, repoints, time.perf_counter() - t0


@task(name="repoint-committed", cache_policy=NO_CACHE)
def repoint_batch(wh: Warehouse, run_id: str, repoints: list[Repoint]) -> DedupedBatch:
    """Stage new versions of committed articles whose canonical article changed."""
    part = stage_repoints(wh, run_id, repoints)
    promoted = sum(r.dedup_kind == "canonical" for r in repoints)
    get_run_logger().info(
        "re-pointed %d committed articles (%d promoted to canonical)", len(repoints), promoted
    )
    return DedupedBatch(articles_parts=part)


@task(name="deduplicate", cache_policy=NO_CACHE)
def dedup_batch(
    wh: Warehouse, run_id: str, batch_no: int, batch: LoadedBatch, decisions: dict[str, Duplicate]
) -> DedupedBatch:
    """Mark the batch's articles canonical or duplicate and stage them."""
    result = deduplicate(wh, run_id, batch_no, batch, decisions)
    get_run_logger().info(
        "batch %d: %d canonical, %d exact duplicates", batch_no, result.canonical, result.duplicates
    )
    return result


@task(name="extract-entities", cache_policy=NO_CACHE)
def extract_batch(
    wh: Warehouse,
    run_id: str,
    batch_no: int,
    deduped: DedupedBatch,
    model: str,
    n_process: int,
    nlp_batch_size: int,
    aliases: AliasTable,
    show_progress: bool = False,
    keywords: bool = True,
    helper: ProcessPoolExecutor | None = None,
) -> tuple[int, float]:
    """NER and metadata on canonical articles only: duplicates never cost a model call."""
    return extract_entities(
        wh,
        run_id,
        batch_no,
        deduped.articles_parts,
        model,
        n_process,
        nlp_batch_size,
        aliases,
        show_progress,
        keywords,
        helper,
    )


@task(name="entities-and-stories", cache_policy=NO_CACHE)
def rebuild_snapshots(wh: Warehouse, run_id: str, changed: bool, aliases: AliasTable) -> tuple[int, int]:
    """Corpus-wide entities, redirects, pairs and stories from all mentions.

    Skipped when the run added nothing (an unchanged folder costs only the listing).
    """
    if not changed:
        return _count(wh, "entities"), _count(wh, "stories")
    return stage_entities(wh, run_id, aliases), stage_stories(wh, run_id)


@task(name="commit", cache_policy=NO_CACHE)
def commit_run(wh: Warehouse, run_id: str, run_row: dict[str, Any]) -> None:
    """Stage the runs row, publish the run's files atomically, refresh the DuckDB views."""
    stage_run_row(wh, run_id, {**run_row, "status": "completed", "finished_at": datetime.now(UTC)})
    wh.commit(run_id)
    build_catalog(wh.root)


# -- flow ------------------------------------------------------------------------------------


@flow(name="ingest_articles", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def ingest_articles(
    sources: list[str] | None = None,
    warehouse: str = "warehouse",
    batch_size: int = 500,
    spacy_model: str = DEFAULT_MODEL,
    n_process: int = 1,
    nlp_batch_size: int = 64,
    max_file_bytes: int = Limits.max_file_bytes,
    max_decompressed_bytes: int = Limits.max_decompressed_bytes,
    max_text_chars: int = Limits.max_text_chars,
    lock_wait_seconds: float = 0.0,
    exclude: list[str] = list(DEFAULT_EXCLUDE),  # noqa: B006 - Prefect parameters need a literal default
    aliases: str | None = None,
    keywords: bool = True,
    reference_date: str | None = None,
    progress: bool = False,
    text_helper: bool = True,
) -> dict[str, Any]:
    """Ingest every new or changed file under ``sources`` into the warehouse at ``warehouse``."""
    logger = get_run_logger()
    roots = [local_path(s) for s in (sources or [str(EXAMPLES)])]
    missing = [str(r) for r in roots if not r.exists()]
    if missing:
        raise FileNotFoundError(f"source not found: {', '.join(missing)}")
    if reference_date is not None:
        date.fromisoformat(reference_date)  # a bad value fails here, before any work
    limits = Limits(max_file_bytes, max_decompressed_bytes, max_text_chars, reference_date)
    alias_table = load_aliases(aliases)
    wh = Warehouse(local_path(warehouse))
    started, t0 = datetime.now(UTC), time.perf_counter()
    run_id = new_run_id()
    run_row = {
        "run_id": run_id,
        "flow_run_id": str(flow_run.get_id() or ""),
        "started_at": started,
        "parameters": json.dumps(
            {
                "sources": [str(r) for r in roots],
                "warehouse": warehouse,
                "batch_size": batch_size,
                "spacy_model": spacy_model,
                "n_process": n_process,
                "nlp_batch_size": nlp_batch_size,
                "exclude": list(exclude),
                "aliases": aliases,
                "keywords": keywords,
                "text_helper": text_helper,
                **asdict(limits),
            }
        ),
        "versions": versions(),
    }
    stats = RunStats()
    with writer_lock(wh.root, wait_seconds=lock_wait_seconds):
        wh.init()
        for action in wh.recover():
            logger.warning("recovery: %s", action)
        try:
            found = discover(wh, run_id, roots, tuple(exclude))
            _add_discovery(stats, found)
            # Batches are submitted to the flow's task runner: one after another by default,
            # in parallel on Dask workers with --workers / --dask-address (see run_ingest).
            load_futures = [
                load_batch.submit(wh, run_id, batch_no, entries, _known_for(found, entries), limits, progress)
                for batch_no, entries in enumerate(batched(found.todo, batch_size))
            ]
            loaded = [future.result() for future in load_futures]
            for batch in loaded:
                stats.add_load(batch)
            # quote(): Prefect walks every task argument to record its inputs, and walking a
            # dict of 65,000 decisions took 4 s a call (173 calls on 4x Reuters: 740 s). Only
            # for tasks run here: a quoted argument does not survive the trip to a Dask worker.
            decisions, repoints, seconds = plan_dedup(wh, quote(loaded))
            stats.seconds["dedup"] += seconds
            stats.repointed = len(repoints)
            deduped = [
                dedup_batch(wh, run_id, batch_no, quote(batch), quote(decisions))
                for batch_no, batch in enumerate(loaded)
            ]
            for batch in deduped:
                stats.add_dedup(batch)
            if repoints:
                deduped.append(repoint_batch(wh, run_id, quote(repoints)))
            # Quantities, dates and keywords need only the text: with a core to spare they run
            # in a helper process while NER runs here (flows/text_items.py). Not on Dask, whose
            # workers already use the cores.
            helper_wanted = text_helper and bool(deduped) and _tasks_run_here() and can_use_helper(n_process)
            with helper_pool(helper_wanted) as helper:
                extract_futures = [
                    extract_batch.submit(
                        wh,
                        run_id,
                        batch_no,
                        batch,
                        spacy_model,
                        n_process,
                        nlp_batch_size,
                        alias_table,
                        progress,
                        keywords,
                        quote(helper) if helper else None,  # quote() would not survive Dask
                    )
                    for batch_no, batch in enumerate(deduped)
                ]
                for future in extract_futures:
                    mentions, seconds = future.result()
                    stats.mentions += mentions
                    stats.seconds["extract"] += seconds
            stats.check()
            t_write = time.perf_counter()
            stats.entities, stats.stories = rebuild_snapshots(
                wh, run_id, changed=bool(found.todo or found.rejects), aliases=alias_table
            )
            stats.seconds["write"] += time.perf_counter() - t_write
            stats.seconds["total"] = time.perf_counter() - t0
            commit_run(wh, run_id, {**run_row, **_stat_columns(stats)})
        except BaseException as exc:
            _record_failure(wh, run_id, run_row, stats, exc)
            raise
    stats.seconds["total"] = time.perf_counter() - t0
    summary = {
        "run_id": run_id,
        "status": "completed",
        "warehouse": str(wh.root),
        **_stat_columns(stats),
        "rejects_by_reason": _rejects_by_reason(wh, run_id),
        "top_entities": _top_entities(wh),
    }
    _publish(summary)
    return summary


# -- helpers ---------------------------------------------------------------------------------


def _tasks_run_here() -> bool:
    """True when this flow's tasks run in this process (not on Dask workers)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    return context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)


def _known_for(found: Discovery, entries: list[FileEntry]) -> dict[str, Known]:
    """The manifest rows of one batch's files: a task gets only what it needs (Dask pickles it)."""
    return {e.path: found.known[e.path] for e in entries if e.path in found.known}


def run_ingest(
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    server: TemporaryServer | None = None,
    **parameters: Any,
) -> dict[str, Any]:
    """Run ``ingest_articles`` here, or with its batches on Dask: a local cluster of ``workers``
    processes, or the existing cluster at ``dask_address``. The commit stays in this process.

    ``server`` is a temporary Prefect server the caller spawned early (flows/api_server.py);
    one is spawned here when neither it nor PREFECT_API_URL is given. spaCy runs one process per
    Dask worker (a worker cannot fork its own pool), so n_process is 1 there; scale with workers.
    """
    if not workers and not dask_address:
        model = parameters.get("spacy_model", DEFAULT_MODEL)
        with prefect_api(server, warm=lambda: load_pipeline(model)):
            return ingest_articles(**parameters)
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
    parameters = {**parameters, "n_process": 1, "progress": False}
    with prefect_api(server):
        return ingest_articles.with_options(task_runner=runner)(**parameters)


@contextmanager
def prefect_api(server: TemporaryServer | None, warm: Callable[[], Any] | None = None) -> Iterator[None]:
    """The Prefect API this run and its Dask workers use: the configured PREFECT_API_URL, else
    one temporary server, stopped at the end.

    One server for all: without it each Dask worker would start its own (~15 s each, and the
    runs would not be visible in one place). ``warm`` (loading the model) runs while the
    server boots, on the other core.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    url = PREFECT_API_URL.value()
    if url and server is not None:  # configured in a profile or prefect.toml after all
        server.stop()
        server = None
    elif not url:
        server = server or TemporaryServer()
    with ExitStack() as stack:  # unwinds in reverse: settings, environment, logs, server
        if server is not None:
            stack.callback(server.stop)
        if warm is not None:
            warm()
        if server is not None:
            url = server.wait(timeout=PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
            stack.callback(_drain_api_logs)  # the run's last log lines, before the server goes
        stack.enter_context(_environment("PREFECT_API_URL", url))  # inherited by Dask workers
        stack.enter_context(temporary_settings({PREFECT_API_URL: url}))
        yield


def _drain_api_logs() -> None:
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """``name=value`` in os.environ for the block, then as it was."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def batched(items: list, size: int):
    """itertools.batched arrived in Python 3.12; this project runs on 3.11."""
    it = iter(items)
    while chunk := list(islice(it, max(1, size))):
        yield chunk


def _add_discovery(stats: RunStats, found: Discovery) -> None:
    stats.files_seen = found.files_seen
    stats.files_new = found.files_new
    stats.files_changed = found.files_changed
    stats.files_unchanged = found.files_unchanged
    stats.records_rejected += found.rejects
    stats.seconds["discover"] += found.seconds


def _stat_columns(stats: RunStats) -> dict[str, Any]:
    row = {k: v for k, v in asdict(stats).items() if k != "seconds"}
    row.update({f"seconds_{k}": round(v, 3) for k, v in stats.seconds.items()})
    return row


def _count(wh: Warehouse, table: str) -> int:
    con = connect_memory(wh.root)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def _rejects_by_reason(wh: Warehouse, run_id: str) -> dict[str, int]:
    con = connect_memory(wh.root)
    try:
        rows = con.execute(
            "select reason, count(*) from rejects where run_id = ? group by 1 order by 2 desc, 1", [run_id]
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _top_entities(wh: Warehouse, limit: int = 10) -> list[dict[str, Any]]:
    con = connect_memory(wh.root)
    try:
        rows = con.execute(
            "select name, label, article_count, mention_count from entities "
            "order by article_count desc, mention_count desc, name limit ?",
            [limit],
        ).fetchall()
    finally:
        con.close()
    return [{"entity": n, "label": lbl, "articles": a, "mentions": m} for n, lbl, a, m in rows]


def _record_failure(wh: Warehouse, run_id: str, run_row: dict, stats: RunStats, exc: BaseException) -> None:
    """Best effort: drop the run's staged data and commit only a 'failed' runs row."""
    wh.discard(run_id)
    try:
        stage_run_row(
            wh,
            run_id,
            {
                **run_row,
                **_stat_columns(stats),
                "status": "failed",
                "error": f"{type(exc).__name__}: {exc}"[:2000],
                "finished_at": datetime.now(UTC),
            },
        )
        wh.commit(run_id)
        build_catalog(wh.root)
    except Exception:  # the original error matters more than the bookkeeping
        wh.discard(run_id)


def _publish(summary: dict[str, Any]) -> None:
    logger = get_run_logger()
    markdown = summary_markdown(summary)
    create_markdown_artifact(markdown, key="ingest-summary", description="wirehouse run summary")
    create_table_artifact(
        [{"count": label, "value": summary.get(key, 0)} for key, label in SUMMARY_ROWS],
        key="ingest-counts",
        description="files, articles, duplicates, entities and stories of this run",
    )
    reasons = summary.get("rejects_by_reason") or {}
    if reasons:
        create_table_artifact(
            [{"reason": r, "count": n} for r, n in reasons.items()],
            key="ingest-rejects",
            description="rejects by reason",
        )
    if summary.get("top_entities"):
        create_table_artifact(
            summary["top_entities"],
            key="ingest-top-entities",
            description="most-mentioned entities in the warehouse",
        )
    logger.info(
        "run %s: %d files seen, %d new, %d loaded, %d rejected, %d articles "
        "(%d canonical, %d duplicates), %d entities, %.1f s",
        summary["run_id"],
        summary["files_seen"],
        summary["files_new"],
        summary["files_loaded"],
        summary["files_rejected"],
        summary["articles"],
        summary["canonical"],
        summary["duplicates"],
        summary["entities"],
        summary.get("seconds_total", 0.0),
    )
