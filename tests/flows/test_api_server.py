"""The temporary Prefect server a run starts for itself when no PREFECT_API_URL is set."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from flows.api_server import ServerFailed, TemporaryServer, start_if_needed
from tests.conftest import REPO


def _health(url: str) -> int:
    with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
        return response.status


def _flow_runs(url: str, auth: str | None) -> int:
    import base64

    request = urllib.request.Request(f"{url}/flow_runs/filter", data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_temporary_server_answers_prefect_api_then_stops():
    server = TemporaryServer()
    try:
        url = server.wait(timeout=180)
        assert url == f"http://127.0.0.1:{server.port}/api"
        assert _health(url) == 200
        # private to the run: without the run's auth string another local user gets 401, not the
        # flow runs (their sources, warehouses and logs) in the server's database
        assert _flow_runs(url, None) == 401
        assert _flow_runs(url, server.auth_string) == 200
        assert _flow_runs(url, "wirehouse:guess") == 401
    finally:
        server.stop()
    assert server.process.poll() is not None
    with pytest.raises(urllib.error.URLError):
        _health(url)


def test_a_server_that_exits_early_says_what_to_do():
    server = TemporaryServer()
    server.stop()
    server.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(7)"])
    with pytest.raises(ServerFailed, match=r"exited with status 7.*PREFECT_API_URL="):
        server.wait(timeout=30)


def test_a_configured_api_url_is_used_and_no_server_is_started(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_if_needed() is None


def test_a_url_from_prefect_settings_wins_over_a_spawned_server(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    from flows.ingest import prefect_api

    configured = PREFECT_API_URL.value()
    server = TemporaryServer()
    with prefect_api(server):
        assert PREFECT_API_URL.value() == configured
        assert os.environ["PREFECT_API_URL"] == configured  # what Dask workers inherit
    assert server.process.poll() is not None


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux only")
def test_a_killed_run_leaves_no_server_behind():
    script = (
        "from flows.api_server import TemporaryServer\n"
        "s = TemporaryServer()\n"
        "print(s.process.pid, flush=True)\n"
        "s.wait(timeout=180)\n"
        "print('up', flush=True)\n"
        "import time; time.sleep(600)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    run = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    server_pid = int(run.stdout.readline())
    assert run.stdout.readline().strip() == "up"
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert _gone(server_pid, within=20)
