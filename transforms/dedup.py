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


@dataclass(frozen=True, slots=True)
class DedupKey:
    """What exact dedup needs of an article: small enough to hold for a whole run in memory."""

    article_id: str
    content_hash: str
    published_at: datetime | None
    source_path: str
    record_index: int

    @classmethod
    def of(cls, article: CleanArticle) -> DedupKey:
        return cls(
            article.article_id,
            article.content_hash,
            article.published_at,
            article.source_path,
            article.record_index,
        )

    def order(self) -> tuple[datetime, str, int]:
        """Earliest published first; undated after dated; then path and record index."""
        return (self.published_at or _FAR_FUTURE, self.source_path, self.record_index)


def resolve_exact(
    keys: Iterable[DedupKey], known: Mapping[str, str]
) -> tuple[dict[str, Duplicate], dict[str, str]]:
    """Decide, for a whole run at once, which articles are exact duplicates of which.

    ``known`` maps content hash to the canonical article id already in the warehouse. Deciding
    over the run's keys together (not batch by batch) makes the answer independent of batch
    size and file order. Returns the duplicate decisions by article id (articles not in it are
    canonical) and the new index entries (content hash to canonical id) the run adds.
    """
    added: dict[str, str] = {}
    duplicates: dict[str, Duplicate] = {}
    for key in sorted(keys, key=DedupKey.order):
        canonical = known.get(key.content_hash) or added.get(key.content_hash)
        if canonical is None:
            added[key.content_hash] = key.article_id
        elif canonical != key.article_id:
            duplicates[key.article_id] = Duplicate(key.article_id, canonical, "exact", 1.0)
    return duplicates, added


def apply_decisions(
    articles: Iterable[CleanArticle], duplicates: Mapping[str, Duplicate]
) -> list[CleanArticle]:
    """Set canonical_id and dedup_kind on each article from the run's decisions."""
    out = []
    for article in articles:
        decision = duplicates.get(article.article_id)
        article.canonical_id = decision.canonical_id if decision else article.article_id
        article.dedup_kind = decision.kind if decision else "canonical"
        out.append(article)
    return out
