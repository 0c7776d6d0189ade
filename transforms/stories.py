"""Story clustering: different articles about the same event, grouped.

Each canonical article becomes a TF-IDF vector of its words and word pairs (title and lede
weighted up, terms seen in one article only or in most articles dropped, the strongest
``top_terms`` kept) plus the canonical ids of the entities it mentions, so "Kyiv" and "Kiev"
count once. Two articles' similarity is the cosine of their vectors, lowered by a time decay
when both are dated and raised when each is the other's most similar article. Stories are
the clusters of **average linkage** over those similarities, cut at ``threshold``: a story
joins another only when its articles are, on average, similar to the other's, so a chain of
pairwise-similar articles on one topic does not become one story (single-link components did
that). Average linkage is computed over the sparse graph of pairs
with a similarity of at least ``min_pair_similarity``; pairs below it count as 0.

Measured on the dev sets in bench/stories.py (see README: Stories): the parameters below are
the ones that did best on both at once, not on either alone. Every canonical article has a
story, alone if nothing is close; duplicates join their canonical article's story.

Later runs place new articles among earlier stories (flows/steps/stories.py): ``tfidf`` takes
the warehouse's document frequencies, ``blocking_terms`` and ``window_days`` pick what a new
article is compared with, and ``settle_story_ids`` keeps every issued id (one run and three
runs agree: bench/story_runs.py).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp
import xxhash

from transforms.ids import stable_id

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*", re.U)
_ENTITY = "\x00e:"


@dataclass(frozen=True)
class StoryParams:
    """Chosen on stories_multinews_dev and stories_ecbplus_dev together (bench/stories.py --grid)."""

    threshold: float = 0.175  # average cosine at which two stories merge
    title_weight: float = 2.0  # a title word counts as this many body words
    lede_words: int = 150  # the first words of the body ...
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
    # A later run looks up earlier articles by each new article's heaviest terms (blocking) and
    # compares it with the stories of the best-scoring ones only (one run vs three runs on the
    # dev sets, bench/stories.py --runs 3).
    block_terms: int = 10  # heaviest terms of a new article used as lookup keys
    candidates: int = 10  # earlier articles (best summed key weight) whose stories it is compared with
    # Earlier stories found this way are clustered again with the new articles (True) rather
    # than kept as formed (False): an early run saw only part of the evidence.
    recluster: bool = True
    # Two articles that are each other's most similar article count this much more similar:
    # most events are covered by two or three outlets, and among pairs just under the threshold
    # a mutual best match is far likelier to be one event than a pair where either article has a
    # closer match (Multi-News dev ARI 0.799 -> 0.806 at the same precision; ECB+ unchanged).
    mutual_boost: float = 0.5


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


def term_key(term: str) -> int:
    """A 32-bit signed key for a term, as the warehouse's story_terms stores it: half the bytes
    of a 64-bit key, and a collision (about one term in a thousand at 10 M terms) only adds one
    to another term's document frequency or one spurious blocking candidate, never a shared
    vector term (vectors are built from the terms themselves)."""
    return xxhash.xxh32_intdigest(term.encode("utf-8", "surrogatepass")) - (1 << 31)


def tfidf(
    term_counts: Sequence[Counter],
    params: StoryParams,
    df: Mapping[str, int] | None = None,
    n_docs: int | None = None,
) -> sp.csr_matrix:
    """Rows: L2-normalised sublinear TF-IDF vectors over the terms that can link articles."""
    return tfidf_terms(term_counts, params, df, n_docs)[0]


def tfidf_terms(
    term_counts: Sequence[Counter],
    params: StoryParams,
    df: Mapping[str, int] | None = None,
    n_docs: int | None = None,
) -> tuple[sp.csr_matrix, list[str]]:
    """(vectors, the term of each column). Document frequencies come from ``term_counts``
    themselves unless ``df`` and ``n_docs`` describe a larger corpus the rows belong to (an
    incremental run weighs new articles against the whole warehouse, not only its batch)."""
    if df is None:
        counted: Counter = Counter()
        for counts in term_counts:
            counted.update(counts.keys())
        df, n = counted, len(term_counts)
    else:
        n = n_docs if n_docs is not None else len(term_counts)
    small = n < params.min_corpus
    max_df = max(params.max_df_floor, params.max_df_share * n)
    min_df = 1 if small else params.min_df
    n_idf = max(n, params.min_corpus)
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, counts in enumerate(term_counts):
        weighted = []
        for term, tf in counts.items():
            d = df.get(term, 0)
            if min_df <= d <= max_df and tf > 0:
                weighted.append(((1.0 + math.log(tf)) * math.log((1 + n_idf) / (1 + d) + 1), term))
        if params.top_terms and len(weighted) > params.top_terms:
            weighted = heapq.nlargest(params.top_terms, weighted)
        for value, term in weighted:
            rows.append(r)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(value)
    matrix = sp.csr_matrix(
        (vals, (rows, cols)), shape=(len(term_counts), max(len(vocab), 1)), dtype=np.float64
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ matrix, list(vocab)


def similar_pair_arrays(
    vectors: sp.csr_matrix, published: Sequence[datetime | None], params: StoryParams, chunk: int = 500
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, columns, similarities) of the pairs i < j at or above min_pair_similarity after the
    time decay, computed a block of rows at a time and held as arrays (24 bytes a pair)."""
    transposed = vectors.T.tocsc()
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    dated = any(p is not None for p in published)
    for start in range(0, vectors.shape[0], chunk):
        block = (vectors[start : start + chunk] @ transposed).tocoo()
        keep = (block.data >= params.min_pair_similarity) & (block.row + start < block.col)
        rows, cols, sims = (
            block.row[keep].astype(np.int64) + start,
            block.col[keep].astype(np.int64),
            block.data[keep],
        )
        if dated:
            for k in range(len(sims)):
                a, b = published[rows[k]], published[cols[k]]
                if a is not None and b is not None:
                    days = abs((a - b).total_seconds()) / 86400
                    if days > params.same_days:
                        sims[k] *= math.exp(-(days - params.same_days) / params.decay_days)
            kept = sims >= params.min_pair_similarity
            rows, cols, sims = rows[kept], cols[kept], sims[kept]
        found.append((rows, cols, sims))
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]


