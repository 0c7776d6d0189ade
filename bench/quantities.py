"""Quantity extraction quality on quantities_dev (NewsQuant sentences), scored by the shared scorer.

Runs transforms.quantities.find_quantities on each sentence file, writes the rows with offsets
into the file, and runs ../shared/tools/score_quantities.py on them: value+unit F1 is the
headline. ``--news-only`` drops the 65 sentences the NewsQuant authors wrote as edge cases (the
held-out set has news sentences only). Also prints throughput on the BBC corpus.

    .venv/bin/python bench/quantities.py [--errors 20] [--news-only]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import CORPORA, bbc_articles, require  # noqa: E402
from transforms.quantities import find_quantities  # noqa: E402

SCORER = CORPORA.parent / "tools" / "score_quantities.py"
# newsquant ids the NewsQuant authors wrote themselves (see quantities_dev/README.md)
EDGE_CASES = [(409, 424), (426, 426), (428, 449), (453, 453), (455, 455), (475, 475), (497, 497), (500, 500),
              (508, 512), (514, 519), (580, 589)]  # fmt: skip


def edge_ids() -> set[str]:
    return {f"newsquant-{i:03d}" for a, b in EDGE_CASES for i in range(a, b + 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many errors")
    parser.add_argument("--news-only", action="store_true", help="leave out the authors' edge cases")
    args = parser.parse_args()
    gold = require("quantities_dev")
    skip = edge_ids() if args.news_only else set()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if skip:  # a gold folder without the edge cases, for the scorer
            (root / "gold" / "articles").mkdir(parents=True)
            lines = (gold / "quantities.jsonl").read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if json.loads(line)["article_id"] not in skip]
            (root / "gold" / "quantities.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
            for path in (gold / "articles").glob("*.txt"):
                if path.stem not in skip:
                    (root / "gold" / "articles" / path.name).write_bytes(path.read_bytes())
            gold = root / "gold"
        predictions = root / "pred.jsonl"
        with open(predictions, "w", encoding="utf-8") as out:
            for path in sorted((gold / "articles").glob("*.txt")):
                with open(path, encoding="utf-8", newline="") as fh:
                    text = fh.read()
                for q in find_quantities(text):
                    row = {"article_id": path.stem, "start": q.start_char, "end": q.end_char}
                    row |= {"value": q.value, "unit": q.unit or "", "kind": q.kind, "text": q.text}
                    out.write(json.dumps(row) + "\n")
        if not SCORER.exists():
            raise SystemExit(f"scorer not found at {SCORER}")
        command = [sys.executable, str(SCORER), str(gold), str(predictions), "--by-kind"]
        if args.errors:
            command += ["--errors", str(args.errors)]
        print(f"quantities_dev{' (news sentences only)' if skip else ''}:")
        subprocess.run(command, check=True)
    articles = bbc_articles()
    t0 = time.perf_counter()
    found = sum(len(find_quantities(text)) for _, text in articles)
    seconds = time.perf_counter() - t0
    print(f"BBC: {len(articles)} articles, {found} quantities, {len(articles) / seconds:,.0f} articles/s")


if __name__ == "__main__":
    main()
