"""Step 5a, entities: corpus-wide entities, redirects and co-mention pairs from all mentions.

Rebuilt whole at every run that changed anything (snapshot tables). The resolution rule
(surnames, acronyms, aliases, label votes) is transforms.entity_resolution; the SQL here only
gathers its inputs and counts. Each function takes a DuckDB connection with the mentions and
articles views, so the SQL can be tested on a small DuckDB without Prefect or a warehouse.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict

import duckdb
import pyarrow as pa

from flows.reference_data import load_gazetteer
from flows.steps.base import RunContext
from transforms.aliases import AliasTable
from transforms.entity_resolution import PLACE_LABELS, LocalEntity, ResolutionParams, resolve_entities
from transforms.name_usage import NAME_LABELS, PERSON, Profiles, person_usage_cleaned
from transforms.places import Gazetteer
from warehouse.catalog import connect_memory
from warehouse.schemas import ENTITIES, ENTITY_PAIRS, ENTITY_REDIRECTS, conform, to_table

# Each mention with the two words (or punctuation marks) before and after it and the first
# pronoun after it, lower-cased: the evidence of how a name is used (transforms.name_usage), and
# whether it follows an article.
MENTION_CONTEXTS_SQL = r"""
create or replace temp table mention_contexts as
with around as (
    select m.entity_id, m.article_id, m.label, m.name, m.text,
           lower(substr(a.text, greatest(m.start_char - 39, 1), least(m.start_char, 40))) as before,
           lower(substr(a.text, m.end_char + 1, 200)) as after
    from mentions m join articles a using (article_id))
select entity_id, article_id, label, name, text,
       regexp_extract(before, '([\w''’-]+|[^\w\s]+)\s*$', 1) as left_word,
       regexp_extract(before, '([\w''’-]+|[^\w\s]+)\s*([\w''’-]+|[^\w\s]+)\s*$', 1) as left_word2,
       regexp_extract(after, '^\s*([\w''’-]+|[^\w\s]+)', 1) as right_word,
       regexp_extract(after, '^\s*([\w''’-]+|[^\w\s]+)\s*([\w''’-]+|[^\w\s]+)', 2) as right_word2,
       regexp_extract(after, '\b(he|she|his|her|him|it|its|they|their|them)\b', 1) as pronoun
from around
"""

# The same evidence as features, counted per name and label in one pass: each word by its
# place, the word pairs on each side, and the pronoun (transforms.name_usage says the format).
FEATURE_COUNTS_SQL = """
create or replace temp table feature_counts as
select entity_id, label, feature, count(*) as n
from (select entity_id, label, unnest([
          'L ' || left_word, 'L2 ' || left_word2, 'LL ' || left_word2 || ' ' || left_word,
          'R ' || right_word, 'R2 ' || right_word2, 'RR ' || right_word || ' ' || right_word2,
          'P ' || pronoun]) as feature
      from mention_contexts where label in $labels)
group by all
"""

LOCAL_ENTITIES_SQL = r"""
-- per article: named twice or more, and once of those shorter than in full (a word of the
-- name, or ending with its last word: "Howard", "Ms Jowell"), as news names a person again
with per_article as (
    select entity_id, article_id, count(*) >= 2 as repeated,
           bool_or(text <> name and (list_contains(string_split(name, ' '), text)
               or regexp_extract(text, '(\S+)$', 1) = regexp_extract(name, '(\S+)$', 1))) as shortened
    from mention_contexts group by all),
counted as (
    select entity_id, count(*) filter (where repeated) as repeated_articles,
           count(*) filter (where shortened) as shortened_articles
    from per_article group by entity_id)
-- the spelling most mentions use ("Obama", not the "OBAMA" of a transcript that sorts first)
select entity_id, mode(name order by name) as name, first(label order by label) as label,
       count(distinct article_id) as article_count,
       list_sort(list_distinct(list(text) filter (
           where regexp_full_match(text, '[A-Z][A-Z0-9&.-]+') and upper(name) <> text))) as acronyms,
       -- share of mentions right after "the", "a" or "an": people's names almost never are
       avg(case when left_word in ('the', 'a', 'an') then 1.0 else 0.0 end) as determiner_share,
       any_value(c.repeated_articles) as repeated_articles,
       any_value(c.shortened_articles) as shortened_articles
from mention_contexts join counted c using (entity_id)
group by entity_id
"""

# The PERSON names in enough articles to judge, with their feature counts; then each name
# label's counts of those features only, its count of all features, and the number of distinct
# features (the rest of transforms.name_usage.Profiles), so no full profile is ever fetched.
PERSON_FEATURES_SQL = """
create or replace temp table person_features as
with people as (select entity_id from mention_contexts where label = 'PERSON'
                group by entity_id having count(distinct article_id) >= $min_articles)
select entity_id, feature, n from feature_counts semi join people using (entity_id)
"""

LABEL_FEATURES_SQL = """
select label, feature, sum(n)::bigint from feature_counts
where feature in (select feature from person_features) group by all
"""

LABEL_TOTALS_SQL = """
select label, sum(n)::bigint, (select count(distinct feature) from feature_counts)
from feature_counts group by label
"""

ENTITIES_SQL = """
with m as (select * from mentions),
     seen as (select article_id, published_at, processed_at from articles),
     names as (select entity_id, name, count(*) as n from m group by all),
     best as (select entity_id, first(name order by n desc, name) as name from names group by all),
     labels as (select entity_id, label, count(*) as n from m group by all),
     best_label as (select entity_id, first(label order by n desc, label) as label from labels group by all)
