"""Where a run executes: the Prefect API it reports to, and Dask when its batches spread out."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from flows.api_server import TemporaryServer


@contextmanager
def prefect_api(server: TemporaryServer | None, warm: Callable[[], Any] | None = None) -> Iterator[None]:
    """The Prefect API this run and its Dask workers use: the configured PREFECT_API_URL, else
    one temporary server, stopped at the end.

    One server for all: without it each Dask worker would start its own (~15 s each, and the
    runs would not be visible in one place). ``warm`` (loading the model) runs while the
    server boots, on the other core.
    """
    from prefect.settings import (
        PREFECT_API_AUTH_STRING,
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    url = PREFECT_API_URL.value()
    if url and server is not None:  # configured in a profile or prefect.toml after all
        server.stop()
        server = None
    elif not url:
        server = server or TemporaryServer()
    with ExitStack() as stack:  # unwinds in reverse: settings, environment, logs, server
        if server is not None:
            stack.callback(server.stop)
        if warm is not None:
            warm()
        if server is not None:
            url = server.wait(timeout=PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
            stack.callback(_drain_api_logs)  # the run's last log lines, before the server goes
        stack.enter_context(_environment("PREFECT_API_URL", url))  # inherited by Dask workers
        settings = {PREFECT_API_URL: url}
        if server is not None:  # the temporary server's API answers only its own runs
            stack.enter_context(_environment("PREFECT_API_AUTH_STRING", server.auth_string))
            settings[PREFECT_API_AUTH_STRING] = server.auth_string
        stack.enter_context(temporary_settings(settings))
        yield


def _drain_api_logs() -> None:
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """``name=value`` in os.environ for the block, then as it was."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
