"""The report as a reader sees it: rendered by headless Debian chromium (offline), checked for
text that the browser clips or overlaps, and saved as a screenshot.

The check measures each chart label with the browser's own font metrics (SVG ``getBBox``), so
a label that runs past its chart's edge, axis labels that overlap, or a page wider than the
window are found as a reader would find them, not estimated from character counts. The check
script is added to a temporary copy; the report itself carries no JavaScript.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Debian chromium, headless and offline: without the background-networking flags it tries to
# reach Google's hosts at every start.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WINDOW = "820,2400"

_CHECK = """<script>
(function () {
  const problems = [];
  const name = (t) => JSON.stringify(t.textContent.slice(0, 60));
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.viewBox.baseVal, chart = svg.getAttribute("aria-label");
    const ticks = [];
    for (const t of svg.querySelectorAll("text")) {
      const b = t.getBBox();
      if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > box.width + 0.5 || b.y + b.height > box.height + 0.5)
        problems.push(`clipped: ${name(t)} in "${chart}" ` +
                      `(x ${b.x.toFixed(1)} to ${(b.x + b.width).toFixed(1)} of ${box.width})`);
      if (t.classList.contains("tick")) ticks.push([b.x, b.x + b.width, t]);
    }
    ticks.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ticks.length; i++)
      if (ticks[i][0] < ticks[i - 1][1])
        problems.push(`overlapping: ${name(ticks[i - 1][2])} and ${name(ticks[i][2])} in "${chart}"`);
  }
  if (document.documentElement.scrollWidth > window.innerWidth)
    problems.push(`page wider than the window: ${document.documentElement.scrollWidth}px`);
  document.body.setAttribute("data-render-problems", JSON.stringify(problems));
})();
</script>"""


class ChromiumMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Rendering:
    problems: list[str]  # clipped or overlapping text, a page wider than the window
    console: list[str]  # console messages and uncaught errors
    charts: int  # SVG charts in the rendered DOM


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise ChromiumMissing("install Debian's chromium first: apt-get install chromium")
    return found


def check_rendering(report: Path) -> Rendering:
    """Render ``report`` with the check script and read back what it found."""
    page = report.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / report.name
        copy.write_text(page.replace("</body>", _CHECK + "</body>", 1), encoding="utf-8")
        dom = subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--window-size={WINDOW}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                copy.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    found = re.search(r'data-render-problems="([^"]*)"', dom.stdout)
    if found is None:
        raise RuntimeError("the check script did not run: " + dom.stderr[-500:])
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return Rendering(json.loads(html.unescape(found.group(1))), console, dom.stdout.count("<svg"))


def screenshot(report: Path, png: Path) -> Path:
    """A PNG of the top of the page at the window size a reader's laptop has."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW}",
                f"--screenshot={png.resolve()}",
                report.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png
