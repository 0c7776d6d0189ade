"""Step 5a, entities: corpus-wide entities, redirects and co-mention pairs from all mentions.

Rebuilt whole at every run that changed anything (snapshot tables). The resolution rule
(surnames, acronyms, aliases, label votes) is transforms.entity_resolution; the SQL here only
gathers its inputs and counts. Each function takes a DuckDB connection with the mentions and
articles views, so the SQL can be tested on a small DuckDB without Prefect or a warehouse.
"""

from __future__ import annotations

from dataclasses import asdict

import duckdb
import pyarrow as pa

from flows.reference_data import load_gazetteer
from flows.steps.base import RunContext
from transforms.aliases import AliasTable
from transforms.entity_resolution import PLACE_LABELS, LocalEntity, resolve_entities
from transforms.places import Gazetteer
from warehouse.catalog import connect_memory
from warehouse.schemas import ENTITIES, ENTITY_PAIRS, ENTITY_REDIRECTS, conform, to_table

LOCAL_ENTITIES_SQL = """
select m.entity_id, first(m.name order by m.name) as name, first(m.label order by m.label) as label,
       count(distinct m.article_id) as article_count,
       list_sort(list_distinct(list(m.text) filter (
           where regexp_full_match(m.text, '[A-Z][A-Z0-9&.-]+') and upper(m.name) <> m.text))) as acronyms,
       -- share of mentions right after "the", "a" or "an": people's names almost never are
       avg(case when regexp_matches(
                lower(substr(a.text, greatest(m.start_char - 3, 1), least(m.start_char, 4))),
                '(^|[^a-z])(the|an|a) $') then 1.0 else 0.0 end) as determiner_share
from mentions m join articles a using (article_id)
group by m.entity_id
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
    rows = con.execute(LOCAL_ENTITIES_SQL).fetchall()
    local = [LocalEntity(i, n, lab, c, tuple(a or ()), share or 0.0) for i, n, lab, c, a, share in rows]
    places = gazetteer.place_id if gazetteer is not None else None
    return [asdict(r) for r in resolve_entities(local, aliases, places=places)]


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
