"""Quantities, dates and keywords in a helper process beside NER: the same rows as inline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

import flows.ingest
from flows.ingest import RunConfig, ingest_articles
from flows.text_items import TextItems, can_use_helper, helper_pool, text_item_tables
from tests.conftest import EXAMPLES, REPO, seed_text
from tests.flows.helpers import all_snapshots

PUBLISHED = datetime(2024, 11, 18, 9, 0, tzinfo=UTC)
ARTICLES = [
    ("a", seed_text("a"), PUBLISHED, "en"),
    ("b", seed_text("b"), None, "en"),
    ("c", "Ein Artikel ohne englische Stoppwörter, am 3. März 2024.", None, "de"),
    ("d", "", None, None),
]


def _rows(tables):
    return {name: table.to_pylist() for name, table in tables.items()}


def test_helper_rows_equal_inline_rows():
    inline = _rows(text_item_tables(ARTICLES, True))
    with helper_pool(True) as pool:
        future = pool.submit(text_item_tables, ARTICLES, True)
        helper_pid = pool.submit(os.getpid).result()
        assert _rows(future.result()) == inline
    assert helper_pid != os.getpid()
    quantities = {(r["article_id"], r["text"], r["value"]) for r in inline["quantities"]}
    assert {("a", "about 120 missiles", 120), ("b", "12,000 North Korean troops", 12000)} <= quantities
    assert {r["run_id"] for rows in inline.values() for r in rows} == {None}  # the writer stamps it
    assert {r["article_id"] for r in inline["keywords"]} == {"a", "b", "c"}


def test_chunks_come_back_in_article_order():
    many = [(f"{i:03d}{a}", text, pub, lang) for i in range(130) for a, text, pub, lang in ARTICLES[:2]]
    with helper_pool(True) as pool:
        got = TextItems(pool, many, True).tables()  # 260 articles: two chunks
    assert got["quantities"].to_pylist() == text_item_tables(many, True)["quantities"].to_pylist()


def test_a_killed_helper_costs_time_not_rows():
    with helper_pool(True) as pool:
        os.kill(pool.submit(os.getpid).result(), signal.SIGKILL)
        got = TextItems(pool, ARTICLES, False).tables()
    assert _rows(got) == _rows(text_item_tables(ARTICLES, False))
    assert got["keywords"].num_rows == 0  # keywords=False is passed through


def test_no_helper_without_a_spare_core():
    assert not can_use_helper(n_process=os.cpu_count() or 1)


@pytest.mark.usefixtures("prefect_harness")
def test_flow_tables_are_the_same_with_and_without_the_helper(tmp_path, monkeypatch):
    asked = []

    def recording(enabled):
        asked.append(enabled)
        return helper_pool(enabled)

    monkeypatch.setattr(flows.ingest, "helper_pool", recording)
    with_helper, inline = tmp_path / "helper", tmp_path / "inline"
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(with_helper), batch_size=3))
    ingest_articles(
        RunConfig(sources=[str(EXAMPLES)], warehouse=str(inline), batch_size=3, text_helper=False)
    )
    assert asked == [can_use_helper(1), False]
    assert all_snapshots(with_helper) == all_snapshots(inline)
    # an unchanged folder starts no helper
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(with_helper)))
    assert asked[-1] is False


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """'spawn' would run such a script again in the helper, ingesting twice into one warehouse."""
    script, marks, warehouse = tmp_path / "ingest.py", tmp_path / "marks", tmp_path / "wh"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
        f"open({str(marks)!r}, 'a').write('started\\n')\n"
        "import flows.ingest\n"
        "from flows.text_items import helper_pool\n"
        "asked = []\n"
        "flows.ingest.helper_pool = lambda enabled: asked.append(enabled) or helper_pool(enabled)\n"
        "from flows.config import RunConfig\n"
        f"config = RunConfig(sources=[{str(EXAMPLES)!r}], warehouse={str(warehouse)!r})\n"
        "summary = flows.ingest.run_ingest(config)\n"
        "print('canonical', summary['canonical'], 'helper', asked)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"canonical 10 helper [{can_use_helper(1)}]" in done.stdout
    assert marks.read_text() == "started\n"


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_killed_run_leaves_no_helper():
    run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, os, time; sys.path.insert(0, {str(REPO)!r})\n"
            "from flows.text_items import helper_pool\n"
            "with helper_pool(True) as pool:\n"
            "    print(pool.submit(os.getpid).result(), flush=True)\n"
            "    time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    helper = int(run.stdout.readline())
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    for _ in range(100):
        if _gone(helper):
            break
        time.sleep(0.1)
    else:
        os.kill(helper, signal.SIGKILL)
        pytest.fail("the helper outlived its run")


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie nobody has reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
