"""Cheap counts that need no model: words, sentences, reading time."""

from __future__ import annotations

import re

# Chinese and Japanese are written without spaces: each ideograph or kana counts as a word
# (a common approximation; Korean Hangul is spaced and counts by spaces like English).
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:['’.-][^\W{_CJK}]+)*")
# A sentence ends at . ! or ? (optionally followed by closing quotes/brackets) before whitespace
# and an upper-case letter, digit or opening quote, or at the end of the text.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]|\s*$)|[。！？]+[」』”]*")
WORDS_PER_MINUTE = 230


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def sentence_count(text: str) -> int:
    """Sentence-final punctuation per paragraph; a paragraph without any still counts as one."""
    total = 0
    for para in text.split("\n"):
        if para.strip():
            total += max(1, len(_SENTENCE_END.findall(para.strip())))
    return total


def reading_time_minutes(words: int) -> float:
    """At 230 words a minute, the usual figure for adult readers of news prose."""
    return round(words / WORDS_PER_MINUTE, 2)
