import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO
from warehouse.catalog import build_catalog, connect_memory, open_readonly
from warehouse.lock import WarehouseBusy, writer_lock
from warehouse.schemas import DUPLICATES, ENTITIES, to_table, validate
from warehouse.store import Warehouse


def dup_rows(run_id, *ids):
    return [
        {"article_id": i, "canonical_id": "c", "kind": "exact", "similarity": 1.0, "run_id": run_id}
        for i in ids
    ]


def entity_rows(run_id, *names):
    return [{"entity_id": n, "name": n, "label": "ORG", "run_id": run_id} for n in names]


def count(wh, table):
    con = connect_memory(wh.root)
    try:
        return con.execute(
            f"select count(*) from read_parquet('{wh.table_dir(table)}/*.parquet')"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def wh(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.init()
    return warehouse


def test_commit_publishes_all_staged_files(wh):
    wh.stage("r1", DUPLICATES, to_table(DUPLICATES, dup_rows("r1", "a", "b")), "0")
    wh.stage("r1", ENTITIES, to_table(ENTITIES, entity_rows("r1", "x")), "0")
    assert count(wh, "duplicates") == 0
    wh.commit("r1")
    assert (count(wh, "duplicates"), count(wh, "entities")) == (2, 1)
    assert not wh.run_dir("r1").exists()
    record = json.loads((wh.log / "r1.json").read_text())
    assert record["added"]["duplicates"] == ["part-r1-0.parquet"] and wh.current_version() == "r1"


def test_snapshot_table_replaces_previous_version(wh):
    for run, names in (("r1", ["x", "y"]), ("r2", ["x", "y", "z"])):
        wh.stage(run, ENTITIES, to_table(ENTITIES, entity_rows(run, *names)), "0")
        wh.commit(run)
    assert count(wh, "entities") == 3
    # an empty snapshot (every redirect gone, say) empties the table; it does not keep the old rows
    wh.stage("r3", ENTITIES, to_table(ENTITIES, []), "0")
    wh.commit("r3")
    assert count(wh, "entities") == 0


def test_recover_discards_a_run_killed_before_its_commit_point(wh):
    wh.stage("dead", DUPLICATES, to_table(DUPLICATES, dup_rows("dead", "a")), "0")
    (wh.versions / "dead.tmp" / "duplicates").mkdir(parents=True)
    assert wh.recover() == ["discarded uncommitted run dead"]
    assert count(wh, "duplicates") == 0 and not wh.run_dir("dead").exists()
    assert not (wh.versions / "dead.tmp").exists()


def test_old_versions_are_collected_but_the_last_few_kept(wh):
    for i in range(5):
        wh.stage(f"r{i}", DUPLICATES, to_table(DUPLICATES, dup_rows(f"r{i}", f"a{i}")), "0")
        wh.commit(f"r{i}")
    assert sorted(p.name for p in wh.versions.iterdir()) == ["r2", "r3", "r4"]
    assert wh.current_version() == "r4" and count(wh, "duplicates") == 5


def test_commit_killed_at_any_filesystem_step_leaves_old_or_new_state(wh, monkeypatch):
    """Crash the commit at each link/rename/symlink it makes; recovery must give before or after."""
    wh.stage("r1", DUPLICATES, to_table(DUPLICATES, dup_rows("r1", "a")), "0")
    wh.stage("r1", ENTITIES, to_table(ENTITIES, entity_rows("r1", "x")), "0")
    wh.commit("r1")
    before = (count(wh, "duplicates"), count(wh, "entities"))
    outcomes = set()
    for crash_at in range(40):
        run = f"r2-{crash_at:02d}"
        wh.stage(run, DUPLICATES, to_table(DUPLICATES, dup_rows(run, "b", "c")), "0")
        wh.stage(run, ENTITIES, to_table(ENTITIES, entity_rows(run, "x", "y", "z")), "0")
        calls = []
        real = {name: getattr(os, name) for name in ("link", "replace", "rename", "symlink")}

        def crashing(name, calls=calls, crash_at=crash_at, real=real):
            def op(*args, **kwargs):
                calls.append(name)
                if len(calls) > crash_at:
                    raise KeyboardInterrupt(f"killed at step {crash_at} ({name})")
                return real[name](*args, **kwargs)

            return op

        for name in real:
            monkeypatch.setattr(os, name, crashing(name))
        try:
            wh.commit(run)
            crashed = False
        except KeyboardInterrupt:
            crashed = True
        finally:
            for name, fn in real.items():
                monkeypatch.setattr(os, name, fn)
        wh.recover()
        state = (count(wh, "duplicates"), count(wh, "entities"))
        assert state in (before, (before[0] + 2, 3)), (crash_at, state)
        assert not any(wh.staging.iterdir())
        outcomes.add(state == before)
        if not crashed:
            break
        if state != before:  # committed before the crash: start the next attempt from here
            before = state
    assert outcomes == {True, False}  # some crashes rolled back, the last attempt committed


def test_validate_rejects_null_keys_and_duplicate_keys():
    with pytest.raises(ValueError, match="not unique"):
        validate(DUPLICATES, to_table(DUPLICATES, dup_rows("r", "a", "a")))
    with pytest.raises(ValueError, match="nulls"):
        validate(DUPLICATES, to_table(DUPLICATES, [{"article_id": "a", "kind": "exact", "run_id": "r"}]))


def test_catalog_views_keep_newest_version_of_a_row(wh):
    wh.stage("r1", DUPLICATES, to_table(DUPLICATES, dup_rows("r1", "a")), "0")
    wh.commit("r1")
    build_catalog(wh.root)
    con = open_readonly(wh.root)
    try:
        assert con.execute("select count(*) from duplicates").fetchone() == (0,)  # no article a
        assert con.execute("select count(*) from entities").fetchone() == (0,)
    finally:
        con.close()
    assert pq.read_schema(next(wh.table_dir("entities").glob("*.parquet"))).names[0] == "entity_id"


def test_open_readonly_explains_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `wirehouse ingest"):
        open_readonly(tmp_path)


HOLD_LOCK = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[2])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_second_writer_is_refused(tmp_path):
    with (
        writer_lock(tmp_path),
        pytest.raises(WarehouseBusy, match="another wirehouse ingest"),
        writer_lock(tmp_path),
    ):
        pass


def test_lock_dies_with_its_holder(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(REPO), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(WarehouseBusy), writer_lock(tmp_path):
        pass
    holder.kill()
    holder.wait()
    with writer_lock(tmp_path):  # SIGKILL released it: no stale lock
        pass


def test_staged_snapshot_replaces_committed_one_in_the_run_view(wh):
    wh.stage("r1", ENTITIES, to_table(ENTITIES, entity_rows("r1", "x", "y")), "0")
    wh.commit("r1")
    wh.stage("r2", ENTITIES, to_table(ENTITIES, entity_rows("r2", "x", "y", "z")), "0")
    wh.stage("r2", DUPLICATES, to_table(DUPLICATES, dup_rows("r2", "a")), "0")
    con = connect_memory(wh.root, extra=wh.staged_files("r2"))
    try:
        assert con.execute("select count(*) from entities").fetchone() == (3,)
    finally:
        con.close()
