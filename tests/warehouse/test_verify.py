"""wirehouse verify: bit rot, lost or truncated files and schema drift are found and named."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse import lake
from warehouse.schemas import ARTICLES, to_table
from warehouse.store import Warehouse
from warehouse.verify import verify

TEXT = "The harbour bridge in Portmere reopened after 20 years of repairs, the council said."


@pytest.fixture
def wh(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.init()
    rows = [
        {
            "article_id": f"a{i}",
            "source_path": f"/src/{i}.txt",
            "text": TEXT,
            "canonical_id": f"a{i}",
            "dedup_kind": "canonical",
        }
        for i in range(50)
    ]
    warehouse.stage("r1", ARTICLES, to_table(ARTICLES, rows), "0")
    warehouse.commit("r1")
    return warehouse


def articles_file(wh):
    return next((wh.root / "data" / "main" / "articles").rglob("*.parquet"))


def test_an_intact_warehouse_verifies(wh):
    problems, files, size = verify(wh.root, full=True)
    assert problems == [] and files == 1 and size > 0  # empty tables have no files
    out = CliRunner().invoke(app, ["verify", "--warehouse", str(wh.root)])
    assert out.exit_code == 0 and "sizes and checksums match" in " ".join(out.output.split())


def test_a_flipped_bit_is_found_by_its_checksum(wh):
    path = articles_file(wh)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01  # same size: only the checksum can tell
    path.write_bytes(bytes(data))
    assert verify(wh.root, full=False)[0] == []
    problems = verify(wh.root, full=True)[0]
    assert [(p.table, p.what) for p in problems] == [
        ("articles", "contents changed since its commit (checksum differs)")
    ]
    out = CliRunner().invoke(app, ["verify", "--warehouse", str(wh.root)])
    assert out.exit_code == 1 and "restore the named files from a backup" in " ".join(out.output.split())


def test_a_missing_or_truncated_file_is_found_by_the_quick_check(wh):
    path = articles_file(wh)
    path.write_bytes(path.read_bytes()[:-10])
    problems = verify(wh.root, full=False)[0]
    assert len(problems) == 1 and "the catalog recorded" in problems[0].what
    path.unlink()
    assert [p.what for p in verify(wh.root, full=False)[0]] == ["data file missing"]


def test_schema_drift_is_named(wh):
    con = lake.connect(wh.root, read_only=False)
    con.execute("alter table articles alter word_count set type bigint")
    con.close()
    assert [str(p) for p in verify(wh.root, full=False)[0]] == [
        "articles: column word_count is BIGINT, the contract says INTEGER"
    ]


@pytest.mark.usefixtures("prefect_harness")
def test_ingest_refuses_a_damaged_warehouse_before_any_work(wh, tmp_path):
    from tests.conftest import SEEDS

    articles_file(wh).unlink()
    out = CliRunner().invoke(app, ["ingest", str(SEEDS), "--warehouse", str(wh.root)])
    message = " ".join(out.output.split())
    assert out.exit_code == 2 and "is damaged: articles:" in message and "data file missing" in message
    assert "Traceback" not in out.output and message.startswith("error: the warehouse at")


def test_the_contract_types_are_duckdbs_own_mapping_of_the_schemas():
    import duckdb

    from warehouse.schemas import TABLES

    con = duckdb.connect()
    for spec in TABLES.values():
        assert lake.spec_types(spec) == lake.duckdb_types_of(con, spec), spec.name
