"""WARC crawls (.warc, .warc.gz): each HTML response record is one article.

Records that are not HTTP responses (warcinfo, request, metadata, revisit ...), responses that
are not HTML or not status 200, and a damaged tail each become a reject with the record's
position, so a crawl file's accounting is complete; the good records are kept.
"""

from __future__ import annotations

import io
import zlib

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from transforms.formats import WARC
from transforms.load_html import load_html
from transforms.records import LoadResult, Reject, RejectError

# A news page is well under this; a bigger "page" is a dump or an attack, not an article.
MAX_RECORD_BYTES = 64 * 1024 * 1024


def _first_bytes(data: bytes, n: int = 64) -> bytes:
    """The first bytes of a possibly gzipped stream, without inflating the rest."""
    if not data.startswith(b"\x1f\x8b"):
        return data[:n]
    try:
        return zlib.decompressobj(wbits=31).decompress(data[:4096], n)
    except zlib.error:
        return b""


def load_warc(path: str, data: bytes) -> LoadResult:
    """Articles from the HTML responses of a WARC file; everything else a reject with a reason."""
    if not data.strip():
        raise RejectError("empty_file", "the file has no bytes")
    if not _first_bytes(data).startswith((b"WARC/", b"filedesc://")):
        raise RejectError("malformed_warc", "does not start with a WARC/1.x (or ARC) record header")
    result = LoadResult(encoding=None)
    index = -1
    try:
        for index, record in enumerate(ArchiveIterator(io.BytesIO(data), arc2warc=True)):
            _one(path, index, record, result)
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
        result.rejects.append(
            Reject(
                path,
                "load",
                "malformed_warc",
                f"cannot read past record {index}: {type(exc).__name__}: {exc}",
                record_index=index + 1,
            )
        )
    if index < 0 and not result.rejects:
        raise RejectError("malformed_warc", "no WARC records found")
    return result


def _one(path: str, index: int, record, result: LoadResult) -> None:
    kind = record.rec_type
    uri = record.rec_headers.get_header("WARC-Target-URI")
    where = f"record {index} ({kind}{', ' + uri if uri else ''})"
    if kind != "response":
        result.rejects.append(
            Reject(path, "load", "warc_not_response", f"{where} is not a response", record_index=index)
        )
        return
    status = record.http_headers.get_statuscode() if record.http_headers else None
    if status != "200":
        result.rejects.append(
            Reject(path, "load", "warc_http_status", f"{where} has HTTP status {status}", record_index=index)
        )
        return
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if "html" not in content_type:
        result.rejects.append(
            Reject(
                path, "load", "warc_not_html", f"{where} is {content_type or 'untyped'}", record_index=index
            )
        )
        return
    payload = record.content_stream().read(MAX_RECORD_BYTES + 1)
    if len(payload) > MAX_RECORD_BYTES:
        result.rejects.append(
            Reject(
                path,
                "load",
                "record_too_large",
                f"{where} is over {MAX_RECORD_BYTES:,} bytes",
                record_index=index,
            )
        )
        return
    try:
        page = load_html(path, payload)
    except RejectError as exc:
        result.rejects.append(Reject(path, "load", exc.reason, f"{where}: {exc.detail}", record_index=index))
        return
    for article in page.articles:
        article.record_index = index
        article.input_format = WARC
        article.url = article.url or uri
        article.external_id = uri or article.external_id
        result.articles.append(article)
