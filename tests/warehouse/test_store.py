import os
import shutil
import signal
import subprocess
import sys

import pyarrow as pa
import pytest

from tests.conftest import REPO
from warehouse.catalog import connect_memory, open_readonly
from warehouse.lock import WarehouseBusy, writer_lock
from warehouse.schemas import ARTICLES, DUPLICATES, ENTITIES, REJECTS, to_table, validate
from warehouse.store import Warehouse


def dup_rows(run_id, *ids):
    return [
        {"article_id": i, "canonical_id": "c", "kind": "exact", "similarity": 1.0, "run_id": run_id}
        for i in ids
    ]


def entity_rows(run_id, *names):
    return [{"entity_id": n, "name": n, "label": "ORG", "run_id": run_id} for n in names]


def article_rows(*ids, path="/src/a.jsonl"):
    return [
        {
            "article_id": i,
            "source_path": path,
            "text": f"text {i}",
            "canonical_id": i,
            "dedup_kind": "canonical",
        }
        for i in ids
    ]


def count(root, table, snapshot=None):
    con = open_readonly(root, snapshot=snapshot)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def data_files(wh):
    return sorted(p for p in (wh.root / "data").rglob("*.parquet"))


@pytest.fixture
def wh(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.init()
    return warehouse


def test_commit_applies_every_staged_table_at_once_and_keeps_the_old_snapshot(wh):
    wh.stage("r1", ARTICLES, to_table(ARTICLES, article_rows("a", "b")), "0")
    wh.stage("r1", DUPLICATES, to_table(DUPLICATES, dup_rows("r1", "b")), "0")
    wh.stage("r1", ENTITIES, to_table(ENTITIES, entity_rows("r1", "x")), "0")
    assert count(wh.root, "articles") == 0
    first = wh.commit("r1")
    assert (count(wh.root, "articles"), count(wh.root, "duplicates"), count(wh.root, "entities")) == (2, 1, 1)
    assert not wh.run_dir("r1").exists()
    # a record gone from its file: its article and its duplicates row go, in one commit
    wh.stage_changes("r2", pa.table({"path": ["/src/a.jsonl"], "articles": [True], "rejects": [True]}), "0")
    wh.stage("r2", ARTICLES, to_table(ARTICLES, article_rows("a")), "0")
    wh.commit("r2")
    assert (count(wh.root, "articles"), count(wh.root, "duplicates")) == (1, 0)
    assert (
        count(wh.root, "articles", first["snapshot"]),
        count(wh.root, "duplicates", first["snapshot"]),
    ) == (2, 1)


def test_snapshot_table_replaces_previous_version(wh):
    for run, names in (("r1", ["x", "y"]), ("r2", ["x", "y", "z"])):
        wh.stage(run, ENTITIES, to_table(ENTITIES, entity_rows(run, *names)), "0")
        wh.commit(run)
    assert count(wh.root, "entities") == 3
    # an empty snapshot (every redirect gone, say) empties the table; it does not keep the old rows
    wh.stage("r3", ENTITIES, to_table(ENTITIES, []), "0")
    wh.commit("r3")
    assert count(wh.root, "entities") == 0


def test_rejects_of_a_file_read_again_are_replaced(wh):
    bad = {"reject_id": "j1", "path": "/src/t.json", "stage": "load", "reason": "invalid_json"}
    listing = {"reject_id": "l1", "path": "/src/link", "stage": "discover", "reason": "broken_symlink"}
    other = {"reject_id": "o1", "path": "/other/x", "stage": "discover", "reason": "broken_symlink"}
    wh.stage("r1", REJECTS, to_table(REJECTS, [bad, listing, other]), "0")
    wh.commit("r1", ["/src"])
    # the file is fixed and read again; the link was deleted (discover lists /src again)
    wh.stage_changes("r2", pa.table({"path": ["/src/t.json"], "articles": [True], "rejects": [True]}), "0")
    wh.commit("r2", ["/src"])
    con = open_readonly(wh.root)
    assert con.execute("select reject_id from rejects").fetchall() == [("o1",)]  # another root's stays


KILL_COMMIT = """
import os, signal, sys, threading
sys.path.insert(0, sys.argv[1])
from warehouse.store import Warehouse
threading.Timer(float(sys.argv[3]), os.kill, (os.getpid(), signal.SIGKILL)).start()
Warehouse(sys.argv[2]).commit(sys.argv[4])
"""


def test_commit_killed_at_any_moment_leaves_old_or_new_state(wh):
    """SIGKILL the commit after growing delays; what readers see is before or after, never half."""
    wh.stage("r1", ARTICLES, to_table(ARTICLES, article_rows("a")), "0")
    wh.commit("r1")
    before = (count(wh.root, "articles"), count(wh.root, "entities"))
    outcomes = set()
    for attempt, delay in enumerate((0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.7, 2.5, 5.0)):
        run = f"r2-{attempt}"
        wh.stage(run, ARTICLES, to_table(ARTICLES, article_rows("b", "c", path="/src/b.jsonl")), "0")
        wh.stage(run, ENTITIES, to_table(ENTITIES, entity_rows(run, "x", "y", "z")), "0")
        done = subprocess.run(
            [sys.executable, "-c", KILL_COMMIT, str(REPO), str(wh.root), str(delay), run], capture_output=True
        )
        wh.recover()
        state = (count(wh.root, "articles"), count(wh.root, "entities"))
        assert state in (before, (3, 3)), (delay, state)
        assert not any(wh.staging.iterdir())
        outcomes.add(state == before)
        if done.returncode != -signal.SIGKILL or state != before:
            break
    assert outcomes == {True, False} or outcomes == {False}


def test_recover_deletes_data_files_no_snapshot_lists(wh):
    wh.stage("r1", ENTITIES, to_table(ENTITIES, entity_rows("r1", "x")), "0")
    wh.commit("r1")
    kept = data_files(wh)
    # a commit killed after writing its data files but before the catalog transaction: the
    # files are there, no snapshot lists them
    shutil.copy(kept[0], kept[0].parent / "ducklake-killed-run.parquet")
    wh.stage("dead", ENTITIES, to_table(ENTITIES, entity_rows("dead", "z")), "0")
    actions = wh.recover()
    assert actions == ["discarded uncommitted run dead", "deleted 1 data files of uncommitted runs"]
    assert data_files(wh) == kept and count(wh.root, "entities") == 1


def test_validate_rejects_null_keys_and_duplicate_keys():
    with pytest.raises(ValueError, match="not unique"):
        validate(DUPLICATES, to_table(DUPLICATES, dup_rows("r", "a", "a")))
    with pytest.raises(ValueError, match="nulls"):
        validate(DUPLICATES, to_table(DUPLICATES, [{"article_id": "a", "kind": "exact", "run_id": "r"}]))


def test_a_moved_or_copied_warehouse_reads_itself(wh, tmp_path):
    wh.stage("r1", ENTITIES, to_table(ENTITIES, entity_rows("r1", "x", "y")), "0")
    wh.commit("r1")
    copy = tmp_path / "copy"
    shutil.copytree(wh.root, copy)
    wh.stage("r2", ENTITIES, to_table(ENTITIES, entity_rows("r2", "x")), "0")
    wh.commit("r2")  # the original changes; the copy must not follow it
    moved = tmp_path / "moved"
    os.rename(copy, moved)
    assert count(moved, "entities") == 2 and count(wh.root, "entities") == 1
    shutil.rmtree(wh.root)
    assert count(moved, "entities") == 2


def test_open_readonly_explains_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `wirehouse ingest"):
        open_readonly(tmp_path)
    (tmp_path / "_versions").mkdir()
    with pytest.raises(FileNotFoundError, match="old format"):
        open_readonly(tmp_path)
    with pytest.raises(FileNotFoundError, match="old format"):
        Warehouse(tmp_path).init()


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


WRITE_RUNS = """
import sys
sys.path.insert(0, sys.argv[1])
from warehouse.schemas import ARTICLES, RUNS, to_table
from warehouse.store import Warehouse
wh = Warehouse(sys.argv[2])
for i in range(int(sys.argv[3])):
    run = f"run{i:03d}"
    row = {"article_id": run, "source_path": f"/src/{run}.txt", "text": "t", "canonical_id": run,
           "dedup_kind": "canonical"}
    wh.stage(run, ARTICLES, to_table(ARTICLES, [row]), "0")
    wh.stage(run, RUNS, to_table(RUNS, [{"run_id": run, "status": "completed"}]), "0")
    wh.commit(run)
print("done", flush=True)
"""


def test_readers_during_commits_see_whole_runs_and_never_fail(wh):
    """A writer commits 12 runs (one article and one runs row each) while a reader queries: every
    query succeeds and sees as many articles as runs (all of a run or none of it)."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITE_RUNS, str(REPO), str(wh.root), "12"], stdout=subprocess.PIPE, text=True
    )
    seen = []
    while writer.poll() is None:
        con = open_readonly(wh.root)
        try:
            seen.append(
                con.execute("select (select count(*) from articles), (select count(*) from runs)").fetchone()
            )
        finally:
            con.close()
    assert writer.returncode == 0
    assert all(a == r for a, r in seen), [s for s in seen if s[0] != s[1]]
    assert len({a for a, _ in seen}) > 2  # the reader saw several commits go by
    assert count(wh.root, "articles") == 12
