"""The extractors that need only an article's text (quantities, dates, keywords), and the helper
process that runs them beside NER.

With ``n_process=1`` NER keeps one core busy and leaves the other idle, while these extractors
cost 10-12 % of NER's time on top of it (bench/throughput.py, README › Measured). Run in a helper
process on the idle core they overlap NER instead of following it. Quotes stay beside NER: they
need its mentions for speakers.

The helper is used only when there is a core to spare (more CPUs than NER processes) and this
process may have children (a Dask worker is a daemon process, and its cores are already in use);
otherwise the same function runs inline. Either way the rows are the same (tests/flows/
test_text_items.py). This module imports only what the extractors need, so the helper starts in
a fraction of a second, on the idle core, while the first NER batch runs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import types
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

import pyarrow as pa

from flows.api_server import die_with_parent
from flows.reference_data import stop_words
from transforms.ids import stable_id
from transforms.keywords import find_keywords
from transforms.language_gate import GRAMMAR_LANGUAGES, primary_language
from transforms.mentioned_dates import find_dates
from transforms.quantities import find_quantities
from warehouse.schemas import DATES, KEYWORDS, QUANTITIES, TableSpec, to_table

# spaCy ships stop words for these; other languages get no keywords rather than English stop
# words applied to them.
KEYWORD_LANGUAGES = frozenset({"en", "de", "fr", "es", "it", "pt", "nl"})
TEXT_ITEM_TABLES: tuple[TableSpec, ...] = (QUANTITIES, DATES, KEYWORDS)
# Articles per task sent to the helper: small enough that it starts while NER's first batch
# runs, large enough that the per-task round trip (~1 ms) is noise beside ~0.5 s of work.
CHUNK = 250

Article = tuple[str, str, datetime | None, str | None]  # article_id, text, published_at, language


def item_row(article_id: str, item: str, fields: dict[str, Any]) -> dict:
    """A row of an extracted-item table: the extractor's fields plus the item and article ids
    (the writer stamps the run id)."""
    key = stable_id(article_id, item, fields["start_char"], fields["end_char"], fields.get("keyword"))
    return {"item_id": key, "article_id": article_id, **fields}


def text_item_tables(articles: Sequence[Article], keywords: bool) -> dict[str, pa.Table]:
    """Quantities and dates (English articles: their grammars are English) and keywords (languages
    with stop words) of the given articles.

    Returns Arrow tables rather than rows: a table crosses the process boundary as a few
    buffers, where 100,000 small dicts would cost the main process seconds to unpickle.
    """
    rows: dict[str, list[dict]] = {spec.name: [] for spec in TEXT_ITEM_TABLES}
    for article_id, text, published_at, raw_language in articles:
        language = primary_language(raw_language)
        if language in GRAMMAR_LANGUAGES:  # English grammars: other languages get none, not wrong ones
            for item, spec, found in (
                ("quantity", QUANTITIES, find_quantities(text)),
                ("date", DATES, find_dates(text, published_at)),
            ):
                rows[spec.name].extend(item_row(article_id, item, vars(x)) for x in found)
        if keywords and language in KEYWORD_LANGUAGES:
            for k in find_keywords(text, stop_words(language)):
                end = None if k.start_char is None else k.start_char + len(k.keyword)
                fields = {**vars(k), "end_char": end}
                rows[KEYWORDS.name].append(item_row(article_id, "keyword", fields))
    return {spec.name: to_table(spec, rows[spec.name]) for spec in TEXT_ITEM_TABLES}


def can_use_helper(n_process: int) -> bool:
    """A core to spare beside NER's processes, and a process allowed to have children."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cpus > n_process and not multiprocessing.current_process().daemon


def process_usage() -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of the calling process, for the helper's share of a run.

    Peak RSS from /proc's VmHWM, not getrusage: Linux carries ru_maxrss across exec, so a
    spawned child would report the parent's size at the moment it was forked.
    """
    import time

    peak = 0.0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return time.process_time(), peak


@contextmanager
def helper_pool(enabled: bool) -> Iterator[ProcessPoolExecutor | None]:
    """One helper process for a flow run's extract stage, or None to run inline.

    'spawn', not fork: the run's process has Prefect's threads, and forking a threaded process
    can copy a held lock into the child.
    """
    if not enabled:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_helper,
        initargs=(os.getpid(),),
    )
    try:
        # Start it now, from this (the flow's) thread: the parent-death signal follows the thread
        # that started the child, and the imports run while the first NER batch does. A pool of
        # one never starts another process, so this is the only start.
        with _main_script_hidden():
            pool.submit(text_item_tables, [], False)
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_helper(run_pid: int) -> None:
    """In the helper: exit when the run dies, even by SIGKILL, rather than wait forever on a
    queue nobody writes to (Linux; elsewhere the pool's shutdown still applies). A run killed
    while the helper was still starting gets no signal: the parent check catches that."""
    if sys.platform == "linux":
        die_with_parent()
    if os.getppid() != run_pid:
        os._exit(0)


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """'spawn' runs the parent's main script again in the child, as ``__mp_main__``: a script
    that calls the flow without ``if __name__ == "__main__":`` would run its whole ingest again
    there, into the same warehouse. The helper needs nothing from that script, so the child is
    started with an empty ``__main__``."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class TextItems:
    """The text-only items of one batch: submitted to the helper up front, gathered after NER.

    A helper that dies (killed, out of memory) costs nothing but time: its chunks run inline.
    """

    def __init__(self, pool: ProcessPoolExecutor | None, articles: list[Article], keywords: bool) -> None:
        self.keywords = keywords
        self.chunks = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)]
        self.futures: list[Future | None] = [None] * len(self.chunks)
        if pool is not None:
            with suppress(BrokenProcessPool, RuntimeError):
                self.futures = [pool.submit(text_item_tables, c, keywords) for c in self.chunks]

    def tables(self) -> dict[str, pa.Table]:
        parts: dict[str, list[pa.Table]] = {spec.name: [] for spec in TEXT_ITEM_TABLES}
        for chunk, future in zip(self.chunks, self.futures, strict=True):
            try:
                got = future.result() if future is not None else None
            except BrokenProcessPool:
                got = None
            if got is None:
                got = text_item_tables(chunk, self.keywords)
            for name, table in got.items():
                parts[name].append(table)
        return {
            spec.name: pa.concat_tables(parts[spec.name]) if parts[spec.name] else to_table(spec, [])
            for spec in TEXT_ITEM_TABLES
        }
