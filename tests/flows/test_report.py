"""The HTML report: built from a real warehouse, and rendered by a real headless browser."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from flows.ingest import RunConfig, ingest_articles
from flows.report import CHROMIUM_FLAGS as FLAGS
from flows.report import write_report
from tests.conftest import EXAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory, prefect_harness):
    base = tmp_path_factory.mktemp("report")
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(base / "wh")))
    return write_report(base / "wh", base / "report.html")


def test_report_is_self_contained_and_has_every_chart(report):
    html = report.read_text(encoding="utf-8")
    # five charts: the dated articles that mention the top entities fall in one month (2025-03),
    # so the trend chart says so instead of drawing one point; undated articles have no month
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 5
    assert "All dated articles fall in one month" in html
    for heading in (
        "Articles per day, by source",
        "Top entities over time",
        "Most-mentioned entities",
        "Largest stories",
        "Duplicates: 23.1 % of articles",
        "Rejects by reason",
    ):
        assert heading in html
    assert "invalid_json" in html and "The Portmere Courier" in html
    assert not re.search(r"(src|href)=['\"]https?://", html)  # nothing fetched when viewed


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium_without_console_errors(report, tmp_path):
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 5 and "Rejects by reason" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=820,2400",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a blank page compresses to a few KB
