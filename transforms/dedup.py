"""Exact deduplication: one canonical article per normalised text, across runs.

The canonical article of a group is the earliest published, then the one whose source path
sorts first (then record index): a rule a user can predict and check. An article already
canonical in the warehouse stays canonical, so earlier answers never change under a new run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import xxhash

from transforms.records import CleanArticle

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def normalised_for_hash(text: str) -> str:
    """NFKC, case-folded, every run of punctuation or whitespace one space.

    Two texts that differ only in spacing, case, quote style or punctuation are one text here.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def content_hash(title: str | None, text: str) -> str:
    """The exact-duplicate key: title and body, normalised, hashed."""
    return xxhash.xxh3_128_hexdigest(normalised_for_hash(f"{title or ''}\n{text}").encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Duplicate:
    article_id: str
    canonical_id: str
    kind: str
    similarity: float


def canonical_order(article: CleanArticle) -> tuple[datetime, str, int]:
    """Earliest published first; undated after dated; then path and record index."""
    return (article.published_at or _FAR_FUTURE, article.source_path, article.record_index)


def resolve_exact(
    articles: Iterable[CleanArticle], known: Mapping[str, str]
) -> tuple[list[CleanArticle], list[Duplicate], dict[str, str]]:
    """Mark each article canonical or exact duplicate.

    ``known`` maps content hash to the canonical article id already in the warehouse. Returns the
    articles with ``canonical_id``/``dedup_kind`` set, the duplicate decisions, and the new index
    entries (content hash to canonical id) this batch adds.
    """
    ordered = sorted(articles, key=canonical_order)
    added: dict[str, str] = {}
    duplicates: list[Duplicate] = []
    for article in ordered:
        canonical = known.get(article.content_hash) or added.get(article.content_hash)
        if canonical is None or canonical == article.article_id:
            article.canonical_id = article.article_id
            article.dedup_kind = "canonical"
            if canonical is None:
                added[article.content_hash] = article.article_id
        else:
            article.canonical_id = canonical
            article.dedup_kind = "exact"
            duplicates.append(Duplicate(article.article_id, canonical, "exact", 1.0))
    return ordered, duplicates, added