select m.entity_id, any_value(best.name) as name, any_value(best_label.label) as label,
       list_sort(list_distinct(list(m.text))) as aliases,
       count(distinct m.article_id) as article_count, count(*) as mention_count,
       min(seen.published_at) as first_seen, max(seen.published_at) as last_seen,
       min(seen.processed_at) as first_processed, max(seen.processed_at) as last_processed
from m join best using (entity_id) join best_label using (entity_id) join seen using (article_id)
group by m.entity_id
order by m.entity_id
"""

ENTITY_PAIRS_SQL = """
with canon as (select article_id, published_at, processed_at
               from articles where dedup_kind = 'canonical'),
     counted as (select article_id, entity_id, count(*) as n
                 from mentions semi join canon using (article_id) group by all),
     -- an article's most-mentioned entities only: pairs grow with the square of the names in an
     -- article, and one list of 8,000 names made 25.7 M pairs (BBC's longest article has 116)
     ents as (select article_id, entity_id from counted
              qualify row_number() over (partition by article_id order by n desc, entity_id) <= $top)
select a.entity_id as entity_a, b.entity_id as entity_b, count(*) as article_count,
       min(c.published_at) as first_seen, max(c.published_at) as last_seen,
       min(c.processed_at) as first_processed, max(c.processed_at) as last_processed
from ents a join ents b on a.article_id = b.article_id and a.entity_id < b.entity_id
join canon c on c.article_id = a.article_id
group by all
order by entity_a, entity_b
"""


def redirect_rows(
    con: duckdb.DuckDBPyConnection, aliases: AliasTable, gazetteer: Gazetteer | None = None
) -> list[dict]:
    """Article-level entities resolved corpus-wide; ``con`` must show mentions as written
    (entity_redirects empty). With a gazetteer, names of one place join ("Royaume-Uni")."""
    params = ResolutionParams()
    con.execute(MENTION_CONTEXTS_SQL)
    con.execute(FEATURE_COUNTS_SQL, {"labels": list(NAME_LABELS)})
    con.execute(PERSON_FEATURES_SQL, {"min_articles": params.determiner_min_articles})
    contexts: dict[str, dict[str, int]] = defaultdict(dict)
    for entity, feature, n in con.execute("select * from person_features").fetchall():
        contexts[entity][feature] = n
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for label, feature, n in con.execute(LABEL_FEATURES_SQL).fetchall():
        counts[label][feature] = n
    totals = con.execute(LABEL_TOTALS_SQL).fetchall()
    vocabulary = totals[0][2] if totals else 0
    profiles = Profiles(counts, {label: n for label, n, _ in totals}, vocabulary)
    usage = person_usage_cleaned(
        contexts, profiles, params.usage_margin, prior_mentions=params.usage_prior_mentions
    )
    local = []
    for i, n, lab, c, a, share, repeated, shortened in con.execute(LOCAL_ENTITIES_SQL).fetchall():
        u = usage.get(i) if lab == PERSON else None
        local.append(
            LocalEntity(
                i,
                n,
                lab,
                c,
                tuple(a or ()),
                share or 0.0,
                u.margin if u else None,
                u.label if u else None,
                repeated_articles=repeated,
                shortened_articles=shortened,
            )
        )
    places = gazetteer.place_id if gazetteer is not None else None
    return [asdict(r) for r in resolve_entities(local, aliases, params, places=places)]


def entity_tables(
    con: duckdb.DuckDBPyConnection, gazetteer: Gazetteer, pair_entities: int = 100
) -> tuple[pa.Table, pa.Table]:
    """(entities with places, entity_pairs) from the redirected mentions view; pairs among each
    article's ``pair_entities`` most-mentioned entities."""
    table = with_places(con.execute(ENTITIES_SQL).to_arrow_table(), gazetteer)
    pairs = con.execute(ENTITY_PAIRS_SQL, {"top": pair_entities}).to_arrow_table()
    return conform(ENTITIES, table), conform(ENTITY_PAIRS, pairs)


def with_places(table: pa.Table, gazetteer: Gazetteer) -> pa.Table:
    """Add country code, kind and coordinates to GPE/LOC rows the gazetteer resolves."""
    places = [
        gazetteer.resolve(name) if label in PLACE_LABELS else None
        for name, label in zip(table["name"].to_pylist(), table["label"].to_pylist(), strict=True)
    ]
    for column in ("country_code", "place_kind", "latitude", "longitude", "geonameid"):
        attr = {"place_kind": "kind"}.get(column, column)
        values = [getattr(p, attr) if p else None for p in places]
        table = table.append_column(column, pa.array(values, type=ENTITIES.schema.field(column).type))
    return table


def stage_entities(ctx: RunContext, aliases: AliasTable) -> int:
    """Rebuild redirects, entities (with places) and entity_pairs from all mentions; return entities."""
    wh, run_id = ctx.wh, ctx.run_id
    con = connect_memory(wh.root, extra=wh.staged_files(run_id), empty=["entity_redirects"])
    try:
        redirects = redirect_rows(con, aliases, load_gazetteer())
    finally:
        con.close()
    wh.stage(run_id, ENTITY_REDIRECTS, to_table(ENTITY_REDIRECTS, redirects), "000000")
    con = connect_memory(wh.root, extra=wh.staged_files(run_id))
    try:
        entities, pairs = entity_tables(con, load_gazetteer(), ctx.config.pair_entities_per_article)
    finally:
        con.close()
    wh.stage(run_id, ENTITIES, entities, "000000")
    wh.stage(run_id, ENTITY_PAIRS, pairs, "000000")
    return entities.num_rows