def similar_pairs(
    vectors: sp.csr_matrix, published: Sequence[datetime | None], params: StoryParams, chunk: int = 500
) -> Iterator[tuple[int, int, float]]:
    """(i, j, similarity) for i < j at or above min_pair_similarity (``similar_pair_arrays``)."""
    return _pairs(*similar_pair_arrays(vectors, published, params, chunk))


def _pairs(rows: np.ndarray, cols: np.ndarray, sims: np.ndarray) -> Iterator[tuple[int, int, float]]:
    for k in range(len(sims)):
        yield int(rows[k]), int(cols[k]), float(sims[k])


def average_linkage(
    count: int,
    pairs: Iterable[tuple[int, int, float]],
    threshold: float,
    groups: Sequence[int] | None = None,
) -> list[int]:
    """Cluster label per item: average-linkage agglomeration over a sparse similarity graph.

    Merges the two clusters with the highest average similarity (sum over their cross pairs /
    product of sizes, absent pairs 0) while it is at least ``threshold``. The label is the
    smallest member index, so the result does not depend on the order pairs arrive in.
    ``groups`` starts items in clusters already formed (item i in the cluster of item
    ``groups[i]``, the smallest index of that cluster): stories of earlier runs are never split,
    only joined by new articles or, when their average says so, by each other.
    """
    group = list(groups) if groups is not None else list(range(count))
    if any(group[g] != g for g in group):
        raise ValueError("groups must name each cluster by its smallest member")
    size = [0] * count
    for g in group:
        size[g] += 1
    sums: dict[int, dict[int, float]] = defaultdict(dict)  # cluster -> neighbour -> summed similarity
    for i, j, s in pairs:
        i, j = group[i], group[j]
        if i != j:
            sums[i][j] = sums[i].get(j, 0.0) + s
            sums[j][i] = sums[j].get(i, 0.0) + s
    heap = [
        (-s / (size[i] * size[j]), i, j)
        for i, neighbours in sums.items()
        for j, s in neighbours.items()
        if i < j
    ]
    heapq.heapify(heap)
    alive = [g == i for i, g in enumerate(group)]
    root = group
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
    articles: Sequence[StoryInput],
    stop_words: frozenset[str],
    params: StoryParams = StoryParams(),
    *,
    counts: Sequence[Counter] | None = None,
    groups: Sequence[int] | None = None,
    df: Mapping[str, int] | None = None,
    n_docs: int | None = None,
) -> tuple[list[int], list[float | None]]:
    """(cluster label per article, its similarity to its story): the mean cosine of the
    article's vector to the other members' (None for a story of one), so a reader can see how
    firmly each member was placed. ``counts`` are the articles' ``story_terms`` when the caller
    has them; ``groups``, ``df`` and ``n_docs`` place new articles among earlier stories
    (``average_linkage``, ``tfidf``)."""
    if not articles:
        return [], []
    if counts is None:
        counts = [story_terms(a, stop_words, params) for a in articles]
    vectors = tfidf(counts, params, df, n_docs)
    rows, cols, sims = similar_pair_arrays(vectors, [a.published_at for a in articles], params)
    if params.mutual_boost:
        sims = mutual_nearest_boost(len(articles), rows, cols, sims, params.mutual_boost)
    labels = average_linkage(len(articles), _pairs(rows, cols, sims), params.threshold, groups)
    return labels, member_similarity(vectors, labels)


