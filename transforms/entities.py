"""Entity mentions from a spaCy Doc, with names normalised and merged within the article.

The Doc comes in as an argument (the flow owns the model), so this stays pure and testable.
Numeric labels (DATE, MONEY, CARDINAL ...) are not entities here: they belong to the dates and
quantities extractors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from transforms.ids import stable_id
from transforms.records import Mention

ENTITY_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^the\s+", re.I)
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SPACE = re.compile(r"\s+")
_INITIALISM = re.compile(r"(?:\b\w\.){2,}$")
_PERSON_TITLES = re.compile(
    r"^(?:(?:president|president-elect|vice\s+president|prime\s+minister|chancellor|minister|"
    r"secretary|senator|sen\.|rep\.|gov\.|governor|mayor|general|gen\.|mr\.?|mrs\.?|ms\.?|dr\.?|"
    r"sir|dame|lord|lady|king|queen|prince|princess|pope|judge|justice)\s+)+",
    re.I,
)


def normalise_name(text: str, label: str) -> str:
    """The entity's name as a headword: no leading 'the', possessive, title or edge punctuation."""
    name = _SPACE.sub(" ", text).strip()
    name = _POSSESSIVE.sub("", name)
    name = _LEADING_THE.sub("", name)
    if label == "PERSON":
        name = _PERSON_TITLES.sub("", name)
    stripped = _EDGE_PUNCT.sub("", name)
    if _INITIALISM.search(name):
        stripped += "."  # "U.S." keeps its final dot
    return stripped or text.strip()


def entity_id(label: str, name: str) -> str:
    """Corpus-wide stable id: the same label and name (case-folded) always give the same id."""
    return stable_id(label, name.casefold())


def merge_person_names(names: Iterable[str], full_names: Iterable[str] | None = None) -> dict[str, str]:
    """Map short person names to the one full name in the article that ends (or starts) with them.

    "Biden" joins "Joe Biden" when the article has exactly one full name ending in "Biden"; with
    two candidates (two Bidens) the short form stays on its own rather than guess.
    """
    unique = set(names)
    full = [n for n in set(unique if full_names is None else full_names) if " " in n]
    mapping: dict[str, str] = {}
    for name in unique:
        candidates = {f for f in full if f != name and (f.endswith(" " + name) or f.startswith(name + " "))}
        if len(candidates) == 1:
            mapping[name] = candidates.pop()
    return mapping


def mentions_from_doc(article_id: str, doc: Any, labels: frozenset[str] = ENTITY_LABELS) -> list[Mention]:
    """One Mention per named entity span in ``doc`` whose label is kept."""
    sentence_of: dict[int, int] = {}
    if doc.has_annotation("SENT_START"):
        sentence_of = {sent.start: i for i, sent in enumerate(doc.sents)}
    spans = [ent for ent in doc.ents if ent.label_ in labels]
    names = [normalise_name(ent.text, ent.label_) for ent in spans]
    persons = [n for n, e in zip(names, spans, strict=True) if e.label_ == "PERSON"]
    singles = [n for n in names if " " not in n]
    person_map = merge_person_names([*persons, *singles], full_names=persons)
    mentions = []
    for ent, name in zip(spans, names, strict=True):
        label = ent.label_
        if name in person_map and (label == "PERSON" or " " not in name):
            # The small model often labels a bare surname ORG or GPE; the full name decides.
            name, label = person_map[name], "PERSON"
        sentence_index = sentence_of.get(ent.sent.start, 0) if sentence_of else 0
        mentions.append(
            Mention(
                article_id=article_id,
                entity_id=entity_id(label, name),
                text=ent.text,
                name=name,
                label=label,
                start_char=ent.start_char,
                end_char=ent.end_char,
                sentence_index=sentence_index,
            )
        )
    return mentions
