"""JSON and JSON Lines records in the news-please / newspaper style.

A JSONL file keeps its good lines: each bad line is its own reject, with its line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from transforms.dates import parse_timestamp
from transforms.decoding import decode_bytes
from transforms.formats import JSON, JSONL
from transforms.records import LoadResult, LoadStream, RawArticle, Reject, RejectError

TEXT_FIELDS = ("maintext", "text", "body", "content", "article", "article_text", "full_text")
TITLE_FIELDS = ("title", "headline", "title_page", "title_rss")
DATE_FIELDS = (
    "date_publish",
    "published_at",
    "publish_date",
    "published",
    "pubdate",
    "date",
    "datePublished",
)
AUTHOR_FIELDS = ("authors", "author", "byline", "creator")
ID_FIELDS = ("id", "article_id", "guid", "uuid", "_id")
URL_FIELDS = ("url", "link", "source_url", "canonical_url")
LIST_FIELDS = ("articles", "items", "records", "data", "results")


def _first(record: dict[str, Any], fields: Iterable[str]) -> Any:
    for name in fields:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value if v is not None)
    return str(value).strip() or None


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).replace(" and ", ";").split(";")
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if item and str(item).strip():
            names.append(str(item).strip())
    return names


def record_to_article(path: str, index: int, record: Any, fmt: str) -> RawArticle:
    """Map one decoded record to a RawArticle; RejectError when it is not an article record."""
    if not isinstance(record, dict):
        raise RejectError("not_a_record", f"expected a JSON object, found {type(record).__name__}")
    text = _as_text(_first(record, TEXT_FIELDS))
    if not text:
        raise RejectError("no_article_text", f"none of the text fields ({', '.join(TEXT_FIELDS)}) has text")
    raw_date = _first(record, DATE_FIELDS)
    published = parse_timestamp(raw_date)
    url = _as_text(_first(record, URL_FIELDS))
    ident = _first(record, ID_FIELDS)
    language = record.get("language") or record.get("lang")
    return RawArticle(
        source_path=path,
        record_index=index,
        text=text,
        input_format=fmt,
        title=_as_text(_first(record, TITLE_FIELDS)),
        authors=_authors(_first(record, AUTHOR_FIELDS)),
        published_at=published,
        published_at_source="input_field" if published else "none",
        published_at_raw=None if raw_date is None else str(raw_date),
        language=str(language) if isinstance(language, str) and language else None,
        url=url,
        external_id=str(ident) if ident not in (None, "") else url,
        description=_as_text(record.get("description")),
        site_name=_as_text(record.get("source_domain") or record.get("site_name")),
    )


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise RejectError("json_too_deep", "JSON nesting is deeper than the parser allows") from None
    except json.JSONDecodeError as exc:
        raise RejectError("invalid_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None


def load_json(path: str, data: bytes) -> LoadResult:
    """A .json file: one record, a list of records, or an object with a list under a known key."""
    text, encoding = decode_bytes(data)
    doc = _parse(text)
    if isinstance(doc, dict):
        nested = next((doc[k] for k in LIST_FIELDS if isinstance(doc.get(k), list)), None)
        records = nested if nested is not None and _first(doc, TEXT_FIELDS) is None else [doc]
    elif isinstance(doc, list):
        records = doc
    else:
        raise RejectError("not_a_record", f"top-level JSON is a {type(doc).__name__}, not an object or list")
    if not records:
        raise RejectError("no_records", "the JSON list is empty")
    return _collect(path, enumerate(records), JSON, encoding, parse=False)


def load_jsonl(path: str, data: bytes) -> LoadResult:
    """A .jsonl/.ndjson file: one record per line; blank lines are ignored, bad lines rejected."""
    stream = stream_jsonl(path, data)
    result = LoadResult(encoding=stream.encoding)
    for item in stream.items:
        (result.rejects if isinstance(item, Reject) else result.articles).append(item)
    return result


def stream_jsonl(path: str, data: bytes) -> LoadStream:
    """load_jsonl one line at a time: the decoded text is held, never a list of its lines or
    records. Lines end at '\n' (JSON Lines' separator; a U+2028 inside a string is not a break)."""
    text, encoding = decode_bytes(data)
    return LoadStream(_jsonl_items(path, text, encoding), encoding)


def _jsonl_items(path: str, text: str, encoding: str) -> Iterator[RawArticle | Reject]:
    start, index, any_line = 0, 0, False
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        if line.strip():
            any_line = True
            try:
                article = record_to_article(path, index, _parse(line), JSONL)
            except RejectError as exc:
                yield Reject(path, "load", exc.reason, exc.detail, record_index=index)
            else:
                article.encoding = encoding
                yield article
        start, index = end + 1, index + 1
    if not any_line:
        yield Reject(path, "load", "no_records", "the file has no JSON lines")


def _collect(
    path: str, items: Iterable[tuple[int, Any]], fmt: str, encoding: str, *, parse: bool
) -> LoadResult:
    result = LoadResult(encoding=encoding)
    for index, item in items:
        try:
            record = _parse(item) if parse else item
            article = record_to_article(path, index, record, fmt)
        except RejectError as exc:
            result.rejects.append(Reject(path, "load", exc.reason, exc.detail, record_index=index))
            continue
        article.encoding = encoding
        result.articles.append(article)
    return result
