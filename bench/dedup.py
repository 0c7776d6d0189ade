"""Deduplication benchmark: quality on an edited real-news corpus, throughput on Reuters-21578.

Prints precision, recall (over duplicate pairs) and the Adjusted Rand Index of the clusters on
a corpus built from BBC articles with realistic edits, and articles/second for the dedup stage
alone (normalise, shingle, MinHash, LSH, verify, cluster) on the 21,578 Reuters stories, beside
datasketch (MinHash + MinHashLSH, the usual choice) on the same texts in the same run.

    .venv/bin/python bench/dedup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import CORPORA, bbc_articles, reuters_stories  # noqa: E402
from transforms.clean import split_body  # noqa: E402
from transforms.dedup import (  # noqa: E402
    DedupKey,
    NearDupParams,
    content_hash,
    normalised_for_hash,
    resolve_duplicates,
)
from transforms.minhash import MinHasher  # noqa: E402

OCR = {"m": "rn", "l": "1", "o": "0", "e": "c", "i": "l", "s": "5", "h": "b"}
BOILERPLATE = [
    "Share this article",
    "Subscribe to our newsletter for the latest news",
    "Photo: Reuters",
    "Advertisement",
    "Read more: our coverage of the week",
]


def ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch.isalpha() and rng.random() < rate:
            chars[i] = OCR.get(ch, "") if rng.random() < 0.7 else ch + ch
    return "".join(chars)


def variant(title: str, paras: list[str], donor: list[str], rng: random.Random) -> tuple[str, list[str], str]:
    """One realistic re-publication of a story; returns (title, paragraphs, edit name)."""
    edit = rng.choice(["headline", "trim", "insert", "ocr", "boilerplate", "headline+trim", "insert+ocr"])
    paras = list(paras)
    if "headline" in edit:
        title = rng.choice(["UPDATE 1-", "Exclusive: ", "", "WATCH: "]) + " ".join(
            reversed(title.split()[:4])
        )
    if "trim" in edit and len(paras) > 3:
        paras = paras[: max(2, int(len(paras) * rng.uniform(0.6, 0.85)))]
    if "insert" in edit:
        paras.insert(rng.randrange(1, len(paras) + 1), rng.choice(donor))
    if "ocr" in edit:
        paras = [ocr_noise(p, rng, rng.uniform(0.005, 0.02)) for p in paras]
    if edit == "boilerplate":
        paras = [rng.choice(BOILERPLATE), *paras, rng.choice(BOILERPLATE)]
    return title, paras, edit


def edited_corpus(seed: int = 7):
    """BBC articles (minus those already duplicated in the corpus) plus edited copies of 400."""
    rng = random.Random(seed)
    listed = set()
    with open(CORPORA / "bbc" / "DUPLICATES.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            listed.update(line.split("\t")[1].split())
    bases = [(path, text) for path, text in bbc_articles() if path not in listed]
    docs, truth, edits = [], [], Counter()
    for cluster, (path, text) in enumerate(bases):
        body = split_body(text, given_title=None, input_format="text")
        docs.append((path, body.title, body.paragraphs))
        truth.append(cluster)
    for cluster in rng.sample(range(len(bases)), 400):
        _, title, paras = docs[cluster]
        for n in range(rng.choice([1, 1, 2, 3])):
            donor = docs[rng.randrange(len(docs))][2]
            new_title, new_paras, edit = variant(title or "", paras, donor, rng)
            raw = new_title + "\n\n" + "\n\n".join(new_paras)
            cleaned = split_body(raw, given_title=None, input_format="text")
            docs.append((f"variant/{cluster}-{n}", cleaned.title, cleaned.paragraphs))
            truth.append(cluster)
            edits[edit] += 1
    return docs, truth, edits


def keys_for(docs, hasher: MinHasher) -> list[DedupKey]:
    base = datetime(2005, 1, 1, tzinfo=UTC)
    texts = ["\n\n".join(paras) for _, _, paras in docs]
    hashes, owner = hasher.shingle_hashes([normalised_for_hash(t) for t in texts])
    sigs, sizes = hasher.signatures(hashes, owner, len(texts))
    return [
        DedupKey(
            f"a{i}",
            content_hash(title, text),
            base + timedelta(minutes=i),
            len(text.split()),
            path,
            0,
            sig.astype("<u4").tobytes(),
            int(n),
        )
        for i, ((path, title, _), text, sig, n) in enumerate(zip(docs, texts, sigs, sizes, strict=True))
    ]


def clusters_from(keys, duplicates) -> list[str]:
    return [
        duplicates[k.article_id].canonical_id if k.article_id in duplicates else k.article_id for k in keys
    ]


def pair_scores(truth: list[int], predicted: list[str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and Adjusted Rand Index of predicted vs true clusters."""
    n = len(truth)
    contingency = Counter(zip(truth, predicted, strict=True))
    same_both = sum(comb(c, 2) for c in contingency.values())
    same_truth = sum(comb(c, 2) for c in Counter(truth).values())
    same_pred = sum(comb(c, 2) for c in Counter(predicted).values())
    total = comb(n, 2)
    expected = same_truth * same_pred / total
    ari = (same_both - expected) / ((same_truth + same_pred) / 2 - expected)
    return same_both / same_pred, same_both / same_truth, ari


