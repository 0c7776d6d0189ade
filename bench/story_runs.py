"""The story step run by run over a real warehouse: one run vs several, and its cost as the
warehouse grows.

No NER here: the articles rows are committed directly (title, text, date) and the real step
(flows.steps.stories.story_tables, its blocking SQL and DuckLake commit) places them, so what is
measured is the story step alone.

``--runs N`` (default 3): each dev set (stories_multinews_dev, stories_ecbplus_dev) is ingested
in one run, and again in N runs of a seeded shuffle of its articles (so events straddle runs);
prints ARI, pairwise P/R against the gold labels for both, and the ARI between the two
assignments (issue 21 asks >= 0.98).

``--scale 20000,80000``: warehouses of Reuters-21578 stories, the copies beyond the first made
distinct (every word gets a copy suffix, so each copy is a separate vocabulary, not a
duplicate), built in runs of ``--build-batch``; then the story step for 1,000 new Reuters
stories held out of the base, median of ``--repeat`` timings, not committed.

    .venv/bin/python bench/story_runs.py --runs 3
    .venv/bin/python bench/story_runs.py --scale 20000,80000 --keep /tmp/keep
    .venv/bin/python bench/story_runs.py --scale 20000,80000 --keep /tmp/keep --rss   # peak memory
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import reuters_stories  # noqa: E402
from bench.dedup import pair_scores  # noqa: E402
from bench.stories import SETS, STORY_TEXT_CHARS, load  # noqa: E402
from flows.reference_data import stop_words  # noqa: E402
from flows.steps.stories import story_tables  # noqa: E402
from transforms.stories import StoryInput, StoryParams  # noqa: E402
from warehouse.catalog import connect_memory, open_readonly  # noqa: E402
from warehouse.schemas import ARTICLES, TABLES, to_table  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def article_rows(articles: list[StoryInput], run_id: str) -> list[dict]:
    return [
        {
            "article_id": a.article_id,
            "source_path": f"/bench/{a.article_id}.txt",
            "record_index": 0,
            "title": a.title,
            "lede": a.text[:300],
            "text": a.text,
            "published_at": a.published_at.replace(tzinfo=UTC) if a.published_at else None,
            "language": "en",
            "word_count": len(a.text.split()),
            "canonical_id": a.article_id,
            "dedup_kind": "canonical",
            "run_id": run_id,
            "processed_at": NOW,
        }
        for a in articles
    ]


def story_step(
    wh: Warehouse, run_id: str, articles: list[StoryInput], params: StoryParams, commit: bool
) -> float:
    """Stage the articles as run ``run_id``, run the story step on them; seconds of the step."""
    wh.stage(run_id, ARTICLES, to_table(ARTICLES, article_rows(articles, run_id)), "0")
    con = connect_memory(wh.root, extra=wh.staged_files(run_id))
    try:
        t0 = time.perf_counter()
        tables = story_tables(con, params, STORY_TEXT_CHARS, stop_words("en"), now=NOW)
        seconds = time.perf_counter() - t0
    finally:
        con.close()
    if commit:
        for name, table in tables.items():
            wh.stage(run_id, TABLES[name], table, "0")
        wh.commit(run_id)
    else:
        wh.discard(run_id)
    return seconds


def stories_of(wh: Warehouse) -> dict[str, str]:
    con = open_readonly(wh.root)
    try:
        return dict(con.execute("select article_id, story_id from story_members").fetchall())
    finally:
        con.close()


def ingest_in_runs(
    root: Path, articles: list[StoryInput], runs: int, params: StoryParams
) -> tuple[dict, list]:
    wh = Warehouse(root)
    wh.init()
    size = -(-len(articles) // runs)
    seconds = []
    for k in range(runs):
        seconds.append(story_step(wh, f"run{k}", articles[k * size : (k + 1) * size], params, commit=True))
    return stories_of(wh), seconds


def compare_runs(runs: int, params: StoryParams) -> None:
    for name in SETS:
        articles, gold_list = load(name)
        gold = dict(zip([a.article_id for a in articles], gold_list, strict=True))
        shuffled = articles[:]
        random.Random(0).shuffle(shuffled)
        with tempfile.TemporaryDirectory() as tmp:
            one, s1 = ingest_in_runs(Path(tmp) / "one", articles, 1, params)
            many, sn = ingest_in_runs(Path(tmp) / "many", shuffled, runs, params)
        ids = [a.article_id for a in articles]
        truth = [gold[a] for a in ids]
        p1, r1, ari1 = pair_scores(truth, [one[a] for a in ids])
        pn, rn, arin = pair_scores(truth, [many[a] for a in ids])
        _, _, agree = pair_scores([one[a] for a in ids], [many[a] for a in ids])
        print(f"{name}: {len(ids)} articles")
        print(f"  1 run:  ARI {ari1:.3f}  P {p1:.3f}  R {r1:.3f}  step {sum(s1):.1f} s")
        print(
            f"  {runs} runs: ARI {arin:.3f}  P {pn:.3f}  R {rn:.3f}  step "
            + " + ".join(f"{s:.1f}" for s in sn)
            + " s"
        )
        print(f"  ARI between the two assignments: {agree:.3f}", flush=True)


_WORD = re.compile(r"\w+", re.U)  # numbers too: a copy shares no term with another


def reuters_inputs(copies: int) -> list[StoryInput]:
    """Reuters stories with text; copy k > 0 has every word and number suffixed (a distinct
    vocabulary: no term links two copies)."""
    base = []
    for s in reuters_stories():
        if not s["body"].strip():
            continue
        try:
            when = datetime.strptime(s["date"].split(".")[0].strip(), "%d-%b-%Y %H:%M:%S")
        except ValueError:
            when = None
        base.append((s["id"], s["title"], s["body"], when))
    out = []
    for k in range(copies):

        def mark(text: str, k: int = k) -> str:
            return _WORD.sub(lambda m: f"{m.group(0)}q{k}", text) if k else text

        out.extend(StoryInput(f"{i}-{k}", mark(t) or None, mark(b), w) for i, t, b, w in base)
    return out


def scale(
    sizes: list[int], batch: int, build_batch: int, repeat: int, params: StoryParams, keep: Path | None
) -> None:
    """Build each size, then time the step on each in turn, ``repeat`` rounds (interleaved, so
    the machine's noise falls on every size alike); the ratio of medians is the figure."""
    biggest = max(sizes)
    copies = -(-(biggest + batch) // 19000) + 1
    everything = reuters_inputs(copies)
    new = everything[:batch]  # held out: the first stories of copy 0
    pool = everything[batch:]
    with tempfile.TemporaryDirectory() as tmp:
        houses = {}
        for size in sizes:
            folder = (keep or Path(tmp)) / f"wh-{size}"
            houses[size] = Warehouse(folder)
            if not (folder / "catalog.sqlite").exists():  # --keep: built once, measured many times
                houses[size].init()
                t0 = time.perf_counter()
                for k in range(0, size, build_batch):
                    story_step(houses[size], f"base{k}", pool[k : min(k + build_batch, size)], params, True)
                print(f"built {size:,} articles in {time.perf_counter() - t0:.0f} s", flush=True)
        timings: dict[int, list[float]] = {size: [] for size in sizes}
        for r in range(repeat):
            for size in sizes:
                timings[size].append(story_step(houses[size], f"new{r}", new, params, commit=False))
        for size in sizes:
            disk = sum(f.stat().st_size for f in houses[size].root.rglob("*") if f.is_file()) / 2**20
            print(
                f"warehouse of {size:,} articles: story step for {batch:,} new articles, median of"
                f" {repeat}: {statistics.median(timings[size]):.2f} s"
                f" ({', '.join(f'{t:.2f}' for t in timings[size])}); {disk:.0f} MiB on disk"
            )
        low, high = min(sizes), max(sizes)
        ratio = statistics.median(timings[high]) / statistics.median(timings[low])
        print(f"ratio {high:,} / {low:,}: {ratio:.2f}x", flush=True)


def peak_rss(size: int, batch: int, keep: Path, params: StoryParams) -> None:
    """One story step on the kept warehouse of ``size``, in this process: peak RSS before and
    after it (run by --rss in a fresh process per size)."""
    import resource

    new = reuters_inputs(1)[:batch]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = story_step(Warehouse(keep / f"wh-{size}"), "rss", new, params, commit=False)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{size:,} articles: peak RSS {before:.0f} MiB before the step, {after:.0f} MiB after", end="")
    print(f" ({seconds:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", help="warehouse sizes, e.g. 20000,80000")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--build-batch", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the built warehouses here and reuse them")
    parser.add_argument("--rss", action="store_true", help="with --scale and --keep: peak memory per size")
    parser.add_argument("--once", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    params = StoryParams()
    if args.once:
        peak_rss(args.once, args.batch, args.keep, params)
    elif args.rss:
        import subprocess

        for size in (int(s) for s in args.scale.split(",")):
            once = ["--once", str(size), "--keep", str(args.keep), "--batch", str(args.batch)]
            subprocess.run([sys.executable, __file__, *once], check=True)
    elif args.scale:
        sizes = [int(s) for s in args.scale.split(",")]
        scale(sizes, args.batch, args.build_batch, args.repeat, params, args.keep)
    else:
        compare_runs(args.runs, params)


if __name__ == "__main__":
    main()
