"""Deduplication benchmark: quality on real near-duplicate sets, throughput on Reuters-21578.

Quality, each with the thresholds in transforms.dedup.NearDupParams and the shingling in
transforms.minhash.MinHasher:
* neardup_dev (998 Reuters stories, 398 of them edited copies: new headline, trim, update,
  boilerplate, OCR noise, typography): ARI, pairwise precision and recall of the clusters (the
  same figures as ../shared/tools/score_clusters.py), and the share of copies rejoined per edit.
* BBC DUPLICATES.tsv: every listed pair by kind, found or not, pairs split across clusters, and
  the joins the list does not name.
* Reuters templates: pairs joined whose word 5-gram overlap is below the near-copy test that
  built neardup_dev (Jaccard < 0.3 and containment < 0.5): stories written to one template,
  which the held-out set keeps apart. A proxy for precision on lookalike stories.

Throughput: articles/second for the dedup stage alone (normalise, shingle, MinHash, LSH,
verify, cluster) on the 21,578 Reuters stories, one process, beside datasketch and rensa
(MinHash + LSH index, the usual choices) on the same shingles in the same run.

    .venv/bin/python bench/dedup.py [--runs 3] [--grid]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter, defaultdict
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import bbc_articles, require, reuters_stories  # noqa: E402
from transforms.clean import split_body  # noqa: E402
from transforms.dedup import (  # noqa: E402
    DedupKey,
    NearDupParams,
    candidate_pairs,
    content_hash,
    match,
    normalised_for_hash,
    resolve_duplicates,
)
from transforms.minhash import MinHasher, fold_ocr_confusables  # noqa: E402

Doc = tuple[str, str | None, str]  # (id, title, body)


def neardup_dev() -> tuple[list[Doc], list[str], list[str]]:
    """(docs, gold cluster per doc, edits per doc) of ../shared/corpora/neardup_dev."""
    root = require("neardup_dev")
    docs, gold, edits = [], [], []
    with open(root / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            raw = (root / "articles" / f"{row['article_id']}.txt").read_text(encoding="utf-8")
            body = split_body(raw, given_title=None, input_format="text")
            docs.append((row["article_id"], body.title, "\n\n".join(body.paragraphs)))
            gold.append(row["cluster_id"])
            edits.append(row["edits"])
    return docs, gold, edits


def bbc_docs() -> list[Doc]:
    out = []
    for path, text in bbc_articles():
        body = split_body(text, given_title=None, input_format="text")
        out.append((path, body.title, "\n\n".join(body.paragraphs)))
    return out


def keys_for(docs: list[Doc], hasher: MinHasher) -> list[DedupKey]:
    """Dedup keys as the flow makes them (undated, so the longest text is canonical)."""
    texts = [normalised_for_hash(body) for _, _, body in docs]
    hashes, owner = hasher.shingle_hashes(texts)
    sigs, sizes = hasher.signatures(hashes, owner, len(texts))
    return [
        DedupKey(
            doc_id,
            content_hash(title, body, text),
            None,
            len(body.split()),
            doc_id,
            0,
            sig.astype("<u4").tobytes(),
            int(n),
        )
        for (doc_id, title, body), text, sig, n in zip(docs, texts, sigs, sizes, strict=True)
    ]


def clusters(keys: list[DedupKey], params: NearDupParams) -> list[str]:
    duplicates, _ = resolve_duplicates(keys, (), params)
    return [
        duplicates[k.article_id].canonical_id if k.article_id in duplicates else k.article_id for k in keys
    ]


def pair_scores(truth: list, predicted: list) -> tuple[float, float, float]:
    """Pairwise precision, recall and Adjusted Rand Index of predicted vs true clusters."""
    contingency = Counter(zip(truth, predicted, strict=True))
    same_both = sum(comb(c, 2) for c in contingency.values())
    same_truth = sum(comb(c, 2) for c in Counter(truth).values())
    same_pred = sum(comb(c, 2) for c in Counter(predicted).values())
    expected = same_truth * same_pred / comb(len(truth), 2)
    ari = (same_both - expected) / ((same_truth + same_pred) / 2 - expected)
    return same_both / max(same_pred, 1), same_both / max(same_truth, 1), ari


def neardup_scores(data, keys, params) -> tuple[float, float, float, dict[str, float]]:
    """(precision, recall, ARI, share of copies rejoined to their original per edit)."""
    _, gold, edits = data
    predicted = clusters(keys, params)
    original = {g: p for g, p, e in zip(gold, predicted, edits, strict=True) if e == "original"}
    joined, total = Counter(), Counter()
    for g, p, e in zip(gold, predicted, edits, strict=True):
        if e != "original":
            for edit in e.split("+"):
                total[edit] += 1
                joined[edit] += p == original[g]
    p, r, ari = pair_scores(gold, predicted)
    return p, r, ari, {edit: joined[edit] / total[edit] for edit in sorted(total)}


def bbc_scores(docs, keys, params) -> tuple[Counter, list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(kind -> found/missed counts, listed pairs split, unlisted pairs joined)."""
    root = require("bbc")
    with open(root / "DUPLICATES.tsv", encoding="utf-8") as fh:
        listed = [(row["kind"], *row["files"].split()) for row in csv.DictReader(fh, delimiter="\t")]
    cluster = dict(zip((d[0] for d in docs), clusters(keys, params), strict=True))
    found = Counter((kind, cluster[a] == cluster[b]) for kind, a, b in listed)
    split = [(kind, a, b) for kind, a, b in listed if cluster[a] != cluster[b]]
    members = defaultdict(list)
    for doc_id, c in cluster.items():
        members[c].append(doc_id)
    named = {frozenset((a, b)) for _, a, b in listed}
    extra = [
        (x, y)
        for group in members.values()
        for i, x in enumerate(group)
        for y in group[i + 1 :]
        if frozenset((x, y)) not in named
    ]
    return found, split, sorted(extra)


