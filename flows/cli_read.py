"""The commands that read a warehouse: sql, search, report, status, history (registered in flows/cli.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from flows.cli_format import (
    FORMAT_HELP,
    OutputFormat,
    ResultFormat,
    StatusFormat,
    chosen,
    emit,
    format_for_file,
    json_text,
    plain,
    printable,
    show,
)
from flows.cli_output import err, fail

WarehouseOpt = Annotated[
    Path, typer.Option("--warehouse", "-w", help="Warehouse folder (catalog.sqlite + data/).")
]


# `wirehouse sql` reads: anything that writes a file, attaches, installs, loads or changes a
# setting is refused before it runs (COPY ... TO could overwrite the warehouse's own data).
_READ_STATEMENTS = {"SELECT", "EXPLAIN"}


def _open_readonly(warehouse: Path, *, at_run: str | None = None, search: bool = False):
    """The warehouse read-only (as of ``at_run``), or exit 2 with one line that says what to do."""
    import duckdb

    from warehouse import lake
    from warehouse.catalog import open_readonly

    try:
        snapshot = None
        if at_run is not None:
            con = open_readonly(warehouse)
            try:
                snapshot = lake.run_snapshot(con, at_run)
            finally:
                con.close()
            if snapshot is None:
                raise fail(
                    f"no committed run {at_run!r} in {warehouse}: `wirehouse history --warehouse "
                    f"{warehouse}` lists them",
                    2,
                )
        return open_readonly(warehouse, snapshot=snapshot, search=search)
    except FileNotFoundError as exc:
        raise fail(str(exc), 2) from None
    except duckdb.Error as exc:
        raise fail(
            f"cannot read the warehouse catalog {warehouse / lake.CATALOG_NAME}: {str(exc).splitlines()[0]}; "
            "a copied warehouse needs its whole folder (catalog.sqlite and data/); a damaged one: "
            "restore it from a backup, or ingest the sources again into a new folder",
            2,
        ) from None


def sql(
    query: Annotated[str, typer.Argument(help="SQL over the tables (articles, entities, ...).")],
    warehouse: WarehouseOpt = Path("warehouse"),
    format: Annotated[
        ResultFormat,
        typer.Option(
            "--format",
            "-f",
            help=FORMAT_HELP.format(piped="csv")
            + " parquet: the result with its types (needs --out, or a pipe).",
        ),
    ] = ResultFormat.auto,
    at_run: Annotated[
        str | None,
        typer.Option("--at-run", help="Answer as of this run's commit (a run id, or a unique prefix)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the result to this file (format from --format or the suffix)."
        ),
    ] = None,
) -> None:
    """Run a SQL query against the warehouse tables (read-only), now or as of an earlier run."""
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
    fmt = _result_format(format, out, warehouse)
    con = _open_readonly(warehouse, at_run=at_run)
    try:
        cursor = con.execute(query)
        columns = [d[0] for d in cursor.description or []]
        if fmt == "parquet":
            _write_parquet(cursor, out)
            return
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        raise fail(f"query failed: {str(exc).splitlines()[0]}", 2) from None
    finally:
        con.close()
    if out is None:
        show(columns, rows, fmt)
        return
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as stream:
        emit(columns, rows, fmt, stream)
    tmp.replace(out)
    err.print(Text(f"{len(rows):,} rows written to {printable(str(out))}"))


def _result_format(format: ResultFormat, out: Path | None, warehouse: Path) -> str:
    """What `sql` writes, or exit 2 when that cannot go where it was asked to."""
    import sys

    if out is None:
        fmt = chosen(format, "csv")
        if fmt == "parquet" and sys.stdout.isatty():
            raise fail("Parquet is binary: give --out FILE.parquet, or pipe it to a program", 2)
        return fmt
    fmt = format_for_file(format, out)
    if fmt is None or fmt == "table":
        raise fail(
            f"--out {out}: give --format csv, json or parquet, or a file ending .csv, .json or .parquet", 2
        )
    if out.resolve().is_relative_to(warehouse.resolve()):
        raise fail(f"--out {out} is inside the warehouse {warehouse}: write results elsewhere", 2)
    if not out.parent.is_dir():
        raise fail(f"--out {out}: no folder {out.parent}; create it first", 2)
    return fmt


def _write_parquet(cursor, out: Path | None) -> None:
    """The result as Parquet, batch by batch (memory bounded by a batch when writing a file)."""
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    reader = cursor.fetch_record_batch(100_000)
    if out is None:  # a pipe cannot seek: build the file in memory, then write it out
        sink = pa.BufferOutputStream()
        with pq.ParquetWriter(sink, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
        sys.stdout.buffer.write(sink.getvalue().to_pybytes())
        sys.stdout.buffer.flush()
        return
    tmp = out.with_name(f".{out.name}.tmp")
    rows = 0
    with pq.ParquetWriter(tmp, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    tmp.replace(out)
    err.print(Text(f"{rows:,} rows written to {printable(str(out))}"))


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
        OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP.format(piped="csv"))
    ] = OutputFormat.auto,
) -> None:
    """Full-text search over canonical articles, ranked, with snippets."""
    from warehouse.search import entity_known, search_articles, undated_count

    con = _open_readonly(warehouse, search=True)
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
    fmt = chosen(format, "csv")
    if fmt != "table":
        columns = ["score", "title", "published_at", "duplicates", "snippet", "source_path", "article_id"]
        emit(columns, [[row[c] for c in columns] for row in rows], fmt)
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


def status(
    warehouse: WarehouseOpt = Path("warehouse"),
    runs: Annotated[int, typer.Option(help="How many recent runs to show.", min=1)] = 5,
    format: Annotated[
        StatusFormat, typer.Option("--format", "-f", help=FORMAT_HELP.format(piped="json"))
    ] = StatusFormat.auto,
) -> None:
    """Show the last runs, the row count of every table, missing source files and languages."""
    from flows.report import languages
    from warehouse.schemas import TABLES

    con = _open_readonly(warehouse)
    try:
        recent = con.execute(
            "select run_id, status, files_seen, files_new, articles, duplicates, records_rejected, "
            "round(seconds_total, 1) as seconds from runs order by run_seq desc limit ?",
            [runs],
        )
        sections = {"runs": ([d[0] for d in recent.description], recent.fetchall())}
        sections["tables"] = (
            ["table", "rows"],
            [(name, con.execute(f"select count(*) from {name}").fetchone()[0]) for name in TABLES],
        )
        sections["missing_files"] = (
            ["path", "noticed_by_run", "articles"],
            [
                (path, run_id, "removed" if "removed" in (note or "") else "kept")
                for path, run_id, note in con.execute(
                    "select path, run_id, note from sources where status = 'missing' order by path"
                ).fetchall()
            ],
        )
        sections["languages"] = (["language", "articles", "analysed", "why_not"], languages(con))
    finally:
        con.close()
    if chosen(format, "json") == "json":
        document = {
            name: [dict(zip(columns, (plain(v) for v in row), strict=True)) for row in rows]
            for name, (columns, rows) in sections.items()
        }
        document["tables"] = {name: count for name, count in sections["tables"][1]}
        print(json_text(document))
        return
    titles = {
        "runs": "last runs",
        "tables": f"tables in {warehouse}",
        "missing_files": f"{len(sections['missing_files'][1]):,} source files missing",
        "languages": "languages (canonical articles)",
    }
    for name, (columns, rows) in sections.items():
        if rows or name in ("runs", "tables"):
            show(columns, rows[:20] if name == "missing_files" else rows, "table", title=titles[name])
    if len(sections["missing_files"][1]) > 20:
        Console().print(Text("(the first 20 missing files; --format json lists all)", style="dim"))


def history(
    warehouse: WarehouseOpt = Path("warehouse"),
    limit: Annotated[int, typer.Option(min=1)] = 50,
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP.format(piped="csv"))
    ] = OutputFormat.auto,
) -> None:
    """List committed runs, newest first, with the snapshot each made and what it changed.

    Any of them can be queried as it was: wirehouse sql --at-run RUN_ID "select ...".
    """
    from warehouse import lake

    con = _open_readonly(warehouse)
    try:
        rows = con.execute(
            f"""
            select r.run_seq, r.run_id, s.snapshot_id, r.status, r.files_new, r.files_changed,
                   r.files_missing, r.articles, r.records_rejected, r.finished_at
            from runs r left join ({lake.RUN_SNAPSHOTS_SQL}) s using (run_id)
            order by r.run_seq desc limit ?""",
            [limit],
        ).fetchall()
        columns = [d[0] for d in con.description]
    finally:
        con.close()
    show(columns, rows, chosen(format, "csv"), title=f"runs in {warehouse}")


def shell_init_sql(warehouse: Path) -> str:
    """Statements that open the warehouse read-only in a DuckDB CLI of the same DuckDB version."""
    from warehouse import lake

    return "; ".join(lake.setup_statements(warehouse, read_only=True)) + f"; USE {lake.LAKE};"


def shell(
    warehouse: WarehouseOpt = Path("warehouse"),
    args: Annotated[
        list[str] | None,
        typer.Argument(help="Arguments for the duckdb CLI, after --, e.g. -- -c 'select 1'."),
    ] = None,
) -> None:
    """Open the warehouse in the DuckDB CLI (read-only), tables under their own names."""
    import os
    import shutil
    import sys

    from warehouse import lake

    if not lake.exists(warehouse):
        raise fail(lake.missing_message(warehouse), 2)
    binary = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")
    if binary is None:
        raise fail("no duckdb CLI found: install duckdb-cli (it comes with wirehouse's dependencies)", 2)
    os.execv(binary, [binary, "-cmd", shell_init_sql(warehouse), *(args or [])])


def export(
    out: Annotated[Path, typer.Argument(help="Folder to write one <table>.parquet per table into.")],
    warehouse: WarehouseOpt = Path("warehouse"),
    at_run: Annotated[str | None, typer.Option("--at-run", help="Export as of this run.")] = None,
) -> None:
    """Write every table as one plain Parquet file, exactly its live rows, for readers without DuckLake."""
    import os

    from warehouse.schemas import TABLES

    con = _open_readonly(warehouse, at_run=at_run)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for name in TABLES:
            tmp = out / f".{name}.parquet.tmp"
            con.execute(
                f"copy (select * from {name}) to '{str(tmp).replace(chr(39), chr(39) * 2)}' "
                "(format parquet, compression zstd)"
            )
            os.replace(tmp, out / f"{name}.parquet")
    finally:
        con.close()
    Console().print(f"{len(TABLES)} tables written to {out.resolve()}")


def verify(
    warehouse: WarehouseOpt = Path("warehouse"),
    quick: Annotated[
        bool, typer.Option(help="Schemas and file sizes only (what every ingest checks first).")
    ] = False,
) -> None:
    """Check the warehouse: schemas against the contract, data files against the catalog and
    against the checksums recorded when they were committed. Exit 1 when anything is wrong."""
    from warehouse import lake
    from warehouse.verify import verify as check

    if not lake.exists(warehouse):
        raise fail(lake.missing_message(warehouse), 2)
    _open_readonly(warehouse).close()  # a damaged catalog: the one-line error
    problems, files, size = check(warehouse, full=not quick)
    for problem in problems:
        err.print(Text(f"problem: {problem}"))
    if problems:
        raise fail(
            f"{len(problems)} problems in {warehouse}: restore the named files from a backup, or ingest "
            "the sources again into a new folder",
            1,
        )
    what = "sizes" if quick else "sizes and checksums"
    Console().print(
        f"ok: schemas match the contract; {files:,} data files ({size / 2**20:,.1f} MiB), {what} match"
    )
