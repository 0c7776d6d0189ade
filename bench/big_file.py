"""Peak memory of each step while one big JSON Lines file is ingested (Reuters-21578 and BBC
stories as records of a single file), from the RSS of the flow's process sampled every 0.2 s
and attributed to the step whose task was running.

.venv/bin/python bench/big_file.py --records 6000
.venv/bin/python bench/big_file.py --records 6000 --chunk-articles 100000   # no chunking

What it shows: load, dedup and extract hold at most ``chunk_articles`` articles at once, so
their peak stays flat as the file grows; the entities-and-stories step works on the whole
warehouse and grows with it (issue 21).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpora import bbc_articles, reuters_stories  # noqa: E402

# Prefect logs when each task run finishes: a sample belongs to the first task to finish after it
STEP = re.compile(r"^(\d\d:\d\d:\d\d\.\d+) .*Task run '([a-z-]+)-[0-9a-f]+' - Finished")


def write_feed(path: Path, records: int) -> int:
    """Up to ``records`` distinct stories, one JSON object per line."""
    n = 0
    with path.open("w", encoding="utf-8") as out:
        stories = (
            {"id": f"r{s['id']}", "title": s["title"], "text": f"{s['dateline']} {s['body']}".strip()}
            for s in reuters_stories()
        )
        bbc = (
            {"id": f"b{p}", "title": t.partition("\n")[0], "text": t.partition("\n")[2]}
            for p, t in bbc_articles()
        )
        for record in (*bbc, *stories):
            if n >= records:
                break
            if len(record["text"]) >= 200:
                out.write(json.dumps(record) + "\n")
                n += 1
    return n


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=6000)
    parser.add_argument("--chunk-articles", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed"
        feed.mkdir()
        n = write_feed(feed / "feed.jsonl", args.records)
        size = (feed / "feed.jsonl").stat().st_size
        command = [
            str(Path(sys.executable).parent / "wirehouse"),
            "ingest",
            str(feed),
            "-w",
            str(Path(tmp) / "w"),
        ]
        if args.chunk_articles:
            command = [
                sys.executable,
                "-c",
                _RUN.format(feed=str(feed), w=str(Path(tmp) / "w"), chunk=args.chunk_articles),
            ]
        samples: list[tuple[float, float]] = []
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def sample() -> None:
            while proc.poll() is None:
                samples.append((time.time(), rss_mib(proc.pid)))
                time.sleep(0.2)

        thread = threading.Thread(target=sample)
        thread.start()
        log = proc.stdout.read()
        proc.wait()
        thread.join()
    if proc.returncode:
        sys.exit(log[-3000:])
    day = datetime.now().strftime("%Y-%m-%d")
    ends = [
        (datetime.strptime(f"{day} {m.group(1)[:12]}", "%Y-%m-%d %H:%M:%S.%f").timestamp(), m.group(2))
        for m in map(STEP.match, log.splitlines())
        if m
    ]
    peaks: dict[str, float] = {}
    for at, mib in samples:
        step = next((name for t, name in ends if t >= at), "after the last task")
        peaks[step] = max(peaks.get(step, 0.0), mib)
    print(
        f"one JSON Lines file: {n:,} records, {size / 2**20:.1f} MiB; chunk_articles "
        f"{args.chunk_articles or 'default'}"
    )
    for step, mib in peaks.items():
        print(f"  {step:<24} peak RSS {mib:7.0f} MiB")


_RUN = """
from flows.ingest import RunConfig, run_ingest
run_ingest(RunConfig(sources=[{feed!r}], warehouse={w!r}, chunk_articles={chunk}))
"""

if __name__ == "__main__":
    main()
