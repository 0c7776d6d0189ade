"""The flow end to end on the bundled examples/, under one shared Prefect test harness."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.ingest import RunConfig, ingest_articles
from tests.conftest import EXAMPLES
from tests.flows.helpers import all_snapshots, query, snapshot, table_counts
from transforms.entities import entity_id
from transforms.stories import StoryParams

pytestmark = pytest.mark.usefixtures("prefect_harness")

EXPECTED_REJECTS = [
    ("broken/binary.md", None, "load", "binary_content"),
    ("broken/empty.txt", None, "load", "empty_file"),
    ("broken/no-article.html", None, "load", "no_article_text"),
    ("broken/not-json-lines.ndjson", 0, "load", "invalid_json"),
    ("broken/not-json-lines.ndjson", 1, "load", "invalid_json"),
    ("broken/truncated-crawl.warc.gz", 0, "load", "warc_not_response"),
    ("broken/truncated-crawl.warc.gz", 1, "load", "warc_not_response"),
    ("broken/truncated-crawl.warc.gz", 3, "load", "warc_not_response"),
    ("broken/truncated-crawl.warc.gz", 4, "load", "truncated_gzip"),
    ("broken/truncated.json", None, "load", "invalid_json"),
    ("broken/truncated.txt.gz", None, "load", "truncated_gzip"),
    ("json/wire-briefs.jsonl", 2, "load", "invalid_json"),
    ("json/wire-briefs.jsonl", 3, "load", "no_article_text"),
    ("warc/portmere-crawl.warc.gz", 0, "load", "warc_not_response"),
    ("warc/portmere-crawl.warc.gz", 1, "load", "warc_not_response"),
    ("warc/portmere-crawl.warc.gz", 3, "load", "warc_not_response"),
    ("warc/portmere-crawl.warc.gz", 4, "load", "warc_not_html"),
    ("warc/portmere-crawl.warc.gz", 5, "load", "warc_not_response"),
    ("warc/portmere-crawl.warc.gz", 6, "load", "warc_http_status"),
    ("warc/portmere-crawl.warc.gz", 7, "load", "warc_not_response"),
]


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse"
    first = ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(warehouse)))
    return warehouse, first


def rel(path: str) -> str:
    return path.split("/examples/", 1)[1]


def test_summary_accounts_for_every_file(examples_run):
    _, summary = examples_run
    got = {
        k: summary[k]
        for k in (
            "files_seen",
            "files_new",
            "files_loaded",
            "files_rejected",
            "files_ignored",
            "records_rejected",
            "articles",
            "canonical",
            "duplicates",
        )
    }
    assert got == {
        "files_seen": 17,
        "files_new": 17,
        "files_loaded": 11,
        "files_rejected": 6,
        "files_ignored": 0,
        "records_rejected": 20,
        "articles": 13,
        "canonical": 10,
        "duplicates": 3,
    }
    assert summary["rejects_by_reason"] == {
        "warc_not_response": 8,
        "invalid_json": 4,
        "no_article_text": 2,
        "truncated_gzip": 2,
        "binary_content": 1,
        "empty_file": 1,
        "warc_http_status": 1,
        "warc_not_html": 1,
    }


def test_every_broken_input_is_a_reject_with_a_reason(examples_run):
    warehouse, _ = examples_run
    rows = query(warehouse, "select path, record_index, stage, reason, detail from rejects")
    assert sorted((rel(p), i, s, r) for p, i, s, r, _ in rows) == EXPECTED_REJECTS
    assert all(detail for *_, detail in rows)


def test_exact_duplicates_point_at_their_canonical_article(examples_run):
    warehouse, _ = examples_run
    rows = query(
        warehouse,
        """
        select a.source_path, a.record_index, c.source_path, c.record_index, d.kind, d.similarity
        from duplicates d join articles a using (article_id) join articles c on c.article_id = d.canonical_id
        order by 1, 2""",
    )
    assert [(rel(a), ai, rel(c), ci, k, s) for a, ai, c, ci, k, s in rows] == [
        ("json/wire-briefs.jsonl", 4, "json/wire-briefs.jsonl", 0, "exact", 1.0),
        ("text/harbour-bridge-closure.md", 0, "text/harbour-bridge-closure-copy.md.gz", 0, "exact", 1.0),
        ("warc/portmere-crawl.warc.gz", 2, "broken/truncated-crawl.warc.gz", 2, "exact", 1.0),
    ]
    assert query(warehouse, "select count(*) from articles where canonical_id = article_id") == [(10,)]


def test_seed_articles(examples_run):
    warehouse, _ = examples_run
    rows = query(
        warehouse,
        """
        select regexp_extract(source_path, '[ab]\\.txt$'), title, title_source, captions, credits,
               language, word_count, left(lede, 40)
        from articles where source_path like '%atacms%' order by 1""",
    )
    assert rows == [
        ("a.txt", None, "none", [], [], "en", 701, "Ukraine's conflict with Russia has seen "),
        (
            "b.txt",
            None,
            "none",
            [
                "An ATACMS missile launches during a test, showcasing the long-range strike capabilities "
                "now authorized for Ukraine to counter Russian aggression."
            ],
            ["Image is in the public domain and was uploaded by Esquilo."],
            "en",
            589,
            "The United States has taken a major step",
        ),
    ]


def test_metadata_from_inputs(examples_run):
    warehouse, _ = examples_run
    rows = query(
        warehouse,
        """
        select title, authors, strftime(published_at, '%Y-%m-%d %H:%M'), published_at_source,
               external_id, encoding
        from articles where dedup_kind = 'canonical' and title is not null order by title""",
    )
    assert rows == [
        (
            "Amber warning as Storm Ilse heads for the west coast",
            ["Marta Lindqvist"],
            "2025-01-20 07:45",
            "input_field",
            "https://coastwatch.example/2025/01/20/storm-warning",
            "utf-8",
        ),
        (
            "City opens two new cycle lanes",
            ["Priya Raman"],
            "2025-03-06 07:00",
            "input_field",
            "digest-2025-03-06-1",
            "utf-8",
        ),
        (
            "Grain exports rise for third month",
            ["Lena Novak"],
            "2025-03-04 11:00",
            "input_field",
            "wb-1002",
            "utf-8",
        ),
        ("Harbour bridge to close for three weeks of repairs", [], None, "none", None, "utf-8"),
        (
            "Island ferries to run later in summer",
            ["Sofia Brandt"],
            "2025-04-02 00:00",
            "html_meta",
            "https://courier.example/news/2025/04/02/ferry-timetable",
            "utf-8",
        ),
        ("Market traders welcome late opening trial", [], None, "none", None, "cp1252"),
        (
            "Portmere council approves budget that keeps every library open",
            ["Daniel Okafor"],
            "2025-02-11 00:00",
            "html_meta",
            "https://courier.example/news/2025/02/11/council-library-budget",
            "utf-8",
        ),
        (
            "Rail strike called off after pay offer",
            ["Sam Reyes"],
            "2025-03-04 09:10",
            "input_field",
            "wb-1001",
            "utf-8",
        ),
    ]


def test_mentions_point_into_article_text_and_only_canonical_articles(examples_run):
    warehouse, _ = examples_run
    assert query(
        warehouse,
        """
        select count(*) from mentions m join articles a using (article_id)
        where substr(a.text, m.start_char + 1, m.end_char - m.start_char) != m.text
           or a.dedup_kind != 'canonical'""",
    ) == [(0,)]
    people = query(
        warehouse,
        """
        select e.name from entities e where e.label = 'PERSON' and e.article_count = 2 order by 1""",
    )
    # seed b's "President Biden" joins seed a's Joe Biden through entity_redirects
    assert [p for (p,) in people] == ["Donald Trump", "Joe Biden", "Vladimir Putin", "Volodymyr Zelenskyy"]


def test_entity_graph_places_and_redirects(examples_run):
    warehouse, _ = examples_run
    assert query(
        warehouse,
        """
        select r.reason, r.canonical_name, list_sort(list(distinct m.text))
        from entity_redirects r join mentions m on m.local_entity_id = r.entity_id group by all order by 1""",
    ) == [("label", "Ukrainian", ["Ukrainian"]), ("surname", "Joe Biden", ["Biden"])]
    assert query(
        warehouse,
        """
        select name, country_code, place_kind, latitude, longitude from entities
        where name in ('Sumy', 'Ukraine', 'United States', 'Washington') order by name""",
    ) == [
        ("Sumy", "UA", "city", 50.91741, 34.79906),
        ("Ukraine", "UA", "country", None, None),
        ("United States", "US", "country", None, None),
        ("Washington", None, None, None, None),  # a US state, a US city and an English town
    ]
    # every pair is counted once, from canonical articles, and agrees with the mentions
    assert query(
        warehouse,
        """
        with pairs as (
            select a.entity_id as x, b.entity_id as y, count(distinct a.article_id) as n
            from mentions a join mentions b on a.article_id = b.article_id and a.entity_id < b.entity_id
            group by all)
        select count(*) from pairs full join entity_pairs p on p.entity_a = pairs.x and p.entity_b = pairs.y
        where pairs.n is distinct from p.article_count""",
    ) == [(0,)]
    biden, putin = (entity_id("PERSON", "Joe Biden"), entity_id("PERSON", "Vladimir Putin"))
    assert query(
        warehouse,
        "select article_count from entity_pairs where entity_a = least(?, ?) and entity_b = greatest(?, ?)",
        [biden, putin, biden, putin],
    ) == [(2,)]
    assert query(warehouse, "select count(*) from entities where name in ('Zelenskyy', 'Putin')") == [(0,)]


def test_seed_articles_are_one_story_but_not_duplicates(examples_run):
    warehouse, _ = examples_run
    rows = query(
        warehouse,
        """
        select regexp_extract(source_path, '[a-z]+/[^/]+$'), story_id, dedup_kind from articles
        where source_path like '%atacms%' order by 1""",
    )
    assert [(p, k) for p, _, k in rows] == [
        ("seeds/atacms-authorization-a.txt", "canonical"),
        ("seeds/atacms-authorization-b.txt", "canonical"),
    ]
    assert rows[0][1] == rows[1][1] is not None
    (story,) = query(
        warehouse,
        "select article_count, canonical_count, top_entities from stories where story_id = ?",
        [rows[0][1]],
    )
    assert story[:2] == (2, 2)
    # ranked by articles, then mentions: both articles name all eight
    assert story[2] == [
        "Ukraine",
        "United States",  # "U.S." and "the United States", one entity through the alias table
        "Russia",
        "Russian",
        "Donald Trump",
        "Ukrainian",
        "Army Tactical Missile System",  # "ATACMS" in both, defined in both
        "Joe Biden",
    ]
    # duplicates share their canonical article's story; every article has one
    assert query(
        warehouse,
        "select count(*) from articles a join articles c on c.article_id = a.canonical_id "
        "where a.story_id is distinct from c.story_id or a.story_id is null",
    ) == [(0,)]
    assert query(warehouse, "select count(*), sum(article_count) from stories") == [(9, 13)]
    # each member says how firmly it was placed: the two seeds equally (a pair), above the
    # threshold; an article alone in its story has none; a copy has its canonical's
    seeds = query(
        warehouse,
        "select m.similarity from story_members m join articles a using (article_id) "
        "where a.source_path like '%atacms-authorization-%' order by a.source_path",
    )
    assert seeds[0] == seeds[1] and seeds[0][0] > StoryParams().threshold
    assert query(
        warehouse,
        """select count(*) filter (where s.article_count = 1 and m.similarity is not null),
                  count(*) filter (where a.dedup_kind <> 'canonical'
                                   and m.similarity is distinct from c.similarity)
           from story_members m join stories s using (story_id) join articles a using (article_id)
           join story_members c on c.article_id = a.canonical_id""",
    ) == [(0, 0)]


def test_search_finds_both_seed_articles_and_filters_by_entity(examples_run):
    warehouse, summary = examples_run
    runner = CliRunner()
    result = runner.invoke(app, ["search", "ATACMS", "-w", str(warehouse), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["source_path"].rsplit("/", 1)[1] for r in rows] == [
        "atacms-authorization-b.txt",
        "atacms-authorization-a.txt",
    ]
    assert "Army Tactical Missile System (ATACMS)" in rows[0]["snippet"]
    result = runner.invoke(
        app,
        [
            "search",
            "long-range missiles",
            "-w",
            str(warehouse),
            "--entity",
            "Serhii Kuzan",
            "--format",
            "json",
        ],
    )
    assert [r["source_path"].rsplit("/", 1)[1] for r in json.loads(result.output)] == [
        "atacms-authorization-b.txt"
    ]
    result = runner.invoke(
        app, ["search", "library", "-w", str(warehouse), "--since", "2025-03-01", "-f", "table"]
    )
    assert result.exit_code == 0 and "no article matches" in result.output
    assert summary["top_entities"][0] == {"entity": "Ukraine", "label": "GPE", "articles": 2, "mentions": 28}


def test_second_run_processes_nothing_and_adds_no_rows(examples_run):
    warehouse, _ = examples_run
    before = table_counts(warehouse)
    summary = ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(warehouse)))
    assert (summary["files_seen"], summary["files_new"], summary["files_unchanged"], summary["articles"]) == (
        17,
        0,
        17,
        0,
    )
    after = table_counts(warehouse)
    assert after == {**before, "runs": before["runs"] + 1}


def test_changed_file_replaces_its_article(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(EXAMPLES / "text", source)
    warehouse = tmp_path / "wh"
    ingest_articles(RunConfig(sources=[str(source)], warehouse=str(warehouse)))
    articles_before = snapshot(warehouse, "articles")
    path = source / "market-late-opening-cp1252.txt"
    path.write_bytes(
        path.read_bytes() + b"\nThe council will decide in July whether to keep the late opening.\n"
    )
    summary = ingest_articles(RunConfig(sources=[str(source)], warehouse=str(warehouse)))
    assert (summary["files_changed"], summary["files_unchanged"], summary["articles"]) == (1, 2, 1)
    rows = query(warehouse, "select text, run_id from articles where source_path = ?", [str(path)])
    assert len(rows) == 1 and rows[0][0].endswith("whether to keep the late opening.")
    assert query(warehouse, "select count(*) from articles") == [(len(articles_before),)]
    stale = query(
        warehouse,
        "select count(*) from mentions m join articles a using (article_id) where m.run_id != a.run_id",
    )
    assert stale == [(0,)]


def test_failed_run_leaves_the_warehouse_unchanged_and_says_so(tmp_path):
    warehouse = tmp_path / "wh"
    with pytest.raises(Exception, match="not installed"):
        ingest_articles(
            RunConfig(
                sources=[str(EXAMPLES / "seeds")],
                warehouse=str(warehouse),
                models={"en": "no_such_model_package"},
            )
        )
    assert query(warehouse, "select status from runs") == [("failed",)]
    counts = table_counts(warehouse)
    assert counts == {
        "sources": 0,
        "rejects": 0,
        "articles": 0,
        "duplicates": 0,
        "dedup_bands": 0,
        "entity_redirects": 0,
        "entity_pairs": 0,
        "quotes": 0,
        "quantities": 0,
        "dates": 0,
        "keywords": 0,
        "story_members": 0,
        "stories": 0,
        "story_merges": 0,
        "story_terms": 0,
        "mentions": 0,
        "entities": 0,
        "runs": 1,
    }


def test_cli_sql_csv_and_errors(examples_run):
    warehouse, _ = examples_run
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "sql",
            "select title, word_count from articles where title like 'Grain%' "
            "or title like 'City%' order by title",
            "--warehouse",
            str(warehouse),
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "title,word_count\nCity opens two new cycle lanes,38\nGrain exports rise for third month,45\n"
    )
    result = runner.invoke(app, ["sql", "select nope from articles", "-w", str(warehouse)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["ingest", "/no/such/folder", "-w", str(warehouse)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["status", "-w", str(warehouse)])
    assert result.exit_code == 0 and "articles" in result.output


def test_cli_results_piped_are_machine_readable_and_parquet_keeps_types(examples_run, tmp_path):
    """Piped (as under CliRunner), sql is CSV and status JSON; --out FILE.parquet keeps the types."""
    import pyarrow.parquet as pq

    warehouse, _ = examples_run
    runner = CliRunner()
    q = "select title, word_count, published_at from articles where title like 'City%'"
    result = runner.invoke(app, ["sql", q, "-w", str(warehouse)])
    assert (
        result.output
        == "title,word_count,published_at\nCity opens two new cycle lanes,38,2025-03-06T07:00:00+00:00\n"
    )
    target = tmp_path / "r.parquet"
    result = runner.invoke(
        app, ["sql", "select * from articles order by article_id", "-w", str(warehouse), "-o", str(target)]
    )
    assert result.exit_code == 0 and "13 rows written" in result.output, result.output
    table = pq.read_table(target)
    assert (
        table.num_rows == 13 and str(table.schema.field("published_at").type) == "timestamp[us, tz=Etc/UTC]"
    )
    assert table.column("article_id").to_pylist() == [
        r[0] for r in query(warehouse, "select article_id from articles order by article_id")
    ]
    piped = runner.invoke(
        app, ["sql", "select word_count from articles", "-w", str(warehouse), "-f", "parquet"]
    )
    assert piped.stdout_bytes[:4] == b"PAR1"
    status = json.loads(runner.invoke(app, ["status", "-w", str(warehouse)]).output)
    assert status["tables"]["articles"] == 13 and status["runs"][0]["status"] == "completed"
    assert status["languages"] == [{"language": "en", "articles": 10, "analysed": 10, "why_not": ""}]


def test_cli_sql_only_reads_and_prints_data_as_data(examples_run, tmp_path):
    warehouse, _ = examples_run
    runner = CliRunner()
    target = tmp_path / "out.csv"
    for statement in (
        f"copy (select * from articles) to '{target}'",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        "install fts",
        "set threads = 1",
        "create table t (a int)",
        "select 1; copy (select 1) to 'x.csv'",
    ):
        result = runner.invoke(app, ["sql", statement, "-w", str(warehouse)])
        assert result.exit_code == 2 and "only reads" in result.output, (statement, result.output)
    assert not target.exists() and not (tmp_path / "other.duckdb").exists()
    result = runner.invoke(app, ["sql", "", "-w", str(warehouse)])
    assert result.exit_code == 2 and "empty query" in result.output
    # a closing BBCode tag and a terminal escape in data: printed literally, never interpreted
    hostile = "select '[/quote] [link=https://evil.example]x[/link] ' || chr(27) || ']0;pwned' || chr(7) as t"
    result = runner.invoke(app, ["sql", hostile, "-w", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "[/quote]" in result.output and "[link=https://evil.example]" in result.output
    assert "\\x1b" in result.output and chr(27) not in result.output and chr(7) not in result.output


def test_same_input_in_one_run_or_many_batches_or_runs_gives_the_same_tables(tmp_path):
    one = tmp_path / "one"
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(one)))
    reference = all_snapshots(one)
    small_batches = tmp_path / "batches"
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(small_batches), batch_size=2))
    assert all_snapshots(small_batches) == reference
    # chunks of 2 articles: the JSON Lines file (4 articles) and every batch split across chunks
    chunked = tmp_path / "chunks"
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(chunked), chunk_articles=2))
    assert all_snapshots(chunked) == reference
    # Two runs, the first without the .gz copy that sorts first: the second run must re-point.
    split = tmp_path / "split"
    first = ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(split), exclude=["*.gz"]))
    assert (first["files_ignored"], first["repointed"]) == (4, 0)
    second = ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(split)))
    assert second["repointed"] == 1
    assert all_snapshots(split, across_runs=True) == all_snapshots(one, across_runs=True)
    assert query(split, "select count(*) from runs") == [(2,)]


def test_metadata_tables_hold_the_seed_rows(examples_run):
    warehouse, _ = examples_run
    seed_a = "source_path like '%atacms-authorization-a.txt'"
    assert query(
        warehouse,
        f"select published_at, published_at_source, published_at_confidence from articles where {seed_a}",
    ) == [(None, "none", None)]  # "revealed on November 17, 2024" dates the event, not the article
    assert query(
        warehouse,
        f"""select q.text, q.speaker, q.speaker_entity_id from quotes q join articles a using (article_id)
            where {seed_a} order by q.start_char""",
    ) == [
        (
            "Strikes are not made with words",
            "Volodymyr Zelenskyy",
            entity_id("PERSON", "Volodymyr Zelenskyy"),
        ),
        (
            "Such things are not announced. The missiles will speak for themselves.",
            "Volodymyr Zelenskyy",
            entity_id("PERSON", "Volodymyr Zelenskyy"),
        ),
    ]
    assert query(
        warehouse,
        """select q.value, q.unit, q.kind, q.qualifier from quantities q join articles a using (article_id)
           where a.source_path like '%atacms%' and q.kind in ('money', 'distance') order by q.value""",
    ) == [(190.0, "mi", "distance", "up to"), (56_200_000_000.0, "USD", "money", "over")]
    # seed b has no publication date: "Announced yesterday" stays unresolved, with the reason
    assert query(
        warehouse,
        """select d.text, d.resolved_date, d.unresolved_reason from dates d join articles a using (article_id)
           where a.source_path like '%atacms-authorization-b.txt' order by d.start_char""",
    ) == [
        ("yesterday", None, "no_publication_date"),
        ("in the coming days", None, "vague_period"),
        ("the coming months", None, "vague_period"),
    ]
    # every item's offsets point at its text, and only canonical articles have items
    for table in ("quotes", "quantities", "dates"):
        assert query(
            warehouse,
            f"""select count(*) from {table} t join articles a using (article_id)
                where a.dedup_kind != 'canonical' or ('{table}' != 'quotes'
                  and substr(a.text, t.start_char + 1, t.end_char - t.start_char) != t.text)""",
        ) == [(0,)]
    assert query(
        warehouse, f"select count(*) from keywords k join articles a using (article_id) where {seed_a}"
    ) == [(10,)]
    assert query(warehouse, "select count(*) from articles where tone is null") == [(0,)]


def test_every_command_answers_bad_input_with_one_line_and_an_exit_code(examples_run, tmp_path):
    """No traceback anywhere: missing, damaged and busy warehouses, bad SQL, dates and numbers."""
    from warehouse.lock import writer_lock

    warehouse, _ = examples_run
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "catalog.sqlite").write_bytes(b"not a database" * 100)
    missing = tmp_path / "missing"
    old = tmp_path / "old"
    (old / "_versions").mkdir(parents=True)
    w = ["-w", str(warehouse)]
    cases = [
        (["sql", "", *w], 2, "empty query"),
        (["sql", "selec 1", *w], 2, "query failed: Parser Error"),
        (["sql", "select 1", "-w", str(missing)], 2, "run `wirehouse ingest"),
        (["sql", "select 1", "-w", str(damaged)], 2, "cannot read the warehouse catalog"),
        (["status", "-w", str(damaged)], 2, "restore it from a backup"),
        (["sql", "select 1", "-w", str(old)], 2, "in the old format"),
        (["sql", "select 1", "--at-run", "nosuchrun", *w], 2, "no committed run 'nosuchrun'"),
        (["history", "-w", str(missing)], 2, "run `wirehouse ingest"),
        (["report", "-w", str(missing), "-o", str(tmp_path / "r.html")], 2, "no warehouse at"),
        (["search", "bridge", "-w", str(missing)], 2, "no warehouse at"),
        (["search", "bridge", *w, "--entity", "Nobody Atall"], 2, "no entity named 'Nobody Atall'"),
        (["search", "bridge", *w, "--since", "yesterday"], 2, "Invalid value for '--since'"),
        (["search", "bridge", *w, "--limit", "0"], 2, "Invalid value for '--limit'"),
        (["ingest", str(EXAMPLES), "-w", str(tmp_path / "x"), "--batch-size", "0"], 2, "--batch-size 0"),
        (["ingest", str(EXAMPLES), "-w", str(tmp_path / "x"), "--n-process", "-1"], 2, "--n-process -1"),
        (
            ["ingest", str(EXAMPLES), "-w", str(tmp_path / "x"), "--reference-date", "2024-13-01"],
            2,
            "--reference-date '2024-13-01'",
        ),
        (["ingest", str(EXAMPLES), "-w", str(tmp_path / "x"), "--model", "fr"], 2, "write LANG=PACKAGE"),
        (["ingest", "/no/such/folder", *w], 2, "not found: /no/such/folder"),
        (["sql", "select 1", *w, "-o", str(tmp_path / "r.txt")], 2, "give --format csv, json or parquet"),
        (["sql", "select 1", *w, "-f", "table", "-o", str(tmp_path / "r.csv")], 2, "give --format csv"),
        (["sql", "select 1", *w, "-o", str(warehouse / "data" / "r.parquet")], 2, "inside the warehouse"),
        (["sql", "select 1", *w, "-o", str(tmp_path / "no" / "r.csv")], 2, "create it first"),
        (["status", *w, "--runs", "0"], 2, "Invalid value for '--runs'"),
    ]
    runner = CliRunner()
    for args, code, message in cases:
        result = runner.invoke(app, args)
        assert (result.exit_code, "Traceback" in result.output) == (code, False), (args, result.output)
        assert message in " ".join(result.output.split()), (args, result.output)
    with writer_lock(warehouse):  # a busy warehouse: exit 3 at once, before any server starts
        result = runner.invoke(app, ["ingest", str(EXAMPLES), *w])
    assert result.exit_code == 3 and "another wirehouse ingest is writing" in " ".join(result.output.split())
    assert runner.invoke(app, ["--version"]).output.startswith("wirehouse ")


def test_everything_a_run_writes_is_ignored_by_git_in_the_default_warehouse(examples_run):
    """After the quick start (which writes into warehouse/), `git status` stays clean."""
    import subprocess

    from tests.conftest import REPO

    warehouse, _ = examples_run
    names = [f"warehouse/{p.relative_to(warehouse)}" for p in warehouse.rglob("*") if p.is_file()]
    assert any(n.endswith("catalog.sqlite") for n in names) and any("/data/" in n for n in names)
    out = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(names),
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert sorted(set(names) - set(out.stdout.split())) == []
