"""A cell's value as a week or a count, as people write them (core/parse/values.py)."""

import datetime as dt

import pytest

from salesmetrics_xl.core.parse import parse_number, parse_week

MONDAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 11, 16), dt.date(2026, 11, 18), "2026-W47", "2026-w47", "2026W47", "2026-11-16",
    "16.11.2026", "11/16/2026", "16/11/2026", "Nov 16, 2026", "16 Nov 2026", 46342,
])
def test_weeks_as_people_write_them_land_on_the_monday(value):
    assert parse_week(value) == MONDAY


@pytest.mark.parametrize("value", ["next week", "2026-W54", "13/13/2026", 12, True])
def test_unparseable_weeks_say_why(value):
    with pytest.raises(ValueError):
        parse_week(value)


def test_numbers_written_as_text():
    assert parse_number("1,200") == 1200
    assert parse_number("$950") == 950
    assert parse_number("15%") == 0.15
    for bad in ("12 calls", "#DIV/0!", "n/a"):
        with pytest.raises(ValueError):
            parse_number(bad)
