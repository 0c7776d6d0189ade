"""The same flow with its batches on a local Dask cluster of two worker processes."""

from __future__ import annotations

import json

import pytest

from flows.ingest import RunConfig, ingest_articles, run_ingest
from tests.conftest import EXAMPLES
from tests.flows.helpers import all_snapshots, query

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def test_two_dask_workers_write_the_same_tables_as_one_process(tmp_path):
    single, parallel = tmp_path / "single", tmp_path / "dask"
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(single)))
    # batch_size=3: six load batches and four NER batches, spread over both workers
    summary = run_ingest(RunConfig(sources=[str(EXAMPLES)], warehouse=str(parallel), batch_size=3), workers=2)
    assert summary["articles"] == 13 and summary["files_rejected"] == 6
    assert all_snapshots(parallel) == all_snapshots(single)
    # the run records what it ran with: NER one process per worker
    params = json.loads(query(parallel, "select parameters from runs")[0][0])
    assert (params["batch_size"], params["n_process"]) == (3, 1)
