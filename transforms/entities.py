"""Entity mentions from a spaCy Doc: spans repaired, names normalised and merged within the article.

The Doc comes in as an argument (the flow owns the model), so this stays pure and testable.
spaCy's spans are repaired with rules that hold for news English generally, not for one corpus:
a leading "the" and a trailing possessive are not part of a name; "the city of Sumy" names a
place whatever the model says; "Ukrainian Security and Co-operation Centre" is one organisation;
a capitalised common word at the start of a sentence ("Strikes are not made with words") is not a
name; "Army Tactical Missile System (ATACMS)" defines one entity with two names. Numeric labels
(DATE, MONEY, CARDINAL ...) are not entities here: they belong to the dates and quantities
extractors.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from transforms.acronyms import find_acronyms
from transforms.ids import stable_id
from transforms.records import Mention

ENTITY_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
LEADING_THE = re.compile(r"^the\s+", re.I)
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SPACE = re.compile(r"\s+")
_INITIALISM = re.compile(r"(?:\b\w\.){2,}$")
_PERSON_TITLES = re.compile(
    r"^(?:(?:president|president-elect|vice\s+president|prime\s+minister|chancellor|minister|"
    r"secretary|senator|sen\.|rep\.|gov\.|governor|mayor|general|gen\.|mr\.?|mrs\.?|ms\.?|dr\.?|"
    r"sir|dame|lord|lady|king|queen|prince|princess|pope|judge|justice)\s+)+",
    re.I,
)
_ORG_WORDS = (
    r"Centre|Center|Institute|Council|Committee|Commission|Agency|Association|Foundation|"
    r"Organi[sz]ation|Union|Party|Federation|Ministry|Department|Office|Bureau|Authority|Board|"
    r"Society|Service|University|College|School|Bank|Fund|Group|Company|Corporation|Trust|Alliance|"
    r"Forum|Network|League|Club|Court|Assembly|Parliament|Congress|Senate|Army|Navy|Police"
)
_ORG_LAST_WORD = re.compile(rf"\b(?:{_ORG_WORDS})$")
_ORG_TAIL = re.compile(
    rf"(?:\s+(?:and|of|for|&)\s+|\s+)(?:[A-Z][\w'’\-]*\s+(?:(?:and|of|for|&)\s+)?){{0,4}}(?:{_ORG_WORDS})\b"
)
_PLACE_CONTEXT = re.compile(
    r"\b(?:city|town|village|port|region|province|district|capital|county|island|oblast)\s+of\s+$", re.I
)
_SENTENCE_OPENERS = ".!?\"“‘'(:\n—–-"


@dataclass
class _Span:
    start: int
    end: int
    label: str
    name: str = ""
    acronym_of: str | None = None


def normalise_name(text: str, label: str, leading_article: re.Pattern[str] = LEADING_THE) -> str:
    """The entity's name as a headword: no leading article ('the'; French 'la', 'l’' with
    ``leading_article``), possessive, title or edge punctuation."""
    name = _SPACE.sub(" ", text).strip()
    name = _POSSESSIVE.sub("", name)
    name = leading_article.sub("", name)
    if label == "PERSON":
        name = _PERSON_TITLES.sub("", name)
    stripped = _EDGE_PUNCT.sub("", name)
    if _INITIALISM.search(name):
        stripped += "."  # "U.S." keeps its final dot
    return stripped or text.strip()


def _has_name(text: str) -> bool:
    """A capital letter and two letters at least: "L" and "puisqu" are parsing debris."""
    return any(c.isupper() for c in text) and sum(c.isalpha() for c in text) >= 2


def entity_id(label: str, name: str) -> str:
    """Corpus-wide stable id: the same label and name (case-folded) always give the same id."""
    return stable_id(label, name.casefold())


def merge_person_names(names: Iterable[str], full_names: Iterable[str] | None = None) -> dict[str, str]:
    """Map short person names to the one full name in the article that ends (or starts) with them.

    "Biden" joins "Joe Biden" when the article has exactly one full name ending in "Biden"; with
    two candidates (two Bidens) the short form stays on its own rather than guess.
    """
    unique = set(names)
    full = {n for n in (unique if full_names is None else full_names) if " " in n}
    # every leading and trailing run of whole words of a full name, to the full names it ends or
    # starts: linear in the words, where comparing each name with each full name was quadratic
    # (an article listing 8,000 names took seconds)
    ends: dict[str, set[str]] = {}
    for f in full:
        words = f.split(" ")
        for i in range(1, len(words)):
            ends.setdefault(" ".join(words[i:]), set()).add(f)
            ends.setdefault(" ".join(words[:i]), set()).add(f)
    mapping: dict[str, str] = {}
    for name in unique:
        candidates = ends.get(name, set()) - {name}
        if len(candidates) == 1:
            mapping[name] = next(iter(candidates))
    return mapping


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the " and a trailing possessive or punctuation from a span."""
    m = LEADING_THE.match(text[start:end])
    if m and end - start > m.end():
        start += m.end()
    m = _POSSESSIVE.search(text[start:end])
    if m and m.start() > 0:
        end = start + m.start()
    while end > start + 1 and not text[end - 1].isalnum() and text[end - 1] not in ".)":
        end -= 1
    return start, end