def template_joins(texts: list[str], keys: list[DedupKey], params: NearDupParams) -> tuple[int, int]:
    """(pairs joined directly, of which below the near-copy test on word 5-grams)."""

    def grams(t: str) -> set:
        w = t.split()
        return {tuple(w[i : i + 5]) for i in range(max(1, len(w) - 4))}

    joined = below = 0
    cache: dict[int, set] = {}
    for i, j in candidate_pairs(keys, params):
        if match(keys[i], keys[j], params) is None:
            continue
        joined += 1
        a = cache.setdefault(i, grams(texts[i]))
        b = cache.setdefault(j, grams(texts[j]))
        inter = len(a & b)
        below += inter / len(a | b) < 0.3 and inter / min(len(a), len(b)) < 0.5
    return joined, below


def report(params: NearDupParams, hasher: MinHasher) -> None:
    print(f"shingles {hasher.scheme}; {params}")
    data = neardup_dev()
    p, r, ari, by_edit = neardup_scores(data, keys_for(data[0], hasher), params)
    print(f"neardup_dev: {len(data[0])} articles  ARI {ari:.4f}  precision {p:.4f}  recall {r:.4f}")
    print("  copies rejoined by edit: " + ", ".join(f"{e} {v:.2f}" for e, v in by_edit.items()))
    docs = bbc_docs()
    found, split, extra = bbc_scores(docs, keys_for(docs, hasher), params)
    kinds = sorted({k for k, _ in found})
    print(
        "BBC DUPLICATES.tsv: "
        + ", ".join(f"{k} {found[(k, True)]}/{found[(k, True)] + found[(k, False)]}" for k in kinds)
    )
    for kind, a, b in split:
        print(f"  listed pair not joined: {kind} {a} {b}")
    print(f"  joins the list does not name: {len(extra)}")
    titles = {d[0]: d[1] for d in docs}
    for a, b in extra:
        print(f"    {a} {titles[a]!r} ~ {b} {titles[b]!r}")
    stories = list(reuters_stories())
    texts = [normalised_for_hash(s["body"] or s["title"]) for s in stories]
    reuters_docs = [(s["id"], s["title"], s["body"] or s["title"]) for s in stories]
    joined, below = template_joins(texts, keys_for(reuters_docs, hasher), params)
    print(
        f"Reuters-21578: {joined} pairs joined directly, {below} of them below the near-copy test (templates)"
    )


