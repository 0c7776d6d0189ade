"""Step 5b, stories: place a run's new canonical articles in the stories of earlier runs.

The clustering rule is transforms.stories (TF-IDF of title, lede and body plus canonical entity
ids, time decay, average linkage). A run clusters only its new articles with the earlier
stories its blocking lookup finds (story_terms), never recomputing the rest; story ids, once
issued, stay (a merge keeps the older and is recorded in story_merges). The story tables
themselves are re-aggregated in SQL. ``story_tables`` takes a DuckDB connection with the
warehouse views, so the SQL is testable on a small DuckDB.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from flows.reference_data import stop_words
from flows.steps.base import RunContext
from transforms.stories import (
    StoryInput,
    StoryParams,
    blocking_terms,
    settle_story_ids,
    story_clusters,
    story_terms,
    term_key,
    tfidf_terms,
    window_days,
)
from warehouse.catalog import connect_memory
from warehouse.changes import native_table, rows_sql
from warehouse.lake import LAKE
from warehouse.schemas import ARTICLES, STORIES, STORY_MEMBERS, STORY_MERGES, STORY_TERMS, TS, conform

# An article's outlet: the site's name, else the folder its file came in (the report uses it too).
OUTLET_SQL = "coalesce(a.site_name, nullif(regexp_extract(a.source_path, '([^/]+)/[^/]+$', 1), ''))"

STORIES_SQL = f"""
with members as (select a.article_id, s.story_id, a.title, a.lede, a.published_at, a.dedup_kind,
                        a.source_path, a.record_index, a.word_count, {OUTLET_SQL} as outlet
                 from _rows a join story_map s on s.article_id = a.canonical_id),
     firsts as (select story_id,
                       first(coalesce(title, left(lede, 200)) order by published_at nulls last,
                             word_count desc, source_path, record_index) as headline
                from members where dedup_kind = 'canonical' group by all),
     ent as (select s.story_id, e.name, count(distinct m.article_id) as n, count(*) as mentions
             from mentions m join story_map s using (article_id) join entities e using (entity_id)
             group by all),
     top as (select story_id, list(name order by n desc, mentions desc, name)[1:8] as top_entities
             from ent group by all)
select m.story_id, any_value(f.headline) as headline, count(*) as article_count,
       count(*) filter (where m.dedup_kind = 'canonical') as canonical_count,
       min(m.published_at) as first_published, max(m.published_at) as last_published,
       coalesce(any_value(t.top_entities), []) as top_entities,
       list_sort(list_distinct(list(m.outlet) filter (where m.outlet is not null))) as outlets
from members m join firsts f using (story_id) left join top t using (story_id)
group by m.story_id order by m.story_id
"""


INPUTS_SQL = """
with ents as (select article_id, list(distinct entity_id order by entity_id) as ids
              from mentions semi join _ids using (article_id) group by all)
select a.article_id, a.title, left(a.text, $chars), a.published_at, coalesce(e.ids, [])
from _rows a semi join _ids using (article_id) left join ents e using (article_id)
order by a.published_at nulls last, a.word_count desc, a.source_path, a.record_index
"""

# canonical articles no run has placed yet: not in story_members as they are now (new, re-read,
# re-pointed), or every one when story_terms is empty (a warehouse from before it existed)
SLIM_SQL = """
create or replace temp table _slim as
select article_id, canonical_id, dedup_kind, published_at from _rows
"""
NEW_SQL = f"""
select article_id from _slim
where dedup_kind = 'canonical'
  and (article_id in (select article_id from _gone)
       or article_id not in (select article_id from story_members)
       or not exists (select 1 from {LAKE}.story_terms))
"""

# which earlier story a new article stands for: the story of an earlier article of its duplicate
# cluster whose text the run did not change (an old canonical that became its copy, or itself
# re-read unchanged); it votes for that story's id as the earlier members do.
# The few such articles (_kin, usually none) are found first, so only their texts are compared.
KIN_SQL = """
create or replace temp table _kin as
select a.article_id, a.canonical_id, m.story_id
from _slim a join story_members m using (article_id)
where a.canonical_id in (select article_id from _new)
"""
SEEDS_SQL = f"""
with same as (select k.* from _kin k join {LAKE}.articles o using (article_id)
              join _rows a using (article_id) where o.text = a.text)
