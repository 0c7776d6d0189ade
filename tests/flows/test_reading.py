"""Every way the README tells an analyst to read the tables returns what `wirehouse sql` returns,
after runs that changed and removed records (stored rows are exact: nothing left to a view)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.ingest import RunConfig, ingest_articles
from tests.conftest import EXAMPLES, REPO
from warehouse.schemas import TABLES

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def changed_warehouse(tmp_path_factory):
    """examples/ ingested, then a JSONL record edited and another removed, and a file deleted."""
    base = tmp_path_factory.mktemp("reading")
    src, wh = base / "src", base / "warehouse"
    shutil.copytree(EXAMPLES, src)
    ingest_articles(RunConfig(sources=[str(src)], warehouse=str(wh)))
    briefs = src / "json" / "wire-briefs.jsonl"
    lines = briefs.read_text(encoding="utf-8").splitlines(keepends=True)
    first = json.loads(lines[0])
    first["maintext"] = first["maintext"].replace("rail", "tram")
    briefs.write_text(json.dumps(first) + "\n" + "".join(lines[2:]), encoding="utf-8")
    (src / "seeds" / "atacms-authorization-b.txt").unlink()
    ingest_articles(RunConfig(sources=[str(src)], warehouse=str(wh), missing_files="remove"))
    return wh


def sql_rows(wh, query: str) -> list[tuple[str, ...]]:
    out = CliRunner().invoke(app, ["sql", query, "--warehouse", str(wh), "--format", "csv"])
    assert out.exit_code == 0, out.output
    return [tuple(r) for r in list(csv.reader(io.StringIO(out.output)))[1:]]


def as_text(rows) -> list[tuple[str, ...]]:
    def text(v) -> str:
        return "" if v is None or (isinstance(v, float) and v != v) else str(v)  # NaN: pandas' null

    return sorted(tuple(text(v) for v in row) for row in rows)


def test_pandas_polars_pyarrow_read_the_export_exactly(changed_warehouse, tmp_path):
    wh = changed_warehouse
    out = CliRunner().invoke(app, ["export", str(tmp_path / "exported"), "--warehouse", str(wh)])
    assert out.exit_code == 0, out.output
    import os

    os.chdir(tmp_path)  # the README's snippets use relative paths
    # -- the README's snippets, verbatim --
    import pandas as pd
    import polars as pl
    import pyarrow.parquet as pq

    articles = pd.read_parquet("exported/articles.parquet")
    mentions = pl.read_parquet("exported/mentions.parquet")
    entities = pq.read_table("exported/entities.parquet")
    # -- end --
    assert as_text(articles[["article_id", "title"]].itertuples(index=False)) == as_text(
        sql_rows(wh, "select article_id, title from articles")
    )
    assert as_text(mentions.select("article_id", "entity_id", "start_char").iter_rows()) == as_text(
        sql_rows(wh, "select article_id, entity_id, start_char from mentions")
    )
    assert as_text(zip(entities["entity_id"].to_pylist(), entities["name"].to_pylist(), strict=True)) == (
        as_text(sql_rows(wh, "select entity_id, name from entities"))
    )
    # every table, every row: the export is the table
    for name in TABLES:
        exported = pq.read_table(tmp_path / "exported" / f"{name}.parquet")
        assert exported.num_rows == int(sql_rows(wh, f"select count(*) from {name}")[0][0]), name
    # the removed record and the deleted file are in no table; redirected ids join entities
    assert int(sql_rows(wh, "select count(*) from mentions anti join entities using (entity_id)")[0][0]) == 0
    assert (
        int(sql_rows(wh, "select count(*) from articles where source_path like '%authorization-b%'")[0][0])
        == 0
    )


def test_duckdb_python_and_cli_read_the_tables(changed_warehouse, tmp_path):
    wh = changed_warehouse
    # -- the README's Python snippet --
    from warehouse.catalog import open_readonly

    con = open_readonly(wh)
    canonical = con.sql("select article_id, title from articles where dedup_kind = 'canonical'").fetchall()
    # -- end --
    assert as_text(canonical) == as_text(
        sql_rows(wh, "select article_id, title from articles where dedup_kind = 'canonical'")
    )
    con.close()
    cli = subprocess.run(
        [
            str(REPO / ".venv/bin/wirehouse"),
            "shell",
            "--warehouse",
            str(wh),
            "--",
            "-csv",
            "-c",
            "select entity_id, name from entities",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert as_text(list(csv.reader(io.StringIO(cli.stdout)))[1:]) == as_text(
        sql_rows(wh, "select entity_id, name from entities")
    )


def test_time_travel_and_history(changed_warehouse):
    wh = changed_warehouse
    runs = sql_rows(wh, "select run_id, articles from runs order by run_seq")
    assert len(runs) == 2
    first = runs[0][0]
    out = CliRunner().invoke(
        app,
        ["sql", "select count(*) from articles", "--warehouse", str(wh), "--at-run", first[:18], "-f", "csv"],
    )
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1] == runs[0][1]  # the first run's articles, as committed then
    history = CliRunner().invoke(app, ["history", "--warehouse", str(wh), "-f", "csv"])
    rows = list(csv.reader(io.StringIO(history.output)))
    assert rows[0][:4] == ["run_seq", "run_id", "snapshot_id", "status"]
    assert [r[:2] for r in rows[1:]] == [["2", runs[1][0]], ["1", first]]


def test_a_copied_warehouse_reads_itself_with_the_original_gone(changed_warehouse, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(changed_warehouse, copy)
    aside = changed_warehouse.with_name("aside")
    changed_warehouse.rename(aside)
    try:
        runner = CliRunner()
        for args in (
            ["status"],
            ["search", "council"],
            ["report", "-o", str(tmp_path / "r.html")],
            ["history"],
        ):
            out = runner.invoke(app, [*args, "--warehouse", str(copy)])
            assert out.exit_code == 0 and "Traceback" not in out.output, (args, out.output)
        assert sql_rows(copy, "select count(*) from articles") == sql_rows(
            aside, "select count(*) from articles"
        )
    finally:
        aside.rename(changed_warehouse)


def test_a_search_index_that_fails_after_the_commit_is_reported_and_rebuilt_next_run(tmp_path, monkeypatch):
    import errno

    import warehouse.catalog

    def disk_full(root):
        raise OSError(errno.ENOSPC, "No space left on device")

    wh = tmp_path / "wh"
    monkeypatch.setattr(warehouse.catalog, "build_search_index", disk_full)
    summary = ingest_articles(RunConfig(sources=[str(EXAMPLES / "seeds")], warehouse=str(wh)))
    assert summary["status"] == "completed" and "No space left on device" in summary["search_error"]
    assert sql_rows(wh, "select status, articles from runs") == [("completed", "2")]
    assert not list(wh.glob(".search.duckdb.tmp-*"))
    monkeypatch.undo()
    again = ingest_articles(RunConfig(sources=[str(EXAMPLES / "seeds")], warehouse=str(wh)))
    assert "search_error" not in again and not (wh / ".search-stale").exists()
    out = CliRunner().invoke(app, ["search", "ATACMS", "--warehouse", str(wh), "-f", "csv"])
    assert out.exit_code == 0 and out.output.count("atacms-authorization") == 2
