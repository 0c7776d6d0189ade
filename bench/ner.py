"""NER quality and speed on CoNLL-2003 dev (../shared/corpora/conll_dev), against bare spaCy.

Prints exact and lenient (overlap) precision / recall / F1 per CoNLL label for the bare model and
for wirehouse's entity extraction (recased headlines, repaired spans, acronyms, merging), then
words/s of both on the same texts in the same process: bare ``nlp.pipe`` with the components
wirehouse loads, and the full extraction (recasing + ``nlp.pipe`` + mention building). Timings are
medians of ``--runs`` passes, interleaved so that machine noise hits both alike.

    .venv/bin/python bench/ner.py --runs 5
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import require  # noqa: E402
from flows.nlp import DEFAULT_MODEL, load_pipeline  # noqa: E402
from transforms.entities import ENTITY_LABELS, mentions_from_doc  # noqa: E402
from transforms.truecase import truecase_shouted  # noqa: E402

TO_CONLL = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    **{label: "MISC" for label in ("NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")},
}
LABELS = ("PER", "LOC", "ORG", "MISC")


def load_conll() -> tuple[list[str], list[str], set[tuple[str, int, int, str]]]:
    root = require("conll_dev")
    paths = sorted((root / "articles").glob("*.txt"))
    ids = [p.stem for p in paths]
    texts = [p.open(encoding="utf-8", newline="").read() for p in paths]
    with (root / "gold.csv").open(encoding="utf-8", newline="") as f:
        gold = {(r["doc_id"], int(r["start"]), int(r["end"]), r["label"]) for r in csv.DictReader(f)}
    return ids, texts, gold


def bare(nlp, texts: list[str], batch_size: int) -> list:
    return list(nlp.pipe(texts, batch_size=batch_size))


def wirehouse(nlp, ids: list[str], texts: list[str], batch_size: int) -> list:
    docs = nlp.pipe((truecase_shouted(t) for t in texts), batch_size=batch_size)
    return [mentions_from_doc(i, d, t) for i, t, d in zip(ids, texts, docs, strict=True)]


def spans_bare(ids, docs) -> set:
    return {
        (i, e.start_char, e.end_char, TO_CONLL[e.label_])
        for i, d in zip(ids, docs, strict=True)
        for e in d.ents
        if e.label_ in TO_CONLL
    }


def spans_wirehouse(mentions) -> set:
    return {
        (m.article_id, m.start_char, m.end_char, TO_CONLL[m.label])
        for ms in mentions
        for m in ms
        if m.label in TO_CONLL
    }


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(pred: set, gold: set) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Exact and lenient (same label, overlapping span; each gold span matched once) scores."""
    out: dict[str, dict[str, tuple[float, float, float]]] = {"exact": {}, "lenient": {}}
    gold_by_doc = defaultdict(list)
    for g in gold:
        gold_by_doc[g[0]].append(g)
    for label in (*LABELS, "all"):
        p_set = {x for x in pred if label in ("all", x[3])}
        g_set = {x for x in gold if label in ("all", x[3])}
        out["exact"][label] = prf(len(p_set & g_set), len(p_set), len(g_set))
        used, tp = set(), 0
        for doc, s, e, lab in sorted(p_set):
            for g in gold_by_doc[doc]:
                if g in g_set and g not in used and g[3] == lab and g[1] < e and s < g[2]:
                    used.add(g)
                    tp += 1
                    break
        out["lenient"][label] = prf(tp, len(p_set), len(g_set))
    return out


def print_scores(name: str, scores) -> None:
    print(f"\n{name}")
    print(f"  {'label':6} {'exact P':>8} {'R':>6} {'F1':>6}   {'lenient P':>9} {'R':>6} {'F1':>6}")
    for label in (*LABELS, "all"):
        ep, er, ef = scores["exact"][label]
        lp, lr, lf = scores["lenient"][label]
        print(
            f"  {label:6} {100 * ep:8.1f} {100 * er:6.1f} {100 * ef:6.1f}   "
            f"{100 * lp:9.1f} {100 * lr:6.1f} {100 * lf:6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    ids, texts, gold = load_conll()
    nlp = load_pipeline(args.model)
    words = sum(len(t.split()) for t in texts)
    print(f"conll_dev: {len(texts)} articles, {words:,} words, {len(gold):,} gold entities")
    print(f"model {args.model}, components {nlp.pipe_names}, labels kept {len(ENTITY_LABELS)}")

    bare(nlp, texts[:20], args.batch_size)  # warm-up
    bare_times, wh_times = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        docs = bare(nlp, texts, args.batch_size)
        bare_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        mentions = wirehouse(nlp, ids, texts, args.batch_size)
        wh_times.append(time.perf_counter() - t0)

    print_scores("bare spaCy (same components)", score(spans_bare(ids, docs), gold))
    print_scores("wirehouse extraction", score(spans_wirehouse(mentions), gold))
    b, w = statistics.median(bare_times), statistics.median(wh_times)
    print(f"\nspeed, median of {args.runs} interleaved runs:")
    print(f"  bare nlp.pipe      {b:6.2f} s  {words / b:8,.0f} words/s")
    print(f"  wirehouse extract  {w:6.2f} s  {words / w:8,.0f} words/s")
    print(f"  overhead           {100 * (w / b - 1):+.1f} %   (target <= +10 %)")


if __name__ == "__main__":
    main()
