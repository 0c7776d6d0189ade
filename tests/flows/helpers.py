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


RUN_SPECIFIC = ("run_id", "processed_at", "seen_at", "first_processed", "last_processed")
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
)


def snapshot(warehouse: Path, table: str, exclude: tuple[str, ...] = RUN_SPECIFIC):
    """Sorted table contents without run ids and processing times, for equality across runs."""
    columns = [c for c in TABLES[table].schema.names if c not in exclude]
    return query(warehouse, f"select {', '.join(columns)} from {table} order by all")


def all_snapshots(warehouse: Path) -> dict[str, list[tuple]]:
    return {table: snapshot(warehouse, table) for table in CONTENT_TABLES}
