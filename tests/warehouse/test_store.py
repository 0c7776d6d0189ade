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
    assert json.loads((wh.log / "r1.json").read_text())["run_id"] == "r1"


def test_snapshot_table_replaces_previous_version(wh):
    for run, names in (("r1", ["x", "y"]), ("r2", ["x", "y", "z"])):
        wh.stage(run, ENTITIES, to_table(ENTITIES, entity_rows(run, *names)), "0")
        wh.commit(run)
    assert count(wh, "entities") == 3


def test_recover_discards_a_run_killed_before_its_commit_point(wh):
    wh.stage("dead", DUPLICATES, to_table(DUPLICATES, dup_rows("dead", "a")), "0")
    assert wh.recover() == ["discarded uncommitted run dead"]
    assert count(wh, "duplicates") == 0 and not wh.run_dir("dead").exists()


def test_recover_rolls_forward_a_run_killed_after_its_commit_point(wh, monkeypatch):
    wh.stage("half", DUPLICATES, to_table(DUPLICATES, dup_rows("half", "a")), "0")
    wh.stage("half", DUPLICATES, to_table(DUPLICATES, dup_rows("half", "b")), "1")
    real_replace = os.replace
    moved = []

    def crash_after_first_move(src, dst):
        if str(dst).endswith(".parquet"):
            if moved:
                raise KeyboardInterrupt("killed")
            moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_after_first_move)
    with pytest.raises(KeyboardInterrupt):
        wh.commit("half")
    monkeypatch.setattr(os, "replace", real_replace)
    assert count(wh, "duplicates") == 1  # half applied
    assert wh.recover() == ["rolled forward committed run half"]
    assert count(wh, "duplicates") == 2


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
