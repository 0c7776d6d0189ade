"""Recasing shouted lines (all-caps headlines, datelines) before NER, keeping every offset.

spaCy's small English model reads "LEICESTERSHIRE TAKE OVER AT TOP" as one long ORG or as
nothing at all: capital letters are its strongest name cue, and a shouted line has them on every
word. Each word of such a line gets the casing the same word has in the rest of the article
("Leicestershire", "take"); a word never seen elsewhere keeps capitals when it is short enough
to be an acronym (and is not a stop word) and is otherwise lower-cased. Only the case of letters
changes, never the length, so entity offsets found on the recased text are offsets into the
original.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[^\W\d_]+")
_LINE = re.compile(r"[^\n]+")


def is_shouted(line: str, min_letters: int = 6, upper_share: float = 0.8) -> bool:
    """True for a line whose letters are (nearly) all capitals: a headline, a dateline."""
    letters = [c for c in line if c.isalpha()]
    if len(letters) < min_letters:
        return False
    return sum(c.isupper() for c in letters) >= upper_share * len(letters)


def casing_evidence(text: str, skip: list[tuple[int, int]]) -> dict[str, str]:
    """Most frequent spelling of each word (case-folded) outside the shouted lines.

    Sentence-initial words are left out: their capital says nothing about the word.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    initial: dict[str, Counter[str]] = defaultdict(Counter)
    pos = 0
    for start, end in [*skip, (len(text), len(text))]:
        chunk = text[pos:start]
        for m in _WORD.finditer(chunk):
            before = chunk[: m.start()].rstrip()
            at_start = not before or before[-1] in ".!?\"“‘'(:\n-"
            (initial if at_start else counts)[m.group().casefold()][m.group()] += 1
        pos = end
    # A word seen only at sentence starts ("Leicestershire beat ...") is weak evidence, but
    # better than none for a name.
    evidence = {k: c.most_common(1)[0][0] for k, c in initial.items()}
    evidence.update({k: c.most_common(1)[0][0] for k, c in counts.items()})
    return evidence


def _recase_word(word: str, evidence: dict[str, str], first: bool, acronym_max: int) -> str:
    seen = evidence.get(word.casefold())
    if seen is not None and len(seen) == len(word):
        cased = seen
    elif word.lower() in STOP_WORDS:
        cased = word.lower()
    elif len(word) <= acronym_max:
        cased = word
    else:
        cased = word.lower()
    if first and cased[:1].islower():
        cased = cased[:1].upper() + cased[1:]
    return cased if len(cased) == len(word) else word


def truecase_shouted(text: str, acronym_max: int = 3) -> str:
    """``text`` with its shouted lines recased from the article's own evidence; same length."""
    shouted = [(m.start(), m.end()) for m in _LINE.finditer(text) if is_shouted(m.group())]
    if not shouted:
        return text
    evidence = casing_evidence(text, shouted)
    out = []
    pos = 0
    for start, end in shouted:
        out.append(text[pos:start])
        line = text[start:end]
        pieces, last, first = [], 0, True
        for m in _WORD.finditer(line):
            pieces.append(line[last : m.start()])
            pieces.append(_recase_word(m.group(), evidence, first, acronym_max))
            first = False
            last = m.end()
        pieces.append(line[last:])
        out.append("".join(pieces))
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    return result if len(result) == len(text) else text
