"""Quote and speaker quality on quotes_polnear_dev, through the real flow, scored by the shared scorer.

Ingests ../shared/corpora/quotes_polnear_dev/articles into a warehouse (``--warehouse``, a temporary
one by default; an existing one is reused as is), exports each quote as the slice of
``articles.text`` it points to with its speaker (the export the corpus README describes), and runs
../shared/tools/score_quotes.py: quote detection P/R/F1, speaker accuracy on named speakers, and the
headline, right quote with right speaker. Takes about 2 minutes on 2 cores (NER on 924 articles).

    .venv/bin/python bench/quotes.py [--warehouse DIR] [--show 5]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import CORPORA, require  # noqa: E402

SCORER = CORPORA.parent / "tools" / "score_quotes.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", help="reuse or create this warehouse instead of a temporary one")
    parser.add_argument("--show", type=int, default=0, help="print this many errors of each kind")
    args = parser.parse_args()
    root = require("quotes_polnear_dev")
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(args.warehouse or Path(tmp) / "wh")
        if not (warehouse / "catalog.sqlite").exists():
            from flows.ingest import RunConfig, ingest_articles

            ingest_articles(RunConfig(sources=[str(root / "articles")], warehouse=str(warehouse)))
        from tests.flows.helpers import query

        rows = query(
            warehouse,
            """select a.source_path, substr(a.text, q.start_char + 1, q.end_char - q.start_char),
                      coalesce(q.speaker, '')
               from quotes q join articles a using (article_id) order by 1, q.start_char""",
        )
        predictions = Path(tmp) / "quotes.csv"
        with open(predictions, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["source_path", "text", "speaker"])
            writer.writerows(rows)
        command = [sys.executable, str(SCORER), str(root / "quotes.jsonl"), str(predictions)]
        if args.show:
            command += ["--show", str(args.show)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
