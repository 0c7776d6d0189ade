"""The SQL of a run's views and of the snapshot steps, on a few hand-made rows: no Prefect.

Rows are committed to, and staged in, a real (tiny) warehouse and read through the views a run
reads (warehouse.catalog.connect_memory), which show what the commit will store.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import duckdb
import pytest

from flows.reference_data import load_aliases, load_gazetteer, stop_words
from flows.steps.entities import entity_tables, redirect_rows
from flows.steps.stories import story_tables
from tests.factories import clean_article
from transforms.stories import StoryParams
from warehouse.catalog import connect_memory
from warehouse.dictionary import EXAMPLES
from warehouse.schemas import ARTICLES, ENTITY_REDIRECTS, MENTIONS, TABLES, to_table
from warehouse.store import Warehouse

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
BRIDGE = (
    "The Eastgate harbour bridge in Portmere will close for three weeks of repairs from 2 March, "
    "the city council said. Engineers will replace the corroded expansion joints."
)
LIBRARY = "Westline school board approved a budget for eleven new classrooms and a swimming pool."


def article_row(
    article_id: str, text: str, *, canonical: str | None = None, run: str = "r1", **fields
) -> dict:
    fields.setdefault("source_path", f"/feeds/wire/{article_id}.txt")
    row = asdict(clean_article(article_id, text, **fields))
    return row | {
        "canonical_id": canonical or article_id,
        "dedup_kind": "exact" if canonical else "canonical",
        "run_id": run,
        "processed_at": T0,
    }


def mention(article_id: str, text: str, label: str, start: int, entity_id: str, run: str = "r1") -> dict:
    return {
        "mention_id": f"{article_id}-{start}",
        "article_id": article_id,
        "entity_id": entity_id,
        "text": text,
        "name": text,
        "label": label,
        "start_char": start,
        "end_char": start + len(text),
        "sentence_index": 0,
        "run_id": run,
    }


def run_views(tmp_path, committed: dict, staged: dict) -> duckdb.DuckDBPyConnection:
    """Commit ``committed`` (spec -> rows) as run r1, stage ``staged`` as run r2, and return
    the run's views of the warehouse."""
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    for spec, rows in committed.items():
        wh.stage("r1", spec, to_table(spec, rows), "0")
    wh.commit("r1")
    for spec, rows in staged.items():
        wh.stage("r2", spec, to_table(spec, rows), "0")
    return connect_memory(wh.root, extra=wh.staged_files("r2"))


@pytest.fixture
def con(tmp_path):
    redirect = {
        "entity_id": "e-portmere-local",
        "canonical_entity_id": "e-portmere",
        "canonical_name": "Portmere",
        "canonical_label": "GPE",
        "reason": "alias",
    }
    db = run_views(
        tmp_path,
        committed={
            ARTICLES: [
                article_row(
                    "a",
                    BRIDGE,
                    title="Harbour bridge to close",
                    published_at=T0,
                    site_name="Portmere Courier",
                ),
                article_row("b", BRIDGE, title="Harbour bridge to close", canonical="a"),
                article_row("c", BRIDGE, title="Bridge repairs"),  # the version r2 replaces
                article_row("d", LIBRARY, title="Libraries stay open", published_at=T0),
            ],
            MENTIONS: [
                mention("a", "Portmere", "GPE", 31, "e-portmere"),
                mention("a", "Eastgate", "LOC", 4, "e-eastgate"),
                mention("c", "Portmere", "GPE", 31, "e-stale"),
                mention("d", "Westline", "GPE", 0, "e-westline"),
            ],
        },
        staged={
            ARTICLES: [article_row("c", BRIDGE + " Traffic will divert.", title="Bridge repairs")],
            MENTIONS: [mention("c", "Portmere", "GPE", 31, "e-portmere-local")],
            ENTITY_REDIRECTS: [redirect],
        },
    )
    yield db
    db.close()


def test_views_apply_redirects_and_hide_rows_of_replaced_article_versions(con):
    rows = con.execute(
        "select article_id, entity_id, local_entity_id from mentions order by article_id, start_char"
    ).fetchall()
    assert rows == [
        ("a", "e-eastgate", "e-eastgate"),
        ("a", "e-portmere", "e-portmere"),
        ("c", "e-portmere", "e-portmere-local"),  # redirected; the mention of c's old version is gone
        ("d", "e-westline", "e-westline"),
    ]


def test_entities_count_canonical_mentions_and_pairs(con):
    entities, pairs = entity_tables(con, load_gazetteer())
    got = {r["entity_id"]: (r["name"], r["article_count"], r["mention_count"]) for r in entities.to_pylist()}
    assert got == {
        "e-eastgate": ("Eastgate", 1, 1),
        "e-portmere": ("Portmere", 2, 2),
        "e-westline": ("Westline", 1, 1),
    }
    assert [(r["entity_a"], r["entity_b"], r["article_count"]) for r in pairs.to_pylist()] == [
        ("e-eastgate", "e-portmere", 1)
    ]


def test_redirect_rows_read_mentions_as_written(con):
    # The curated alias table has no entry for these names: nothing to redirect.
    assert redirect_rows(con, load_aliases(None)) == []


