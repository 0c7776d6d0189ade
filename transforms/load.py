"""One entry point from a file's name and bytes to articles and rejects, whatever the format."""

from __future__ import annotations

from collections.abc import Callable

from transforms.decompress import gunzip_capped
from transforms.formats import HTML, JSON, JSONL, TEXT, detect_format
from transforms.load_html import load_html
from transforms.load_json import load_json, load_jsonl
from transforms.load_text import load_text
from transforms.records import LoadResult, Reject, RejectError

LOADERS: dict[str, Callable[[str, bytes], LoadResult]] = {
    TEXT: load_text,
    HTML: load_html,
    JSON: load_json,
    JSONL: load_jsonl,
}


def load_file(path: str, data: bytes, *, max_decompressed_bytes: int) -> LoadResult:
    """Never raises for bad input: whatever goes wrong becomes a Reject with a reason."""
    fmt, gzipped = detect_format(path)
    try:
        if fmt is None:
            raise RejectError("unsupported_format", "file extension is not one wirehouse reads")
        if gzipped:
            data = gunzip_capped(data, max_decompressed_bytes)
        return LOADERS[fmt](path, data)
    except RejectError as exc:
        return LoadResult(rejects=[Reject(path, "load", exc.reason, exc.detail)])
    except Exception as exc:  # a loader bug must cost one file, not the run
        return LoadResult(rejects=[Reject(path, "load", "loader_error", f"{type(exc).__name__}: {exc}")])