def mutual_nearest_boost(
    count: int, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, boost: float
) -> np.ndarray:
    """``sims`` with the similarity of each mutual nearest pair (neither article has a more
    similar one; ties count) multiplied by ``1 + boost``. Nearness is judged among the pairs
    given: in a later run, the new articles and the earlier stories blocking found for them, so
    an earlier article's best match may lie outside them. One run and three runs still agree
    (ARI 1.000 on both dev sets, bench/story_runs.py --runs 3): blocking finds a new article's
    closest earlier articles, which is where a mutual pair with it can be."""
    best = np.zeros(count)
    np.maximum.at(best, rows, sims)
    np.maximum.at(best, cols, sims)
    return np.where((sims >= best[rows]) & (sims >= best[cols]), sims * (1 + boost), sims)


def blocking_terms(vectors: sp.csr_matrix, terms: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
    """Each row's ``k`` heaviest terms with their weights: the keys an article looks up
    earlier articles by (a pair above min_pair_similarity almost always shares one of them)."""
    out = []
    for r in range(vectors.shape[0]):
        start, end = vectors.indptr[r], vectors.indptr[r + 1]
        cols, vals = vectors.indices[start:end], vectors.data[start:end]
        best = np.argsort(-vals, kind="stable")[:k]
        out.append([(terms[cols[i]], float(vals[i])) for i in best])
    return out


def window_days(params: StoryParams) -> float:
    """Days apart beyond which two dated articles cannot reach min_pair_similarity even with a
    cosine of 1 (the time decay alone takes them below it): the blocking window, derived."""
    return params.same_days + params.decay_days * math.log(1 / params.min_pair_similarity)


def settle_story_ids(
    article_ids: Sequence[str],
    labels: Sequence[int],
    old_story: Sequence[str | None],
    age: Mapping[str, tuple],
    taken: set[str],
) -> tuple[list[str], list[tuple[str, str]]]:
    """(story id per article, (merged id, surviving id) pairs) after clustering a run's new
    articles (``old_story`` None) with the earlier stories they may belong to (their members
    carry their story id).

    Each earlier story lands in the cluster holding most of its members. A cluster keeps the
    oldest (smallest ``age``) id that landed in it and records the others as merged into it, so
    an id once issued is never reissued or renamed: it stays, or it points (story_merges) to
    the older story it joined. A member outside its story's landing cluster moved with the
    evidence of the later articles (what one run over all of them would have done). A cluster
    where no earlier story landed gets a new id from its first article in ``article_ids`` order
    (the story order), never one in ``taken``.
    """
    clusters: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        clusters[label].append(i)
    where: dict[str, Counter] = defaultdict(Counter)
    for i, s in enumerate(old_story):
        if s is not None:
            where[s][labels[i]] += 1
    landed: dict[int, list[str]] = defaultdict(list)
    for s, counts in where.items():
        most = max(counts.values())
        landed[min(label for label, n in counts.items() if n == most)].append(s)
    story = [""] * len(article_ids)
    merges: list[tuple[str, str]] = []
    taken = set(taken)
    for label, members in clusters.items():
        olds = sorted(landed.get(label, []), key=lambda s: (age[s], s))
        if olds:
            chosen = olds[0]
            merges.extend((other, chosen) for other in olds[1:])
        else:
            first = article_ids[members[0]]
            chosen, salt = stable_id("story", first), 1
            while chosen in taken:
                salt += 1
                chosen = stable_id("story", first, salt)
            taken.add(chosen)
        for i in members:
            story[i] = chosen
    return story, merges


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
