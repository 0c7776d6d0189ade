"""What the CLI prints around a run: errors as one line with an exit code, the run summary, and
the checks that turn a busy or damaged warehouse into such an error (rows: flows/cli_format.py)."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.api_server import ServerFailed, TemporaryServer
from flows.cli_format import printable

err = Console(stderr=True, soft_wrap=True)  # an error is one line, however narrow the terminal


def fail(message: str, code: int = 1) -> typer.Exit:
    # the message may quote data or SQL: printed as text, never parsed as Rich markup
    err.print(Text.assemble(("error: ", "bold red"), printable(message)))
    return typer.Exit(code)


def models_option(defaults: dict[str, str], english: str | None, pairs: list[str]) -> dict[str, str]:
    """The language -> model table from the defaults, --spacy-model and --model LANG=PACKAGE."""
    models = dict(defaults)
    if english:
        models["en"] = english
    for pair in pairs:
        language, sep, package = pair.partition("=")
        if not sep or not language:
            raise fail(f"--model {pair!r}: write LANG=PACKAGE, e.g. --model fr=fr_core_news_sm", 2)
        if package:
            models[language.strip().lower()] = package.strip()
        else:
            models.pop(language.strip().lower(), None)
    return models


def run_or_exit(server: TemporaryServer | None, config: Any, **where: Any) -> dict[str, Any]:
    """run_ingest, with its failures turned into exits that say what to do."""
    from flows.ingest import run_ingest
    from flows.nlp import ModelNotInstalled
    from flows.reference_data import load_aliases
    from transforms.aliases import AliasError
    from warehouse.lock import WarehouseBusy

    try:
        load_aliases(config.aliases)
    except (AliasError, FileNotFoundError) as exc:
        raise fail(f"bad alias table: {exc}", 2) from None
    try:
        return run_ingest(config, server=server, **where)
    except WarehouseBusy as exc:
        raise fail(str(exc), 3) from None
    except ModelNotInstalled as exc:
        raise fail(str(exc), 2) from None
    except ServerFailed:
        raise
    except Exception as exc:
        raise fail(
            f"the run failed and the warehouse was left as it was before: {type(exc).__name__}: {exc}"
        ) from None


def print_summary(summary: dict) -> None:
    from flows.summary import STAGES, SUMMARY_ROWS

    out = Console()
    table = Table(title=f"run {summary['run_id']} ({summary['status']})", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, label in SUMMARY_ROWS:
        table.add_row(label, f"{summary.get(key, 0):,}")
    for stage in STAGES:
        table.add_row(f"seconds {stage}", f"{summary.get('seconds_' + stage, 0.0):.2f}")
    for reason, count in (summary.get("rejects_by_reason") or {}).items():
        table.add_row(f"rejected: {reason}", str(count))
    out.print(table)
    snapshot = (
        f" (committed as snapshot {summary['snapshot']})" if summary.get("snapshot") is not None else ""
    )
    out.print(f"warehouse: {summary['warehouse']}{snapshot}")
    if summary.get("search_error"):
        err.print(
            Text(
                f"warning: the run is committed, but the search index was not rebuilt "
                f"({summary['search_error']}); the next run rebuilds it"
            )
        )


def record_if_unchanged_or_exit(config: Any) -> dict[str, Any] | None:
    """flows.unchanged.record_if_unchanged, a busy warehouse an exit 3 at once."""
    from flows.unchanged import record_if_unchanged
    from warehouse.lock import WarehouseBusy
    from warehouse.verify import WarehouseDamaged

    try:
        return record_if_unchanged(config)
    except WarehouseBusy as exc:
        raise fail(str(exc), 3) from None
    except WarehouseDamaged as exc:
        raise fail(str(exc), 2) from None


def refuse_if_damaged(root: Any) -> None:
    """The quick verify (schemas, data files present at their sizes) before an ingest: a damaged
    warehouse is a one-line exit 2 naming the table, before Prefect starts. The flow checks
    again under the lock, for runs that do not come through the CLI. A table or column of a
    newer release is not damage: the flow adds it."""
    import duckdb

    from warehouse import lake
    from warehouse.verify import damage_message, verify

    if not lake.exists(root):
        return
    try:
        problems = verify(root, full=False)[0]
    except duckdb.Error as exc:
        raise fail(
            f"cannot read the warehouse catalog at {root}: {str(exc).splitlines()[0]}; restore it from a "
            "backup, or ingest the sources again into a new folder",
            2,
        ) from None
    if any(not p.repairable for p in problems):
        raise fail(damage_message(root, problems), 2)
