"""Deduplication decisions: exact and near duplicates, clustered, one canonical per cluster.

* **exact**: the same normalised title and text (content_hash).
* **near**: MinHash/LSH candidates (``transforms.minhash``) verified by estimated Jaccard of the
  bodies, or by containment, so a trimmed copy of a longer article is caught even when its
  Jaccard with the original is low.

Clusters are connected components of those edges. The canonical article of a cluster is the
earliest published, then the most complete (most words), then the first by source path and
record index: a rule a user can predict, and one that does not depend on which run or batch
saw an article first. When a run brings an article that sorts before a committed canonical,
the committed cluster is re-pointed to it, so the same input gives the same tables in one run
or many.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import xxhash

from transforms.minhash import band_keys, containment, estimated_jaccard
from transforms.records import CleanArticle

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
# A band bucket this full holds boilerplate shared by many different articles, not one story
# told many times; its pairs are skipped (exact copies are still joined through their hash).
MAX_BUCKET = 200


@dataclass(frozen=True)
class NearDupParams:
    """Thresholds chosen on the edited BBC corpus in bench/dedup.py (see README: Deduplication).

    32 bands of 4 rows put the LSH S-curve's midpoint near Jaccard 0.42, below the verify
    thresholds, so candidates are rarely missed; verification then decides.
    """

    bands: int = 32
    jaccard: float = 0.4
    containment: float = 0.8
    min_shingles: int = 20


def normalised_for_hash(text: str) -> str:
    """NFKC, case-folded, every run of punctuation or whitespace one space.

    Two texts that differ only in spacing, case, quote style or punctuation are one text here.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def content_hash(title: str | None, text: str, normalised_text: str | None = None) -> str:
    """The exact-duplicate key: title and body, normalised, hashed.

    Pass ``normalised_text`` (normalised_for_hash(text)) when it is at hand: normalising the
    title and the body apart and joining them with a space gives the same string as
    normalising them joined by a newline, so the body is normalised once per article.
    """
    body = normalised_for_hash(text) if normalised_text is None else normalised_text
    joined = f"{normalised_for_hash(title or '')} {body}".strip()
    return xxhash.xxh3_128_hexdigest(joined.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Duplicate:
    article_id: str
    canonical_id: str
    kind: str
    similarity: float


@dataclass(frozen=True, slots=True)
class DedupKey:
    """What dedup needs of an article: small enough to hold for a whole run in memory."""

    article_id: str
    content_hash: str
    published_at: datetime | None
    word_count: int
    source_path: str
    record_index: int
    signature: bytes  # num_perm little-endian uint32 MinHash values of the body
    shingles: int

    def order(self) -> tuple[datetime, int, str, int]:
        """Earliest published first (undated last), then most words, then path and record."""
        return (self.published_at or _FAR_FUTURE, -self.word_count, self.source_path, self.record_index)

    @property
    def minhash(self) -> np.ndarray:
        return np.frombuffer(self.signature, dtype="<u4")


def dedup_key(article: CleanArticle, signature: np.ndarray, shingles: int) -> DedupKey:
    return DedupKey(
        article.article_id,
        article.content_hash,
        article.published_at,
        article.word_count,
        article.source_path,
        article.record_index,
        signature.astype("<u4").tobytes(),
        int(shingles),
    )


@dataclass(frozen=True, slots=True)
class Committed:
    """An article already in the warehouse whose cluster this run touches."""

    key: DedupKey
    canonical_id: str
    dedup_kind: str


@dataclass(frozen=True, slots=True)
class Repoint:
    """A committed article whose canonical, kind or similarity changes because of this run."""

    article_id: str
    canonical_id: str
    dedup_kind: str
    similarity: float


def similarity(a: DedupKey, b: DedupKey) -> tuple[str, float]:
    """(kind, score) of a against b: exact 1.0, or near with the estimated Jaccard of the bodies."""
    if a.content_hash == b.content_hash:
        return "exact", 1.0
    return "near", round(estimated_jaccard(a.minhash, b.minhash), 4)


def is_near_duplicate(a: DedupKey, b: DedupKey, params: NearDupParams) -> bool:
    """Verified by Jaccard, or by containment of the smaller text in the larger (a trimmed copy)."""
    jaccard = estimated_jaccard(a.minhash, b.minhash)
    if jaccard >= params.jaccard:
        return True
    small, large = (a, b) if a.shingles <= b.shingles else (b, a)
    if small.shingles < params.min_shingles:
        return False
    return containment(jaccard, small.shingles, large.shingles) >= params.containment


def candidate_pairs(keys: list[DedupKey], params: NearDupParams) -> set[tuple[int, int]]:
    """Index pairs sharing a content hash or an LSH band key."""
    pairs: set[tuple[int, int]] = set()
    exact: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        exact[key.content_hash].append(i)
    for members in exact.values():  # a star is enough to connect a group of exact copies
        pairs.update((members[0], m) for m in members[1:])
    if not keys:
        return pairs
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    bands = band_keys(np.stack([k.minhash for k in keys]), params.bands)
    for i, row in enumerate(bands.tolist()):
        for b, value in enumerate(row):
            buckets[(b, value)].append(i)
    for members in buckets.values():
        if 1 < len(members) <= MAX_BUCKET:
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
    return pairs


def resolve_duplicates(
    keys: Iterable[DedupKey], committed: Iterable[Committed] = (), params: NearDupParams = NearDupParams()
) -> tuple[dict[str, Duplicate], list[Repoint]]:
    """Decide, for a whole run at once, which articles are duplicates of which.

    ``committed`` holds the warehouse articles this run can touch: those sharing a content hash
    or a band key with the run's articles, and every member of their clusters. Returns the
    decisions for this run's articles (those absent are canonical) and the committed articles
    whose decision changes.
    """
    before = {c.key.article_id: c for c in committed}
    new = [k for k in keys if k.article_id not in before]
    everyone = [*new, *(c.key for c in before.values())]
    index = {k.article_id: i for i, k in enumerate(everyone)}
    parent = list(range(len(everyone)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    for c in before.values():  # committed clusters stay together
        if c.canonical_id in index:
            union(index[c.key.article_id], index[c.canonical_id])
    count_new = len(new)
    for i, j in candidate_pairs(everyone, params):
        if i >= count_new and j >= count_new:
            continue  # two committed articles: already decided
        a, b = everyone[i], everyone[j]
        if a.content_hash == b.content_hash or is_near_duplicate(a, b, params):
            union(i, j)

    clusters: dict[int, list[DedupKey]] = defaultdict(list)
    for i, key in enumerate(everyone):
        clusters[find(i)].append(key)
    duplicates: dict[str, Duplicate] = {}
    repoints: list[Repoint] = []
    for members in clusters.values():
        canonical = min(members, key=DedupKey.order)
        for key in members:
            if key is canonical:
                kind, score = "canonical", 1.0
            else:
                kind, score = similarity(key, canonical)
            old = before.get(key.article_id)
            if old is None:
                if kind != "canonical":
                    duplicates[key.article_id] = Duplicate(key.article_id, canonical.article_id, kind, score)
            elif (old.canonical_id, old.dedup_kind) != (canonical.article_id, kind):
                repoints.append(Repoint(key.article_id, canonical.article_id, kind, score))
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
