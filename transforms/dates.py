"""Parsing the publication dates that inputs state in their own fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_ISO_Z = re.compile(r"Z$")


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601, RFC 2822 or epoch seconds to an aware UTC datetime; None when it is not a date.

    A naive time is taken as UTC: news feeds that omit the zone almost always mean UTC, and a
    consistent rule is better for joins than a guess per source.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not 0 < value < 4_102_444_800:  # 2100-01-01
            return None
        return datetime.fromtimestamp(float(value), tz=UTC)
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(_ISO_Z.sub("+00:00", raw))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None or not 1800 <= parsed.year <= 2100:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
