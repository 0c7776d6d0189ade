"""Direct quotations and who said them, with offsets into the article text.

Quotation marks are paired within a paragraph the way copy writes them: curly (“ ”, „ ‟),
guillemets (« », French copy; transforms.quotes_fr attributes those),
straight ("), and the doubled apostrophe ('') of New York Times style. A straight mark opens
after a space, bracket or dash and before a word, and closes in the mirror case; only the
outermost pair counts; a quote still open at the end of its paragraph runs to the end of it
(a quotation over several paragraphs opens each one and closes only the last). Marks inside
``<...>`` markup are ignored. A passage of fewer than ``min_words`` words is left out (scare
quotes, titles), and fragments split by an attribution ("A," he said. "B.") are one quotation.

The speaker, in order of evidence:
1. after the quote, in its sentence: ", Zelenskyy said", ", said Zelenskyy", ", Brian Fallon,
   a spokesman for the campaign, said", ", according to Fallon";
2. before it, in its sentence: "He emphasized: “…”", "Spokeswoman Haley Morris said the campaign
   would “always run a lean campaign”", "according to Fallon, “…”";
3. a quote with no attribution of its own that follows a quote (a new paragraph of one speech,
   or the next sentence of it) keeps the previous quote's speaker.
A name resolves to the person mention it is part of (so "Mr. Trump" becomes Donald Trump); a
pronoun to the nearest person mentioned before the quote; a description ("the campaign", "a
spokesman") is kept as written. ``speaker_kind`` says which: name (a person), organisation (a
company, party, ministry or place named as the speaker), pronoun, description.
GDELT gives quotes without offsets or speakers; these rows have both.
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
    r"announces|admitted|admits|acknowledged|acknowledges|recalled|recalls|concluded|concludes|"
    r"tweeted|tweets|posted|quipped|joked|jokes|shouted|yelled|responded|responds|countered|remarked|"
    r"suggested|suggests|predicted|boasted|complained|conceded|observed|vowed|promised|urged|urges|"
    r"cautioned|mused|testified|maintained|reiterated|repeated|charged|contended|contends|"
    r"pointed out|went on|called|calls|described|describes|predicted|predicts|thundered|"
    r"wrote in|said in|told reporters|told the|cried|exclaimed|answered|agreed|agrees|believes|"
    r"thinks|thought|added that|said that|says that|reported|reports|reporting|writing|saying|adding|"
    r"telling|explaining|noting|arguing|insisting|warning|shot back|fired back|chimed in|piped up|"
    r"demanded|interjected|retorted|snapped|scoffed|declaring|recalling|according"
)
_PRONOUNS = {"he", "she", "they", "we", "i", "who"}
_TITLE = (
    r"(?:Mr|Mrs|Ms|Dr|Sen|Sens|Gov|Rep|Reps|Del|Gen|Adm|Capt|Maj|Lt|Col|Sgt|Cmdr|Atty|Amb|Prof|Rev|Pres|"
    r"Secretary|Senator|President|Governor|Mayor|Judge|Justice)\.?"
)
_CAP = r"[A-Z][\w'’-]*"
_NAME = rf"(?:{_TITLE}\s+)?{_CAP}(?:\s+(?:[A-Z]\.\s*)?(?:de\s+|van\s+|von\s+)?{_CAP}){{0,3}}"
_DESCRIPTION = r"(?:the|a|an|one|his|her|their|its)\s+[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,3}"
_WHO = rf"(?P<who>he|she|they|we|I|He|She|They|We|{_NAME}|{_DESCRIPTION})"
_WHO_AFTER = (
    rf"(?P<who>he|she|they|we|I|He|She|They|We|{_NAME}|{_DESCRIPTION}|(?:[a-z][\w-]*\s+){{1,3}}{_NAME})"
)
# "said undecided Republican voter Stephanie Hooton", "state Sen. Jason Holsman (D) said"
_DESCRIBED_NAME = rf"(?:[a-z][\w-]*\s+){{1,3}}(?:{_CAP}\s+){{0,2}}{_NAME}"
_WHO2 = rf"(?P<who2>{_NAME}|{_DESCRIBED_NAME}|{_DESCRIPTION}|he|she|they)"  # after a verb
_WHO3 = _WHO2.replace("who2", "who3")  # the same, after "according to" (a group name is used once)
# ", X said" / ", X, a spokesman for Y, said" / ", said X" / ", according to X"
_APPOSITIVE = r"(?:\s*\([^)]{1,30}\))?(?:,[^\"“”]{1,140}?,)?,?"  # " (D-Ill.)", ", a spokesman for Y,"
_AFTER = re.compile(  # never across a paragraph: the next paragraph's "X said" is about its own quote
    rf"[ \t\u00a0,]*(?:{_WHO_AFTER}{_APPOSITIVE}\s+(?:(?:also|then|later|simply|once|recently|previously|"
    rf"again)\s+)?(?P<verb>{VERBS})\b|(?P<verb2>{VERBS})\s+{_WHO2}|(?i:according)\s+to\s+{_WHO3})"
)
_BEFORE_VERB = re.compile(
    rf"(?:^|[\s(\"“])(?:{_WHO})(?:\s*\([^)]{{1,30}}\))?(?:,[^\"“”]{{1,140}}?,)?,?\s+(?:(?:also|then|later|has|had|"
    rf"have|once|recently|previously|again|would|will|simply)\s+)*(?P<verb>{VERBS})\b"
)
_INVERTED = re.compile(rf"\b(?P<verb>{VERBS})\s+{_WHO2}")
_ACCORDING = re.compile(rf"(?i:according)\s+to\s+{_WHO2}")
_MARK = re.compile(r"''|[\"“”„‟«»]")
_MARKUP = re.compile(r"<[^>]{0,500}>")
_ATTRIBUTION_GAP = re.compile(rf"^[\s,]*{_WHO}\s+(?:{VERBS})\b[^\"“”\n.!?]{{0,60}}[.,:]?\s*$")
_SENTENCE_END = re.compile(r"[.!?][\"”'’)]*\s+(?=[A-Z\"“'‘(])")


@dataclass(frozen=True)
class Quote:
    text: str
    start_char: int
    end_char: int
    speaker: str | None
    speaker_entity_id: str | None
    attribution: str | None  # after | before | continued | None
    speaker_kind: str | None = None  # name | organisation | pronoun | description | None
    cue: str | None = None  # the speech verb as written ("said", "told", "according to")


def _cue(match: re.Match[str]) -> str:
    """The speech verb of an attribution match, lower-case; "according to" for that phrase."""
    for group in ("verb", "verb2"):
        if group in match.re.groupindex and match.group(group):
            return " ".join(match.group(group).lower().split())
    return "according to"


def quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each outermost quoted passage, offsets inside the marks."""
    spans: list[tuple[int, int, bool]] = []
    offset = 0
    for paragraph in text.split("\n"):
        hidden = [(m.start(), m.end()) for m in _MARKUP.finditer(paragraph)]
        opened: int | None = None
        for m in _MARK.finditer(paragraph):
            if any(s <= m.start() < e for s, e in hidden):
                continue
            mark = m.group(0)
            before = paragraph[m.start() - 1] if m.start() > 0 else " "
            after = paragraph[m.end()] if m.end() < len(paragraph) else " "
            if mark in "“„‟«":
                kind = "open"
            elif mark in "”»":
                kind = "close"
            else:
                opens = (before.isspace() or before in "([{—–-/") and not after.isspace()
                closes = not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-/")
                if opens == closes:
                    kind = "close" if opened is not None else "open"
                else:
                    kind = "open" if opens else "close"
            if opened is None and kind == "open":
                opened = m.end()
            elif opened is not None and kind == "close":
                spans.append((offset + opened, offset + m.start(), True))
                opened = None
        if opened is not None and paragraph[opened:].strip():
            spans.append((offset + opened, offset + len(paragraph.rstrip()), False))
        offset += len(paragraph) + 1
    return spans


