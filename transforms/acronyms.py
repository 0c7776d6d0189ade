"""Acronym definitions in running text: "Army Tactical Missile System (ATACMS)".

The Schwartz–Hearst rule (Schwartz & Hearst, PSB 2003): a short form in parentheses, and the
shortest run of words just before it whose characters contain the short form's letters in order,
the first letter starting a word. It needs no dictionary and is the usual baseline for
abbreviation detection in news and biomedical text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAREN = re.compile(r"\(([^()\n]{2,12})\)")
_SHORT = re.compile(r"^[A-Za-z][A-Za-z0-9&.\-]*$")
_WORD = re.compile(r"\S+")
_LINKING = frozenset({"of", "and", "for", "the", "on", "in", "&", "de", "du", "des", "la", "to"})


@dataclass(frozen=True)
class AcronymDefinition:
    short: str
    long: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int


def _best_long_form(short: str, long: str) -> int | None:
    """Start index in ``long`` of the shortest suffix that spells ``short``, or None."""
    s = len(short) - 1
    l_idx = len(long) - 1
    letters = short.lower()
    chars = long.lower()
    while s >= 0:
        c = letters[s]
        if not c.isalnum():
            s -= 1
            continue
        while l_idx >= 0 and (chars[l_idx] != c or (s == 0 and l_idx > 0 and chars[l_idx - 1].isalnum())):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s -= 1
    return long.rfind(" ", 0, l_idx + 1) + 1


def find_acronyms(text: str) -> list[AcronymDefinition]:
    """Every "Long Form (SHORT)" in ``text`` whose long form is a capitalised name.

    A long form must capitalise each word other than short linking words, so "gross domestic
    product (GDP)" is an abbreviation but not a named entity, and is left out.
    """
    found = []
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not _SHORT.match(short) or sum(c.isupper() for c in short) < 2 or not short[0].isupper():
            continue
        before = text[max(0, m.start() - 200) : m.start()].rstrip()
        offset = m.start() - len(text[max(0, m.start() - 200) : m.start()])
        words = list(_WORD.finditer(before))
        n_letters = sum(c.isalnum() for c in short)
        window = words[-min(len(words), n_letters + 5, 2 * n_letters) :]
        if not window:
            continue
        span_start = window[0].start()
        candidate = before[span_start:]
        start = _best_long_form(short, candidate)
        if start is None:
            continue
        long = candidate[start:].strip(" ,;:-\"'“”")
        long_words = long.split()
        if len(long_words) < 2 or len(long_words) > n_letters + 3:
            continue
        if (
            any(not w[0].isupper() for w in long_words if w.lower() not in _LINKING)
            or long_words[0].lower() in _LINKING
        ):
            continue
        long_start = (
            offset
            + span_start
            + start
            + (len(candidate[start:]) - len(candidate[start:].lstrip(" ,;:-\"'“”")))
        )
        found.append(
            AcronymDefinition(
                short=short,
                long=long,
                long_start=long_start,
                long_end=long_start + len(long),
                short_start=m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip())),
                short_end=m.start(1) + len(m.group(1).rstrip()),
            )
        )
    return found
