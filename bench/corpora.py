"""Readers for the research corpora in ../shared/corpora (never copied into the repo)."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_CANDIDATES = [
    os.environ.get("WIREHOUSE_CORPORA"),
    REPO.parent / "shared" / "corpora",
    "/work/shared/corpora",
]
CORPORA = next((Path(c) for c in _CANDIDATES if c and Path(c).is_dir()), REPO.parent / "shared" / "corpora")

_STORY = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
_FIELD = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("TITLE", "BODY", "DATE", "DATELINE")
}


def require(name: str) -> Path:
    path = CORPORA / name
    if not path.is_dir():
        raise SystemExit(f"corpus {name} not found at {path}; set WIREHOUSE_CORPORA to the corpora folder")
    return path


def reuters_stories() -> Iterator[dict[str, str]]:
    """The 21,578 Reuters-21578 stories as dicts: id, title, dateline, body, date (raw SGML DATE)."""
    for sgm in sorted(require("reuters21578").glob("reut2-*.sgm")):
        raw = sgm.read_bytes().decode("latin-1")
        for story_id, block in _STORY.findall(raw):
            fields = {}
            for name, pattern in _FIELD.items():
                match = pattern.search(block)
                fields[name.lower()] = html.unescape(match.group(1)).strip() if match else ""
            fields["id"] = story_id
            yield fields


def bbc_articles() -> list[tuple[str, str]]:
    """(relative path, text) for the 2,225 BBC articles."""
    root = require("bbc")
    out = []
    for path in sorted(root.glob("*/*.txt")):
        out.append((str(path.relative_to(root)), path.read_bytes().decode("utf-8", "replace")))
    return out


def write_reuters_files(dest: Path) -> int:
    """Each Reuters-21578 story as a plain-text file (headline, then dateline and body), one
    folder per SGML file, as a wire feed would drop them. Returns the number of files."""
    n = 0
    for story in reuters_stories():
        folder = dest / f"batch-{int(story['id']) // 1000:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = f"{story['dateline']} {story['body']}".strip()
        text = "\n".join(part for part in (story["title"], body) if part) or story["id"]
        (folder / f"reuters-{int(story['id']):05d}.txt").write_text(text + "\n", encoding="utf-8")
        n += 1
    return n
