"""One entry point from a file's name and bytes to articles and rejects, whatever the format."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from transforms.decompress import gunzip_capped
from transforms.formats import HTML, JSON, JSONL, TEXT, WARC, detect_format
from transforms.load_html import load_html
from transforms.load_json import load_json, load_jsonl, stream_jsonl
from transforms.load_text import load_text
from transforms.load_warc import load_warc
from transforms.records import LoadResult, LoadStream, RawArticle, Reject, RejectError


def _load_warc(path: str, data: bytes, gzipped: bool, max_decompressed_bytes: int) -> LoadResult:
    """A .warc.gz is gzipped record by record: when its tail is damaged, warcio still reads the
    records before it, and the damage becomes one more reject instead of losing the file."""
    if not gzipped:
        return load_warc(path, data)
    try:
        return load_warc(path, gunzip_capped(data, max_decompressed_bytes))
    except RejectError as exc:
        if exc.reason not in ("truncated_gzip", "corrupt_gzip"):
            raise
        damage = exc
    result = load_warc(path, data)
    after = max(
        [a.record_index for a in result.articles] + [r.record_index or 0 for r in result.rejects] + [-1]
    )
    result.rejects.append(
        Reject(path, "load", damage.reason, f"after record {after}: {damage.detail}", record_index=after + 1)
    )
    return result


LOADERS: dict[str, Callable[[str, bytes], LoadResult]] = {
    TEXT: load_text,
    HTML: load_html,
    JSON: load_json,
    JSONL: load_jsonl,
    WARC: load_warc,
}


def stream_file(path: str, data: bytes, *, max_decompressed_bytes: int) -> LoadStream:
    """load_file one record at a time (JSON Lines streams; other formats are read whole, then
    yielded). Never raises for bad input, also while iterating: a loader that fails midway
    yields a Reject after the records it gave."""
    fmt, gzipped = detect_format(path)
    if fmt == JSONL:
        try:
            if gzipped:
                data = gunzip_capped(data, max_decompressed_bytes)
            stream = stream_jsonl(path, data)
        except RejectError as exc:
            return LoadStream(iter([Reject(path, "load", exc.reason, exc.detail)]))
        except Exception as exc:  # a loader bug must cost one file, not the run
            return LoadStream(iter([Reject(path, "load", "loader_error", f"{type(exc).__name__}: {exc}")]))
        return LoadStream(_guarded(path, stream.items), stream.encoding)
    result = load_file(path, data, max_decompressed_bytes=max_decompressed_bytes)
    return LoadStream(iter([*result.articles, *result.rejects]), result.encoding)


def _guarded(path: str, items: Iterator[RawArticle | Reject]) -> Iterator[RawArticle | Reject]:
    try:
        yield from items
    except Exception as exc:
        yield Reject(path, "load", "loader_error", f"{type(exc).__name__}: {exc}")


def load_file(path: str, data: bytes, *, max_decompressed_bytes: int) -> LoadResult:
    """Never raises for bad input: whatever goes wrong becomes a Reject with a reason."""
    fmt, gzipped = detect_format(path)
    try:
        if fmt is None:
            raise RejectError("unsupported_format", "file extension is not one wirehouse reads")
        if fmt == WARC:
            return _load_warc(path, data, gzipped, max_decompressed_bytes)
        if gzipped:
            data = gunzip_capped(data, max_decompressed_bytes)
        return LOADERS[fmt](path, data)
    except RejectError as exc:
        return LoadResult(rejects=[Reject(path, "load", exc.reason, exc.detail)])
    except Exception as exc:  # a loader bug must cost one file, not the run
        return LoadResult(rejects=[Reject(path, "load", "loader_error", f"{type(exc).__name__}: {exc}")])
