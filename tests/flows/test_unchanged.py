"""An unchanged folder is answered and recorded without starting Prefect (flows/unchanged.py)."""

from __future__ import annotations

import shutil

import pytest

from flows.config import RunConfig
from flows.ingest import ingest_articles
from flows.unchanged import record_if_unchanged
from tests.conftest import EXAMPLES
from tests.flows.helpers import query, table_counts
from warehouse.lock import WarehouseBusy, writer_lock


@pytest.mark.usefixtures("prefect_harness")
def test_an_unchanged_folder_records_its_run_and_anything_else_runs_the_flow(tmp_path):
    source, warehouse = tmp_path / "src", tmp_path / "wh"
    shutil.copytree(EXAMPLES, source)
    config = RunConfig(sources=[str(source)], warehouse=str(warehouse))
    assert record_if_unchanged(config) is None  # a first run: the flow builds the warehouse
    ingest_articles(config)
    before = table_counts(warehouse)
    summary = record_if_unchanged(config)
    assert summary is not None
    assert (summary["files_seen"], summary["files_unchanged"], summary["articles"]) == (17, 17, 0)
    assert (summary["entities"], summary["stories"]) == (before["entities"], before["stories"])
    runs = query(warehouse, "select flow_run_id, status, files_unchanged from runs order by run_seq")
    assert runs[-1] == ("", "completed", 17) and len(runs) == 2
    assert {k: v for k, v in table_counts(warehouse).items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }
    (source / "new.txt").write_text("Ferry returns\n\nThe Portmere ferry returns to service on Monday.\n")
    assert record_if_unchanged(config) is None  # a new file: the flow reads it
    assert len(query(warehouse, "select run_id from runs")) == 2
    with writer_lock(warehouse), pytest.raises(WarehouseBusy):
        record_if_unchanged(config.model_copy(update={"sources": [str(EXAMPLES)]}))
