"""The run summary: one dict, shown as a Prefect artifact, a log line and a CLI table."""

from __future__ import annotations

from typing import Any

SUMMARY_ROWS = (
    ("files_seen", "files seen"),
    ("files_new", "new files"),
    ("files_changed", "changed files"),
    ("files_unchanged", "unchanged (skipped)"),
    ("files_loaded", "files loaded"),
    ("files_rejected", "files rejected"),
    ("files_ignored", "files ignored (not articles)"),
    ("records_rejected", "reject rows"),
    ("articles", "articles loaded"),
    ("canonical", "canonical articles"),
    ("duplicates", "duplicates"),
    ("repointed", "earlier articles re-pointed"),
    ("mentions", "entity mentions"),
    ("entities", "entities in warehouse"),
    ("stories", "stories in warehouse"),
)
STAGES = ("discover", "load", "clean", "dedup", "extract", "write", "total")


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# wirehouse ingest `{summary['run_id']}`: {summary['status']}",
        "",
        f"Warehouse: `{summary['warehouse']}`",
        "",
        "| count | value |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {summary.get(key, 0):,} |" for key, label in SUMMARY_ROWS]
    lines += ["", "| stage | seconds |", "|---|---:|"]
    lines += [f"| {s} | {summary.get('seconds_' + s, 0.0):.2f} |" for s in STAGES]
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