select canonical_id as article_id, story_id, count(*) as n from same
group by canonical_id, story_id
qualify row_number() over (partition by canonical_id order by n desc, story_id) = 1
"""

# earlier placed articles sharing a new article's heaviest terms, best summed weight first,
# within the time window when both are dated. The committed story_terms are read as stored
# (millions of rows: no per-row test of the run's gone articles), which are left out after.
HITS_SQL = f"""
create or replace temp table _hits as
select k.article_id as new_id, t.article_id, sum(k.weight) as score
from _block k join {LAKE}.story_terms t using (term_key) group by all
"""
CANDIDATES_SQL = """
select h.new_id, h.article_id
from _hits h join _slim a using (article_id) join _slim n on n.article_id = h.new_id
where h.article_id not in (select article_id from _new)
  and h.article_id not in (select article_id from _gone)
  and (a.published_at is null or n.published_at is null
       or abs(epoch(a.published_at) - epoch(n.published_at)) <= $window)
qualify row_number() over (partition by h.new_id order by h.score desc, h.article_id) <= $k
"""

# every placed canonical member of the candidate stories: a story is compared whole
MEMBERS_SQL = """
select m.article_id, m.story_id from story_members m
where m.story_id in (select story_id from _stories)
  and m.article_id in (select article_id from _slim where dedup_kind = 'canonical')
  and m.article_id not in (select article_id from _gone)
  and m.article_id not in (select article_id from _new)
"""

# document frequencies from the committed rows as stored, less those of the run's gone articles
OPENED_SQL = "select story_id, opened_at from stories semi join _stories using (story_id)"
DF_SQL = f"select term_key, count(*) from {LAKE}.story_terms semi join _keys using (term_key) group by all"
GONE_DF_SQL = f"""
select term_key, count(*) from {LAKE}.story_terms semi join _keys using (term_key)
where article_id in (select article_id from _gone) group by all
"""


def story_inputs(con: duckdb.DuckDBPyConnection, text_chars: int, ids: list[str]) -> list[StoryInput]:
    """The articles ``ids`` in story order (earliest published, then longest), with the first
    ``text_chars`` characters of their body: the lede and opening paragraphs tell the event."""
    _bind(con, "_ids", "article_id", ids)
    rows = con.execute(INPUTS_SQL, {"chars": text_chars}).fetchall()
    return [
        StoryInput(a, title, text or "", published.replace(tzinfo=None) if published else None, tuple(ids))
        for a, title, text, published, ids in rows
    ]


@dataclass
class Placed:
    """A run's placement: story and similarity per canonical article it (re)placed, merges,
    the new articles' term keys, and when each story id involved was opened."""

    story: dict[str, str]
    similarity: dict[str, float | None]
    merges: list[tuple[str, str]]
    terms: dict[str, list[int]]
    opened: dict[str, datetime | None]


