"""Corrections and deletions: after a scripted sequence of edits to a copy of examples/, every
table holds what a fresh ingest of the final folder holds (issue 15), and each step did what
the README says: a removed record is gone, a moved one keeps its id, an emptied file loses its
article, a deleted file is recorded as missing, a fixed file's old rejects leave, an edited
canonical article leaves its cluster."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.ingest import RunConfig, ingest_articles
from tests.conftest import EXAMPLES
from tests.flows.helpers import all_snapshots, query

pytestmark = pytest.mark.usefixtures("prefect_harness")

FIXED_JSON = {
    "id": "fixed-1",
    "title": "Ferry timetable restored after repairs",
    "maintext": "The harbour ferry returns to its full timetable on Monday after three weeks of engine "
    "repairs, the operator said. Crossings will run every twenty minutes from early morning.",
}
NEW_STORY = (
    "Orchard growers in the valley reported the earliest apple blossom in thirty years, and "
    "beekeepers moved hives up the slopes a fortnight ahead of schedule, the growers' cooperative said."
)


def by_external_id(warehouse, path) -> dict[str, str]:
    rows = query(warehouse, "select external_id, article_id from articles where source_path = ?", [str(path)])
    return dict(rows)


def test_edits_removals_and_fixes_leave_what_a_fresh_ingest_of_the_final_folder_holds(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES, src)
    wh = tmp_path / "wh"

    def run(**options):
        return ingest_articles(RunConfig(sources=[str(src)], warehouse=str(wh), **options))

    run()
    briefs = src / "json" / "wire-briefs.jsonl"
    ids_before = by_external_id(wh, briefs)
    assert "wb-1001" in ids_before

    # 1. one record removed from a JSONL file: it goes; the records after it keep their ids
    lines = briefs.read_text(encoding="utf-8").splitlines(keepends=True)
    removed = json.loads(lines[0])["id"]
    briefs.write_text("".join(lines[1:]), encoding="utf-8")
    run()
    ids_after = by_external_id(wh, briefs)
    assert removed not in ids_after
    assert ids_after == {k: v for k, v in ids_before.items() if k != removed}
    assert query(wh, "select count(*) from mentions where article_id = ?", [ids_before[removed]]) == [(0,)]

    # 2. an emptied file: its article goes, sources and rejects say why
    emptied = src / "text" / "market-late-opening-cp1252.txt"
    emptied.write_bytes(b"")
    run()
    assert query(wh, "select count(*) from articles where source_path = ?", [str(emptied)]) == [(0,)]
    assert query(wh, "select status, articles from sources where path = ?", [str(emptied)]) == [
        ("rejected", 0)
    ]
    assert query(wh, "select reason from rejects where path = ?", [str(emptied)]) == [("empty_file",)]

    # 3. a file deleted (default policy: keep its articles), recorded as missing
    deleted = src / "html" / "council-budget.html"
    saved = tmp_path / "council-budget.html"
    shutil.copy2(deleted, saved)
    deleted.unlink()
    summary = run()
    assert (summary["files_missing"], summary["files_unchanged"]) == (1, summary["files_seen"])
    assert query(wh, "select status, note from sources where path = ?", [str(deleted)]) == [
        ("missing", "not found under its source folder; its articles are kept (missing_files=keep)")
    ]
    assert query(wh, "select count(*) from articles where source_path = ?", [str(deleted)]) == [(1,)]
    assert run()["files_missing"] == 0  # noticed once

    # 4. a rejected file fixed: it loads, and its old reject leaves rejects
    fixed = src / "broken" / "truncated.json"
    fixed.write_text(json.dumps(FIXED_JSON), encoding="utf-8")
    run()
    assert query(wh, "select count(*) from rejects where path = ?", [str(fixed)]) == [(0,)]
    assert query(wh, "select status from sources where path = ?", [str(fixed)]) == [("loaded",)]

    # 5. a canonical article rewritten with an unrelated story: it leaves its cluster, its copy
    # becomes canonical, and the new story gets its own entities and search hit
    copy = src / "text" / "harbour-bridge-closure-copy.md.gz"
    original = src / "text" / "harbour-bridge-closure.md"
    kinds = dict(
        query(
            wh,
            "select source_path, dedup_kind from articles where source_path in (?, ?)",
            [str(copy), str(original)],
        )
    )
    edited = copy if kinds[str(copy)] == "canonical" else original
    other = original if edited == copy else copy
    if edited.suffix == ".gz":
        import gzip

        edited.write_bytes(gzip.compress(NEW_STORY.encode()))
    else:
        edited.write_text(NEW_STORY, encoding="utf-8")
    run()
    rows = query(
        wh,
        "select source_path, dedup_kind from articles where source_path in (?, ?) order by 1",
        [str(copy), str(original)],
    )
    assert rows == sorted([(str(edited), "canonical"), (str(other), "canonical")])
    out = CliRunner().invoke(app, ["search", "apple blossom", "--warehouse", str(wh), "--format", "csv"])
    assert out.exit_code == 0 and str(edited) in out.output

    # 6. a file deleted with missing_files=remove (a retraction): its articles leave every table
    retracted = src / "json" / "storm-warning.json"
    retracted_ids = [
        a for (a,) in query(wh, "select article_id from articles where source_path = ?", [str(retracted)])
    ]
    assert retracted_ids
    retracted.unlink()
    run(missing_files="remove")
    for table in (
        "articles",
        "mentions",
        "quotes",
        "quantities",
        "dates",
        "keywords",
        "dedup_bands",
        "story_members",
    ):
        assert query(
            wh, f"select count(*) from {table} where article_id in (select unnest(?))", [retracted_ids]
        ) == [(0,)], table

    # every table now equals a fresh ingest of the final folder, the kept deleted file put back
    # for the comparison (same path, same bytes: the same article)
    after = all_snapshots(wh, across_runs=True)
    shutil.copy2(saved, deleted)
    fresh = tmp_path / "fresh"
    ingest_articles(RunConfig(sources=[str(src)], warehouse=str(fresh)))
    expected = all_snapshots(fresh, across_runs=True)
    for table in expected:
        if table == "sources":  # the kept file is 'missing' in one, 'loaded' in the other
            continue
        assert after[table] == expected[table], table
    drop = {str(deleted), str(retracted)}
    assert [r for r in after["sources"] if r[0] not in drop] == [
        r for r in expected["sources"] if r[0] not in drop
    ]
    # stored rows are exact: every mention's entity exists, no article twice
    assert query(wh, "select count(*) from mentions m anti join entities e using (entity_id)") == [(0,)]
    assert query(wh, "select count(*) - count(distinct (source_path, record_key)) from articles") == [(0,)]
