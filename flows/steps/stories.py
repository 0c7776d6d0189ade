"""Step 5b, stories: group canonical articles about one event; rebuilt whole at every run.

The clustering rule is transforms.stories (TF-IDF of title, lede and body plus canonical entity
ids, time decay, average linkage). ``story_inputs`` and ``story_tables`` take a DuckDB connection
with the articles, mentions and entities views, so the SQL is testable on a small DuckDB.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from flows.reference_data import stop_words
from flows.steps.base import RunContext
from transforms.stories import StoryInput, StoryParams, story_clusters, story_ids
from warehouse.catalog import connect_memory
from warehouse.changes import native_table
from warehouse.schemas import STORIES, STORY_MEMBERS, conform

# An article's outlet: the site's name, else the folder its file came in (the report uses it too).
OUTLET_SQL = "coalesce(a.site_name, nullif(regexp_extract(a.source_path, '([^/]+)/[^/]+$', 1), ''))"

STORIES_SQL = f"""
with members as (select a.article_id, s.story_id, a.title, a.lede, a.published_at, a.dedup_kind,
                        a.source_path, a.record_index, a.word_count, {OUTLET_SQL} as outlet
                 from articles a join story_map s on s.article_id = a.canonical_id),
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
              from mentions group by all)
select a.article_id, a.title, left(a.text, $chars), a.published_at, coalesce(e.ids, [])
from articles a left join ents e using (article_id)
where a.dedup_kind = 'canonical'
order by a.published_at nulls last, a.word_count desc, a.source_path, a.record_index
"""


def story_inputs(con: duckdb.DuckDBPyConnection, text_chars: int) -> list[StoryInput]:
    """Canonical articles in story order (earliest published, then longest), with the first
    ``text_chars`` characters of their body: the lede and opening paragraphs tell the event."""
    rows = con.execute(INPUTS_SQL, {"chars": text_chars}).fetchall()
    return [
        StoryInput(a, title, text or "", published.replace(tzinfo=None) if published else None, tuple(ids))
        for a, title, text, published, ids in rows
    ]


def story_tables(
    con: duckdb.DuckDBPyConnection, params: StoryParams, text_chars: int, stop: frozenset[str]
) -> tuple[pa.Table, pa.Table]:
    """(story_members, stories) for every article, duplicates following their canonical."""
    inputs = story_inputs(con, text_chars)
    labels, similarity = story_clusters(inputs, stop, params)
    order = [x.article_id for x in inputs]
    story_of = story_ids(order, dict(zip(order, labels, strict=True)))
    native_table(
        con,
        "canonical_story",
        pa.table(
            {
                "canonical_id": order,
                "story_id": [story_of[a] for a in order],
                "similarity": pa.array(similarity, pa.float64()),
            }
        ),
    )
    # a duplicate is placed where its canonical is, with its canonical's similarity
    members = con.execute(
        "select a.article_id, c.story_id, c.similarity from articles a "
        "join canonical_story c using (canonical_id) order by a.article_id"
    ).to_arrow_table()
    native_table(con, "story_map", members.select(["article_id", "story_id"]))
    stories = con.execute(STORIES_SQL).to_arrow_table()
    return conform(STORY_MEMBERS, members), conform(STORIES, stories)


def stage_stories(ctx: RunContext) -> int:
    """Rebuild stories and story_members from all canonical articles, their text and entities."""
    con = connect_memory(ctx.wh.root, extra=ctx.wh.staged_files(ctx.run_id))
    try:
        members, stories = story_tables(
            con, ctx.config.stories, ctx.config.story_text_chars, stop_words("en")
        )
    finally:
        con.close()
    ctx.wh.stage(ctx.run_id, STORY_MEMBERS, members, "000000")
    ctx.wh.stage(ctx.run_id, STORIES, stories, "000000")
    return stories.num_rows
