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
_TOKEN = re.compile(r"([^\W_][\w'’-]*)|[^\w\s]")  # a word, or '' for a punctuation mark


@dataclass(frozen=True)
class Keyword:
    keyword: str
    score: float  # YAKE score: lower is more relevant
    rank: int
    start_char: int | None  # first occurrence in the text, when it is there verbatim


def _word_scores(
    sentences: list[list[str]], lowered: list[list[str]], stopwords: Collection[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """YAKE's score of every content word (lower is more relevant), and how each is written.

    Plain dicts keyed by the lower-cased word, filled sentence by sentence: twice as fast as one
    object per term, which is what made keywords a tenth of NER's time on short news.
    """
    tf: dict[str, int] = defaultdict(int)
    cased: dict[str, int] = defaultdict(int)  # max(acronym, capitalised) needs both counts
    acronym: dict[str, int] = defaultdict(int)
    places: dict[str, list[int]] = defaultdict(list)
    left: dict[str, set[str]] = defaultdict(set)
    right: dict[str, set[str]] = defaultdict(set)
    n_left: dict[str, int] = defaultdict(int)
    n_right: dict[str, int] = defaultdict(int)
    first_form: dict[str, str] = {}  # how a word is written: lower case if ever so, else as first seen
    for s_idx, (words, lows) in enumerate(zip(sentences, lowered, strict=True)):
        previous = None  # the previous word, when it is a content word
        for i, (w, key) in enumerate(zip(words, lows, strict=True)):
            tf[key] += 1
            places[key].append(s_idx)
            if key not in first_form or (i > 0 and w == key):
                first_form[key] = w
            if w.isupper() and len(w) > 1:
                acronym[key] += 1
            elif i > 0 and w[0].isupper():
                cased[key] += 1
            if key in stopwords:
                previous = None
                continue
            if previous is not None:
                left[key].add(previous)
                n_left[key] += 1
                right[previous].add(key)
                n_right[previous] += 1
            previous = key
    tfs = [n for k, n in tf.items() if k not in stopwords and not k.isdigit()]
    if not tfs:
        return {}, {}
    mean_tf = statistics.fmean(tfs)
    std_tf = statistics.pstdev(tfs) if len(tfs) > 1 else 0.0
    max_tf = max(tfs)
    n_sentences = max(1, len(sentences))
    log, scores = math.log, {}
    for key, n in tf.items():
        if key in stopwords or key.isdigit() or len(key) < 2:
            continue
        t_case = max(acronym.get(key, 0), cased.get(key, 0)) / (1.0 + log(n))
        at = places[key]  # sentence indexes, appended in order: already sorted
        mid = len(at) // 2
        median = at[mid] if len(at) % 2 else (at[mid - 1] + at[mid]) / 2
        t_pos = log(log(3.0 + median))
        t_norm = n / (mean_tf + std_tf)
        dl = len(left[key]) / n_left[key] if key in n_left else 0.0
        dr = len(right[key]) / n_right[key] if key in n_right else 0.0
        t_rel = 1.0 + (dl + dr) * (n / max_tf)
        t_sent = (len(set(at)) if at[0] != at[-1] else 1) / n_sentences
        scores[key] = (t_rel * t_pos) / (t_case + t_norm / t_rel + t_sent / t_rel)
    return scores, first_form


def find_keywords(text: str, stopwords: Collection[str], top: int = 10) -> list[Keyword]:
    """The ``top`` keywords of ``text`` (one- and two-word phrases), most relevant first.

    Phrases do not cross punctuation or sentence ends, nor start or end with a stop word.
    """
    runs: list[list[str]] = []  # lower-cased words between punctuation: where phrases may form
    sentences: list[list[str]] = []  # words of each sentence: what the word features count
    lowered: list[list[str]] = []
    for sentence in _SENTENCE.split(text):
        words: list[str] = []
        start = 0
        for token in _TOKEN.findall(sentence):
            if token:
                words.append(token)
            elif len(words) > start:
                runs.append(words[start:])
                start = len(words)
            else:
                start = len(words)
        if words:
            lows = [w.lower() for w in words]
            lowered.append(lows)
            sentences.append(words)
            if len(words) > start:
                runs.append(words[start:])
    scores, surface = _word_scores(sentences, lowered, stopwords)
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
