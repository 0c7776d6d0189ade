"""Deduplication decisions: exact and near duplicates, clustered, one canonical per cluster.

* **exact**: the same normalised title and text (content_hash).
* **near**: MinHash/LSH candidates (``transforms.minhash``: word 6-grams after OCR folding) verified by
  estimated Jaccard of the bodies, or by containment, so a trimmed copy of a longer article, or
  a wire story printed with local paragraphs added, is caught even when its Jaccard with the
  original is low. An article that only quotes a paragraph of another is not contained in it
  (its own text is most of it), so it stays apart.

Each duplicate carries the ``method`` that joined it to its canonical article (exact, jaccard,
containment) and that method's score as ``similarity``; ``chain`` means it was joined through
another member of the cluster and is itself below both thresholds against the canonical.

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
    """Thresholds chosen on neardup_dev, BBC DUPLICATES.tsv and Reuters templates (bench/dedup.py --grid).

    42 bands of 3 rows put the LSH S-curve's midpoint near Jaccard 0.29, well below the verify
    thresholds: with 32 bands of 4 (midpoint 0.42) trimmed copies near J 0.4 were missed as
    candidates before verification could see them. Jaccard 0.5 rather than 0.4 keeps Reuters
    stories written to one template apart. Containment is trusted only for texts of at least
    ``min_shingles`` 6-grams and when the Jaccard is at least ``containment_min_jaccard``:
    below that the shorter text is under ~12 % of the longer and the estimate is MinHash noise.
    """

    bands: int = 42
    jaccard: float = 0.5
    containment: float = 0.65
    min_shingles: int = 20
    containment_min_jaccard: float = 0.12


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
    kind: str  # exact | near
    similarity: float
    method: str  # exact | jaccard | containment | chain


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
    method: str


def match(a: DedupKey, b: DedupKey, params: NearDupParams) -> tuple[str, float] | None:
    """(method, score) if a and b are duplicates, else None.

    exact: same normalised title and text. jaccard: estimated Jaccard of the bodies' shingles.
    containment: the share of the shorter body's shingles found in the longer (a trimmed copy,
    or a wire story inside a longer local one).
    """
    if a.content_hash == b.content_hash:
        return "exact", 1.0
    jaccard = estimated_jaccard(a.minhash, b.minhash)
    if jaccard >= params.jaccard:
        return "jaccard", round(jaccard, 4)
    small, large = (a, b) if a.shingles <= b.shingles else (b, a)
    if small.shingles < params.min_shingles or jaccard < params.containment_min_jaccard:
        return None
    contained = containment(jaccard, small.shingles, large.shingles)
    return ("containment", round(contained, 4)) if contained >= params.containment else None


def similarity(a: DedupKey, b: DedupKey, params: NearDupParams) -> tuple[str, str, float]:
    """(kind, method, score) of cluster member a against its canonical b.

    A member joined through another member may be below both thresholds against the canonical
    itself: that is a ``chain`` and its score is the plain estimated Jaccard.
    """
    found = match(a, b, params)
    if found is None:
        return "near", "chain", round(estimated_jaccard(a.minhash, b.minhash), 4)
    method, score = found
    return ("exact" if method == "exact" else "near"), method, score


def candidate_pairs(keys: list[DedupKey], params: NearDupParams) -> set[tuple[int, int]]:
    """Index pairs (i < j) sharing a content hash or an LSH band key.

    Band buckets are found by one sort of (band, key) over the whole batch rather than a dict
    per band: with 42 bands the dict version was a third of the dedup stage on Reuters.
    """
    pairs: set[tuple[int, int]] = set()
    exact: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        exact[key.content_hash].append(i)
    for members in exact.values():  # a star is enough to connect a group of exact copies
        pairs.update((members[0], m) for m in members[1:])
    if len(keys) < 2:
        return pairs
    bands = band_keys(np.stack([k.minhash for k in keys]), params.bands)
    count, width = bands.shape
    flat = bands.reshape(-1)
    band = np.tile(np.arange(width), count)
    doc = np.repeat(np.arange(count), width)
    order = np.lexsort((doc, flat, band))
    flat, band, doc = flat[order], band[order], doc[order]
    new_group = np.ones(len(flat), dtype=bool)
    new_group[1:] = (flat[1:] != flat[:-1]) | (band[1:] != band[:-1])
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, len(flat)))
    found = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= MAX_BUCKET)]).tolist():
        first = starts[sizes == size]
        x, y = np.triu_indices(size, 1)
        found.append(np.stack([doc[first[:, None] + x].ravel(), doc[first[:, None] + y].ravel()], axis=1))
    if found:
        both = np.unique(np.sort(np.concatenate(found), axis=1), axis=0)
        pairs.update(zip(both[:, 0].tolist(), both[:, 1].tolist(), strict=True))
    return pairs


def resolve_duplicates(
    keys: Iterable[DedupKey],
    committed: Iterable[Committed] = (),
    params: NearDupParams = NearDupParams(),
    *,
    gone: frozenset[str] = frozenset(),
) -> tuple[dict[str, Duplicate], list[Repoint]]:
    """Decide, for a whole run at once, which articles are duplicates of which.

    ``committed`` holds the warehouse articles this run can touch: those sharing a content hash
    or a band key with the run's articles, and every member of their clusters. Returns the
    decisions for this run's articles (those absent are canonical) and the committed articles
    whose decision changes.

    ``gone`` are committed articles this run re-processes or removes. A committed cluster stays
    together without them: its other members keep one another (the next canonical takes over),
    and a re-processed article joins a cluster again only if it is still similar to a member.
    """
    before = {c.key.article_id: c for c in committed if c.key.article_id not in gone}
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

    clusters_before: dict[str, list[int]] = defaultdict(list)
    for c in before.values():  # committed clusters stay together, minus what is gone
        clusters_before[c.canonical_id].append(index[c.key.article_id])
    for members_before in clusters_before.values():
        for i in members_before[1:]:
            union(members_before[0], i)
    count_new = len(new)
    for i, j in candidate_pairs(everyone, params):
        if i >= count_new and j >= count_new:
            continue  # two committed articles: already decided
        a, b = everyone[i], everyone[j]
        if match(a, b, params) is not None:  # exact, jaccard or containment
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
                kind, method, score = "canonical", "canonical", 1.0
            else:
                kind, method, score = similarity(key, canonical, params)
            old = before.get(key.article_id)
            if old is None:
                if kind != "canonical":
                    duplicates[key.article_id] = Duplicate(
                        key.article_id, canonical.article_id, kind, score, method
                    )
            elif (old.canonical_id, old.dedup_kind) != (canonical.article_id, kind):
                repoints.append(Repoint(key.article_id, canonical.article_id, kind, score, method))
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
