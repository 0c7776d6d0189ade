"""The report's time axis: equal distances are equal spans of time, empty spans are gaps."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.time_axis import axis_for


def test_far_apart_dates_are_placed_by_time_not_as_neighbouring_categories():
    axis = axis_for([datetime(1870, 5, 1, tzinfo=UTC), datetime(1985, 1, 3, tzinfo=UTC)])
    assert axis.unit == "year" and len(axis.starts) == 116
    assert axis.index(datetime(1985, 1, 3, tzinfo=UTC)) - axis.index(datetime(1870, 5, 1)) == 115
    assert [axis.labels()[i] for i in axis.ticks()] == [
        "1870",
        "1887",
        "1904",
        "1921",
        "1938",
        "1955",
        "1972",
    ]


def test_the_unit_is_the_finest_that_keeps_the_bins_within_bounds():
    def unit(a, b):
        return axis_for([a, b]).unit

    assert unit(datetime(2025, 3, 6, 7), datetime(2025, 3, 6, 9, 30)) == "hour"
    assert unit(datetime(2025, 1, 20), datetime(2025, 3, 31)) == "day"
    assert unit(datetime(2024, 1, 1), datetime(2025, 12, 1)) == "week"
    assert unit(datetime(2016, 1, 1), datetime(2025, 12, 1)) == "month"
    assert axis_for([]) is None


def test_bins_are_contiguous_weeks_start_on_monday_and_months_roll_over_the_year():
    weeks = axis_for([datetime(2024, 1, 3), datetime(2025, 12, 1)])
    assert weeks.starts[0] == datetime(2024, 1, 1, tzinfo=UTC)  # the Monday of that week
    assert all((b - a).days == 7 for a, b in zip(weeks.starts, weeks.starts[1:], strict=False))
    months = axis_for([datetime(2019, 11, 15), datetime(2025, 2, 1)])
    assert months.labels()[:3] == ["2019-11", "2019-12", "2020-01"] and months.labels()[-1] == "2025-02"
    assert months.index(datetime(2020, 1, 31, 23, 59, tzinfo=UTC)) == 2
