"""The HTML report: built from a real warehouse, and rendered by a real headless browser that
measures every label."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from flows.ingest import RunConfig, ingest_articles
from flows.report import write_report
from tests.conftest import EXAMPLES
from tests.flows.helpers import query

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory, prefect_harness):
    base = tmp_path_factory.mktemp("report")
    ingest_articles(RunConfig(sources=[str(EXAMPLES)], warehouse=str(base / "wh")))
    return base / "wh", write_report(base / "wh", base / "report.html")


def test_report_is_self_contained_and_has_every_chart(built):
    _, report = built
    html = report.read_text(encoding="utf-8")
    # volume, top entities, largest stories, two story timelines (of the four stories with two
    # articles, two are undated), dedup kinds, rejects; the articles that mention the top
    # entities are undated, so the trend chart says so instead of drawing
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    assert html.count("Not shown: 2 articles with no publication date.") == 2
    for heading in (
        "Articles per day, by outlet",
        "Top entities over time (articles mentioning them)",
        "Most-mentioned entities",
        "Largest stories: their outlets over time",
        "Duplicates: 23.1 % of articles",
        "Rejects by reason",
    ):
        assert heading in html
    assert "None of the articles that mention them is dated" in html
    assert "Not shown: 2 articles mentioning them with no publication date." in html
    assert "invalid_json" in html and "The Portmere Courier" in html
    assert not re.search(r"(src|href)=['\"]https?://", html)  # nothing fetched when viewed


def test_time_charts_use_a_real_time_axis_and_count_undated_articles_beside_them(built):
    warehouse, report = built
    html = report.read_text(encoding="utf-8")
    volume = html[html.index("Articles per day, by outlet") : html.index("Top entities over time")]
    # every column sits at its date's distance from the first: a real time axis (a day's
    # column per pixel step), not one category per date present; the bars add up to the dated
    # articles (8 of 13)
    columns = re.findall(r'<rect x="([\d.]+)"[^>]*><title>(\d{4}-\d\d-\d\d) [^:]*: (\d+)</title>', volume)
    assert sum(int(n) for *_, n in columns) == 8
    days = {date.fromisoformat(d): float(x) for x, d, _ in columns}
    origin = min(days)
    steps = [(x - days[origin]) / (d - origin).days for d, x in days.items() if d != origin]
    assert len(days) == 6 and max(steps) - min(steps) < 0.01, (steps, days)  # x is drawn to 0.1 px
    first, last = query(warehouse, "select min(published_at), max(published_at) from articles")[0]
    assert (first.date().isoformat(), last.date().isoformat()) == ("2025-01-20", "2025-04-02")
    ticks = re.findall(r'class="val tick">([^<]+)<', volume)
    assert ticks == [
        "2025-01-20",
        "2025-01-31",
        "2025-02-11",
        "2025-02-22",
        "2025-03-05",
        "2025-03-16",
        "2025-03-27",
    ]
    undated = query(warehouse, "select count(*) from articles where published_at is null")[0][0]
    assert f"Not shown: {undated} articles with no publication date." in volume and undated == 5


def test_entities_are_first_and_last_seen_by_publication_time_processing_time_apart(built):
    warehouse, report = built
    rows = query(
        warehouse,
        """select e.name, e.first_seen, e.last_seen, min(a.published_at), max(a.published_at),
                  e.first_processed, min(a.processed_at)
           from entities e join mentions m using (entity_id) join articles a using (article_id)
           group by e.name, e.first_seen, e.last_seen, e.first_processed order by e.name""",
    )
    assert len(rows) == 43
    assert all(r[1:3] == r[3:5] and r[5] == r[6] for r in rows), [r for r in rows if r[1:3] != r[3:5]]
    assert sum(r[1] is None for r in rows) == 28  # mentioned only in undated articles: no date
    html = report.read_text(encoding="utf-8")
    assert "<tr><td>Ukraine</td><td>GPE</td><td>2</td><td>undated</td><td>undated</td></tr>" in html


@pytest.mark.slow
@needs_chromium
def test_report_renders_in_headless_chromium_with_no_clipped_label_and_no_error(built, tmp_path):
    from flows.report_render import check_rendering, screenshot

    _, report = built
    rendering = check_rendering(report)
    assert (rendering.charts, rendering.problems, rendering.console) == (7, [], [])
    data = screenshot(report, tmp_path / "report.png").read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a blank page compresses to a few KB


@pytest.mark.slow
@needs_chromium
def test_the_rendering_check_finds_clipped_and_overlapping_labels(tmp_path):
    """The check can fail: a label centred on the right edge (as the old volume chart drew its
    last day), a long label anchored at the left edge, and two ticks on top of each other."""
    from flows.report_render import check_rendering

    page = tmp_path / "clipped.html"
    page.write_text(
        "<!DOCTYPE html><html><body>"
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" aria-label="t" width="720" height="60" '
        'viewBox="0 0 720 60">'
        '<text x="715" y="30" text-anchor="middle" class="val tick">2025-03-31</text>'
        '<text x="100" y="50" text-anchor="end" class="lbl">Army Tactical Missile System (PRODUCT)</text>'
        '<text x="300" y="30" text-anchor="middle" class="val tick">2025-03-01</text>'
        '<text x="310" y="30" text-anchor="middle" class="val tick">2025-03-02</text>'
        "</svg></body></html>",
        encoding="utf-8",
    )
    problems = check_rendering(page).problems
    assert [p.split(":")[0] for p in problems] == ["clipped", "clipped", "overlapping"], problems
    assert '"2025-03-31"' in problems[0] and "Army Tactical" in problems[1]
