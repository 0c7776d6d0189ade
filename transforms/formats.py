"""Which loader a file name asks for. The name decides, not the bytes: users name their files."""

from __future__ import annotations

TEXT = "text"
HTML = "html"
JSON = "json"
JSONL = "jsonl"
WARC = "warc"

_EXTENSIONS = {
    ".txt": TEXT,
    ".text": TEXT,
    ".md": TEXT,
    ".markdown": TEXT,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".json": JSON,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".warc": WARC,
}

SUPPORTED_SUFFIXES = tuple(sorted(_EXTENSIONS))


def detect_format(name: str) -> tuple[str | None, bool]:
    """Return (format, gzipped) for a file name; format is None when it is not supported.

    ``article.json.gz`` is JSON inside gzip; the compression suffix is peeled first.
    """
    lower = name.lower()
    gzipped = lower.endswith(".gz")
    if gzipped:
        lower = lower[:-3]
    dot = lower.rfind(".")
    if dot < 0:
        return None, gzipped
    return _EXTENSIONS.get(lower[dot:]), gzipped