_WORD = re.compile(r"\w+")


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" ")
    return not before or before[-1] in _SENTENCE_OPENERS


def _word_positions(text: str) -> dict[str, list[int]]:
    """Where each word (a maximal run of \\w) of the text starts."""
    index: dict[str, list[int]] = {}
    for m in _WORD.finditer(text):
        index.setdefault(m.group(), []).append(m.start())
    return index


def _common_word(text: str, word: str, start: int, words: dict[str, list[int]] | None = None) -> bool:
    """True when ``word`` occurs lower-case in the text and never capitalised mid-sentence.

    ``words`` (_word_positions of the text) answers for a plain word without scanning the text
    again: one scan per candidate made a list of thousands of names quadratic."""
    if words is not None and _WORD.fullmatch(word):
        if word.lower() not in words:
            return False
        return all(p == start or _at_sentence_start(text, p) for p in words.get(word, []))
    if not re.search(rf"\b{re.escape(word.lower())}\b", text):
        return False
    for m in re.finditer(rf"\b{re.escape(word)}\b", text):
        if m.start() != start and not _at_sentence_start(text, m.start()):
            return False
    return True


def repair_spans(text: str, spans: list[_Span]) -> list[_Span]:
    """Apply the span rules in the module docstring; spans come back sorted and disjoint."""
    out: list[_Span] = []
    words: dict[str, list[int]] | None = None
    for span in sorted(spans, key=lambda s: s.start):
        span.start, span.end = trim_span(text, span.start, span.end)
        if out and span.start < out[-1].end:
            continue  # swallowed by an extension of the previous span
        surface = text[span.start : span.end]
        if (
            " " not in surface
            and span.label in ("PERSON", "ORG")
            and _at_sentence_start(text, span.start)
            and _common_word(text, surface, span.start, words := words or _word_positions(text))
        ):
            continue
        if span.label in ("ORG", "PERSON", "NORP", "FAC") and _PLACE_CONTEXT.search(
            text[max(0, span.start - 30) : span.start]
        ):
            span.label = "GPE"
        tail = _ORG_TAIL.match(text, span.end)
        if tail and "\n" not in tail.group() and span.label not in ("PERSON",):
            span.end = tail.end()
            span.label = "ORG"
        out.append(span)
    return out


def link_acronyms(text: str, spans: list[_Span]) -> list[_Span]:
    """Spans for acronym definitions and every later use of the short form, replacing overlaps.

    The label is the model's where it labelled the long or short form (majority), else ORG
    when the long form ends in an organisation word, else PRODUCT (weapons, programmes).
    """
    for d in find_acronyms(text):
        uses = [(m.start(), m.end()) for m in re.finditer(rf"(?<![\w-]){re.escape(d.short)}(?![\w])", text)]
        ranges = [(d.long_start, d.long_end), *uses]
        overlapping = [s for s in spans if any(s.start < e and a < s.end for a, e in ranges)]
        votes = Counter(s.label for s in overlapping)
        label = votes.most_common(1)[0][0] if votes else None
        if label is None or label == "PERSON":
            label = "ORG" if _ORG_LAST_WORD.search(d.long) else "PRODUCT"
        name = normalise_name(d.long, label)
        spans = [s for s in spans if s not in overlapping]
        spans.append(_Span(d.long_start, d.long_end, label, name, d.short))
        spans.extend(_Span(a, e, label, name, d.short) for a, e in uses)
    return sorted(spans, key=lambda s: s.start)


def vote_labels(spans: list[_Span]) -> None:
    """One sense per article: a name the model labelled two ways takes its majority label.

    ("Ukrainian" as NORP five times and GPE once is NORP.) Ties keep each span's own label.
    """
    votes: dict[str, Counter[str]] = {}
    for span in spans:
        votes.setdefault(span.name, Counter())[span.label] += 1
    for span in spans:
        ranked = votes[span.name].most_common(2)
        if len(ranked) == 2 and ranked[0][1] > ranked[1][1]:
            span.label = ranked[0][0]


