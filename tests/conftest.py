"""Shared fixtures. Flow tests share one Prefect test harness per session (it takes ~14 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SEEDS = EXAMPLES / "seeds"
# The research corpora live beside the repository (../shared/corpora), never inside it. A fresh
# clone elsewhere (CI, fresh-clone-check) finds them at the workplace's fixed path instead.
_CANDIDATES = [
    os.environ.get("WIREHOUSE_CORPORA"),
    REPO.parent / "shared" / "corpora",
    "/work/shared/corpora",
]
CORPORA = next((Path(c) for c in _CANDIDATES if c and Path(c).is_dir()), REPO.parent / "shared" / "corpora")

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