def place_new_articles(
    con: duckdb.DuckDBPyConnection, params: StoryParams, text_chars: int, stop: frozenset[str]
) -> Placed:
    """Place the canonical articles no run has placed yet among the stories of earlier runs.

    Blocking keeps the cost with the new articles: their heaviest terms find earlier articles
    in story_terms, and only those articles' stories are loaded (whole) and clustered again with
    them (``StoryParams.recluster``; kept as formed otherwise, through average_linkage's
    ``groups``); transforms.stories.settle_story_ids then keeps every issued id. Document
    frequencies come from story_terms over the whole warehouse, so a small run weighs words as a
    large one does.
    """
    con.execute(SLIM_SQL)
    con.execute("create or replace temp table _gone as select article_id from gone_articles")
    any_gone = con.execute("select count(*) from _gone").fetchone()[0] > 0
    new_ids = [r[0] for r in con.execute(NEW_SQL).fetchall()]
    if not new_ids:
        return Placed({}, {}, [], {}, {})
    _bind(con, "_new", "article_id", new_ids)
    new_inputs = story_inputs(con, text_chars, new_ids)
    counts = {a.article_id: story_terms(a, stop, params) for a in new_inputs}
    n_docs = con.execute("select count(*) from _slim where dedup_kind = 'canonical'").fetchone()[0]
    local: Counter = Counter()
    for c in counts.values():
        local.update(c.keys())

    df: dict[str, int] = {}

    def frequencies(terms: set[str]) -> None:
        """Add ``terms`` to ``df``: each term is looked up in story_terms once per run."""
        keyed = {t: term_key(t) for t in terms if t not in df}
        native_table(con, "_keys", pa.table({"term_key": pa.array(sorted(set(keyed.values())), pa.int32())}))
        stored = Counter(dict(con.execute(DF_SQL).fetchall()))
        if any_gone:
            stored.subtract(dict(con.execute(GONE_DF_SQL).fetchall()))
        df.update({t: stored.get(k, 0) + local[t] for t, k in keyed.items()})

    frequencies(set(local))
    old: dict[str, str] = {}
    seeds: dict[str, str] = {}
    stories: list[str] = []
    opened: dict[str, datetime | None] = {}
    items = new_inputs
    # with no earlier story (a first run) there is nothing to look up or load
    if con.execute("select count(*) from (select 1 from story_members limit 1)").fetchone()[0]:
        seeds, stories = _candidate_stories(con, params, new_inputs, counts, df, n_docs)
        _bind(con, "_stories", "story_id", stories)
        old = dict(con.execute(MEMBERS_SQL).fetchall())
        opened = dict(con.execute(OPENED_SQL).fetchall())
        items = story_inputs(con, text_chars, [*old, *new_ids])
        for a in items:
            if a.article_id not in counts:
                counts[a.article_id] = story_terms(a, stop, params)
        frequencies({t for a in items for t in counts[a.article_id]})
    old_story = [old.get(a.article_id, seeds.get(a.article_id)) for a in items]
    first: dict[str, int] = {}
    groups = None  # reclustered: every article free, earlier ones only vote for their story's id
    if not params.recluster:  # kept as formed: earlier stories (and seeded articles) start whole
        groups = [first.setdefault(s, i) if s is not None else i for i, s in enumerate(old_story)]
    labels, similarity = story_clusters(
        items, stop, params, counts=[counts[a.article_id] for a in items], groups=groups, df=df, n_docs=n_docs
    )
    taken = {
        r[0]
        for r in con.execute(
            "select story_id from stories union select story_id from story_merges"
        ).fetchall()
    }
    ids = [a.article_id for a in items]
    age = {s: (opened.get(s) or datetime.min.replace(tzinfo=UTC),) for s in stories}
    story, merges = settle_story_ids(ids, labels, old_story, age, taken)
    # a story that came out as it went in (same id, same members) keeps its similarities as placed
    before: dict[str | None, set[str]] = defaultdict(set)
    after: dict[str, set[str]] = defaultdict(set)
    for a, s_old, s_new in zip(ids, old_story, story, strict=True):
        before[s_old].add(a)
        after[s_new].add(a)
    touched = {s for s, members in after.items() if before.get(s) != members}
    return Placed(
        story=dict(zip(ids, story, strict=True)),
        similarity={a: sim for a, sim, s in zip(ids, similarity, story, strict=True) if s in touched},
        merges=merges,
        terms={a: sorted({term_key(t) for t in counts[a]}) for a in new_ids},
        opened=opened,
    )


def _candidate_stories(
    con: duckdb.DuckDBPyConnection,
    params: StoryParams,
    new_inputs: list[StoryInput],
    counts: dict[str, Counter],
    df: dict[str, int],
    n_docs: int,
) -> tuple[dict[str, str], list[str]]:
    """(seeds, candidate story ids): the earlier stories a run's new articles may join, found
    by blocking on their heaviest terms in story_terms (within the time window when dated), and
    the story id each new article's unchanged earlier duplicate votes for."""
    vectors, vocab = tfidf_terms([counts[a.article_id] for a in new_inputs], params, df, n_docs)
    block = [
        (a.article_id, term_key(t), w)
        for a, keys in zip(new_inputs, blocking_terms(vectors, vocab, params.block_terms), strict=True)
        for t, w in keys
    ]
    native_table(
        con,
        "_block",
        pa.table(
            {
                "article_id": pa.array([b[0] for b in block], pa.string()),
                "term_key": pa.array([b[1] for b in block], pa.int32()),
                "weight": pa.array([b[2] for b in block], pa.float64()),
            }
        ),
    )
    window = window_days(params) * 86400
    con.execute(HITS_SQL)
    con.execute(
        f"create or replace temp table _cands as select distinct article_id from ({CANDIDATES_SQL})",
        {"window": window, "k": params.candidates},
    )
    con.execute(KIN_SQL)
    kin = con.execute("select count(*) from _kin").fetchone()[0]
    seeds = {a: s for a, s, _ in con.execute(SEEDS_SQL).fetchall()} if kin else {}
    found = con.execute("select distinct story_id from story_members semi join _cands using (article_id)")
    stories = sorted({s for (s,) in found.fetchall()} | set(seeds.values()))
    return seeds, stories


