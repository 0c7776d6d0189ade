"""Helpers for flow tests: run the flow into a folder and read tables back through DuckDB."""

from __future__ import annotations

from pathlib import Path

from warehouse.catalog import open_readonly
from warehouse.schemas import TABLES


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = open_readonly(warehouse)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_counts(warehouse: Path) -> dict[str, int]:
    return {name: query(warehouse, f"select count(*) from {name}")[0][0] for name in TABLES}


RUN_SPECIFIC = ("run_id", "processed_at", "seen_at", "first_processed", "last_processed", "opened_at")
CONTENT_TABLES = (
    "sources",
    "rejects",
    "articles",
    "duplicates",
    "dedup_bands",
    "mentions",
    "entities",
    "entity_redirects",
    "entity_pairs",
    "quotes",
    "quantities",
    "dates",
    "keywords",
    "stories",
    "story_members",
    "story_terms",
)
# A story's id comes from the run that opened it, and a member's similarity is as placed: across
# differently split runs the same partition is compared, each story named by its first member.
STORY_LABEL = "(select min(l.article_id) from story_members l where l.story_id = t.story_id)"


def snapshot(
    warehouse: Path, table: str, exclude: tuple[str, ...] = RUN_SPECIFIC, story_labels: bool = False
):
    """Sorted table contents without run ids and processing times, for equality across runs;
    with ``story_labels``, story ids replaced by the story's first member (the partition)."""
    columns = [c for c in TABLES[table].schema.names if c not in exclude]
    if story_labels:
        columns = [STORY_LABEL if c == "story_id" else c for c in columns]
    return query(warehouse, f"select {', '.join(columns)} from {table} t order by all")


def all_snapshots(warehouse: Path, across_runs: bool = False) -> dict[str, list[tuple]]:
    """Every content table; ``across_runs`` for warehouses built in differently split runs
    (stories compared as partitions, without the as-placed similarity)."""
    exclude = (*RUN_SPECIFIC, "similarity") if across_runs else RUN_SPECIFIC
    return {table: snapshot(warehouse, table, exclude, across_runs) for table in CONTENT_TABLES}
