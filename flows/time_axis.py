"""A real time axis for the report's charts: contiguous bins of one unit between the first and the
last date, so equal distances on the page are equal spans of time (1870-05 and 1985-01 are not
one step apart), and empty bins show as gaps.

The unit is the finest of hour, day, week, month and year that keeps the bins within ``most``;
week bins start on Monday (ISO weeks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

UNITS = ("hour", "day", "week", "month", "year")


def floor(at: datetime, unit: str) -> datetime:
    """The start of the bin of ``unit`` that holds ``at``."""
    at = at.replace(minute=0, second=0, microsecond=0)
    if unit == "hour":
        return at
    at = at.replace(hour=0)
    if unit == "day":
        return at
    if unit == "week":
        return at - timedelta(days=at.weekday())
    if unit == "month":
        return at.replace(day=1)
    return at.replace(month=1, day=1)


def after(start: datetime, unit: str) -> datetime:
    """The start of the bin after the one starting at ``start``."""
    if unit == "hour":
        return start + timedelta(hours=1)
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start.replace(year=start.year + 1)


def label(start: datetime, unit: str) -> str:
    # datetime.strftime pads years below 1000 inconsistently across platforms: format by hand
    y, m, d, h = f"{start.year:04d}", f"{start.month:02d}", f"{start.day:02d}", f"{start.hour:02d}"
    return {
        "hour": f"{y}-{m}-{d} {h}:00",
        "day": f"{y}-{m}-{d}",
        "week": f"{y}-{m}-{d}",
        "month": f"{y}-{m}",
        "year": y,
    }[unit]


@dataclass(frozen=True)
class Axis:
    unit: str
    starts: tuple[datetime, ...]

    def index(self, at: datetime) -> int:
        """The bin holding ``at`` (which must lie within the axis)."""
        start = floor(_utc(at), self.unit)
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:  # bins of months and years differ in length: bisect on the starts
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= start:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def labels(self) -> list[str]:
        return [label(s, self.unit) for s in self.starts]

    def ticks(self, most: int = 7) -> list[int]:
        """Indices of the bins to label: evenly spaced, at most ``most``, the first always."""
        n = len(self.starts)
        stride = max(1, -(-n // most))
        return list(range(0, n, stride))


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def axis_for(dates: list[datetime], most: int = 120) -> Axis | None:
    """Contiguous bins covering ``dates`` in the finest unit with at most ``most`` bins."""
    if not dates:
        return None
    lo, hi = min(map(_utc, dates)), max(map(_utc, dates))
    for unit in UNITS:
        starts = [floor(lo, unit)]
        last = floor(hi, unit)
        while starts[-1] < last and (len(starts) <= most or unit == "year"):
            starts.append(after(starts[-1], unit))
        if len(starts) <= most or unit == "year":
            return Axis(unit, tuple(starts))
    raise AssertionError("unreachable: years always fit")
