"""Test records built from the fields a test cares about; everything else takes a plain default.

A test that spells out every field of a CleanArticle hides the two that matter to it, and breaks
whenever a field is added.
"""

from __future__ import annotations

from typing import Any

from transforms.dedup import content_hash
from transforms.records import CleanArticle


def clean_article(article_id: str, text: str, **fields: Any) -> CleanArticle:
    """A cleaned English one-file article; counts and the content hash follow the text and title."""
    title = fields.pop("title", "T")
    values: dict[str, Any] = {
        "article_id": article_id,
        "source_path": f"{article_id}.txt",
        "record_index": 0,
        "input_format": "text",
        "encoding": "utf-8",
        "external_id": None,
        "url": None,
        "title": title,
        "title_source": "input",
        "lede": text,
        "text": text,
        "authors": [],
        "published_at": None,
        "published_at_source": "none",
        "published_at_raw": None,
        "language": "en",
        "language_score": None,
        "word_count": len(text.split()),
        "sentence_count": 1,
        "char_count": len(text),
        "reading_time_min": 0.0,
        "captions": [],
        "credits": [],
        "boilerplate": [],
        "content_hash": content_hash(title, text),
    }
    unknown = set(fields) - set(CleanArticle.__dataclass_fields__)
    if unknown:
        raise TypeError(f"CleanArticle has no field {sorted(unknown)}")
    return CleanArticle(**(values | fields))