def grid() -> None:
    """The measurement behind the defaults: shingling and thresholds on both quality sets."""
    data = neardup_dev()
    docs = bbc_docs()
    stories = list(reuters_stories())
    texts = [normalised_for_hash(s["body"] or s["title"]) for s in stories]
    reuters_docs = [(s["id"], s["title"], s["body"] or s["title"]) for s in stories]
    print(
        "shingles                        bands  J    C    | neardup ARI  P      R      ocr  "
        "| BBC split extra | templates"
    )
    hashers = [
        MinHasher(shingle=4, fold_ocr=False),
        MinHasher(shingle=4),
        MinHasher(shingle=5),
        MinHasher(shingle=6),
        MinHasher(shingle=5, unit="char", fold_ocr=False),
        MinHasher(shingle=8, unit="char", fold_ocr=False),
    ]
    for hasher in hashers:
        nd, bk, rk = keys_for(data[0], hasher), keys_for(docs, hasher), keys_for(reuters_docs, hasher)
        for bands in (32, 42):
            for jaccard in (0.4, 0.5):
                for contain in (0.65, 0.8):
                    params = NearDupParams(bands=bands, jaccard=jaccard, containment=contain)
                    p, r, ari, by_edit = neardup_scores(data, nd, params)
                    found, split, extra = bbc_scores(docs, bk, params)
                    _, below = template_joins(texts, rk, params)
                    print(
                        f"{hasher.scheme:31s} {bands:5d} {jaccard:.2f} {contain:.2f} | "
                        f"{ari:.4f} {p:.4f} {r:.4f} {by_edit['ocr']:.2f} | {len(split):5d} {len(extra):5d} | "
                        f"{below}",
                        flush=True,
                    )


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def throughput(params: NearDupParams, hasher: MinHasher, runs: int) -> None:
    stories = list(reuters_stories())
    docs = [(f"reuters/{s['id']}", s["title"], s["body"] or s["title"]) for s in stories]
    n = len(docs)

    def ours():
        return resolve_duplicates(keys_for(docs, hasher), (), params)

    shingles = []
    for _, _, body in docs:  # the same shingles for the libraries: folded word n-grams
        words = fold_ocr_confusables(normalised_for_hash(body)).split()
        k = hasher.shingle
        shingles.append([" ".join(words[j : j + k]) for j in range(max(1, len(words) - k + 1))])

    t_ours = timed(ours, runs)
    print(f"Reuters-21578: {n} stories, median of {runs} runs, one process")
    print(
        "  wirehouse dedup stage (normalise+fold+shingle+MinHash+LSH+verify+cluster): "
        f"{n / t_ours:,.0f} articles/s"
    )
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("  datasketch not installed (uv sync --extra dev): no comparison")
    else:

        def datasketch_run():
            lsh = MinHashLSH(threshold=params.jaccard, num_perm=128)
            for i, grams in enumerate(shingles):
                m = MinHash(num_perm=128)
                m.update_batch([g.encode() for g in grams])
                lsh.query(m)
                lsh.insert(str(i), m)

        t = timed(datasketch_run, runs)
        print(
            "  datasketch 2.0 MinHash(128)+MinHashLSH, same shingles, shingles given: "
            f"{n / t:,.0f} articles/s "
            f"(wirehouse {t / t_ours:.1f}x)"
        )
    try:
        from rensa import RMinHash, RMinHashLSH
    except ImportError:
        print("  rensa not installed (uv sync --extra dev): no comparison")
    else:

        def rensa_run():
            lsh = RMinHashLSH(threshold=params.jaccard, num_perm=128, num_bands=32)
            for i, grams in enumerate(shingles):
                m = RMinHash(num_perm=128, seed=1)
                m.update(grams)
                lsh.query(m)
                lsh.insert(i, m)

        t = timed(rensa_run, runs)
        normalised = [normalised_for_hash(body) for _, _, body in docs]

        def rensa_from_text():
            lsh = RMinHashLSH(threshold=params.jaccard, num_perm=128, num_bands=32)
            k = hasher.shingle
            for i, text in enumerate(normalised):
                words = fold_ocr_confusables(text).split()
                m = RMinHash(num_perm=128, seed=1)
                m.update([" ".join(words[j : j + k]) for j in range(max(1, len(words) - k + 1))])
                lsh.query(m)
                lsh.insert(i, m)

        t_text = timed(rensa_from_text, runs)
        print(
            "  rensa 0.5 from normalised text (fold, build shingle strings, MinHash, LSH): "
            f"{n / t_text:,.0f} articles/s (wirehouse, which also normalises, {t_text / t_ours:.1f}x)"
        )
        print(
            f"  rensa 0.5 RMinHash(128)+RMinHashLSH, same shingles, shingles given: {n / t:,.0f} articles/s "
            f"(wirehouse {t / t_ours:.1f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--grid", action="store_true", help="print the parameter grid behind the defaults")
    args = parser.parse_args()
    if args.grid:
        grid()
        return
    params, hasher = NearDupParams(), MinHasher()
    report(params, hasher)
    throughput(params, hasher, args.runs)


if __name__ == "__main__":
    main()
