"""Exact deduplication: one canonical article per normalised text, across runs.

The canonical article of a group is the earliest published, then the one whose source path
sorts first (then record index): a rule a user can predict and check, and one that does not
depend on which run or batch saw an article first. When a new run brings an article that sorts
before the committed canonical, the committed group is re-pointed to it, so the same input
gives the same tables in one run or many.
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


@dataclass(frozen=True, slots=True)
class Committed:
    """An article already in the warehouse that shares a content hash with this run's articles."""

    key: DedupKey
    canonical_id: str
    dedup_kind: str


@dataclass(frozen=True, slots=True)
class Repoint:
    """A committed article whose dedup status changes because of this run."""

    article_id: str
    canonical_id: str
    dedup_kind: str


def resolve_exact(
    keys: Iterable[DedupKey], committed: Iterable[Committed] = ()
) -> tuple[dict[str, Duplicate], list[Repoint]]:
    """Decide, for a whole run at once, which articles are exact duplicates of which.

    Each content hash's group is this run's articles plus the committed ones sharing the hash;
    its canonical is the first by ``DedupKey.order``. Returns the duplicate decisions for this
    run's articles (articles not in it are canonical) and the committed articles whose
    canonical or kind changes.
    """
    before = {c.key.article_id: c for c in committed}
    groups: dict[str, list[DedupKey]] = {}
    for key in [*keys, *(c.key for c in before.values())]:
        groups.setdefault(key.content_hash, []).append(key)
    duplicates: dict[str, Duplicate] = {}
    repoints: list[Repoint] = []
    for members in groups.values():
        members.sort(key=DedupKey.order)
        canonical = members[0].article_id
        for key in members:
            kind = "canonical" if key.article_id == canonical else "exact"
            old = before.get(key.article_id)
            if old is not None:
                if (old.canonical_id, old.dedup_kind) != (canonical, kind):
                    repoints.append(Repoint(key.article_id, canonical, kind))
            elif kind == "exact":
                duplicates[key.article_id] = Duplicate(key.article_id, canonical, "exact", 1.0)
    return duplicates, sorted(repoints, key=lambda r: r.article_id)


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