def _bind(con: duckdb.DuckDBPyConnection, name: str, column: str, values: list[str]) -> None:
    native_table(con, name, pa.table({column: pa.array(values, pa.string())}))


def story_tables(
    con: duckdb.DuckDBPyConnection,
    params: StoryParams,
    text_chars: int,
    stop: frozenset[str],
    now: datetime | None = None,
) -> dict[str, pa.Table]:
    """The run's story tables (story_members, stories, story_merges, story_terms), every
    article placed, duplicates following their canonical."""
    now = now or datetime.now(UTC)
    # the articles as the run leaves them, without the view's story_id overlay (a join with
    # story_members on every scan, and the story ids are what this step decides)
    con.execute(f"create or replace temp view _rows as {rows_sql(ARTICLES, staged=True)}")
    placed = place_new_articles(con, params, text_chars, stop)
    merged_into = dict(placed.merges)
    canonical = pa.table(
        {
            "canonical_id": pa.array(list(placed.story), pa.string()),
            "story_id": pa.array(list(placed.story.values()), pa.string()),
            "similarity": pa.array([placed.similarity.get(a) for a in placed.story], pa.float64()),
            "placed": pa.array([a in placed.similarity for a in placed.story], pa.bool_()),
        }
    )
    native_table(con, "_placed", canonical)
    native_table(
        con,
        "_merged",
        pa.table(
            {
                "story_id": pa.array(list(merged_into), pa.string()),
                "merged_into": pa.array(list(merged_into.values()), pa.string()),
            }
        ),
    )
    # committed placements of canonical articles the run did not place again, then the run's
    con.execute("""
        create or replace temp table canonical_story as
        select m.article_id as canonical_id, coalesce(g.merged_into, m.story_id) as story_id, m.similarity
        from story_members m left join _merged g using (story_id)
        where m.article_id in (select article_id from _slim where dedup_kind = 'canonical')
          and m.article_id not in (select article_id from _gone)
          and m.article_id not in (select canonical_id from _placed)
        union all
        select p.canonical_id, p.story_id, if(p.placed, p.similarity, m.similarity)
        from _placed p left join story_members m on m.article_id = p.canonical_id
    """)
    # a duplicate is placed where its canonical is, with its canonical's similarity
    members = con.execute(
        "select a.article_id, c.story_id, c.similarity from _rows a "
        "join canonical_story c using (canonical_id) order by a.article_id"
    ).to_arrow_table()
    native_table(con, "story_map", members.select(["article_id", "story_id"]))
    native_table(
        con,
        "_opened",
        pa.table(
            {
                "story_id": pa.array(list(placed.opened), pa.string()),
                "opened_at": pa.array(list(placed.opened.values()), TS),
            }
        ),
    )
    stories = con.execute(
        f"select s.*, coalesce(o.opened_at, c.opened_at, $now) as opened_at from ({STORIES_SQL}) s "
        "left join _opened o using (story_id) left join stories c using (story_id) order by s.story_id",
        {"now": now},
    ).to_arrow_table()
    merges = pa.table(
        {
            "story_id": pa.array(list(merged_into), pa.string()),
            "merged_into": pa.array(list(merged_into.values()), pa.string()),
            "merged_at": pa.array([now] * len(merged_into), TS),
        }
    )
    terms = pa.table(
        {
            "article_id": pa.array([a for a, keys in placed.terms.items() for _ in keys], pa.string()),
            "term_key": pa.array([k for keys in placed.terms.values() for k in keys], pa.int32()),
        }
    )
    return {
        STORY_MEMBERS.name: conform(STORY_MEMBERS, members),
        STORIES.name: conform(STORIES, stories),
        STORY_MERGES.name: conform(STORY_MERGES, merges),
        STORY_TERMS.name: conform(STORY_TERMS, terms),
    }


def stage_stories(ctx: RunContext) -> int:
    """Place the run's new canonical articles in stories; restage the story snapshots."""
    con = connect_memory(ctx.wh.root, extra=ctx.wh.staged_files(ctx.run_id))
    try:
        tables = story_tables(con, ctx.config.stories, ctx.config.story_text_chars, stop_words("en"))
    finally:
        con.close()
    for spec in (STORY_MEMBERS, STORIES, STORY_MERGES, STORY_TERMS):
        ctx.wh.stage(ctx.run_id, spec, tables[spec.name], "000000")
    return tables[STORIES.name].num_rows
