"""Wall time of `wirehouse ingest` as a user sees it: cold, first output, and an unchanged folder.

Each run is the real CLI in a fresh process (no PREFECT_API_URL, so a cold run starts its
temporary Prefect server): ``--runs`` cold ingests of examples/ into new warehouses, timing the
whole command and its first byte of output, then ``--runs`` re-runs on the unchanged folder,
which flows/unchanged.py answers without Prefect. Prints medians and every run.

    .venv/bin/python bench/noop.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = REPO / ".venv" / "bin" / "wirehouse"


def timed(args: list[str]) -> tuple[float, float]:
    """(seconds to the first output byte, seconds to exit) of one CLI run."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    first = None
    sel = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        sel.register(stream, selectors.EVENT_READ)
    open_streams = 2
    while open_streams:
        for key, _ in sel.select():
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
            elif first is None:
                first = time.perf_counter() - t0
    proc.wait()
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}")
    return first or 0.0, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cold, first, noop = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            f, total = timed([str(CLI), "ingest", "-w", f"{tmp}/wh{i}"])
            first.append(f)
            cold.append(total)
        for _ in range(args.runs):
            noop.append(timed([str(CLI), "ingest", "-w", f"{tmp}/wh0"])[1])
    for name, values, target in (
        ("cold ingest of examples/", cold, None),
        ("cold: first output", first, 5.0),
        ("unchanged folder (no-op)", noop, 3.0),
    ):
        goal = f"  (target <= {target:.0f} s)" if target else ""
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:<28} median {statistics.median(values):6.2f} s{goal}   runs: {runs}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
