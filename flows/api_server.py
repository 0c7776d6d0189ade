"""A temporary Prefect API server for runs made without one, started before the heavy imports.

Prefect starts the same server itself when no PREFECT_API_URL is set, but only when the flow
is called: after wirehouse, Prefect and spaCy are imported and the model is loaded, and after
importing Prefect's whole server package into the flow's process as well. That made start-up
the sum of both (19 s measured on BBC). Here the server process is spawned first, with the
same uvicorn command Prefect uses and nothing imported but the standard library, so it boots
on one core while the run imports and loads the model on another. The flow, and any Dask
worker, then talk to it through PREFECT_API_URL.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ADDRESS_IN_USE = 3  # uvicorn's exit status when the port was taken between our check and its bind


class ServerFailed(RuntimeError):
    pass


def die_with_parent() -> None:
    """In a child: SIGTERM when the run that started it dies, even by SIGKILL, so a killed run
    leaves no server or helper behind (Prefect's own temporary server stays). Linux only; the
    signal follows the thread that started the child, so start children from the flow's thread."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryServer:
    """One uvicorn process serving Prefect's API on a free local port, until ``stop``.

    The API is private to the run: the server requires a basic-auth string made for it
    (Prefect's PREFECT_SERVER_API_AUTH_STRING), which only this process and its children hold
    (PREFECT_API_AUTH_STRING). Another local user who finds the port gets 401 Unauthorized,
    not the flow runs, sources, warehouses and logs the server's database holds."""

    def __init__(self) -> None:
        self.port = 0
        self.auth_string = f"wirehouse:{secrets.token_urlsafe(24)}"
        self.process: subprocess.Popen[bytes] | None = None
        self._spawn()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _spawn(self) -> None:
        prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent  # not imported
        self.port = _free_port()
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
        env["PREFECT_SERVER_API_AUTH_STRING"] = self.auth_string
        env["PREFECT__SERVER_FINAL"] = "1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent), "--factory"]
            + ["prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port)]
            + ["--log-level", "error", "--lifespan", "on"],
            env=env,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )

    def wait(self, timeout: float = 180.0) -> str:
        """Block until the API answers its health check; return its URL."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.process.poll()
            if status == ADDRESS_IN_USE:
                self._spawn()
            elif status is not None:
                raise ServerFailed(
                    f"the temporary Prefect server exited with status {status} before answering. "
                    "Run `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api "
                    "to see its errors, or to use a server that stays up."
                )
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self.api_url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerFailed(
            f"the temporary Prefect server did not answer within {timeout:.0f} s. Raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run `prefect server start` and "
            "set PREFECT_API_URL=http://127.0.0.1:4200/api."
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_if_needed() -> TemporaryServer | None:
    """Spawn a temporary server unless the environment names one in PREFECT_API_URL.

    Checks the environment only, so as not to import Prefect's settings, which is the point.
    A URL set in a Prefect profile or prefect.toml is seen later (``prefect_api`` in
    flows/ingest.py), and then this server is stopped unused.
    """
    return None if os.environ.get("PREFECT_API_URL") else TemporaryServer()
