"""Direct quotations in French copy and who said them, with offsets into the article text.

French news writes a quotation in guillemets (« … », often with no-break spaces inside; also
“ … ” or straight quotes) and attributes it with a speech verb in the passé composé or the
present, usually inverted after the quote ("…, a déclaré Emmanuel Macron", "…, explique-t-elle",
"…, selon le ministre") or before it ("Le ministre a déclaré : « … »", "Selon X, « … »",
"Pour X, « … »"). The pairing of marks is transforms.quotes' (guillemets open and close
unambiguously); this module brings the French attribution grammar. Speakers resolve through the
article's PERSON mentions as in English: a name to its mention, "il"/"elle" to the nearest
person before the quote, a lower-case description ("le ministre") kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from transforms.entities import normalise_name
from transforms.quotes import Quote, _person_before, _sentence_start, quote_spans
from transforms.records import Mention

# Participles of the passé composé ("a déclaré") and present forms ("déclare", "explique").
_PARTICIPLES = (
    "déclaré|affirmé|dit|ajouté|indiqué|souligné|expliqué|estimé|assuré|précisé|lancé|martelé|"
    "répondu|confié|prévenu|averti|rappelé|insisté|commenté|reconnu|annoncé|écrit|noté|jugé|"
    "dénoncé|regretté|poursuivi|conclu|tranché|résumé|fait savoir|raconté|témoigné|confirmé|"
    "admis|déploré|observé|relevé|plaidé|promis|prévu|répété|réagi|glissé|soutenu|objecté"
)
_PRESENT = (
    "déclare|affirme|dit|ajoute|indique|souligne|explique|estime|assure|précise|lance|martèle|"
    "répond|confie|prévient|avertit|rappelle|insiste|commente|reconnaît|annonce|écrit|note|juge|"
    "dénonce|regrette|poursuit|conclut|tranche|résume|raconte|témoigne|confirme|admet|déplore|"
    "observe|relève|plaide|promet|répète|réagit|glisse|soutient|s'exclame|s’exclame|s'insurge|"
    "s’insurge|s'inquiète|s’inquiète|s'agace|s’agace"
)
_AUX = r"(?:a|avait|aurait|ont|avaient|auraient)"
_INVERTED_PRONOUN = r"(?:-t-(?:il|elle|ils|elles|on)|-(?:il|elle|ils|elles))"
_VERB = rf"(?:{_AUX}{_INVERTED_PRONOUN}?\s+(?:{_PARTICIPLES})|(?:{_PRESENT}){_INVERTED_PRONOUN}?)"
_CAP = r"[A-ZÀ-ÖØ-Ý][\w'’-]*"
_NAME = rf"{_CAP}(?:\s+(?:de\s+|du\s+|d['’]\s*|le\s+|la\s+)?{_CAP}){{0,3}}"
_DETERMINER = r"(?:[Ll]e|[Ll]a|[Ll]es|[Ll]['’]|[Uu]ne?|[Ss]on|[Ss]a|[Ss]es|[Ll]eur)"
_DESCRIPTION = rf"{_DETERMINER}\s*[a-zà-ÿ][\w'’-]*(?:\s+[a-zà-ÿ][\w'’-]*){{0,3}}"
_WHO = rf"(?P<who>{_NAME}|{_DESCRIPTION}|il|elle|ils|elles|Il|Elle|Ils|Elles)"
_PRONOUN_SUFFIX = re.compile(r"-t-(il|elle|ils|elles|on)$|-(il|elle|ils|elles)$")

# right after the closing mark: ", a déclaré Emmanuel Macron", ", explique-t-elle", ", selon X"
_AFTER = re.compile(
    rf"[\s\u00a0\u202f,]*(?:(?P<verb>{_VERB})(?:\s+(?:{_WHO.replace('who', 'who1')}))?"
    rf"|(?i:selon|d['’]après)\s+(?P<who2>{_NAME}|{_DESCRIPTION}))"
)
# before the opening mark, in its sentence: "X a déclaré : «", "Selon X, «", "Pour X, «"
_BEFORE_VERB = re.compile(rf"(?:^|[\s(])(?:{_WHO})(?:,[^«»\"“”]{{1,140}}?,)?\s+(?P<verb>{_VERB})\b")
_BEFORE_PREP = re.compile(rf"(?P<prep>(?i:selon|d['’]après|pour))\s+(?P<who>{_NAME}|{_DESCRIPTION})\s*,")
_SENTENCE_END = re.compile(r"[.!?][»\"”'’)\u00a0\u202f]*\s+(?=[A-ZÀ-Ý«\"“(])")
_PRONOUNS = {"il", "elle", "ils", "elles", "on"}


def _speaker(who: str, start: int, quote_start: int, mentions: Sequence[Mention]):
    who = who.strip()
    if who.lower() in _PRONOUNS:
        person = _person_before(mentions, min(quote_start, start))
        return (person.name, person.entity_id, "pronoun") if person else (None, None, "pronoun")
    for m in mentions:
        if m.label == "PERSON" and m.start_char < start + len(who) and start < m.end_char:
            return m.name, m.entity_id, "name"
    if who[:1].islower() or re.fullmatch(_DESCRIPTION, who):
        return who, None, "description"
    for m in mentions:
        if m.label in ("ORG", "GPE", "LOC") and m.start_char < start + len(who) and start < m.end_char:
            return m.name, m.entity_id, "organisation"
    return normalise_name(who, "PERSON"), None, "name"


def _after(text: str, end: int, quote_start: int, mentions: Sequence[Mention]):
    closing = end
    while closing < len(text) and text[closing] in '»"”\u00a0\u202f ':
        closing += 1
        if text[closing - 1] in '»"”':
            break
    m = _AFTER.match(text, closing)
    if not m or not (m.group("verb") or m.group("who2")):
        return None
    if m.group("who2"):
        prep = m.group(0)[: m.start("who2") - m.start()].strip(" \u00a0\u202f,")
        return (*_speaker(m.group("who2"), m.start("who2"), quote_start, mentions), _cue(prep))
    cue = _cue(_PRONOUN_SUFFIX.sub("", m.group("verb")))
    if m.group("who1"):
        return (*_speaker(m.group("who1"), m.start("who1"), quote_start, mentions), cue)
    pronoun = _PRONOUN_SUFFIX.search(m.group("verb"))
    if pronoun:  # "explique-t-elle": the pronoun is the subject
        found = _speaker(pronoun.group(1) or pronoun.group(2), m.start("verb"), quote_start, mentions)
        return (*found, cue)
    return None


def _cue(words: str) -> str:
    """The speech verb (or "selon") as written, lower-case, one space between words."""
    return " ".join(words.lower().split())


def _before(text: str, start: int, mentions: Sequence[Mention]):
    sentence = _sentence_start(text, start, _SENTENCE_END)
    window = text[sentence:start]
    found = None
    for m in _BEFORE_PREP.finditer(window):
        found = (m.group("who"), sentence + m.start("who"), _cue(m.group("prep")))
    if found is None:
        for m in _BEFORE_VERB.finditer(window):
            found = (
                m.group("who"),
                sentence + m.start("who"),
                _cue(_PRONOUN_SUFFIX.sub("", m.group("verb"))),
            )
    if found is None:
        return None
    return (*_speaker(found[0], found[1], start, mentions), found[2])


def find_quotes_fr(text: str, mentions: Sequence[Mention], min_words: int = 3) -> list[Quote]:
    """Quotations in French ``text`` with speakers resolved through ``mentions``."""
    quotes: list[Quote] = []
    previous: Quote | None = None
    for start, end, _ in quote_spans(text):
        body = text[start:end].strip(" \u00a0\u202f")
        if len(body.split()) < min_words:
            continue
        lead = len(text[start:end]) - len(text[start:end].lstrip(" \u00a0\u202f"))
        found, attribution = _after(text, end, start, mentions), "after"
        if not found or not found[0]:
            found, attribution = _before(text, start - 1, mentions), "before"
        if not found and previous is not None and not re.search(r"\w{2}", text[previous.end_char : start]):
            found = (previous.speaker, previous.speaker_entity_id, previous.speaker_kind, previous.cue)
            attribution = "continued"
        speaker, entity, kind, cue = found if found else (None, None, None, None)
        quote = Quote(
            body,
            start + lead,
            start + lead + len(body),
            speaker,
            entity,
            attribution if found else None,
            kind,
            cue,
        )
        quotes.append(quote)
        previous = quote
    return quotes
