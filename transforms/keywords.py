"""Keywords of an article with YAKE (unsupervised, per document, no corpus statistics needed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Keyword:
    keyword: str
    score: float  # YAKE score: lower is more relevant
    rank: int
    start_char: int | None  # first occurrence in the text (case-insensitive), when found


def find_keywords(text: str, extractor: Any) -> list[Keyword]:
    """``extractor`` is a ``yake.KeywordExtractor`` built by the flow (language, n-gram size, top)."""
    lowered = text.lower()
    out = []
    for rank, (keyword, score) in enumerate(extractor.extract_keywords(text), start=1):
        pos = lowered.find(keyword.lower())
        out.append(Keyword(keyword, round(float(score), 6), rank, pos if pos >= 0 else None))
    return out