def _person_at(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    for m in mentions:
        if m.label == "PERSON" and m.start_char < end and start < m.end_char:
            return m
    return None


def _named_at(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    """A person first, else an organisation or group named there ("the Clinton campaign")."""
    person = _person_at(mentions, start, end)
    if person:
        return person
    for m in mentions:
        if m.label in ("ORG", "NORP", "GPE") and m.start_char < end and start < m.end_char:
            return m
    return None


def _last_person_in(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    found = None
    for m in mentions:
        if m.label == "PERSON" and m.start_char < end and start < m.end_char:
            found = m
    return found


def _person_before(mentions: Sequence[Mention], pos: int) -> Mention | None:
    return _last_before(mentions, pos, ("PERSON",))


def _last_before(mentions: Sequence[Mention], pos: int, labels: tuple[str, ...]) -> Mention | None:
    best = None
    for m in mentions:
        if m.label in labels and m.end_char <= pos and (best is None or m.start_char > best.start_char):
            best = m
    return best


def _speaker(
    who: str, who_start: int, quote_start: int, mentions: Sequence[Mention], text: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """(speaker, entity id, kind) for the words that name who spoke."""
    who = who.strip()
    if text is not None and who.lower() in ("he", "she"):
        # "Mr Howard told the Today programme Mr Blair had ... He said: ...": a pronoun that opens
        # its sentence continues the previous sentence's subject, its first person, not its last
        sentence = _sentence_start(text, who_start)
        if who_start - sentence <= 2 and sentence > 0:
            previous = _sentence_start(text, sentence - 1)
            first = next(
                (m for m in mentions if m.label == "PERSON" and previous <= m.start_char < sentence - 1), None
            )
            if first:
                return first.name, first.entity_id, "pronoun"
    if who.lower() == "it":  # "It said" is a company, a party, a report: the organisation named last
        org = _last_before(mentions, min(quote_start, who_start), ("ORG",))
        return (org.name, org.entity_id, "pronoun") if org else (None, None, "pronoun")
    if who.lower() in _PRONOUNS:
        person = _person_before(mentions, min(quote_start, who_start))
        return (person.name, person.entity_id, "pronoun") if person else (None, None, "pronoun")
    person = _last_person_in(mentions, who_start, who_start + len(who))
    if person:  # "MSNBC host Chris Matthews", "his campaign manager Corey Lewandowski"
        return person.name, person.entity_id, "name"
    if who[:1].islower():
        return who, None, "description"
    named = _named_at(mentions, who_start, who_start + len(who))
    if named:  # a company, party, ministry or place that speaks is not forced onto a person
        return named.name, named.entity_id, "name" if named.label == "PERSON" else "organisation"
    return normalise_name(who, "PERSON"), None, "name"


def _sentence_start(text: str, pos: int, sentence_end: re.Pattern[str] = _SENTENCE_END) -> int:
    """Start of the sentence holding ``pos``, never before its line."""
    line = text.rfind("\n", 0, pos) + 1
    start = line
    for m in sentence_end.finditer(text, line, min(len(text), pos + 1)):
        if m.end() <= pos:
            start = m.end()
    return start


def _attribution_after(text: str, end: int, mentions: Sequence[Mention], quote_start: int):
    closing = end + 1 if end < len(text) and text[end] in "\"”'" else end
    if text[end : end + 2] == "''":
        closing = end + 2
    m = _AFTER.match(text, closing)
    if not m or m.start() > closing + 3:
        # the attribution later in the sentence: "…" that would respond, counsel X wrote.
        stop = _SENTENCE_END.search(text, closing, min(len(text), closing + 240))
        rest = text[closing : stop.start() + 1 if stop else min(len(text), closing + 240)]
        rest = rest.split("\n", 1)[0]
        if re.search(r"[\"“”]", rest):
            return None
        later = _BEFORE_VERB.search(rest) or _INVERTED.search(rest) or _ACCORDING.search(rest)
        if not later:
            return None
        group = next(g for g in ("who", "who2") if g in later.re.groupindex and later.group(g))
        found = _speaker(later.group(group), closing + later.start(group), quote_start, mentions, text)
        return (*found, _cue(later))
    group = next(g for g in ("who", "who2", "who3") if m.group(g))
    who, start = m.group(group), m.start(group)
    return (*_speaker(who, start, quote_start, mentions, text), _cue(m))


def _attribution_before(text: str, start: int, mentions: Sequence[Mention]):
    sentence = _sentence_start(text, start)
    window = text[sentence:start]
    if not window.strip(" \t\u00a0\"“'") and sentence > 0:
        # a quote that opens its paragraph after "Reporter Jomana Karadsheh says:" or "X said
        # that given the candidates:": the introduction is the end of the paragraph before
        before = text[:sentence].rstrip()
        if before.endswith(":"):
            sentence = _sentence_start(text, len(before) - 1)
            window = text[sentence : len(before)]
    found = None
    for m in _ACCORDING.finditer(window):
        found = (m.group("who2"), sentence + m.start("who2"), "according to")
    if found is None:
        # the last subject of a speech verb in the sentence; a description ("a spokesman said")
        # only right before the quote, since "a court document filed by ... said" is no speaker
        for m in _BEFORE_VERB.finditer(window):
            who = m.group("who")
            if not who[:1].islower() or len(window) - m.end() <= 30:
                found = (who, sentence + m.start("who"), _cue(m))
    if found is None:
        # "In a Fox interview, Trump went even further: “…”", "Cruz is praising Bush as “…”":
        # with no speech verb, the sentence's first person is who it is about
        person = next(
            (
                m
                for m in mentions
                if m.label == "PERSON" and sentence <= m.start_char < sentence + len(window)
            ),
            None,
        )
        if person:
            return person.name, person.entity_id, "name", None
    if found is None:
        return None
    return (*_speaker(found[0], found[1], start, mentions, text), found[2])


def find_quotes(text: str, mentions: Sequence[Mention], min_words: int = 3) -> list[Quote]:
    """Quotations in ``text`` with speakers resolved through ``mentions`` (see module docstring)."""
    spans = quote_spans(text)
    quotes: list[Quote] = []
    previous: Quote | None = None
    i = 0
    while i < len(spans):
        group = [spans[i]]
        # one utterance split by its attribution ("…,” he said, “…”), never across a paragraph:
        # a paragraph that opens a quote again is the next quote (its own cue, or a continuation)
        while (
            i + 1 < len(spans)
            and "\n" not in text[group[-1][1] : spans[i + 1][0]]
            and _ATTRIBUTION_GAP.match(text[group[-1][1] : spans[i + 1][0]].strip("\"“”„‟'"))
        ):
            group.append(spans[i + 1])
            i += 1
        i += 1
        start, end = group[0][0], group[-1][1]
        found = attribution = None
        for k, (_, frag_end, _) in enumerate(group):
            after = _attribution_after(text, frag_end, mentions, start)
            if after and (after[0] or k == len(group) - 1):
                found, attribution = after, "after"
                break
        if found is None:
            before = _attribution_before(text, start - 1, mentions)
            if before:
                found, attribution = before, "before"
        if found is None and previous is not None and _continues(text, previous, start):
            found = (previous.speaker, previous.speaker_entity_id, previous.speaker_kind, previous.cue)
            attribution = "continued"
        body = " ".join(text[s:e].strip() for s, e, _ in group).rstrip(",")
        if len(body.split()) < min_words:
            continue
        speaker, entity, kind, cue = found if found else (None, None, None, None)
        quote = Quote(body, start, end, speaker, entity, attribution, kind, cue)
        quotes.append(quote)
        previous = quote
    return quotes


def _continues(text: str, previous: Quote, start: int) -> bool:
    """A quote with no attribution of its own that follows the previous one: the next paragraph
    of one speech (nothing but marks and a line break between, or only the previous quote's
    attribution), or the next sentence after the previous quote's attribution in the same
    paragraph ('…,' said X, a spokesman. '…')."""
    gap = text[previous.end_char : start]
    if len(gap) <= 6 and not re.search(r"[A-Za-z]{2}", gap):
        return True
    if previous.attribution == "after" and _ATTRIBUTION_GAP.match(gap.strip("\"“”„‟'")):
        return True  # '“…,” he said.¶“…”': the next paragraph goes on after the attribution
    return previous.attribution == "after" and "\n" not in gap and len(gap) <= 250
