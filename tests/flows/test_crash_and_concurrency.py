"""SIGKILL at many points of a real ingest, and two ingests at once on one warehouse.

The subprocesses talk to the session's Prefect test server (PREFECT_API_URL), so each run
skips the temporary server's start-up and a kill lands in pipeline work, not in Prefect boot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.ingest import RunConfig, ingest_articles
from tests.conftest import CORPORA, EXAMPLES, REPO
from tests.flows.helpers import CONTENT_TABLES, RUN_SPECIFIC, all_snapshots

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

# (step, start or end, which occurrence, delay in seconds, the stage the kill lands in): the run
# kills itself there through the WIREHOUSE_KILL_AT hook (flows/steps/base.py); a delay lets the
# kill land inside whatever runs next (NER, the commit's renames, the catalog rebuild).
KILL_POINTS = [
    ("discover", "start", 1, 0.0, "discover"),
    ("discover", "start", 1, 0.01, "discover"),
    ("discover", "end", 1, 0.0, "load"),
    ("load-and-clean", "end", 1, 0.0, "load"),
    ("load-and-clean", "end", 3, 0.0, "load"),
    ("load-and-clean", "end", 5, 0.02, "load"),
    ("load-and-clean", "end", 7, 0.0, "load"),
    ("plan-dedup", "end", 1, 0.0, "dedup"),
    ("deduplicate", "end", 1, 0.0, "dedup"),
    ("deduplicate", "end", 4, 0.0, "dedup"),
    ("extract-entities", "start", 1, 0.3, "extract"),
    ("extract-entities", "end", 1, 0.0, "extract"),
    ("extract-entities", "end", 2, 0.1, "extract"),
    ("extract-entities", "end", 4, 0.0, "extract"),
    ("extract-entities", "end", 6, 0.0, "extract"),
    ("extract-entities", "start", 7, 0.05, "extract"),
    ("entities-and-stories", "end", 1, 0.0, "commit"),
    ("entities-and-stories", "end", 1, 0.01, "commit"),
    ("entities-and-stories", "end", 1, 0.04, "commit"),
    ("commit", "start", 1, 0.2, "commit"),
    ("commit", "start", 1, 0.5, "commit"),
    ("commit", "start", 1, 1.0, "commit"),
    ("commit", "end", 1, 0.0, "publish"),
    ("commit", "end", 1, 0.2, "publish"),
]


def build_corpus(folder: Path) -> Path:
    """The examples plus 48 real BBC articles (with byte-identical pairs) when available."""
    shutil.copytree(EXAMPLES, folder)
    bbc = CORPORA / "bbc"
    if bbc.exists():
        names = [f"tech/{i:03d}.txt" for i in range(1, 41)] + [
            "tech/007.txt",
            "tech/097.txt",
            "business/007.txt",
            "business/253.txt",
            "entertainment/003.txt",
            "entertainment/272.txt",
            "sport/199.txt",
            "politics/001.txt",
        ]
        for name in names:
            target = folder / "bbc" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bbc / name, target)
    return folder


def ingest_cmd(source: Path, warehouse: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "flows.cli",
        "ingest",
        str(source),
        "--warehouse",
        str(warehouse),
        "--batch-size",
        "8",
        *extra,
    ]


def subprocess_env() -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }


def run_killed_at(cmd: list[str], step: str, when: str, nth: int, delay: float) -> bool:
    """Run cmd with the kill hook set; True if the run was killed by SIGKILL."""
    env = {**subprocess_env(), "WIREHOUSE_KILL_AT": f"{step}:{when}:{nth}:{delay}"}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    return done.returncode == -9


@pytest.fixture(scope="module")
def corpus_and_reference(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    source = build_corpus(base / "src")
    reference = base / "reference"
    ingest_articles(RunConfig(sources=[str(source)], warehouse=str(reference), batch_size=8))
    return source, all_snapshots(reference)


def test_sigkill_anywhere_then_rerun_equals_one_clean_run(corpus_and_reference, tmp_path):
    source, reference = corpus_and_reference
    assert len(reference["articles"]) > 50
    empty = {table: [] for table in reference}
    killed_in: list[str] = []
    for i, (step, when, nth, delay, stage) in enumerate(KILL_POINTS):
        warehouse = tmp_path / f"wh{i:02d}"
        point = f"{step}:{when}:{nth}+{delay}"
        if run_killed_at(ingest_cmd(source, warehouse), step, when, nth, delay):
            killed_in.append(stage)
        if (warehouse / "catalog.sqlite").exists():
            # Right after the kill, readers see the warehouse as before the run or after it.
            after_kill = all_snapshots_or_empty(warehouse)
            assert after_kill in (empty, reference), f"partial state after kill at {point}"
        ingest_articles(RunConfig(sources=[str(source)], warehouse=str(warehouse), batch_size=8))
        assert all_snapshots(warehouse) == reference, f"differs after kill at {point}"
        assert not any((warehouse / "_staging").iterdir())
    assert len(killed_in) >= 20, killed_in
    assert {"discover", "load", "dedup", "extract", "commit"} <= set(killed_in)


def all_snapshots_or_empty(warehouse: Path) -> dict[str, list[tuple]]:
    """Table contents as a reader sees them (the catalog alone: the search index may be missing)."""
    from warehouse.catalog import connect_memory
    from warehouse.schemas import TABLES

    con = connect_memory(warehouse.resolve())
    try:
        out = {}
        for table in CONTENT_TABLES:
            columns = [c for c in TABLES[table].schema.names if c not in RUN_SPECIFIC]
            out[table] = con.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()
        return out
    finally:
        con.close()


def test_two_ingests_at_once_end_in_one_of_the_serial_orders(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    shutil.copytree(EXAMPLES / "json", a / "json")
    shutil.copytree(EXAMPLES / "seeds", b / "seeds")
    shutil.copytree(EXAMPLES / "html", b / "html")
    # The same article in both: whichever run commits first, b's copy must end up canonical.
    shutil.copyfile(EXAMPLES / "text/harbour-bridge-closure.md", a / "z-bridge.md")
    shutil.copyfile(EXAMPLES / "text/harbour-bridge-closure.md", b / "a-bridge.md")
    serial = []
    for first, second in ((a, b), (b, a)):
        warehouse = tmp_path / f"serial-{first.name}{second.name}"
        ingest_articles(RunConfig(sources=[str(first)], warehouse=str(warehouse)))
        ingest_articles(RunConfig(sources=[str(second)], warehouse=str(warehouse)))
        serial.append(all_snapshots(warehouse, across_runs=True))
    assert serial[0] == serial[1]  # exact dedup re-points committed groups: order does not matter

    shared = tmp_path / "shared"
    procs = [
        subprocess.Popen(
            ingest_cmd(src, shared, "--wait", "300"),
            cwd=REPO,
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for src in (a, b)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in results]
    assert all_snapshots(shared, across_runs=True) in serial
