"""wirehouse's keyword extractor against the yake package on the same BBC texts, same process.

Prints the agreement of the two top-10 lists (share of yake's keywords that wirehouse also
returns, case-insensitive) and articles/s of both, median of --runs interleaved passes.

    .venv/bin/python bench/keywords.py --articles 300 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import bbc_articles  # noqa: E402
from flows.reference_data import stop_words  # noqa: E402
from transforms.keywords import find_keywords  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import yake

    texts = [t for _, t in bbc_articles()[: args.articles]]
    extractor = yake.KeywordExtractor(lan="en", n=2, top=10, dedupLim=0.7)
    stops = stop_words("en")
    ours_t, yake_t = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        ours = [find_keywords(t, stops) for t in texts]
        ours_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs = [extractor.extract_keywords(t) for t in texts]
        yake_t.append(time.perf_counter() - t0)
    shares = []
    for mine, ref in zip(ours, theirs, strict=True):
        want = {k.lower() for k, _ in ref}
        have = {k.keyword.lower() for k in mine}
        if want:
            shares.append(len(want & have) / len(want))
    o, y = statistics.median(ours_t), statistics.median(yake_t)
    print(f"{len(texts)} BBC articles, top 10 one- and two-word keywords, median of {args.runs} runs")
    print(f"  agreement with yake: {100 * statistics.fmean(shares):.1f} % of yake's keywords also returned")
    print(f"  wirehouse {len(texts) / o:8.1f} articles/s")
    print(f"  yake      {len(texts) / y:8.1f} articles/s   (wirehouse is {y / o:.1f}x faster)")


if __name__ == "__main__":
    main()
