"""Story clustering: different articles about the same event, grouped.

Each canonical article becomes a TF-IDF vector of its words and word pairs (title and lede
weighted up, terms seen in one article only or in most articles dropped, the strongest
``top_terms`` kept) plus the canonical ids of the entities it mentions, so "Kyiv" and "Kiev"
count once. Two articles' similarity is the cosine of their vectors, lowered by a time decay
when both are dated. Stories are the clusters of **average linkage** over those similarities,
cut at ``threshold``: a story joins another only when its articles are, on average, similar to
the other's, so a chain of pairwise-similar articles on one topic does not become one story
(single-link components did that). Average linkage is computed over the sparse graph of pairs
with a similarity of at least ``min_pair_similarity``; pairs below it count as 0.

Measured on the dev sets in bench/stories.py (see README: Stories): the parameters below are
the ones that did best on both at once, not on either alone. Every canonical article has a
story, alone if nothing is close; duplicates join their canonical article's story.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp

from transforms.ids import stable_id

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*", re.U)
_ENTITY = "\x00e:"


@dataclass(frozen=True)
class StoryParams:
    """Chosen on stories_multinews_dev and stories_ecbplus_dev together (bench/stories.py --grid)."""

    threshold: float = 0.18  # average cosine at which two stories merge
    title_weight: float = 2.0  # a title word counts as this many body words
    lede_words: int = 100  # the first words of the body ...
    lede_weight: float = 2.0  # ... count this much
    entity_weight: float = 1.0  # term frequency of each distinct entity an article mentions
    name_weight: float = 2.0  # a capitalised word inside a sentence (a name) counts this much
    pair_weight: float = 1.0  # an adjacent word pair counts this much
    min_df: int = 2  # a term in fewer articles links nothing and only dilutes the vector
    max_df_share: float = 0.5  # a term in more than this share of articles ...
    max_df_floor: int = 20  # ... and in more than this many is too common to tell stories apart
    top_terms: int = 100  # strongest terms kept per article
    # Below this many articles the corpus cannot say which words are rare: every term is kept
    # and weighted as if the corpus had this many articles (a small folder of local news would
    # otherwise link every report that names the same town).
    min_corpus: int = 200
    min_pair_similarity: float = 0.1  # pairs below this are 0 in the average
    same_days: float = 3.0  # dated articles this close in time are not penalised ...
    decay_days: float = 7.0  # ... beyond it the similarity falls by e every decay_days


@dataclass(frozen=True, slots=True)
class StoryInput:
    """What clustering needs of an article; ``entity_ids`` are canonical (redirected) ids."""

    article_id: str
    title: str | None
    text: str
    published_at: datetime | None
    entity_ids: tuple[str, ...] = ()


def story_terms(article: StoryInput, stop_words: frozenset[str], params: StoryParams) -> Counter:
    """Weighted term counts: words and adjacent word pairs (stop words out), plus entity ids."""
    counts: Counter = Counter()
    for part, weight, lede in (
        (article.title or "", params.title_weight, 0),
        (article.text, 1.0, params.lede_words),
    ):
        words, names = [], []
        for m in _TOKEN.finditer(part):
            w = m.group(0).lower().strip("'’-")
            if len(w) > 1 and w not in stop_words:
                words.append(w)
                before = part[max(0, m.start() - 2) : m.start()]
                names.append(
                    m.group(0)[0].isupper() and m.start() > 0 and not re.search(r"[.!?\n]\s*$", before)
                )
        for i, word in enumerate(words):
            boost = params.name_weight if names[i] else 1.0
            counts[word] += (params.lede_weight * weight if i < lede else weight) * boost
            if i + 1 < len(words):  # pairs name things ("lindsay lohan"); the lede boost is for words
                counts[f"{word} {words[i + 1]}"] += weight * params.pair_weight
    if params.entity_weight > 0:
        for entity in set(article.entity_ids):
            counts[_ENTITY + entity] += params.entity_weight
    return counts


def tfidf(term_counts: Sequence[Counter], params: StoryParams) -> sp.csr_matrix:
    """Rows: L2-normalised sublinear TF-IDF vectors over the terms that can link articles."""
    n = len(term_counts)
    df: Counter = Counter()
    for counts in term_counts:
        df.update(counts.keys())
    small = n < params.min_corpus
    max_df = max(params.max_df_floor, params.max_df_share * n)
    min_df = 1 if small else params.min_df
    n_idf = max(n, params.min_corpus)
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, counts in enumerate(term_counts):
        weighted = []
        for term, tf in counts.items():
            d = df[term]
            if min_df <= d <= max_df and tf > 0:
                weighted.append(((1.0 + math.log(tf)) * math.log((1 + n_idf) / (1 + d) + 1), term))
        if params.top_terms and len(weighted) > params.top_terms:
            weighted = heapq.nlargest(params.top_terms, weighted)
        for value, term in weighted:
            rows.append(r)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(value)
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(n, max(len(vocab), 1)), dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ matrix


def similar_pairs(
    vectors: sp.csr_matrix, published: Sequence[datetime | None], params: StoryParams, chunk: int = 500
) -> Iterable[tuple[int, int, float]]:
    """(i, j, similarity) for i < j at or above min_pair_similarity, a block of rows at a time."""
    transposed = vectors.T.tocsc()
    for start in range(0, vectors.shape[0], chunk):
        block = (vectors[start : start + chunk] @ transposed).tocoo()
        keep = (block.data >= params.min_pair_similarity) & (block.row + start < block.col)
        for i, j, s in zip(block.row[keep] + start, block.col[keep], block.data[keep], strict=True):
            a, b = published[i], published[j]
            if a is not None and b is not None:
                days = abs((a - b).total_seconds()) / 86400
                if days > params.same_days:
                    s *= math.exp(-(days - params.same_days) / params.decay_days)
            if s >= params.min_pair_similarity:
                yield int(i), int(j), float(s)


def average_linkage(count: int, pairs: Iterable[tuple[int, int, float]], threshold: float) -> list[int]:
    """Cluster label per item: average-linkage agglomeration over a sparse similarity graph.

    Merges the two clusters with the highest average similarity (sum over their cross pairs /
    product of sizes, absent pairs 0) while it is at least ``threshold``. The label is the
    smallest member index, so the result does not depend on the order pairs arrive in.
    """
    size = [1] * count
    sums: dict[int, dict[int, float]] = defaultdict(dict)  # cluster -> neighbour -> summed similarity
    for i, j, s in pairs:
        sums[i][j] = sums[i].get(j, 0.0) + s
        sums[j][i] = sums[j].get(i, 0.0) + s
    heap = [(-s, i, j) for i, neighbours in sums.items() for j, s in neighbours.items() if i < j]
    heapq.heapify(heap)
    alive = [True] * count
    root = list(range(count))
    while heap:
        negative, a, b = heapq.heappop(heap)
        if -negative < threshold:
            break
        if not (alive[a] and alive[b]):
            continue
        current = sums[a].get(b, 0.0) / (size[a] * size[b])
        if abs(current + negative) > 1e-12:
            continue  # stale: sizes or sums changed since this entry was pushed
        keep, gone = min(a, b), max(a, b)
        alive[gone] = False
        root[gone] = keep
        size[keep] += size[gone]
        merged = sums.pop(keep, {})
        for c, s in sums.pop(gone, {}).items():
            merged[c] = merged.get(c, 0.0) + s
        merged.pop(keep, None)
        merged.pop(gone, None)
        sums[keep] = merged
        for c, s in merged.items():
            row = sums[c]
            row.pop(gone, None)
            row[keep] = s
            heapq.heappush(heap, (-s / (size[keep] * size[c]), min(keep, c), max(keep, c)))
    labels = []
    for i in range(count):
        j = i
        while root[j] != j:
            j = root[j]
        root[i] = j
        labels.append(j)
    return labels


def cluster_stories(
    articles: Sequence[StoryInput], stop_words: frozenset[str], params: StoryParams = StoryParams()
) -> list[int]:
    """Cluster label per article (the index of the cluster's first article in ``articles``)."""
    return story_clusters(articles, stop_words, params)[0]


def story_clusters(
    articles: Sequence[StoryInput], stop_words: frozenset[str], params: StoryParams = StoryParams()
) -> tuple[list[int], list[float | None]]:
    """(cluster label per article, its similarity to its story): the mean cosine of the
    article's vector to the other members' (None for a story of one), so a reader can see how
    firmly each member was placed."""
    if not articles:
        return [], []
    vectors = tfidf([story_terms(a, stop_words, params) for a in articles], params)
    pairs = similar_pairs(vectors, [a.published_at for a in articles], params)
    labels = average_linkage(len(articles), pairs, params.threshold)
    return labels, member_similarity(vectors, labels)


def member_similarity(vectors: sp.csr_matrix, labels: Sequence[int]) -> list[float | None]:
    """Mean cosine of each row to the other rows of its cluster: (v . sum - v . v) / (n - 1),
    from one sparse product with the clusters' summed vectors."""
    ids, index = np.unique(np.asarray(labels), return_inverse=True)
    count = len(labels)
    membership = sp.csr_matrix((np.ones(count), (index, np.arange(count))), shape=(len(ids), count))
    sums = membership @ vectors  # one summed vector per cluster
    sizes = np.asarray(membership.sum(axis=1)).ravel()[index]
    own = np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()
    to_sum = np.asarray(vectors.multiply(sums[index]).sum(axis=1)).ravel()
    return [
        None if n < 2 else round(float((t - o) / (n - 1)), 4)
        for t, o, n in zip(to_sum, own, sizes, strict=True)
    ]


def story_ids(article_order: list[str], labels: dict[str, int]) -> dict[str, str]:
    """Story id per article: derived from the first article of its cluster in ``article_order``
    (earliest published, then longest), so it stays while that article stays the story's first."""
    first: dict[int, str] = {}
    for article_id in article_order:
        first.setdefault(labels[article_id], article_id)
    return {a: stable_id("story", first[labels[a]]) for a in article_order}
