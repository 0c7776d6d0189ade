"""Beyond one machine: the catalog on a real PostgreSQL server and the data on an S3-compatible
server (moto), both started on 127.0.0.1, chosen by configuration alone. The examples ingested
there must equal, table by table, the examples ingested into a local warehouse.

Needs the Debian `postgresql` package (initdb, pg_ctl); `.ci/run` installs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.ingest import RunConfig, ingest_articles
from tests.conftest import EXAMPLES
from tests.flows.helpers import all_snapshots

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if not found:
        message = f"{name} not found: install the Debian postgresql package (.ci/run does)"
        if os.environ.get("WIREHOUSE_REQUIRE_POSTGRES"):  # CI installed it: missing is a failure
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on 127.0.0.1 with a database 'news'; its URL."""
    folder = Path(tempfile.mkdtemp(prefix="wirehouse-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run(
        [*as_user, pg_binary("initdb"), "-D", str(data), "-A", "trust", "-U", "wirehouse"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            pg_binary("pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(folder / "log"),
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [pg_binary("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "wirehouse", "news"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://wirehouse@127.0.0.1:{port}/news"
    finally:
        subprocess.run(
            [*as_user, pg_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def s3():
    """An S3-compatible server (moto) on 127.0.0.1 with a bucket 'news'; sets the AWS_* variables."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "wirehouse-test",
        "AWS_SECRET_ACCESS_KEY": "wirehouse-test",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"]).create_bucket(Bucket="news")
        yield "s3://news/warehouse/"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def test_postgres_catalog_and_s3_data_hold_what_a_local_warehouse_holds(postgres, s3, tmp_path):
    local = tmp_path / "local"
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(local)))
    remote = tmp_path / "remote"
    summary = ingest_articles(
        RunConfig(sources=[str(EXAMPLES)], warehouse=str(remote), catalog=postgres, data_path=s3)
    )
    assert summary["articles"] == 13
    assert not (remote / "catalog.sqlite").exists() and not (remote / "data").exists()
    assert all_snapshots(remote) == all_snapshots(local)
    # the readers go through the same configuration: sql, search, time travel
    runner = CliRunner()
    out = runner.invoke(app, ["search", "council budget", "--warehouse", str(remote), "-f", "csv"])
    assert out.exit_code == 0 and "council-budget.html" in out.output
    again = ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(remote)))
    assert (again["files_unchanged"], again["articles"]) == (again["files_seen"], 0)
    assert all_snapshots(remote) == all_snapshots(local)
