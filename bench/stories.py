"""Story clustering quality on the two dev sets, scored as ../shared/tools/score_clusters.py does.

transforms.stories.cluster_stories on stories_multinews_dev (4,157 Multi-News ledes, lower-cased,
no titles or dates) and stories_ecbplus_dev (772 ECB+ articles in 33 pairs of lookalike events):
ARI, pairwise precision and recall, and seconds. ``--grid`` prints the variants the defaults were
chosen from (threshold, title/lede/name weights, word pairs, top terms), and single-link
components of the same similarities for comparison. Texts are cut to the flow's
``story_text_chars``, as the flow's stories read them. ``--pipeline`` also ingests each set as
text files through the real flow (NER entities, near-duplicates taken out) and scores the stored
story ids; ``--pipeline-runs 3`` ingests it again in three runs of a shuffled order and compares.

    .venv/bin/python bench/stories.py [--grid] [--pipeline [--pipeline-runs 3]]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import require  # noqa: E402
from bench.dedup import pair_scores  # noqa: E402
from flows.config import RunConfig  # noqa: E402
from flows.reference_data import stop_words  # noqa: E402
from transforms.stories import StoryInput, StoryParams, cluster_stories, similar_pairs, story_terms, tfidf  # noqa: E402

SETS = ("stories_multinews_dev", "stories_ecbplus_dev")
# the flow's stories read this many characters of each body; the dev figures read the same
STORY_TEXT_CHARS: int = RunConfig.model_fields["story_text_chars"].default


def load(name: str, chars: int | None = STORY_TEXT_CHARS) -> tuple[list[StoryInput], list[str]]:
    """The set's articles (their texts cut to ``chars``, as the flow's stories read them) and
    gold event labels."""
    root = require(name)
    with open(root / "labels.csv", encoding="utf-8") as fh:
        gold = {row["article_id"]: row["cluster_id"] for row in csv.DictReader(fh)}
    articles = []
    with open(root / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            text = record["text"][:chars]
            articles.append(StoryInput(record["id"], record.get("title") or None, text, None))
    return articles, [gold[a.article_id] for a in articles]


def components(articles: list[StoryInput], params: StoryParams) -> list[int]:
    """Single-link connected components of the same similarities: the chaining baseline."""
    vectors = tfidf([story_terms(a, stop_words("en"), params) for a in articles], params)
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, s in similar_pairs(vectors, [None] * len(articles), params):
        if s >= params.threshold:
            parent[max(find(i), find(j))] = min(find(i), find(j))
    return [find(i) for i in range(len(articles))]


def score(name: str, params: StoryParams, method=cluster_stories) -> tuple[float, float, float, float]:
    articles, gold = DATA[name]
    t0 = time.perf_counter()
    labels = (
        method(articles, stop_words("en"), params) if method is cluster_stories else method(articles, params)
    )
    seconds = time.perf_counter() - t0
    precision, recall, ari = pair_scores(gold, labels)
    return ari, precision, recall, seconds


DATA: dict[str, tuple[list[StoryInput], list[str]]] = {}


def report(params: StoryParams) -> None:
    print(f"{params}")
    for name in SETS:
        ari, p, r, s = score(name, params)
        count = len(DATA[name][0])
        print(f"  {name}: {count} articles  ARI {ari:.3f}  precision {p:.3f}  recall {r:.3f}  {s:.1f} s")


def grid() -> None:
    base = StoryParams()
    variants = [
        ("defaults", base, cluster_stories),
        ("single-link components", base, components),
        ("single-link components, t 0.30", replace(base, threshold=0.30), components),
        ("no name weight", replace(base, name_weight=1.0), cluster_stories),
        ("no title/lede weight", replace(base, title_weight=1.0, lede_weight=1.0), cluster_stories),
        ("all terms (no top 100)", replace(base, top_terms=0), cluster_stories),
        ("terms in 1 article kept", replace(base, min_df=1), cluster_stories),
        ("name weight 3", replace(base, name_weight=3.0), cluster_stories),
        ("no mutual-best boost", replace(base, mutual_boost=0.0), cluster_stories),
        ("mutual-best boost 1.0", replace(base, mutual_boost=1.0), cluster_stories),
        ("lede 100 words", replace(base, lede_words=100), cluster_stories),
        ("lede 200 words", replace(base, lede_words=200), cluster_stories),
    ] + [
        (f"threshold {t}", replace(base, threshold=t), cluster_stories)
        for t in (0.15, 0.16, 0.17, 0.18, 0.185, 0.2)
    ]
    print("variant                                  | Multi-News ARI  P     R     | ECB+ ARI  P     R")
    for label, params, method in variants:
        cells = []
        for name in SETS:
            ari, p, r, _ = score(name, params, method)
            cells.append(f"{ari:.3f} {p:.3f} {r:.3f}")
        print(f"{label:40s} | {cells[0]:20s}        | {cells[1]}", flush=True)


def pipeline(name: str, runs: int = 1) -> list[str]:
    """A dev set through the real flow: one text file per article (title line, then its whole
    text), ingested in ``runs`` runs of a seeded shuffle (each run a folder of its own); returns
    the story labels (a file the flow rejected is a story of its own)."""
    import random

    from flows.ingest import RunConfig, ingest_articles
    from tests.flows.helpers import query

    articles, gold = load(name, None)
    order = articles[:]
    if runs > 1:
        random.Random(0).shuffle(order)
    size = -(-len(order) // runs)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for k in range(runs):
            folder = Path(tmp) / f"{name}-{k}"
            folder.mkdir()
            for a in order[k * size : (k + 1) * size]:
                (folder / f"{a.article_id}.txt").write_text(
                    f"{a.title}\n\n{a.text}" if a.title else a.text, "utf-8"
                )
            ingest_articles(
                RunConfig(sources=[str(folder)], warehouse=str(Path(tmp) / "wh"), reference_date="2013-01-01")
            )
        rows = dict(
            query(Path(tmp) / "wh", "select regexp_extract(source_path, '[^/]+$'), story_id from articles")
        )
        seconds = time.perf_counter() - t0
    labels = [rows.get(f"{a.article_id}.txt", a.article_id) for a in articles]
    p, r, ari = pair_scores(gold, labels)
    print(
        f"  {name} through the flow (with NER entities) in {runs} run(s): ARI {ari:.3f}  precision {p:.3f}"
        f"  recall {r:.3f}  ({seconds:.0f} s ingest)"
    )
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--pipeline", action="store_true")
    parser.add_argument(
        "--pipeline-runs",
        type=int,
        default=1,
        help="with --pipeline: also ingest in this many runs and compare",
    )
    args = parser.parse_args()
    for name in SETS:
        DATA[name] = load(name)
    if args.grid:
        grid()
    else:
        report(StoryParams())
    if args.pipeline:
        for name in SETS:
            one = pipeline(name)
            if args.pipeline_runs > 1:
                many = pipeline(name, args.pipeline_runs)
                agree = pair_scores(one, many)[2]
                print(f"  ARI between the one-run and {args.pipeline_runs}-run assignments: {agree:.3f}")


if __name__ == "__main__":
    main()
