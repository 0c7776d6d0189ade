"""Direct quotations and who said them, with offsets into the article text.

A quotation is text between opening and closing quote marks (straight or curly, mixed as real
copy mixes them) of at least ``min_words`` words, so scare quotes ("significant") are left out.
Fragments split by an attribution ("A," he said. "B.") are one quotation. The speaker is read
from the attribution after the quote (", Zelenskyy said" / ", said Zelenskyy") or before it
("He emphasized, "), and resolved through the article's person mentions: a name to the entity
it is part of, a pronoun to the nearest person mentioned before the quote. GDELT gives quotes
without offsets or speakers; these rows have both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from transforms.entities import normalise_name
from transforms.records import Mention

VERBS = (
    r"said|says|say|told|tells|added|adds|noted|notes|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|"
    r"warned|warns|insisted|insists|explained|explains|wrote|writes|declared|declares|argued|argues|"
    r"claimed|claims|asked|asks|replied|replies|continued|continues|stated|states|announced|"
    r"announces|admitted|admits|acknowledged|acknowledges|recalled|recalls|concluded|concludes"
)
_PRONOUNS = {"he", "she", "they", "we", "i"}
_NAME = r"(?:(?:Mr|Mrs|Ms|Dr|Sen|Gov|Rep|Gen)\.?\s+)?[A-Z][\w'’-]*(?:\s+(?:[A-Z]\.\s+)?[A-Z][\w'’-]*){0,3}"
_WHO = rf"(?P<who>he|she|they|He|She|They|{_NAME}|the\s+\w+(?:\s+\w+)?)"
_AFTER = re.compile(
    rf"[\s,]*(?:{_WHO}\s+(?:(?:also|then|later)\s+)?(?P<verb>{VERBS})\b|(?P<verb2>{VERBS})\s+(?P<who2>{_NAME}))"
)
_BEFORE = re.compile(rf"{_WHO}\s+(?:(?:also|then|later)\s+)?(?P<verb>{VERBS})(?:\s+\w+){{0,4}}\s*[,:]\s*$")
_QUOTE = re.compile(r"[\"“]([^\"“”\n]{2,2000}?)[\"”]")
_ATTRIBUTION_GAP = re.compile(rf"^[\s,]*{_WHO}\s+(?:{VERBS})\b[^\"“”\n.!?]{{0,60}}[.,:]?\s*$")


@dataclass(frozen=True)
class Quote:
    text: str
    start_char: int
    end_char: int
    speaker: str | None
    speaker_entity_id: str | None
    attribution: str | None  # after | before | None


def _person_at(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    for m in mentions:
        if m.label == "PERSON" and m.start_char < end and start < m.end_char:
            return m
    return None


def _person_before(mentions: Sequence[Mention], pos: int) -> Mention | None:
    best = None
    for m in mentions:
        if m.label == "PERSON" and m.end_char <= pos and (best is None or m.start_char > best.start_char):
            best = m
    return best


def _speaker(
    who: str, who_start: int, quote_start: int, mentions: Sequence[Mention]
) -> tuple[str | None, str | None]:
    if who.lower() in _PRONOUNS:
        person = _person_before(mentions, quote_start)
        return (person.name, person.entity_id) if person else (None, None)
    person = _person_at(mentions, who_start, who_start + len(who))
    if person:
        return person.name, person.entity_id
    if who.lower().startswith("the "):
        return who, None  # "the spokesman said": a role, not a person we can name
    return normalise_name(who, "PERSON"), None


def find_quotes(text: str, mentions: Sequence[Mention], min_words: int = 4) -> list[Quote]:
    """Quotations in ``text`` with speakers resolved through ``mentions`` (see module docstring)."""
    fragments = list(_QUOTE.finditer(text))
    quotes: list[Quote] = []
    i = 0
    while i < len(fragments):
        group = [fragments[i]]
        while i + 1 < len(fragments) and _ATTRIBUTION_GAP.match(
            text[group[-1].end() : fragments[i + 1].start()]
        ):
            group.append(fragments[i + 1])
            i += 1
        i += 1
        start, end = group[0].start(), group[-1].end()
        speaker = entity = attribution = None
        for k, frag in enumerate(group):
            after = _AFTER.match(text, frag.end())
            if after and (k < len(group) - 1 or after.end() - frag.end() < 120):
                who = after.group("who") or after.group("who2")
                who_start = after.start("who") if after.group("who") else after.start("who2")
                speaker, entity = _speaker(who, who_start, start, mentions)
                attribution = "after"
                break
        if attribution is None:
            line_start = text.rfind("\n", 0, start) + 1
            before = _BEFORE.search(text, max(line_start, start - 200), start)
            if before:
                speaker, entity = _speaker(before.group("who"), before.start("who"), start, mentions)
                attribution = "before"
        body = " ".join(f.group(1).strip() for f in group).rstrip(",")
        if len(body.split()) < min_words:
            continue
        quotes.append(Quote(body, start, end, speaker, entity, attribution))
    return quotes
