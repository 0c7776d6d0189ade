"""Plain text and Markdown: the whole file is one article; title and lede are found in clean."""

from __future__ import annotations

from transforms.decoding import decode_bytes
from transforms.formats import TEXT
from transforms.records import LoadResult, RawArticle


def load_text(path: str, data: bytes) -> LoadResult:
    """One article per file. Raises RejectError for empty, binary or undecodable bytes."""
    text, encoding = decode_bytes(data)
    article = RawArticle(source_path=path, record_index=0, text=text, input_format=TEXT, encoding=encoding)
    return LoadResult(articles=[article], encoding=encoding)
