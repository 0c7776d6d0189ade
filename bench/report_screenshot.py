"""Render `wirehouse report` in headless Debian chromium and save a PNG (docs/report.png).

.venv/bin/wirehouse report --out /tmp/report.html
.venv/bin/python bench/report_screenshot.py /tmp/report.html docs/report.png
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.report import CHROMIUM_FLAGS as FLAGS  # noqa: E402


def main() -> None:
    html, png = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    chromium = shutil.which("chromium") or sys.exit(
        "install Debian's chromium first: apt-get install chromium"
    )
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=820,2400",
                f"--screenshot={png}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"{png} ({png.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
