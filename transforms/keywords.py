"""Keywords of an article: YAKE's statistics (Campos et al., 2020), computed in plain Python.

The yake package scores the same features but builds a co-occurrence graph and takes a numpy
median per word: ~60 ms for a 700-word article, half as long as NER itself, which would make
keywords the second most expensive stage of a run. This implementation keeps YAKE's single-word
features (casing, position, frequency, relatedness, sentence spread) and candidate scoring
for one- and two-word phrases, and is measured against yake in bench/keywords.py (agreement of
the top 10 and speed on the same texts).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")
_TOKEN = re.compile(r"[^\W_][\w'’-]*|[^\w\s]")


@dataclass(frozen=True)
class Keyword:
    keyword: str
    score: float  # YAKE score: lower is more relevant
    rank: int
    start_char: int | None  # first occurrence in the text, when it is there verbatim


@dataclass
class _Term:
    tf: int = 0
    tf_upper: int = 0
    tf_acronym: int = 0
    sentences: list[int] | None = None
    left: set[str] | None = None
    right: set[str] | None = None
    n_left: int = 0
    n_right: int = 0


def _word_scores(
    sentences: list[list[str]], stopwords: Collection[str]
) -> tuple[dict[str, float], dict[str, str]]:
    terms: dict[str, _Term] = defaultdict(_Term)
    first_form: dict[str, str] = {}  # how a word is written: lower case if ever so, else as first seen
    for s_idx, words in enumerate(sentences):
        lows = [w.lower() for w in words]
        content = [lw not in stopwords for lw in lows]
        last = len(words) - 1
        for i, w in enumerate(words):
            key = lows[i]
            term = terms[key]
            term.tf += 1
            if key not in first_form or (w == key and i > 0):
                first_form[key] = w
            if w.isupper() and len(w) > 1:
                term.tf_acronym += 1
            elif i > 0 and w[0].isupper():
                term.tf_upper += 1
            if term.sentences is None:
                term.sentences, term.left, term.right = [], set(), set()
            term.sentences.append(s_idx)
            if not content[i]:
                continue
            if i > 0 and content[i - 1]:
                term.left.add(lows[i - 1])
                term.n_left += 1
            if i < last and content[i + 1]:
                term.right.add(lows[i + 1])
                term.n_right += 1
    tfs = [t.tf for k, t in terms.items() if k not in stopwords and not k.isdigit()]
    if not tfs:
        return {}, {}
    mean_tf = statistics.fmean(tfs)
    std_tf = statistics.pstdev(tfs) if len(tfs) > 1 else 0.0
    max_tf = max(tfs)
    n_sentences = max(1, len(sentences))
    scores = {}
    for key, t in terms.items():
        if key in stopwords or key.isdigit() or len(key) < 2:
            continue
        t_case = max(t.tf_acronym, t.tf_upper) / (1.0 + math.log(t.tf))
        mid = len(t.sentences) // 2  # sentence indexes are appended in order: already sorted
        median = t.sentences[mid] if len(t.sentences) % 2 else (t.sentences[mid - 1] + t.sentences[mid]) / 2
        t_pos = math.log(math.log(3.0 + median))
        t_norm = t.tf / (mean_tf + std_tf)
        dl = len(t.left) / t.n_left if t.n_left else 0.0
        dr = len(t.right) / t.n_right if t.n_right else 0.0
        t_rel = 1.0 + (dl + dr) * (t.tf / max_tf)
        t_sent = len(set(t.sentences)) / n_sentences
        scores[key] = (t_rel * t_pos) / (t_case + t_norm / t_rel + t_sent / t_rel)
    return scores, first_form


def find_keywords(text: str, stopwords: Collection[str], top: int = 10) -> list[Keyword]:
    """The ``top`` keywords of ``text`` (one- and two-word phrases), most relevant first.

    Phrases do not cross punctuation or sentence ends, nor start or end with a stop word.
    """
    runs: list[list[str]] = []  # words between punctuation: where phrases may form
    sentences: list[list[str]] = []  # words of each sentence: what the word features count
    for sentence in _SENTENCE.split(text):
        words: list[str] = []
        run: list[str] = []
        for token in _TOKEN.findall(sentence):
            if token[0].isalnum():
                words.append(token)
                run.append(token)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        if words:
            sentences.append(words)
    scores, surface = _word_scores(sentences, stopwords)
    if not scores:
        return []
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for words in runs:
        lows = [w.lower() for w in words]
        for i, low in enumerate(lows):
            if low in scores:
                counts[(low,)] += 1
                if i + 1 < len(lows) and lows[i + 1] in scores:
                    counts[(low, lows[i + 1])] += 1
    ranked = []
    for keys, tf in counts.items():
        product, total = 1.0, 0.0
        for k in keys:
            product *= scores[k]
            total += scores[k]
        ranked.append((product / (tf * (1.0 + total)), keys))
    ranked.sort()
    chosen: list[tuple[float, tuple[str, ...]]] = []
    for score, keys in ranked:
        phrase = " ".join(keys)
        if any(phrase in " ".join(c) or " ".join(c) in phrase for _, c in chosen):
            continue  # "joe biden" after "biden" (or the reverse) adds nothing
        chosen.append((score, keys))
        if len(chosen) == top:
            break
    out = []
    lowered = text.lower()
    for rank, (score, keys) in enumerate(chosen, start=1):
        phrase = " ".join(surface.get(k, k) for k in keys)
        pos = text.find(phrase)
        if pos < 0:
            pos = lowered.find(" ".join(keys))
        out.append(Keyword(phrase, round(score, 6), rank, pos if pos >= 0 else None))
    return out