def grid() -> None:
    """The measurement behind the defaults: shingle size and verify thresholds on the edited corpus."""
    docs, truth, _ = edited_corpus()
    print("shingle bands jaccard containment  precision recall ARI")
    for shingle in (3, 4, 5):
        hasher = MinHasher(shingle=shingle)
        keys = keys_for(docs, hasher)
        for bands in (32,):
            for jaccard in (0.4, 0.5, 0.6):
                for contain in (0.7, 0.8, 0.9):
                    params = NearDupParams(bands=bands, jaccard=jaccard, containment=contain)
                    duplicates, _ = resolve_duplicates(keys, (), params)
                    p, r, ari = pair_scores(truth, clusters_from(keys, duplicates))
                    print(
                        f"{shingle:7d} {bands:5d} {jaccard:7.2f} {contain:11.2f}  {p:9.4f} {r:6.4f} {ari:.4f}"
                    )


def quality(params: NearDupParams, hasher: MinHasher) -> None:
    docs, truth, edits = edited_corpus()
    keys = keys_for(docs, hasher)
    duplicates, _ = resolve_duplicates(keys, (), params)
    precision, recall, ari = pair_scores(truth, clusters_from(keys, duplicates))
    print(
        f"edited BBC corpus: {len(docs)} articles, {len(docs) - len(set(truth))} edited copies "
        f"({', '.join(f'{k} {v}' for k, v in sorted(edits.items()))})"
    )
    print(
        f"  pairwise precision {precision:.4f}  recall {recall:.4f}  ARI {ari:.4f}  "
        f"(shingle {hasher.shingle}, bands {params.bands}, jaccard >= {params.jaccard}, "
        f"containment >= {params.containment})"
    )
    missed = Counter()
    predicted = clusters_from(keys, duplicates)
    by_cluster = {}
    for i, c in enumerate(truth):
        by_cluster.setdefault(c, []).append(i)
    for members in by_cluster.values():
        for i in members[1:]:
            if predicted[i] != predicted[members[0]]:
                missed[docs[i][0].split("/")[0]] += 1
    if missed:
        print(f"  copies not joined to their original: {sum(missed.values())}")


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def throughput(params: NearDupParams, hasher: MinHasher, runs: int) -> None:
    stories = list(reuters_stories())
    texts = [s["body"] or s["title"] for s in stories]
    titles = [s["title"] for s in stories]
    docs = [(f"reuters/{s['id']}", t, [x]) for s, t, x in zip(stories, titles, texts, strict=True)]
    normalised = [normalised_for_hash(t) for t in texts]

    def ours_from_normalised():
        hashes, owner = hasher.shingle_hashes(normalised)
        sigs, sizes = hasher.signatures(hashes, owner, len(texts))
        keys = [
            DedupKey(f"a{i}", str(i), None, 1, d[0], 0, sig.astype("<u4").tobytes(), int(n))
            for i, (d, sig, n) in enumerate(zip(docs, sigs, sizes, strict=True))
        ]
        return resolve_duplicates(keys, (), params)

    def ours_full():
        return resolve_duplicates(keys_for(docs, hasher), (), params)

    n = len(texts)
    full = timed(ours_full, runs)
    core = timed(ours_from_normalised, runs)
    print(f"Reuters-21578: {n} stories, median of {runs} runs, one process")
    print(
        f"  wirehouse dedup stage (normalise+shingle+MinHash+LSH+verify+cluster): {n / full:,.0f} articles/s"
    )
    print(
        f"  wirehouse dedup from normalised text (as in the flow, which normalises once in clean): "
        f"{n / core:,.0f} articles/s"
    )
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("  datasketch not installed (uv sync --extra dev): no comparison")
        return

    def datasketch_run():
        lsh = MinHashLSH(threshold=0.5, num_perm=128)
        for i, text in enumerate(normalised):
            words = text.split()
            grams = {" ".join(words[j : j + 5]).encode() for j in range(max(1, len(words) - 4))}
            m = MinHash(num_perm=128)
            m.update_batch(list(grams))
            lsh.query(m)
            lsh.insert(str(i), m)

    ds = timed(datasketch_run, runs)
    print(
        f"  datasketch 2.0 MinHash(128)+MinHashLSH(0.5), word 5-grams, from normalised text: "
        f"{n / ds:,.0f} articles/s"
    )
    print(f"  ratio wirehouse / datasketch (same input): {ds / core:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--grid", action="store_true", help="print the parameter grid behind the defaults")
    args = parser.parse_args()
    if args.grid:
        grid()
        return
    params, hasher = NearDupParams(), MinHasher()
    quality(params, hasher)
    throughput(params, hasher, args.runs)


if __name__ == "__main__":
    main()
