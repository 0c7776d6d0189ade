"""Regenerate docs/report.png: the bundled examples ingested into a temporary warehouse, the
report written, rendered in headless Debian chromium, checked for clipped or overlapping text,
and screenshotted.

.venv/bin/python bench/report_screenshot.py            # examples/ -> docs/report.png
.venv/bin/python bench/report_screenshot.py -w DIR     # an existing warehouse -> docs/report.png
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.report import write_report  # noqa: E402
from flows.report_render import check_rendering, screenshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-w", "--warehouse", type=Path, help="Warehouse to report (default: examples/).")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "report.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse
        if warehouse is None:
            warehouse = Path(tmp) / "warehouse"
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "wirehouse"),
                    "ingest",
                    str(ROOT / "examples"),
                    "-w",
                    str(warehouse),
                ],
                check=True,
                capture_output=True,
            )
        html = write_report(warehouse, Path(tmp) / "report.html")
        rendering = check_rendering(html)
        for problem in rendering.problems + rendering.console:
            print(f"problem: {problem}")
        png = screenshot(html, args.out)
    print(
        f"{png} ({png.stat().st_size:,} bytes); {rendering.charts} charts, "
        f"{len(rendering.problems)} clipped or overlapping labels"
    )
    sys.exit(1 if rendering.problems or rendering.console else 0)


if __name__ == "__main__":
    main()
