"""The record types that flow between stages.

They are plain dataclasses so transforms stay free of Arrow and Prefect; the flows turn them into
Arrow tables with the schemas in ``warehouse.schemas``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime


class RejectError(Exception):
    """Raised by a loader when an input cannot become an article.

    ``reason`` is a short stable code analysts can group by (``empty_file``,
    ``binary_content`` ...); ``detail`` is the human explanation for that one input.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Reject:
    """One input (a file, or one record inside a file) that did not become an article."""

    path: str
    stage: str
    reason: str
    detail: str = ""
    record_index: int | None = None


@dataclass(slots=True)
class RawArticle:
    """An article as the loader found it: text not yet cleaned, fields as the input gave them."""

    source_path: str
    record_index: int
    text: str
    input_format: str
    encoding: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_at_source: str = "none"
    published_at_raw: str | None = None
    language: str | None = None
    url: str | None = None
    external_id: str | None = None
    description: str | None = None
    site_name: str | None = None


@dataclass(slots=True)
class LoadStream:
    """What one file yields, one record at a time: a file of many records (JSON Lines) is
    read without holding all its articles, so memory is bounded by what the caller keeps."""

    items: Iterator[RawArticle | Reject]
    encoding: str | None = None


@dataclass(slots=True)
class LoadResult:
    """What one file yielded: zero or more articles and zero or more rejects (JSONL keeps its good lines)."""

    articles: list[RawArticle] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    encoding: str | None = None


@dataclass(slots=True)
class CleanArticle:
    """An article after cleaning: the text every offset in the warehouse points into."""

    article_id: str
    source_path: str
    record_index: int
    input_format: str
    encoding: str | None
    external_id: str | None
    url: str | None
    title: str | None
    title_source: str
    lede: str | None
    text: str
    authors: list[str]
    published_at: datetime | None
    published_at_source: str
    published_at_raw: str | None
    language: str | None
    language_score: float | None
    word_count: int
    sentence_count: int
    char_count: int
    reading_time_min: float
    captions: list[str]
    credits: list[str]
    boilerplate: list[str]
    content_hash: str
    description: str | None = None
    site_name: str | None = None
    published_at_confidence: str | None = None
    tone: float | None = None
    tone_positive: float | None = None
    tone_negative: float | None = None
    canonical_id: str | None = None
    dedup_kind: str | None = None
    story_id: str | None = None
    record_key: str | None = None
    # normalised_for_hash(text), kept between clean and dedup so it is computed once; not stored
    normalised_text: str | None = None


@dataclass(slots=True)
class Mention:
    """One entity mention, with offsets into ``CleanArticle.text``."""

    article_id: str
    entity_id: str
    text: str
    name: str
    label: str
    start_char: int
    end_char: int
    sentence_index: int
