"""Shared fixtures. Flow tests share one Prefect test harness per session (it takes ~14 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SEEDS = EXAMPLES / "seeds"
# The research corpora live beside the repository, never inside it; bench/corpora.py finds them.
from bench.corpora import CORPORA  # noqa: E402

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def seed_text(name: str) -> str:
    return (SEEDS / f"atacms-authorization-{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nlp():
    from flows.nlp import DEFAULT_MODEL, load_pipeline

    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for every flow test in the run."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def corpus(name: str) -> Path:
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"corpus {name} not available at {path}")
    return path
