"""Counts and amounts in text, normalised: "about 120 missiles" -> 120 missile (count, about).

A number (digits, or number words up to the hundreds), an optional scale (thousand, million,
bn ...), and then what it measures: a currency sign or word (money), a unit (distance, weight,
duration, percent) or the counted noun that follows, singularised. Qualifiers ("about", "at
least", "up to") are kept, since "at least eight people" and "eight people" are different
claims. Numbers that are parts of dates, times, ordinals or years are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUALIFIERS = (
    "approximately|about|around|roughly|nearly|almost|some|at least|at most|up to|more than|over|"
    "less than|fewer than|under|as many as|as much as|an estimated|close to|just over|just under"
)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    "hundreds": 100, "thousands": 1000, "dozens": 12, "millions": 1_000_000,
}  # fmt: skip
SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
    "bln": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
CURRENCY_WORDS = {
    "dollars": "USD", "dollar": "USD", "dlrs": "USD", "pounds": "GBP", "euros": "EUR", "euro": "EUR",
    "yen": "JPY", "rupees": "INR", "yuan": "CNY", "roubles": "RUB", "rubles": "RUB",
}  # fmt: skip
UNITS = {
    "mile": ("mile", "distance"), "miles": ("mile", "distance"), "km": ("km", "distance"),
    "kilometres": ("km", "distance"), "kilometers": ("km", "distance"), "kilometre": ("km", "distance"),
    "kilometer": ("km", "distance"), "metres": ("m", "distance"), "meters": ("m", "distance"),
    "feet": ("foot", "distance"), "foot": ("foot", "distance"), "kg": ("kg", "weight"),
    "kilograms": ("kg", "weight"), "tonnes": ("tonne", "weight"), "tons": ("ton", "weight"),
    "pounds": ("lb", "weight"), "percent": ("percent", "percent"), "per cent": ("percent", "percent"),
    "%": ("percent", "percent"), "pct": ("percent", "percent"), "hours": ("hour", "duration"),
    "hour": ("hour", "duration"), "days": ("day", "duration"), "weeks": ("week", "duration"),
    "months": ("month", "duration"), "years": ("year", "duration"), "minutes": ("minute", "duration"),
    "degrees": ("degree", "temperature"), "acres": ("acre", "area"), "hectares": ("hectare", "area"),
    "barrels": ("barrel", "volume"), "litres": ("litre", "volume"), "gallons": ("gallon", "volume"),
}  # fmt: skip
_IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman", "police": "police"}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_SCALE = "|".join(sorted(SCALES, key=len, reverse=True))
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if u != "pounds")
_QUANTITY = re.compile(
    rf"(?<![\w.,$£€-])(?:(?P<qual>{QUALIFIERS})\s+)?"
    rf"(?P<cur>US\$|[$£€¥])?\s?(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE})\b)?"
    rf"(?:\s?(?P<unit>{_UNIT})(?![\w])|\s+(?P<curword>{'|'.join(CURRENCY_WORDS)})\b)?",
    re.I,
)
_NOUN = re.compile(r"\s+(?:(?:[A-Z][\w-]*|[a-z][\w-]*-[a-z][\w-]*)\s+){0,2}(?P<noun>[a-z][a-z-]{2,})\b")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE_BEFORE = re.compile(rf"\b(?:{_MONTHS})[a-z]*\.?\s*$", re.I)
_NOT_NOUNS = frozenset(
    {"and", "or", "of", "to", "in", "on", "at", "by", "for", "from", "with", "than", "the", "a", "an"}
    | {"as", "is", "was", "were", "are", "be", "been", "that", "which", "who", "per", "cent", "percent"}
    | {"vs", "against", "times"}
)


@dataclass(frozen=True)
class Quantity:
    text: str
    start_char: int
    end_char: int
    value: float
    unit: str | None
    kind: str
    qualifier: str | None


def singular(noun: str) -> str:
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun


def _number(raw: str) -> float:
    word = raw.lower()
    return float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else float(raw.replace(",", ""))


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` with its value, unit, kind and qualifier."""
    found = []
    for m in _QUANTITY.finditer(text):
        num, cur, scale, unit, curword = (m.group(k) for k in ("num", "cur", "scale", "unit", "curword"))
        before = text[max(0, m.start() - 12) : m.start()]
        after = text[m.end() : m.end() + 3]
        if _DATE_BEFORE.search(before) or re.match(r"\s*(?:,\s*)?(?:1[89]|20)\d\d\b", after) and not cur:
            continue  # "November 17, 2024"
        if re.match(r"(?:st|nd|rd|th|:\d|/\d|-\d)", after) or re.search(r"(?:No\.|#)\s*$", before):
            continue
        if not cur and not scale and not unit and not curword and re.fullmatch(r"(?:1[89]|20)\d\d", num):
            continue  # a year
        value = _number(num) * (SCALES[scale.lower()] if scale else 1)
        end = m.end()
        if scale and scale.lower() == "m" and not cur and not curword:
            continue  # "5 m" is metres or a typo, not a million
        qualifier = m.group("qual").lower() if m.group("qual") else None
        if cur or curword:
            unit_name, kind = CURRENCY_SIGNS.get(cur) if cur else CURRENCY_WORDS[curword.lower()], "money"
        elif unit:
            unit_name, kind = UNITS[unit.lower()]
        else:
            noun = _NOUN.match(text, end)
            if not noun or noun.group("noun").lower() in _NOT_NOUNS:
                continue  # a bare number: a score, a code, a page
            unit_name, kind = singular(noun.group("noun").lower()), "count"
            end = noun.end()
        start = m.start()
        found.append(Quantity(text[start:end].strip(), start, end, value, unit_name, kind, qualifier))
    return found
