"""The run summary: one dict, shown as a Prefect artifact, a log line and a CLI table."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from warehouse.catalog import connect_memory
from warehouse.store import Warehouse

SUMMARY_ROWS = (
    ("files_seen", "files seen"),
    ("files_new", "new files"),
    ("files_changed", "changed files"),
    ("files_unchanged", "unchanged (skipped)"),
    ("files_loaded", "files loaded"),
    ("files_rejected", "files rejected"),
    ("files_ignored", "files ignored (not articles)"),
    ("files_missing", "files missing since last run"),
    ("records_rejected", "reject rows"),
    ("articles", "articles loaded"),
    ("canonical", "canonical articles"),
    ("duplicates", "duplicates"),
    ("repointed", "earlier articles re-pointed"),
    ("mentions", "entity mentions"),
    ("entities", "entities in warehouse"),
    ("stories", "stories in warehouse"),
)
STAGES = ("discover", "load", "clean", "dedup", "extract", "write", "commit", "total")


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# wirehouse ingest `{summary['run_id']}`: {summary['status']}",
        "",
        f"Warehouse: `{summary['warehouse']}`"
        + (f", committed as snapshot {summary['snapshot']}" if summary.get("snapshot") is not None else ""),
        "",
        "| count | value |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {summary.get(key, 0):,} |" for key, label in SUMMARY_ROWS]
    lines += ["", "| stage | seconds |", "|---|---:|"]
    lines += [f"| {s} | {summary.get('seconds_' + s, 0.0):.2f} |" for s in STAGES]
    if summary.get("search_error"):
        lines += [
            "",
            f"**The search index was not rebuilt** ({summary['search_error']}); the next run rebuilds it.",
        ]
    if summary.get("rejects_by_reason"):
        lines += ["", "| reject reason | count |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in summary["rejects_by_reason"].items()]
    if summary.get("top_entities"):
        lines += ["", "| top entity | label | articles | mentions |", "|---|---|---:|---:|"]
        lines += [
            f"| {e['entity']} | {e['label']} | {e['articles']} | {e['mentions']} |"
            for e in summary["top_entities"]
        ]
    return "\n".join(lines) + "\n"


def rejects_by_reason(wh: Warehouse, run_id: str) -> dict[str, int]:
    con = connect_memory(wh.root)
    try:
        rows = con.execute(
            "select reason, count(*) from rejects where run_id = ? group by 1 order by 2 desc, 1", [run_id]
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def top_entities(wh: Warehouse, limit: int = 10) -> list[dict[str, Any]]:
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


def publish(summary: dict[str, Any]) -> None:
    """The summary as Prefect artifacts (markdown, counts, rejects, top entities) and one log line."""
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
