"""What a run that adds 1,000 new Reuters stories costs, on a warehouse of ~20k vs ~80k articles.

The wish (issue 15): the cost grows with the batch, not with the warehouse. For each size a
base warehouse is built from bench/throughput.py's Reuters folders with 1,000 stories held out
of every copy (4x: copies 2-4 are exact duplicates of copy 1, so NER work is the same while
every other stage sees 4x the rows); then the 1,000 go into a new folder and a second run
ingests them: 1,000 new canonical articles either way. Prints that run's seconds per stage
(from ``runs``) and wall time, and the warehouse size.

    .venv/bin/python bench/incremental.py            # after bench/throughput.py built the cache
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse.catalog import open_readonly  # noqa: E402

STAGES = ("discover", "load", "clean", "dedup", "extract", "write", "total")


def ingest(source: Path, warehouse: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv/bin/wirehouse"),
            "ingest",
            str(source),
            "--warehouse",
            str(warehouse),
            "--reference-date",
            "1987-12-31",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "wirehouse-bench"))
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--sizes", default="reuters-1x,reuters-4x")
    args = parser.parse_args()
    cache = Path(args.cache)
    one = sorted(p.relative_to(cache / "reuters-1x") for p in (cache / "reuters-1x").rglob("*.txt"))
    held = set(one[-args.batch :])  # the last stories by name: the newest files of the corpus
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            base, new, wh = Path(tmp) / "base", Path(tmp) / "new", Path(tmp) / "wh"
            source = cache / size
            for path in source.rglob("*.txt"):
                relative = path.relative_to(source)
                story = Path(*relative.parts[1:]) if size.endswith("4x") else relative
                if story in held:
                    if not size.endswith("4x") or relative.parts[0] == "copy0":
                        (new / story).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(path, new / story)
                    continue
                (base / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, base / relative)
            ingest(base, wh)
            wall = ingest(new, wh)
            con = open_readonly(wh)
            try:
                articles = con.execute("select count(*) from articles").fetchone()[0]
                row = con.execute(
                    f"select articles, canonical, {', '.join('seconds_' + s for s in STAGES)} "
                    "from runs order by run_seq desc limit 1"
                ).fetchone()
            finally:
                con.close()
            disk = sum(p.stat().st_size for p in wh.rglob("*") if p.is_file()) / 2**20
            print(
                f"\n{size}: warehouse of {articles - row[0]:,} articles, then a run adding {row[0]:,} "
                f"({row[1]:,} canonical)"
            )
            print(
                "  that run, seconds per stage: "
                + ", ".join(f"{s} {v:.1f}" for s, v in zip(STAGES, row[2:], strict=True))
            )
            print(
                f"  wall {wall:.1f} s (CLI, Prefect server start included); warehouse {disk:.0f} MiB on disk"
            )


if __name__ == "__main__":
    main()
