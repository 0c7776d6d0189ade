"""Dates in text: the publication date a text states, and every date it mentions, resolved.

Written rather than delegated to dateparser: dateparser resolves "Monday" to the coming Monday
(news means the last one), reads "May" in "May said" as a month, and takes ~1 ms a call. These
rules cover what news writes: full dates in either order, ISO dates, "Feb 26" in datelines,
months with or without a year, bare years, weekdays, and yesterday/today/tomorrow, each with the
precision it really has (day, month, year). A relative date with nothing to resolve it against
is kept with a reason instead of a guess.

Relative dates are resolved by what the sentence says about time, because "on Thursday" is the
last Thursday in "talks ended on Thursday" and the next one in "ministers will meet on
Thursday". Each resolved date carries the ``rule`` that resolved it: ``absolute`` (the text
names the year), ``relative_day`` (yesterday, today, tomorrow), ``explicit_last`` /
``explicit_next`` / ``explicit_this`` ("last April", "next Thursday"), ``future_tense`` (will,
is due to, is set to, plans to ...), ``past_tense`` (said, was, ended, ago ...),
``present_scheduled`` ("the vote is on Thursday", "talks begin on Monday": news writes
schedules in the present), or ``nearest`` (a day and month with no tense in the clause: the
nearest such date on or before a week after publication). A weekday whose clause says nothing
about time is left unresolved with ``ambiguous_tense``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_MONTH = r"(?P<month>" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"\b{_YEAR}-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")),
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b")),
    ("md", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*(?:1[89]|20)\d\d)(?![\d:])")),
    ("dm", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?!\s*,?\s*(?:1[89]|20)\d\d)")),
    ("my", re.compile(rf"\b(?:(?:early|mid|late)-?\s*)?{_MONTH},?\s+{_YEAR}\b")),
    (
        "m",
        re.compile(
            rf"\b(?:(?:next|last|early|mid|late)-?\s*)?{_MONTH}\b(?!\s+[0-3]?\d\b)(?![\s-]+(?:1[89]|20)\d\d)"
        ),
    ),
    ("y", re.compile(rf"(?<![\d$£€.,-])\b(?:in|since|by|of|from|until|during|before|after)\s+{_YEAR}\b")),
    ("rel", re.compile(r"\b(?P<rel>yesterday|today|tomorrow|tonight|last night)\b", re.I)),
    (
        "wd",
        re.compile(
            r"\b(?:(?P<which>(?i:last|next|this|on|on last))\s+)?"
            r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
    ),
    (
        "vague",
        re.compile(
            r"\b(?:in\s+)?the\s+(?:coming|next|past|last|previous|recent)\s+(?:few\s+)?(?:days|weeks|months|years)\b",
            re.I,
        ),
    ),
]
_AMBIGUOUS_MONTHS = {
    "may",
    "march",
    "mar",
    "jan",
    "jun",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "feb",
    "apr",
    "jul",
    "sept",
}


@dataclass(frozen=True)
class MentionedDate:
    text: str
    start_char: int
    end_char: int
    resolved_date: date | None
    precision: str | None  # day | month | year
    relative: bool
    unresolved_reason: str | None
    rule: str | None = None


_FUTURE = re.compile(
    r"\b(?:(?:will|won't|wo n't|shall|would|could|'ll)(?:\s+not)?(?:\s+be)?(?:\s+[a-z]+)?|"
    r"(?:is|are|was|were)\s+to(?:\s+[a-z]+)?|"
    r"(?:due|set|expected|going|plans?|planned|intends?|hopes?|aims?)\s+to(?:\s+[a-z]+)?|"
    r"(?:is|are)\s+(?:widely\s+)?expected|scheduled|to be held|to take place|next|coming|upcoming|"
    r"later this|from now|due)\b",
    re.I,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|ago|earlier|previously|last|since|said|told|[a-z]{3,}ed|spoke|wrote|took|"
    r"gave|met|made|won|lost|saw|came|went|got|left|held|began|became|fell|rose|ran|sold|bought|paid|"
    r"thought|brought|kept|led|sent|struck|stood|found|flew|grew|knew|threw|drove|chose|broke|sought|"
    r"taught|caught|fought|fled|heard|meant|spent|slept|forgot|shook|sank|wore|swore|rode|beat|hit)\b",
    re.I,
)
_PRESENT = re.compile(
    r"\b(?:is|are|starts?|begins?|opens?|closes?|runs?|meets?|takes? place|goes|comes|kicks? off|"
    r"resumes?|ends?|expires?|arrives?)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(
    r"[.!?;:]\s|\n|,\s(?:but|and|while|although|as)\s|\b(?:but|while|although|after|before|when|that)\b"
)


def tense_of(text: str, start: int, end: int) -> str | None:
    """'future', 'past', 'present' or None: what the clause around a date mention says about time.

    The clause runs from the last clause break before the mention to the next one after it; of
    the cues found, the one nearest the mention wins ("said on Monday that talks will resume on
    Thursday": Monday is past, Thursday future).
    """
    sentence_left = text[max(0, start - 200) : start]
    ends = list(re.finditer(r"[.!?]\s|\n", sentence_left))
    sentence_left = sentence_left[ends[-1].end() :] if ends else sentence_left
    sentence_right = text[end : end + 160]
    stop = re.search(r"[.!?](?:\s|$)|\n", sentence_right)
    sentence_right = sentence_right[: stop.start()] if stop else sentence_right
    breaks = list(_CLAUSE_BREAK.finditer(sentence_left))
    left = sentence_left[breaks[-1].end() :] if breaks else sentence_left
    stop = _CLAUSE_BREAK.search(sentence_right)
    right = sentence_right[: stop.start()] if stop else sentence_right
    # the clause first; a clause with no cue at all takes the nearest cue of its sentence
    for lhs, rhs in ((left, right), (sentence_left, sentence_right)):
        cues = []
        for kind, pattern in (("future", _FUTURE), ("past", _PAST), ("present", _PRESENT)):
            cues += [(len(lhs) - m.end(), kind) for m in pattern.finditer(lhs)]
            cues += [(m.start() + 1, kind) for m in pattern.finditer(rhs)]
        if cues:
            return min(cues)[1]  # ties: "future" sorts first ("will meet", "is expected")
    return None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month(m: re.Match[str]) -> int:
    return MONTHS[m.group("month").lower().rstrip(".")]


def _nearest_year(month: int, day: int, ref: date) -> date | None:
    """The (month, day) on or before ``ref`` + 7 days: news reports the recent past."""
    for year in (ref.year, ref.year - 1):
        d = _safe_date(year, month, day)
        if d and d <= ref + timedelta(days=7):
            return d
    return None


def _resolve(
    kind: str, m: re.Match[str], ref: date | None, tense: str | None
) -> tuple[date | None, str | None, bool, str | None, str | None]:
    """(resolved date, precision, relative?, reason when unresolved, rule that resolved it)."""
    if kind == "iso":
        d = _safe_date(int(m.group("year")), int(m.group("m")), int(m.group("day")))
        return d, "day", False, None, "absolute"
    if kind in ("mdy", "dmy"):
        return (
            _safe_date(int(m.group("year")), _month(m), int(m.group("day"))),
            "day",
            False,
            None,
            "absolute",
        )
    if kind == "my":
        return date(int(m.group("year")), _month(m), 1), "month", False, None, "absolute"
    if kind == "y":
        return date(int(m.group("year")), 1, 1), "year", False, None, "absolute"
    if kind == "vague":
        return None, None, True, "vague_period", None
    if ref is None:
        return None, None, True, "no_publication_date", None
    forward = tense in ("future", "present")
    rule = {"future": "future_tense", "present": "present_scheduled", "past": "past_tense"}.get(tense or "")
    if kind in ("md", "dm"):
        month, day = _month(m), int(m.group("day"))
        if _safe_date(2000, month, day) is None:
            return None, None, True, None, None
        if forward:
            d = _safe_date(ref.year, month, day)
            if d is None or d < ref - timedelta(days=1):
                d = _safe_date(ref.year + 1, month, day)
            return d, "day", True, None, rule
        if tense == "past":
            d = _safe_date(ref.year, month, day)
            if d is None or d > ref:
                d = _safe_date(ref.year - 1, month, day)
            return d, "day", True, None, rule
        return _nearest_year(month, day, ref), "day", True, None, "nearest"
    if kind == "m":
        month = _month(m)
        lead = (m.group(0).split()[0] if m.group(0).split() else "").lower()
        if lead == "next":
            return date(ref.year + (month <= ref.month), month, 1), "month", True, None, "explicit_next"
        if lead == "last":
            return date(ref.year - (month >= ref.month), month, 1), "month", True, None, "explicit_last"
        if forward:
            return date(ref.year + (month < ref.month), month, 1), "month", True, None, rule
        if tense == "past":
            return date(ref.year - (month > ref.month), month, 1), "month", True, None, rule
        year = ref.year if month <= ref.month + 1 else ref.year - 1
        return date(year, month, 1), "month", True, None, "nearest"
    if kind == "rel":
        offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1}
        return ref + timedelta(days=offset[m.group("rel").lower()]), "day", True, None, "relative_day"
    if kind == "wd":
        which = (m.group("which") or "").lower()
        target = WEEKDAYS[m.group("wd").lower()]
        if which == "next":
            return ref + timedelta(days=(target - ref.weekday()) % 7 or 7), "day", True, None, "explicit_next"
        if which == "this":
            return ref + timedelta(days=target - ref.weekday()), "day", True, None, "explicit_this"
        if which in ("last", "on last"):
            return ref - timedelta(days=(ref.weekday() - target) % 7 or 7), "day", True, None, "explicit_last"
        if forward:
            return ref + timedelta(days=(target - ref.weekday()) % 7), "day", True, None, rule
        if tense == "past":
            return ref - timedelta(days=(ref.weekday() - target) % 7), "day", True, None, rule
        return None, None, True, "ambiguous_tense", None
    return None, None, False, "unknown", None


def find_dates(text: str, published: date | datetime | None) -> list[MentionedDate]:
    """Every date mention in ``text``, resolved against the publication date when relative."""
    ref = published.date() if isinstance(published, datetime) else published
    taken: list[tuple[int, int]] = []
    found = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if kind == "m":
                word = m.group("month").lower().rstrip(".")
                if word in _AMBIGUOUS_MONTHS and (
                    m.group("month") != m.group("month").capitalize() or word == "may"
                ):
                    continue  # "May said", "march on": only full unambiguous month names alone
                if len(word) <= 3:
                    continue
            if kind == "y":
                start = m.start("year")
            tense = tense_of(text, start, end) if kind in ("md", "dm", "m", "wd") else None
            resolved, precision, relative, reason, rule = _resolve(kind, m, ref, tense)
            if resolved is None and reason is None:
                continue  # "February 30": not a date
            taken.append((start, end))
            found.append(
                MentionedDate(text[start:end], start, end, resolved, precision, relative, reason, rule)
            )
    return sorted(found, key=lambda d: d.start_char)


# "SALVADOR, Feb 26 -", "RICHMOND, Va. Feb 26 -", "FARMINGTON, Conn., FEb 26 -": wire datelines,
# typos and all ("Marc 3"): the month is any word whose first three letters name one.
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z .'&-]{1,40},\s*(?:[A-Z][A-Za-z. ]{1,25}?[,.]?\s+)?)?"
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>[0-3]?\d)(?:,?\s+(?P<year>1[89]\d\d|20\d\d))?\s*[-–—]"
)


_DATE_LINE_LABEL = re.compile(
    r"^(?:(?:first\s+)?published|updated|last\s+updated|posted|date|dated)\s*:?\s*(?:on\s+)?", re.I
)
_WEEKDAY_PREFIX = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_TIME_SUFFIX = re.compile(
    r"(?:\s*[,|-–—]?\s*(?:at\s+)?\d{1,2}[:.]\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)?\s*$", re.I
)


def publication_confidence(source: str | None, text: str) -> str | None:
    """high: the input, the page's metadata, a date line, or a dateline with its year; medium: a
    dateline whose year was inferred, or a date in the file name; None when undated."""
    if source in (None, "none"):
        return None
    if source == "dateline":
        m = _DATELINE.match(text)
        return "high" if m and m.group("year") else "medium"
    return "medium" if source == "file_name" else "high"


def stated_publication_date(text: str, reference: date | None) -> tuple[datetime | None, str | None]:
    """The publication date a text states at its very start, and how: 'dateline' or 'date_line'.

    Only evidence that means publication counts: a wire dateline ("SALVADOR, Feb 26 -"), whose
    year, when missing, is the one that puts it on or just before ``reference`` (the file's
    modification time or the run's reference date); or a first line that is a date and nothing
    else ("Published: 17 November 2024 09:30 GMT"). A date in the opening sentences is what the
    story is about, not when it was written: on BBC that rule dated articles from 1870 to 2006.
    A stated date after ``reference`` (plus a day) is not plausible and is dropped.
    """
    found: tuple[datetime, str] | None = None
    m = _DATELINE.match(text)
    month = MONTHS.get(m.group("mon")[:3].lower()) if m else None
    if m and month:
        day = int(m.group("day"))
        if m.group("year"):
            d = _safe_date(int(m.group("year")), month, day)
        else:
            d = _nearest_year(month, day, reference) if reference else None
        if d:
            found = datetime(d.year, d.month, d.day), "dateline"
    if found is None:
        line = text.split("\n", 1)[0].strip()
        line = _WEEKDAY_PREFIX.sub("", _DATE_LINE_LABEL.sub("", line))
        line = _TIME_SUFFIX.sub("", line).strip(" ,.")
        for kind in ("iso", "mdy", "dmy"):
            full = dict(_PATTERNS)[kind].fullmatch(line)
            if full:
                d, *_ = _resolve(kind, full, None, None)
                if d:
                    found = datetime(d.year, d.month, d.day), "date_line"
                break
    if found and reference and found[0].date() > reference + timedelta(days=1):
        return None, None
    return found if found else (None, None)