def test_stories_group_one_event_and_duplicates_follow_their_canonical(con):
    tables = story_tables(con, StoryParams(), 5000, stop_words("en"))
    members, stories = tables["story_members"], tables["stories"]
    story = dict(zip(members["article_id"].to_pylist(), members["story_id"].to_pylist(), strict=True))
    assert story["a"] == story["b"] == story["c"] != story["d"]
    rows = {r["story_id"]: r for r in stories.to_pylist()}
    bridge = rows[story["a"]]
    assert (bridge["headline"], bridge["article_count"], bridge["canonical_count"]) == (
        "Harbour bridge to close",
        3,
        2,
    )
    assert rows[story["d"]]["headline"] == "Libraries stay open"
    # outlets: a site's name, else the folder its file came in
    assert bridge["outlets"] == ["Portmere Courier", "wire"] and rows[story["d"]]["outlets"] == ["wire"]


def test_pairs_come_from_each_articles_most_mentioned_entities_only(tmp_path):
    # one article listing 150 invented names (a hostile input once made 25.7 M pairs from 8,000)
    names = [f"Name{i:03d} Person" for i in range(150)]
    text = ", ".join(names) + ", " + names[149]
    mentions, pos = [], 0
    for i, name in enumerate(names):
        mentions.append(mention("x", name, "PERSON", pos, f"e{i:03d}"))
        pos += len(name) + 2
    mentions.append(mention("x", names[149], "PERSON", pos, "e149"))  # mentioned twice: ranks first
    db = run_views(tmp_path, {}, {ARTICLES: [article_row("x", text)], MENTIONS: mentions})
    _, pairs = entity_tables(db, load_gazetteer(), pair_entities=100)
    assert pairs.num_rows == 100 * 99 // 2
    in_pairs = set(pairs["entity_a"].to_pylist()) | set(pairs["entity_b"].to_pylist())
    assert "e149" in in_pairs and "e000" in in_pairs and "e099" not in in_pairs


def story_run(wh: Warehouse, run: str, rows: list[dict], now: datetime = T0) -> dict[str, str]:
    """Stage articles as ``run``, run the story step, commit it; article -> story after it."""
    wh.stage(run, ARTICLES, to_table(ARTICLES, [r | {"run_id": run} for r in rows]), "0")
    view = connect_memory(wh.root, extra=wh.staged_files(run))
    try:
        tables = story_tables(view, StoryParams(), 5000, stop_words("en"), now=now)
    finally:
        view.close()
    for name, table in tables.items():
        wh.stage(run, TABLES[name], table, "0")
    wh.commit(run)
    done = connect_memory(wh.root)
    try:
        return dict(done.execute("select article_id, story_id from story_members").fetchall())
    finally:
        done.close()


QUAKE = "A magnitude 6.1 earthquake struck near Lorca in southern Spain on Wednesday, killing nine people."
QUAKE_2 = (
    "Rescuers in Lorca searched collapsed buildings after the magnitude 6.1 earthquake killed nine people."
)
FLOOD = "Floods closed the Riverside ring road in Portmere after two days of heavy rain, the council said."


def test_a_later_run_places_new_articles_in_earlier_stories_and_ids_stay(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    first = story_run(
        wh, "r1", [article_row("q1", QUAKE, title="Earthquake in Lorca"), article_row("d", LIBRARY)]
    )
    quake_story = first["q1"]
    second = story_run(
        wh,
        "r2",
        [
            article_row("q2", QUAKE_2, title="Lorca earthquake rescue"),
            article_row("f", FLOOD, title="Floods"),
        ],
    )
    # the new quake report joins the earlier story under its id; the flood opens a story of its own
    assert second["q2"] == second["q1"] == quake_story and second["d"] == first["d"]
    assert len({second["q1"], second["d"], second["f"]}) == 3
    con = connect_memory(wh.root)
    try:
        terms = dict(con.execute("select article_id, count(*) from story_terms group by 1").fetchall())
        opened = dict(con.execute("select story_id, opened_at from stories").fetchall())
        merges = con.execute("select count(*) from story_merges").fetchone()[0]
    finally:
        con.close()
    # every placed canonical article's terms are indexed, each run's own
    assert set(terms) == {"q1", "q2", "d", "f"} and min(terms.values()) > 5
    assert set(opened) == {quake_story, second["d"], second["f"]} and merges == 0


def test_when_new_articles_join_two_earlier_stories_the_older_id_survives_and_the_merge_is_recorded(tmp_path):
    from datetime import timedelta

    protest = (
        "Hundreds of protesters marched on Saturday demanding that reading rooms stay open for pensioners."
    )
    vote = "Portmere council voted to close the Eastgate library on Friday after cuts to the arts budget."
    both = (
        "Hundreds of protesters marched on Saturday after Portmere council voted to close the Eastgate"
        " library on Friday."
    )
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    older = story_run(wh, "r1", [article_row("v", protest, title="Library protest")], T0)["v"]
    second = story_run(wh, "r2", [article_row("p", vote, title="Library to close")], T0 + timedelta(days=1))
    younger = second["p"]
    assert older != younger and younger < older  # so the id order cannot be what picks the survivor
    after = story_run(
        wh, "r3", [article_row("b", both, title="Library vote protest")], T0 + timedelta(days=2)
    )
    assert after == {"v": older, "p": older, "b": older}
    con = connect_memory(wh.root)
    try:
        assert con.execute("select story_id, merged_into, run_id from story_merges").fetchall() == [
            (younger, older, "r3")
        ]
        assert con.execute("select story_id, canonical_count, opened_at from stories").fetchall() == [
            (older, 3, T0)
        ]
        # the data dictionary's query finds where the merged id went
        (follow,) = [sql for title, sql in EXAMPLES if title.startswith("Where a story id you kept went")]
        assert con.execute(follow).fetchall() == [(older, "Library vote protest", 1)]
    finally:
        con.close()