def propagate(text: str, spans: list[_Span]) -> list[_Span]:
    """Label every other occurrence of a name the model found once (one sense per article).

    The small model misses repeats of a name it found elsewhere ("Zelenskyy said ..." after
    "Volodymyr Zelenskyy"), above all in headlines. Exact, case-sensitive, whole-word matches
    of a found surface text that no span covers become mentions with the same label and name.
    """
    sources: dict[str, _Span] = {}
    for span in spans:
        surface = text[span.start : span.end]
        if len(surface) >= 3 and surface[:1].isupper() and "\n" not in surface:
            sources.setdefault(surface, span)
    if not sources:
        return spans
    taken = sorted((s.start, s.end) for s in spans)
    added = []
    # A whole-word match starts where a word starts: candidates come from an index of the text's
    # words (one pass), not a scan of the text per name, which made a list of 8,000 names
    # quadratic.
    at_word = _word_positions(text)
    # longest names first, so "Joe Biden" claims its text before "Biden" looks at it
    for surface in sorted(sources, key=len, reverse=True):
        source = sources[surface]
        first = _WORD.match(surface)
        for pos in at_word.get(first.group(), []) if first else []:
            if not text.startswith(surface, pos):
                continue
            end = pos + len(surface)
            before = text[pos - 1] if pos else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before in "-_" or after.isalnum() or after in "-_"):
                i = bisect.bisect_right(taken, (pos, len(text) + 1)) - 1
                overlaps = (i >= 0 and taken[i][1] > pos) or (i + 1 < len(taken) and taken[i + 1][0] < end)
                if not overlaps:
                    added.append(_Span(pos, end, source.label, source.name, source.acronym_of))
                    bisect.insort(taken, (pos, end))
    return sorted([*spans, *added], key=lambda s: s.start) if added else spans


def _sentence_index(doc: Any) -> tuple[list[int], bool]:
    """Start offsets of the doc's sentences, read from token arrays (no Span objects made)."""
    if not doc.has_annotation("SENT_START"):
        return [], False
    from spacy.attrs import IDX, SENT_START

    arr = doc.to_array([SENT_START, IDX])
    starts = [int(idx) for flag, idx in arr.tolist() if flag == 1]
    if not starts or (len(doc) and starts[0] != doc[0].idx):
        starts.insert(0, doc[0].idx if len(doc) else 0)
    return starts, True


# "ofNew Labour": a typo that glued a function word to a name is never a name (one such span in
# a BBC article became, through a surname redirect, the owner of every "Labour" mention).
_GLUED = re.compile(r"(?:of|the|and|in|to|for|on|at|by|with|from|a|an)[A-Z]")


def mentions_from_doc(
    article_id: str,
    doc: Any,
    text: str | None = None,
    aliases: Mapping[str, tuple[str, str]] | None = None,
    labels: frozenset[str] = ENTITY_LABELS,
    cased: str | None = None,
    label_map: Mapping[str, str] | None = None,
    leading_article: re.Pattern[str] = LEADING_THE,
) -> list[Mention]:
    """One Mention per named entity in ``doc``, repaired, merged and resolved through ``aliases``.

    ``text`` is the article text when ``doc`` was made from a recased copy of it (see
    transforms.truecase); surface texts come from ``text`` and offsets are the same in both.
    ``aliases`` maps a normalised name to the (name, label) it stands for (see
    transforms.aliases). ``cased`` is the text the model read, when the caller has it:
    ``doc.text`` rebuilds it token by token (a third of a millisecond per article).
    ``label_map`` renames another model's labels first (French WikiNER's PER is PERSON), and
    ``leading_article`` is the article a name drops in that language. A span with no capital
    letter is no name in any language these models read ("puisqu", "l").
    """
    if cased is None:
        cased = doc.text  # the text the model read: rules and names use it, surface texts do not
    text = cased if text is None else text
    aliases = aliases or {}
    label_map = label_map or {}
    spans = [
        _Span(e.start_char, e.end_char, label_map.get(e.label_, e.label_))
        for e in doc.ents
        if label_map.get(e.label_, e.label_) in labels
        and not _GLUED.match(cased[e.start_char : e.end_char])
        and (not label_map or _has_name(cased[e.start_char : e.end_char]))
    ]
    spans = propagate(cased, link_acronyms(cased, repair_spans(cased, spans)))
    for span in spans:
        if not span.name:
            span.name = normalise_name(cased[span.start : span.end], span.label, leading_article)
    vote_labels(spans)
    for span in spans:
        if span.name in aliases:
            span.name, span.label = aliases[span.name]
    persons = [s.name for s in spans if s.label == "PERSON"]
    singles = [s.name for s in spans if " " not in s.name]
    person_map = merge_person_names([*persons, *singles], full_names=persons)
    starts, has_sents = _sentence_index(doc)
    mentions = []
    for span in spans:
        name, label = span.name, span.label
        if span.acronym_of is None and name in person_map and (label == "PERSON" or " " not in name):
            # The small model often labels a bare surname ORG or GPE; the full name decides.
            name, label = person_map[name], "PERSON"
        mentions.append(
            Mention(
                article_id=article_id,
                entity_id=entity_id(label, name),
                text=text[span.start : span.end],
                name=name,
                label=label,
                start_char=span.start,
                end_char=span.end,
                sentence_index=max(0, bisect.bisect_right(starts, span.start) - 1) if has_sents else 0,
            )
        )
    return mentions
