"""Dates in text: the publication date a text states, and every date it mentions, resolved.

Written rather than delegated to dateparser: dateparser resolves "Monday" to the coming Monday
(news means the last one), reads "May" in "May said" as a month, and takes ~1 ms a call. These
rules cover what news writes: full dates in either order, ISO dates, "Feb 26" in datelines,
months with or without a year, bare years, weekdays, and yesterday/today/tomorrow, each with the
precision it really has (day, month, year). A relative date with nothing to resolve it against
is kept with a reason instead of a guess.
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
        re.compile(rf"\b(?:(?:early|mid|late)-?\s*)?{_MONTH}\b(?!\s+[0-3]?\d\b)(?![\s-]+(?:1[89]|20)\d\d)"),
    ),
    ("y", re.compile(rf"(?<![\d$£€.,-])\b(?:in|since|by|of|from|until|during|before|after)\s+{_YEAR}\b")),
    ("rel", re.compile(r"\b(?P<rel>yesterday|today|tomorrow|tonight|last night)\b", re.I)),
    (
        "wd",
        re.compile(
            r"\b(?:(?P<which>last|next|this|on|on last)\s+)?"
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
    kind: str, m: re.Match[str], ref: date | None
) -> tuple[date | None, str | None, bool, str | None]:
    """(resolved date, precision, relative?, reason when unresolved)."""
    if kind == "iso":
        return _safe_date(int(m.group("year")), int(m.group("m")), int(m.group("day"))), "day", False, None
    if kind in ("mdy", "dmy"):
        return _safe_date(int(m.group("year")), _month(m), int(m.group("day"))), "day", False, None
    if kind == "my":
        return date(int(m.group("year")), _month(m), 1), "month", False, None
    if kind == "y":
        return date(int(m.group("year")), 1, 1), "year", False, None
    if kind == "vague":
        return None, None, True, "vague_period"
    if ref is None:
        return None, None, True, "no_publication_date"
    if kind in ("md", "dm"):
        return _nearest_year(_month(m), int(m.group("day")), ref), "day", True, None
    if kind == "m":
        month = _month(m)
        year = ref.year if month <= ref.month + 1 else ref.year - 1
        return date(year, month, 1), "month", True, None
    if kind == "rel":
        offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1}
        return ref + timedelta(days=offset[m.group("rel").lower()]), "day", True, None
    if kind == "wd":
        which = (m.group("which") or "").lower()
        target = WEEKDAYS[m.group("wd").lower()]
        if which == "next":
            delta = (target - ref.weekday()) % 7 or 7
        elif which == "this":
            delta = target - ref.weekday()
        else:  # "on Monday", "last Monday", "Monday": the most recent one, in news
            delta = -((ref.weekday() - target) % 7)
            if which in ("last", "on last") and delta == 0:
                delta = -7
        return ref + timedelta(days=delta), "day", True, None
    return None, None, False, "unknown"


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
            resolved, precision, relative, reason = _resolve(kind, m, ref)
            if resolved is None and reason is None:
                continue  # "February 30": not a date
            taken.append((start, end))
            found.append(MentionedDate(text[start:end], start, end, resolved, precision, relative, reason))
    return sorted(found, key=lambda d: d.start_char)


# "SALVADOR, Feb 26 -", "RICHMOND, Va. Feb 26 -", "FARMINGTON, Conn., FEb 26 -": wire datelines,
# typos and all ("Marc 3"): the month is any word whose first three letters name one.
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z .'&-]{1,40},\s*(?:[A-Z][A-Za-z. ]{1,25}?[,.]?\s+)?)?"
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>[0-3]?\d)(?:,?\s+(?P<year>1[89]\d\d|20\d\d))?\s*[-–—]"
)


def stated_publication_date(
    text: str, reference: date | None, lead_chars: int = 600
) -> tuple[datetime | None, str | None]:
    """The publication date a text states, and where: ('dateline', 'text') or (None, None).

    A dateline ("SALVADOR, Feb 26 -") is the strongest; its year, when missing, is the one that
    puts the date on or just before ``reference`` (the file's modification time in the flow).
    Otherwise the first full date (day, month, year) in the opening ``lead_chars`` characters
    ("revealed on November 17, 2024") is taken: news states the event date up front.
    """
    m = _DATELINE.match(text)
    month = MONTHS.get(m.group("mon")[:3].lower()) if m else None
    if m and month:
        day = int(m.group("day"))
        if m.group("year"):
            d = _safe_date(int(m.group("year")), month, day)
        else:
            d = _nearest_year(month, day, reference) if reference else None
        if d:
            return datetime(d.year, d.month, d.day), "dateline"
    for found in find_dates(text[:lead_chars], None):
        if found.precision == "day" and not found.relative and found.resolved_date:
            d = found.resolved_date
            return datetime(d.year, d.month, d.day), "text"
    return None, None
