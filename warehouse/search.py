"""Full-text search over the warehouse: BM25 ranking from DuckDB's fts index, with snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

SEARCH_SQL = """
select a.article_id, coalesce(a.title, left(a.lede, 80) || '…'), a.published_at, a.source_path,
       s.score, a.text,
       (select count(*) from articles d where d.canonical_id = a.article_id and d.article_id != a.article_id)
         as duplicates
from (select article_id, fts_main_article_search.match_bm25(article_id, $query) as score
      from article_search) s
join articles a using (article_id)
where s.score is not null
  and ($since is null or a.published_at >= $since)
  and ($entity is null or a.article_id in (
        select m.article_id from mentions m join entities e using (entity_id)
        where e.name ilike $entity or list_contains(e.aliases, $entity)))
order by s.score desc, a.article_id
limit $limit
"""


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str | None
    published_at: datetime | None
    source_path: str
    score: float
    snippet: str
    duplicates: int


def snippet(text: str, query: str, width: int = 160) -> str:
    """The stretch of text around the first query word found (case-insensitive), on one line."""
    words = [w for w in re.findall(r"\w+", query) if len(w) > 1]
    lower = text.lower()
    positions = [p for p in (lower.find(w.lower()) for w in words) if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = " ".join(text[start : start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search_articles(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    since: date | None = None,
    entity: str | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Canonical articles matching ``query``, best first; ``entity`` filters on a mentioned entity.

    ``con`` comes from ``open_readonly(root, search=True)`` (search.duckdb attached as ``search``).
    """
    rows = con.execute(
        SEARCH_SQL, {"query": query, "since": since, "entity": entity, "limit": limit}
    ).fetchall()
    return [Hit(a, t, p, s, round(score, 4), snippet(text, query), d) for a, t, p, s, score, text, d in rows]


def entity_known(con: duckdb.DuckDBPyConnection, entity: str) -> bool:
    """Whether ``entity`` names an entity or one of its aliases (as the search filter reads it)."""
    found = con.execute(
        "select count(*) from entities where name ilike $e or list_contains(aliases, $e)", {"e": entity}
    ).fetchone()
    return bool(found and found[0])


def undated_count(con: duckdb.DuckDBPyConnection) -> int:
    """Canonical articles without a publication date: a --since filter cannot include them."""
    return con.execute(
        "select count(*) from articles where dedup_kind = 'canonical' and published_at is null"
    ).fetchone()[0]
