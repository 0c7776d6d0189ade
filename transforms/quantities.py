"""Amounts in news text, normalised: "£3bn" -> 3e9 GBP, "800,000 barrels a day" -> 8e5 barrel/day.

A small grammar over tokens rather than one regular expression, because news writes amounts in
many shapes that a regex per shape would multiply: a currency before (``$``, ``US$``, ``RM``,
``EUR50m``) or after (``1,200€``, ``9 billion shekels``, ``110 JPY``) the number; scale words
spelled or glued (``2.4 million``, ``£3bn``, ``35m devices``); units glued (``800m``, ``5kg``,
``256GB``), hyphenated (``6.1-inch``, ``60-mph``) or compound (``km/h``, ``miles per hour``,
``sq ft``, ``barrels a day``, ``$3,500 a month``); ranges whose unit or scale is written once
(``5-10W``, ``$10 to $15 billion``); ages (``the 68-year-old``); percentages, percentage and
basis points; number words (``twenty-eight thousand six hundred forty-two``, ``half``, ``a
third``). A counted thing is the noun that follows ("13,000 workers" -> worker); a word that
cannot be one (a verb, "more", "have") never becomes a unit: the amount is kept with no unit.

Not amounts: years, dates, times of day, ordinals, numbers that are part of a name ("iPhone 12",
"Section 427", "5G"), and sports scores ("2-0"). Units are written in one vocabulary (ISO 4217
for money, ``percent``/``pp``/``bp``, SI-style symbols such as ``km``, ``m2``, ``km/h``,
``degC``), so one SQL filter finds every spelling. Measured on quantities_dev in bench/quantities.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUALIFIERS = (
    "approximately|about|around|roughly|nearly|almost|some|at least|at most|up to|more than|over|"
    "less than|fewer than|under|as many as|as much as|an estimated|close to|just over|just under|"
    "below|above|exceeding|upwards of"
)
_QUALIFIER_BEFORE = re.compile(rf"\b(?P<q>{QUALIFIERS})\s+$", re.I)

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_BIG = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "mil": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}  # fmt: skip
_ORDINAL_DENOMINATORS = {"third": 3, "thirds": 3, "fourth": 4, "fourths": 4, "quarter": 4, "fifth": 5}

# Currency written before the number: signs, sign with a country prefix, ISO codes, local symbols.
CURRENCY_PREFIX = {
    "$": "USD", "us$": "USD", "$us": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD",
    "hk$": "HKD", "s$": "SGD", "nz$": "NZD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR", "₪": "ILS",
    "rm": "MYR", "rs": "INR", "r$": "BRL",
}  # fmt: skip
ISO_CODES = frozenset(
    """USD EUR GBP JPY CNY AUD NZD CAD HKD SGD ILS MYR DKK INR HRK ZAR CHF SEK NOK RUB BRL MXN KRW""".split()
)
CURRENCY_WORDS = {
    "dollars": "USD", "dollar": "USD", "dlrs": "USD", "euros": "EUR", "euro": "EUR", "yen": "JPY",
    "rupees": "INR", "rupee": "INR", "yuan": "CNY", "renminbi": "CNY", "roubles": "RUB", "rubles": "RUB",
    "shekels": "ILS", "shekel": "ILS", "ringgit": "MYR", "francs": "CHF", "krone": "DKK", "kroner": "DKK",
    "rand": "ZAR", "sterling": "GBP", "stg": "GBP",
}  # fmt: skip
_NATIONAL_DOLLARS = {"australian": "AUD", "canadian": "CAD", "hong kong": "HKD", "singapore": "SGD",
                     "new zealand": "NZD", "taiwan": "TWD", "us": "USD", "u.s.": "USD"}  # fmt: skip
# Minor units: a price in pence or cents.
MINOR = {"p": "GBX", "pence": "GBX", "cents": "cent", "cent": "cent", "c": "cent"}

# unit as written (lower case; spaces match any run of spaces) -> (unit, kind). Longest first.
UNITS: dict[str, tuple[str, str]] = {}


def _units(kind: str, unit: str, *spellings: str) -> None:
    for spelling in spellings:
        UNITS[spelling] = (unit, kind)


_units("percent", "percent", "%", "percent", "per cent", "pct", "pc", "percentage")
_units("percent", "pp", "percentage points", "percentage point", "pp", "ppt", "ppts")
_units("percent", "bp", "basis points", "basis point", "bps", "bp")
_units("index", "point", "points", "point", "pts")
_units("distance", "km", "km", "kms", "kilometres", "kilometers", "kilometre", "kilometer")
_units("distance", "m", "m", "metres", "meters", "metre", "meter")
_units("distance", "cm", "cm", "centimetres", "centimeters", "centimetre", "centimeter")
_units("distance", "mm", "mm", "millimetres", "millimeters", "millimetre", "millimeter")
_units("distance", "um", "μm", "µm", "micrometres", "micrometers", "microns", "micron")
_units("distance", "nm", "nm", "nanometres", "nanometers", "nanometre", "nanometer")
_units("distance", "mi", "miles", "mile", "mi")
_units("distance", "ft", "feet", "foot", "ft")
_units("distance", "in", "inches", "inch", "in.", "″")
_units("distance", "yd", "yards", "yard", "yd", "yds")
_units(
    "area", "m2", "square metres", "square meters", "square metre", "square meter", "sq m", "sqm", "m2", "m²"
)
_units("area", "km2", "square kilometres", "square kilometers", "square kilometre", "sq km", "km2", "km²")
_units("area", "ft2", "square feet", "square foot", "sq ft", "sq feet", "sq. ft.", "ft2")
_units("area", "mi2", "square miles", "square mile", "sq mi")
_units("area", "acre", "acres", "acre")
_units("area", "ha", "hectares", "hectare", "ha")
_units("volume", "l", "litres", "liters", "litre", "liter", "l")
_units("volume", "ml", "millilitres", "milliliters", "millilitre", "milliliter", "ml")
_units("volume", "gal", "gallons", "gallon", "gal")
_units("volume", "barrel", "barrels", "barrel", "bbl")
_units("volume", "ft3", "cubic feet", "cubic foot")
_units("volume", "m3", "cubic metres", "cubic meters", "cubic metre", "cubic meter")
_units("volume", "fl oz", "fluid ounces", "fluid ounce", "fl oz")
_units("volume", "pt", "pints", "pint")
_units("volume", "qt", "quarts", "quart")
_units("mass", "kg", "kilograms", "kilogrammes", "kilogram", "kilos", "kilo", "kg", "kgs")
_units("mass", "g", "grams", "grammes", "gram", "g")
_units("mass", "mg", "milligrams", "milligram", "mg")
_units("mass", "t", "tonnes", "tonne", "metric tons", "metric ton")
_units("mass", "ton", "tons", "ton")
_units("mass", "lb", "lbs", "lb")
_units("mass", "oz", "ounces", "ounce", "oz")
_units("mass", "Gt", "gigatonnes", "gigatonne", "gigatons", "gigaton")
_units("duration", "s", "seconds", "second", "secs", "sec")
_units("duration", "min", "minutes", "minute", "mins")
_units("duration", "h", "hours", "hour", "hrs", "hr")
_units("duration", "day", "days", "day")
_units("duration", "week", "weeks", "week")
_units("duration", "month", "months", "month")
_units("duration", "year", "years", "year", "yrs")
_units("speed", "mph", "miles per hour", "miles an hour", "mph")
_units("speed", "km/h", "km/h", "km/hr", "kmh", "kph", "kilometres per hour", "kilometers per hour",
       "kilometres an hour", "kilometers an hour")  # fmt: skip
_units("speed", "m/s", "metres per second", "meters per second", "m/s")
_units("speed", "kn", "knots", "knot", "kt", "kts")
_units("fuel_economy", "mpg", "miles per gallon", "mpg")
_units("temperature", "degC", "degrees celsius", "degrees centigrade", "degrees c", "°c", "celsius", "c°")
_units("temperature", "degF", "degrees fahrenheit", "degrees f", "°f", "fahrenheit")
_units("temperature", "deg", "degrees", "degree", "°")
_units("power", "hp", "horsepower", "bhp", "hp")
_units("power", "W", "watts", "watt", "w")
_units("power", "kW", "kilowatts", "kilowatt", "kw")
_units("power", "MW", "megawatts", "megawatt", "mw")
_units("power", "GW", "gigawatts", "gigawatt", "gw")
_units("energy", "kWh", "kilowatt-hours", "kilowatt hours", "kilowatt-hour", "kwh")
_units("energy", "MWh", "megawatt-hours", "megawatt hours", "mwh")
_units("energy", "GWh", "gigawatt-hours", "gigawatt hours", "gwh")
_units("energy", "kcal", "calories", "kcal")
_units("data", "GB", "gigabytes", "gigabyte", "gb")
_units("data", "TB", "terabytes", "terabyte", "tb")
_units("data", "MB", "megabytes", "megabyte", "mb")
_units("data", "Mbit/s", "mbps", "mbit/s", "megabits per second")
_units("data", "Gbit/s", "gbps", "gbit/s", "gigabits per second")
_units("frequency", "Hz", "hertz", "hz")
_units("frequency", "kHz", "kilohertz", "khz")
_units("frequency", "MHz", "megahertz", "mhz")
_units("frequency", "GHz", "gigahertz", "ghz")
_units("frequency", "rpm", "rpm", "revolutions per minute")
_units("pressure", "MPa", "megapascals", "megapascal", "mpa")
_units("pressure", "GPa", "gigapascals", "gigapascal", "gpa")
_units("pressure", "ksi", "ksi")
_units("pressure", "psi", "psi")
_units("torque", "lb ft", "lb-ft", "lb ft", "pound-feet", "pound-foot", "foot-pounds")
_units("torque", "N m", "newton metres", "newton meters", "nm·m")
_units("concentration", "ppm", "parts per million", "ppm")
_units("concentration", "ppb", "parts per billion", "ppb")
_units("electric", "mAh", "mah")
_units("electric", "V", "volts", "volt")
_units("electric", "A/cm2", "a/cm2")
_units("electric", "kV/cm", "kv/cm")
_units("sound", "dB", "decibels", "decibel", "db")
_units("ratio", "times", "times", "fold")

# Periods and things a rate is "per": "$3,500 a month", "800,000 barrels a day", "per share".
PER = {
    "day": "day", "week": "week", "month": "month", "year": "year", "annum": "year", "hour": "h",
    "share": "share", "barrel": "barrel", "gallon": "gallon", "tonne": "t", "ton": "ton", "ounce": "oz",
    "square foot": "ft2", "square metre": "m2", "square meter": "m2", "sq ft": "ft2", "sq m": "m2",
    "person": "person", "head": "person", "kilo": "kg", "kg": "kg", "litre": "l", "liter": "l",
}  # fmt: skip
_RATE = re.compile(
    r"(?:\s+(?:a|an|per|each)\s+|\s*/\s*|-a-)(?P<per>"
    + "|".join(re.escape(p) for p in sorted(PER, key=len, reverse=True))
    + r")\b",
    re.I,
)
_UNIT_WORDS = sorted(UNITS, key=len, reverse=True)
_UNIT = re.compile(
    r"(?:(?P<space>[ \u00a0]?)|-)(?P<unit>"
    + "|".join(re.escape(u).replace(r"\ ", r"\s+") for u in _UNIT_WORDS)
    + r")(?![\w²/])",
    re.I,
)
# Single letters and short symbols only count glued to the number ("800m", "5kg", "10W", "50C" no).
_GLUED_ONLY = frozenset({"m", "g", "l", "t", "w", "in", "in.", "mi", "c°", "″", "pc", "pp", "s", "h", "b"})
# Single letters are units only in their own case: "5G" is a network, not five grams.
_CASED = {"m": "m", "g": "g", "l": "lL", "t": "t", "w": "W", "s": "s", "h": "h", "b": "b"}

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s*$", re.I)
_MONTH_AFTER = re.compile(rf"\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b", re.I)
_TIME_AFTER = re.compile(
    r"(?::\d\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|bst\b|cet\b|[ecmp][sd]?t\b|o'clock))", re.I
)
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b", re.I)
_YEAR_CONTEXT = re.compile(
    r"\b(?:in|since|by|from|of|until|till|before|after|during|between|to|and|through|early|late|mid|"
    r"the|year|season|fiscal|fy|spring|summer|autumn|fall|winter)\s*-?\s*$",
    re.I,
)
_NUMBER = re.compile(
    r"(?P<neg>(?<![\w.])minus[\s-]+)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?<![\d.])\.\d+)"
    r"(?:\s*[/⁄]\s*(?P<den>\d+))?",
    re.I,
)
_WORD_NUMBER = re.compile(
    r"\b(?P<words>(?:(?:"
    + "|".join(sorted([*_SMALL, *_BIG], key=len, reverse=True))
    + r")(?:[\s-]+(?:and[\s-]+)?)?)+)",
    re.I,
)
_FRACTION_PHRASE = re.compile(
    r"\b(?P<a>a|an|one|two|three)\s+(?P<d>half|third|thirds|quarter|quarters|fourth|fourths|fifth)\b"
    r"|\b(?P<n>one|two|three)\s+(?:out\s+of|in)\s+(?P<m>two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|\b(?P<half>half)\b",
    re.I,
)
# Words after a number that cannot be the thing counted: verbs, adverbs, comparatives, pronouns.
_NOT_NOUNS = frozenset(
    """a an the and or but nor of to in on at by for from with without than as into onto over under
    about after before during while since until per via vs versus against between among through
    is was were are be been being am has have had do does did will would shall should can could
    may might must said says say told tells more less fewer most least other others another such
    same this that these those which who whom whose what when where why how it its they them
    their he him his she her we us our you your i me my also just only even still already yet
    ago earlier later previous previously next last each every all both either neither some any
    many much few several up down out off back away here there then now today yesterday tomorrow
    again too very so not no ahead behind apart together alone instead overall later earlier
    apiece each round although though because whereas unless whether if rose fell grew dropped
    jumped slipped climbed gained lost increased decreased declined rise fall come came go went
    get got make made take took see saw percent cent times fold per year-old years-old""".split()
)
# Races and events that are written with a glued "m" for metres: "the 800m title", "400m hurdles".
_EVENT = re.compile(
    r"\s+(?:hurdles|relay|steeplechase|freestyle|backstroke|breaststroke|butterfly|medley|individual|"
    r"final|finals|heat|heats|semi|title|titles|race|races|sprint|record|run|dash|event|gold|silver|bronze)\b",
    re.I,
)
_ADJECTIVES = frozenset(
    """new old big small large great good bad best worst real major key main top high low single
    possible local national global public private free full whole huge long short young senior
    junior strong weak wireless power coal oil gas bright early late recent former future likely
    open""".split()
)
_MODIFIERS = frozenset(
    {"more", "other", "additional", "further", "extra", "previous", "straight", "consecutive", "separate"}
)
_CAPITALISED_OK = frozenset({"about", "around", "some", "nearly", "almost", "over", "under", "only", "just"})


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
    irregular = {"people": "person", "children": "child", "men": "man", "women": "woman", "police": "police"}
    if noun in irregular:
        return irregular[noun]
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith(("ches", "shes", "sses", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith(("ss", "us", "is")):
        return noun[:-1]
    return noun


def words_value(words: str) -> float | None:
    """ "twenty-eight thousand six hundred forty-two" -> 28642; None if it is not a number."""
    total, current, seen = 0.0, 0.0, False
    for word in re.findall(r"[a-z]+", words.lower()):
        if word == "and":
            continue
        if word in _SMALL:
            current += _SMALL[word]
            seen = True
        elif word == "hundred":
            current = (current or 1) * 100
            seen = True
        elif word in _BIG:
            total += (current or 1) * _BIG[word]
            current, seen = 0.0, True
        else:
            return None
    return total + current if seen else None


@dataclass
class _Match:
    start: int
    end: int
    value: float
    currency: str | None = None
    unit: str | None = None
    kind: str | None = None
    scaled: bool = False
    raw: float = 0.0


def _currency_before(text: str, start: int) -> tuple[str, int] | None:
    """(ISO code, new start) for a currency written right before ``start``."""
    head = text[max(0, start - 4) : start]
    for size in (3, 2, 1):
        if len(head) < size:
            continue
        piece = head[-size:].lower()
        before = head[-size - 1 : -size] if len(head) > size else ""
        if piece in CURRENCY_PREFIX and not before.isalpha():
            return CURRENCY_PREFIX[piece], start - size
    spaced = re.search(
        r"(?<![\w$])(US\$|\$US|A\$|C\$|HK\$|S\s?\$|[$£€¥₹₪])\s$", text[max(0, start - 5) : start]
    )
    if spaced:
        key = spaced.group(1).replace(" ", "").lower()
        return CURRENCY_PREFIX.get(key, "USD"), start - len(spaced.group(0))
    code = re.search(r"(?<![A-Za-z])([A-Z]{3})\s?$", text[max(0, start - 5) : start])
    if code and code.group(1) in ISO_CODES:
        return code.group(1), start - len(code.group(0))
    return None


def _glued_letters_before(text: str, start: int) -> bool:
    """ "S23", "A380", "TA-125", "COVID-19", "V-6": a number glued to a word is part of a name."""
    if start > 0 and text[start - 1].isalpha():
        return True
    hyphenated = re.search(r"([A-Za-z]+)-$", text[max(0, start - 20) : start])
    return bool(hyphenated) and hyphenated.group(1).lower() not in (
        "to",
        "and",
        "or",
        "minus",
        "sub",
        "over",
        "under",
        "pre",
        "post",
        "mid",
        "top",
        "last",
        "first",
    )


def _capitalised_name_before(text: str, start: int) -> bool:
    """A number right after a capitalised word inside a sentence is part of a name ("iPhone 12")."""
    m = re.search(r"(?:^|(?<=[\s(]))([A-Za-z][\w.&-]*)\s+$", text[max(0, start - 40) : start])
    if not m:
        return False
    word = m.group(1)
    if not (word[0].isupper() or any(c.isupper() for c in word[1:])):
        return False
    lower = word.lower()
    # "iPhone 12", "Section 427", "Model 3", also at the start of a sentence; not "About 500"
    return not (
        lower in _CAPITALISED_OK
        or lower in _NOT_NOUNS
        or re.fullmatch(_MONTHS, lower.rstrip("."))
        or re.fullmatch(rf"(?:{QUALIFIERS})", lower)
    )


def find_quantities(text: str) -> list[Quantity]:
    """Every amount in ``text`` with its value, unit, kind and qualifier, in reading order."""
    found: list[_Match] = []
    taken = [False] * (len(text) + 1)
    for m in _FRACTION_PHRASE.finditer(text):
        if m.group("half"):
            value = 0.5
        elif m.group("d"):
            numerator = words_value(m.group("a")) if m.group("a").lower() not in ("a", "an") else 1
            value = (numerator or 1) / _ORDINAL_DENOMINATORS.get(m.group("d").lower().rstrip("s"), 2)
        else:
            value = _SMALL[m.group("n").lower()] / _SMALL[m.group("m").lower()]
        if m.group("half") and not re.match(
            r"\s+(?:of\s+)?(?:the\s+)?[a-z]", text[m.end() : m.end() + 12], re.I
        ):
            continue
        if m.group("half") and re.search(
            r"\b(?:first|second|a|one|and\s+a)\s+$", text[max(0, m.start() - 10) : m.start()], re.I
        ):
            continue
        found.append(_Match(m.start(), m.end(), value, unit="fraction", kind="fraction"))
        taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    for m in _NUMBER.finditer(text):
        if taken[m.start("num")]:
            continue
        item = _digits(text, m)
        if item:
            found.append(item)
            taken[item.start : item.end] = [True] * (item.end - item.start)
    for m in _WORD_NUMBER.finditer(text):
        if any(taken[m.start() : m.end()]):
            continue
        item = _words(text, m)
        if item:
            found.append(item)
            taken[item.start : item.end] = [True] * (item.end - item.start)
    found.sort(key=lambda q: q.start)
    _share_range_units(text, found)
    _share_parallel_units(text, found)
    out = []
    for q in found:
        qual = _QUALIFIER_BEFORE.search(text[max(0, q.start - 20) : q.start])
        start = q.start - len(qual.group(0)) if qual else q.start
        unit = q.currency if q.currency and not q.unit else q.unit
        if q.currency and q.unit and q.unit.startswith("/"):
            unit = q.currency + q.unit
        kind = q.kind or ("money" if q.currency else "number")
        out.append(
            Quantity(
                text[start : q.end].strip(),
                start,
                q.end,
                q.value,
                unit or None,
                kind,
                qual.group("q").lower() if qual else None,
            )
        )
    return out


def _digits(text: str, m: re.Match) -> _Match | None:
    start, end = m.start(), m.end()
    raw = m.group("num")
    before = text[max(0, start - 14) : start]
    after = text[end : end + 16]
    if m.group("den"):
        den = float(m.group("den"))
        if den == 0 or "/" in text[m.start("num") - 1 : m.start("num")]:
            return None
        if re.match(r"\s*[/⁄]\s*\d", after):
            return None  # a date 1/2/2024
        value = float(raw.replace(",", "")) / den
        return _after_number(text, _Match(start, end, value, raw=value), allow_count=False)
    value = float(raw.replace(",", "").lstrip(".") and raw.replace(",", ""))
    if m.group("neg"):
        value = -value
    currency = _currency_before(text, start)
    if not currency:
        if _glued_letters_before(text, start):
            return None  # "S23", "A380", "G7"
        if re.search(r"(?:No\.?|#|\bNo|\d[:.]\d\d\s?[-–]|\d:)\s*$", before) or _MONTH_BEFORE.search(before):
            return None
        if _MONTH_AFTER.match(after) or _TIME_AFTER.match(after) or _ORDINAL_AFTER.match(after):
            return None
        score = re.match(r"[-–]\d{1,2}\b", after) if re.fullmatch(r"\d{1,2}", raw) else None
        if score and not _unit_follows(text, end + score.end()):
            return None  # a score "2-0 lead", a span of pages or ages "18-34"
        if (
            re.search(r"(?<![\d.,])\d{1,2}[-–]$", before)
            and re.fullmatch(r"\d{1,2}", raw)
            and not _unit_follows(text, end)
        ):
            return None
        if _capitalised_name_before(text, start) and not re.match(
            r"\s*(?:%|per\s?cent|percent)", after, re.I
        ):
            return None
    item = _Match(start, end, value, raw=value)
    if currency:
        item.currency, item.start = currency
        item.kind = "money"
    elif (
        re.fullmatch(r"\d{1,3}", raw)
        and 0 < value < 120
        and re.search(r"[A-Z][\w'’.-]+,\s$", before)
        and re.match(r"\s?[,)]", after)
    ):
        item.unit, item.kind = "year", "age"  # "Maddon, 66, has": the news convention for an age
        return item
    elif re.search(r"\baged\s+$", before, re.I):
        item.unit, item.kind = "year", "age"
        return item
    item = _after_number(text, item, allow_count=True)
    if item is None:
        return None
    if not (item.unit or item.currency) and item.end < len(text) and text[item.end].isalnum():
        return None  # "5G", "4K", "3D": a name, not an amount
    if item.currency or item.scaled or not re.fullmatch(r"(?:1[5-9]|20)\d\d", raw):
        return item
    if item.kind == "count" and _plural_unit_written(text, item) and not _YEAR_CONTEXT.search(before):
        return item  # "2000 hires"
    if item.unit and item.kind != "count":
        return item  # "2000 metres"
    return None  # a year


def _unit_follows(text: str, pos: int) -> bool:
    unit = _UNIT.match(text, pos)
    return bool(unit) and not (unit.group(0)[:1].isspace() and unit.group("unit").lower() in _GLUED_ONLY)


def _plural_unit_written(text: str, item: _Match) -> bool:
    last = re.findall(r"[A-Za-z]+", text[item.start : item.end])
    return bool(last) and _plural(last[-1].lower())


def _words(text: str, m: re.Match) -> _Match | None:
    words = m.group("words").rstrip(" -")
    if words.lower().rstrip(" -") in ("and",) or re.fullmatch(r"(?:and[\s-]*)+", words, re.I):
        return None
    # drop a trailing "and"
    words = re.sub(r"[\s-]+and$", "", words, flags=re.I)
    value = words_value(words)
    if value is None:
        return None
    start, end = m.start(), m.start() + len(words)
    prev = text[max(0, start - 12) : start]
    if re.search(r"\b(?:No\.?|#|one|any|every|no)\s*$", prev, re.I) and value == 1:
        return None
    if re.match(r"\s*-?\s*(?:another|thing|day|time|way|point|after)\b", text[end : end + 12], re.I):
        return None  # "one another", "one day", "at one point"
    lower = words.lower()
    if lower in ("hundred", "thousand", "million", "billion", "trillion", "dozen"):
        if not re.search(r"\b(?:a|one)\s+$", prev, re.I):
            return None  # "hundreds of", "thousands", vague
        start = start - len(re.search(r"\b(?:a|one)\s+$", prev, re.I).group(0))
    currency = _currency_before(text, start)
    item = _Match(start, end, value, raw=value, scaled=any(w in lower for w in _BIG))
    if currency:
        item.currency, item.start = currency
        item.kind = "money"
    item = _after_number(text, item, allow_count=True, need_unit=not currency)
    return item


def _after_number(text: str, item: _Match, *, allow_count: bool, need_unit: bool = False) -> _Match | None:
    """Read scale, unit, currency word, rate and age after the number; None if it is not an amount."""
    pos = item.end
    scale = re.match(
        r"(?:\s?(?P<s1>thousand|million|billion|trillion|mln|bln|mn|bn|tn|trn|mil)\b|(?P<s2>[mkb])(?![\w²]))",
        text[pos : pos + 12],
        re.I,
    )
    if scale and not item.scaled:
        word = (scale.group("s1") or scale.group("s2")).lower()
        glued_letter = scale.group("s2") is not None
        following = text[pos + scale.end() : pos + scale.end() + 30]
        noun = _count_noun(following)
        first = re.match(r"\s+([A-Za-z]+)", following)
        countable = (
            noun is not None
            and bool(first)
            and _plural(first.group(1).lower())
            and not _EVENT.match(following)
        )
        countable = countable or bool(first and first.group(1).lower() in (*CURRENCY_WORDS, "pounds"))
        # a glued m is a million before money or a plural noun ("35m handsets"), else metres ("800m")
        if not glued_letter or item.currency or (word == "m" and countable):
            item.value *= SCALES[word]
            item.scaled = True
            pos += scale.end()
    # "4 hundred million": digits followed by number words
    more = re.match(
        r"\s+(?P<w>(?:hundred|thousand|million|billion|trillion)(?:\s+(?:thousand|million|billion))?)\b",
        text[pos : pos + 30],
        re.I,
    )
    if more and not item.scaled:
        factor = 1.0
        for w in more.group("w").lower().split():
            factor *= _BIG[w]
        item.value *= factor
        item.scaled = True
        pos += more.end()
    item.end = pos
    rest = text[pos : pos + 40]
    # currency written after: "9 billion shekels", "110 JPY", "1,200€", "164p", "74 cents"
    if not item.currency:
        word = re.match(
            r"\s?(?:(?:chinese|us|u\.s\.|american)\s+)?(?P<w>[A-Za-z]+|[€£$¥])(?![\w])", rest, re.I
        )
        national = re.match(rf"\s(?P<c>{'|'.join(_NATIONAL_DOLLARS)})\s+dollars?\b", rest, re.I)
        if national:
            item.currency = _NATIONAL_DOLLARS[national.group("c").lower()]
            item.kind, item.end, word = "money", pos + national.end(), None
        if word:
            w = word.group("w")
            if w in ISO_CODES:
                item.currency, item.kind = w, "money"
                item.end = pos + word.end()
            elif w in ("€", "£", "¥") and not word.group(0).startswith(" "):
                item.currency, item.kind = CURRENCY_PREFIX[w], "money"
                item.end = pos + word.end()
            elif w.lower() in CURRENCY_WORDS:
                item.currency, item.kind = CURRENCY_WORDS[w.lower()], "money"
                item.end = pos + word.end()
            elif w.lower() in ("pounds", "pound"):
                if item.scaled or re.match(r"\s+sterling", text[pos + word.end() :]):
                    item.currency, item.kind = "GBP", "money"
                else:
                    item.unit, item.kind = "lb", "mass"
                item.end = pos + word.end()
            elif w.lower() in MINOR and (not word.group(0).startswith(" ") or len(w) > 1) and not item.scaled:
                # a lone p or c is pence or cents only glued to a price ("164p", "74.5c")
                not_a_price = w.lower() in ("p", "c") and (
                    word.group(0).startswith(" ") or "." not in text[item.start : pos] and item.value >= 1000
                )
                if not not_a_price:
                    item.unit, item.kind = MINOR[w.lower()], "money"
                    item.end = pos + word.end()
        if item.currency or item.unit:
            _rate(text, item)
            return item
    # age: "68-year-old", "15 year-old", "400 million-year-old", "aged 35"
    age = re.match(r"[\s-]?(?P<u>year|month|week|day)s?[\s-]old\b", rest, re.I)
    if age:
        item.unit, item.kind = age.group("u").lower(), "age"
        item.end = pos + age.end()
        return item
    unit = _UNIT.match(text, pos)
    if unit:
        spelled = re.sub(r"\s+", " ", unit.group("unit").lower())
        glued = not unit.group(0)[:1].isspace() and not unit.group(0).startswith("-")
        spaced_short = (
            spelled in _GLUED_ONLY and not glued and not (unit.group(0).startswith("-") and len(spelled) > 1)
        )
        wrong_case = spelled in _CASED and unit.group("unit") not in _CASED[spelled]
        if spaced_short or wrong_case:
            unit = None
    if unit:
        name, kind = UNITS[re.sub(r"\s+", " ", unit.group("unit").lower())]
        if not item.currency:  # after a currency a unit word is what the price is per, read by _rate
            item.unit, item.kind = name, kind
            item.end = unit.end()
            if kind == "temperature" and name == "deg":
                scale_word = re.match(
                    r"\s+(?P<s>celsius|centigrade|fahrenheit|c|f)\b", text[item.end : item.end + 14], re.I
                )
                if scale_word:
                    item.unit = "degC" if scale_word.group("s").lower()[0] == "c" else "degF"
                    item.end += scale_word.end()
            _rate(text, item)
            return item
    if item.currency:
        _rate(text, item)
        return item
    if item.kind == "fraction":
        return item
    if allow_count:
        noun = _count_noun(text[item.end : item.end + 60])
        if noun:
            offset, head = noun
            item.unit, item.kind = head, "count"
            item.end += offset
            return item
    if need_unit:
        return None
    return item


def _rate(text: str, item: _Match) -> None:
    rate = _RATE.match(text, item.end)
    if not rate:
        return
    per = PER[rate.group("per").lower()]
    base = item.currency if item.currency and not item.unit else item.unit
    if base is None:
        return
    item.unit = f"{base}/{per}" if not item.currency or item.unit else f"/{per}"
    if item.currency and item.unit.startswith("/"):
        item.unit = f"{item.currency}/{per}"
        item.currency = None
        item.kind = "money"
    item.end = rate.end()


def _count_noun(after: str) -> tuple[int, str] | None:
    """(chars consumed, singular head noun) of the counted thing right after a number, if any.

    The noun phrase is a run of up to four words ("20 coal-fired power plants", "96 Liverpool
    fans", "one good screen") that stops at a function word, verb, adverb or punctuation. Its
    head is the first plural word in it, else its last word; a phrase that starts with a word
    that cannot be counted ("eight more", "500 fell", "2483805 while") counts nothing.
    """
    run: list[re.Match] = []
    pos = 0
    partitive = re.match(
        r"\s+of\s+(?:the\s+|my\s+|its\s+|his\s+|her\s+|their\s+|our\s+|your\s+|these\s+|those\s+)?", after
    )
    if partitive:  # "one of the students": NewsQuant's and a reader's reading is 1 student
        after = " " + after[partitive.end() :]
        offset = partitive.end() - 1
    else:
        offset = 0
    for w in re.finditer(r"[ \u00a0]([A-Za-z]+(?:-[A-Za-z]+)*)(?=[\s,.;:!?)\"'’”]|$)", after):
        if w.start() != pos or len(run) == 4:
            break
        word = w.group(1)
        lower = word.lower()
        if lower in _MODIFIERS and re.match(r" [A-Za-z]", after[w.end() : w.end() + 2]):
            pos = w.end()
            continue  # "eight more picks", "50 previous years": not the head, not a stop
        if (
            lower in _NOT_NOUNS
            or lower.endswith("ly")
            or (lower.endswith("ed") and "-" not in lower and len(lower) > 4)
        ):
            break
        if lower.endswith("ing") and re.match(
            r" (?:the|a|an|its|their|his|her|to|up|out)\b", after[w.end() :]
        ):
            break  # "73 raising the prospect": a verb
        run.append(w)
        pos = w.end()
        if _plural(lower) and not word[0].isupper():
            break
    while run and run[-1].group(1)[0].isupper():
        run.pop()  # "27000 Model S": the thing counted is not named here
    if not run:
        return None
    if partitive and not any(_plural(w.group(1).lower()) for w in run):
        return None  # "one of them", "one of its kind"
    head = next((w for w in run if _plural(w.group(1).lower())), None)
    if head is None:  # no plural: the head is the first word that is not an adjective
        head = next((w for w in run if not _looks_like_modifier(w.group(1).lower())), run[-1])
    word = head.group(1).lower()
    if len(word) < 3:
        return None
    return head.end() + offset, singular(word)


def _looks_like_modifier(word: str) -> bool:
    """A word that may stand before the head noun: an adjective, or a noun used as one."""
    return bool(
        "-" in word
        or word.endswith(("al", "ic", "ive", "ous", "ful", "ary", "ent", "ant", "ern", "est", "ish", "ese"))
        or word in _ADJECTIVES
    )


def _plural(word: str) -> bool:
    return word in ("people", "children", "men", "women", "police", "staff") or (
        word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")) and len(word) > 3
    )


def _share_parallel_units(text: str, found: list[_Match]) -> None:
    """A bare number takes the unit of the amount it is compared with earlier in the sentence.

    "3.9 million headsets, up from 2.4 million", "435 homes by open sale and 187 by tender",
    "from 208 pounds to 193". Percentages are not passed on: "rose 0.1% to 1,333.18" is a change
    and then a level.
    """
    for i, q in enumerate(found):
        if q.unit or q.currency or q.kind not in (None, "number"):
            continue
        if re.match(r"\s+[A-Z]", text[q.end : q.end + 2]):
            continue  # "63000 Model 3 sedans": counts something named, not the earlier amount
        for prev in reversed(found[:i]):
            if re.search(r"[.!?;]\s", text[prev.end : q.start]):
                break
            if prev.kind in ("percent", "index", "fraction", "age") or not (prev.unit or prev.currency):
                continue
            if not (prev.value and 0.1 <= abs(q.value / prev.value) <= 10):
                continue  # "2,435,000 yen ($22,480) ... 2,380,000": compared with the yen, not the dollars
            q.unit, q.currency, q.kind = prev.unit, prev.currency, prev.kind
            break


def _share_range_units(text: str, found: list[_Match]) -> None:
    """A range writes its unit, currency and scale once: "5-10W", "$10 to $15 billion", "0 to 60 mph"."""
    for a, b in zip(found, found[1:], strict=False):
        between = text[a.end : b.start]
        if not re.fullmatch(r"\s*(?:-|–|—|-to-|to|and|or)\s*(?:\$|£|€)?\s*", between, re.I):
            continue
        if a.unit is None and a.currency is None:
            a.unit, a.currency, a.kind = b.unit, b.currency, b.kind
        if (a.unit, a.currency) != (b.unit, b.currency):
            continue  # "5kg and EUR50m": two amounts, not one range
        if b.scaled and not a.scaled and b.raw and a.raw < b.raw:
            a.value *= b.value / b.raw
            a.scaled = True
