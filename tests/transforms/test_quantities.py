"""Quantities on sentences written for these tests, one per error kind seen on real news."""

from __future__ import annotations

import pytest

from transforms.quantities import find_quantities


def rows(text: str) -> list[tuple]:
    return [(q.text, q.value, q.unit, q.kind) for q in find_quantities(text)]


def test_compound_units_keep_every_word():
    assert rows("The flat covers 85 square metres and the garden 1,200 sq ft.") == [
        ("85 square metres", 85, "m2", "area"),
        ("1,200 sq ft", 1200, "ft2", "area"),
    ]
    assert rows("The car reached 120 miles per hour, or 193 km/h, and does 42 mpg.") == [
        ("120 miles per hour", 120, "mph", "speed"),
        ("193 km/h", 193, "km/h", "speed"),
        ("42 mpg", 42, "mpg", "fuel_economy"),
    ]


def test_a_capitalised_one_before_a_verb_is_not_an_amount():
    assert rows("One has to ask why. One said it was fine.") == []


def test_the_word_after_a_number_is_never_taken_for_a_unit_when_it_cannot_be_one():
    assert rows("The plan will cost 2 million more than last year.") == [
        ("2 million", 2_000_000, None, "number")
    ]
    assert rows("Shares in 500 fell while 120 have risen.") == [
        ("500", 500, None, "number"),
        ("120", 120, None, "number"),
    ]


def test_distances_glued_to_numbers_as_athletics_writes_them():
    assert rows("She won the 800m title, ran the 400m hurdles and was fourth in the 5,000m.") == [
        ("800m", 800, "m", "distance"),
        ("400m", 400, "m", "distance"),
        ("5,000m", 5000, "m", "distance"),
    ]
    # but a glued m before a plural noun or a currency is a million
    assert rows("The firm sold 35m handsets for 1.5m euros.") == [
        ("35m handsets", 35_000_000, "handset", "count"),
        ("1.5m euros", 1_500_000, "EUR", "money"),
    ]


def test_ages():
    assert rows("The 34-year-old striker joined Smith, 41, and a man aged 67.") == [
        ("34-year-old", 34, "year", "age"),
        ("41", 41, "year", "age"),
        ("67", 67, "year", "age"),
    ]


def test_glued_abbreviations_and_currencies_by_symbol_code_and_word():
    assert rows(
        "It raised £3bn, owes $2.5tn, lost EUR50m, paid 110 JPY, 9 billion shekels and 164p a share."
    ) == [
        ("£3bn", 3e9, "GBP", "money"),
        ("$2.5tn", 2.5e12, "USD", "money"),
        ("EUR50m", 5e7, "EUR", "money"),
        ("110 JPY", 110, "JPY", "money"),
        ("9 billion shekels", 9e9, "ILS", "money"),
        ("164p a share", 164, "GBX/share", "money"),
    ]
    assert rows("A 5kg bag of 256GB cards") == [("5kg", 5, "kg", "mass"), ("256GB", 256, "GB", "data")]


def test_ranges_give_both_ends_their_unit_and_scale():
    assert rows("a 5-10W laser, between 5% and 6%, $10 to $15 billion, $800,000 to $1.3 million") == [
        ("5", 5, "W", "power"),
        ("10W", 10, "W", "power"),
        ("5%", 5, "percent", "percent"),
        ("6%", 6, "percent", "percent"),
        ("$10", 1e10, "USD", "money"),
        ("$15 billion", 1.5e10, "USD", "money"),
        ("$800,000", 8e5, "USD", "money"),
        ("$1.3 million", 1.3e6, "USD", "money"),
    ]


def test_percentages_and_points():
    assert rows("Rates rose 0.5 percentage points to 3.2%, or 25 basis points, and the index 40 points.") == [
        ("0.5 percentage points", 0.5, "pp", "percent"),
        ("3.2%", 3.2, "percent", "percent"),
        ("25 basis points", 25, "bp", "percent"),
        ("40 points", 40, "point", "index"),
    ]


def test_rates_per_period_and_per_thing():
    assert rows("Output is 800,000 barrels a day; rent is $3,500 a month and oil $47 a barrel.") == [
        ("800,000 barrels a day", 8e5, "barrel/day", "volume"),
        ("$3,500 a month", 3500, "USD/month", "money"),
        ("$47 a barrel", 47, "USD/barrel", "money"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "On March 3, 1987 the deal closed.",
        "It happened in 2019 and again on 17 November.",
        "The meeting starts at 10:30 or 3pm.",
        "He finished 2nd in the race.",
        "Apple sold the iPhone 12 and the Galaxy S23 has 5G.",
        "United took a 2-0 lead.",
        "Section 427, Row 21.",
    ],
)
def test_dates_times_ordinals_names_and_scores_are_not_amounts(text):
    assert rows(text) == []


def test_counted_things_take_the_head_noun():
    assert rows("About 13,000 workers at 20 coal-fired power plants and 96 Liverpool fans.") == [
        ("About 13,000 workers", 13000, "worker", "count"),
        ("20 coal-fired power plants", 20, "plant", "count"),
        ("96 Liverpool fans", 96, "fan", "count"),
    ]
    assert rows("Sales rose to 3.9 million headsets, up from 2.4 million.") == [
        ("3.9 million headsets", 3.9e6, "headset", "count"),
        ("2.4 million", 2.4e6, "headset", "count"),
    ]
