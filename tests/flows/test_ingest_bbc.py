"""The flow on the real BBC corpus (2,225 articles): encodings, exact duplicates, idempotent re-run.

Skipped when ../shared/corpora is not present. Takes about two minutes (NER on ~2,100 articles).
"""

from __future__ import annotations

import csv

import pytest

from flows.ingest import ingest_articles
from tests.conftest import corpus
from tests.flows.helpers import query, table_counts

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def bbc_run(tmp_path_factory):
    bbc = corpus("bbc")
    warehouse = tmp_path_factory.mktemp("bbc") / "warehouse"
    summary = ingest_articles(sources=[str(bbc)], warehouse=str(warehouse))
    return bbc, warehouse, summary


def test_all_articles_load_none_rejected(bbc_run):
    _, warehouse, summary = bbc_run
    assert (
        summary["files_seen"],
        summary["files_loaded"],
        summary["files_rejected"],
        summary["files_ignored"],
        summary["records_rejected"],
        summary["articles"],
    ) == (2229, 2225, 0, 4, 0, 2225)
    ignored = query(warehouse, "select relative_path from sources where status = 'ignored' order by 1")
    assert [p for (p,) in ignored] == ["DUPLICATES.tsv", "MANIFEST.sha256", "README.TXT", "README.md"]
    assert query(warehouse, "select count(*) from rejects") == [(0,)]


def test_latin1_file_keeps_its_pound_sign(bbc_run):
    _, warehouse, _ = bbc_run
    (row,) = query(
        warehouse, "select encoding, title, text from articles where source_path like '%/sport/199.txt'"
    )
    assert row[0] == "cp1252" and row[1] == "Chelsea sack Mutu"
    assert "Mutu, a £15.8m signing from Parma last season" in row[2]


def test_byte_identical_and_whitespace_copies_are_exact_duplicates(bbc_run):
    bbc, warehouse, summary = bbc_run
    canonical = dict(
        query(
            warehouse,
            "select regexp_extract(source_path, '[a-z]+/[0-9]+\\.txt$'), canonical_id from articles",
        )
    )
    with open(bbc / "DUPLICATES.tsv", encoding="utf-8") as fh:
        groups = [(row["kind"], row["files"].split()) for row in csv.DictReader(fh, delimiter="\t")]
    exact = [files for kind, files in groups if kind in ("exact_bytes", "whitespace_only")]
    assert len(exact) == 100
    for files in exact:
        assert len({canonical[f] for f in files}) == 1, files
    # 98 byte-identical + 2 whitespace-only, plus 3 listed pairs whose edits are only case or
    # punctuation (folded by the exact key): 2 "same title, edited body", 1 "same body, new title".
    assert summary["duplicates"] == 103
    assert query(warehouse, "select kind, count(*) from duplicates group by 1") == [("exact", 103)]


def test_second_run_reads_nothing_and_adds_nothing(bbc_run):
    bbc, warehouse, _ = bbc_run
    before = table_counts(warehouse)
    summary = ingest_articles(sources=[str(bbc)], warehouse=str(warehouse))
    assert (
        summary["files_new"],
        summary["files_changed"],
        summary["files_unchanged"],
        summary["articles"],
        summary["mentions"],
    ) == (0, 0, 2229, 0, 0)
    assert table_counts(warehouse) == {**before, "runs": before["runs"] + 1}
