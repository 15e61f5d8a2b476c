"""A cell's value as a week or a count, as people write them (core/parse/values.py)."""

import datetime as dt

import pandas as pd
import pytest

from salesmetrics_xl.core.parse import parse_number, parse_week
from salesmetrics_xl.core.parse.values import extra_value

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


@pytest.mark.parametrize(("value", "expected"), [
    (pd.Timestamp("2026-01-05 09:30"), dt.datetime(2026, 1, 5, 9, 30)),  # the columnar reader's dates
    (dt.datetime(2026, 1, 5, 9, 30), dt.datetime(2026, 1, 5, 9, 30)),  # openpyxl's
    (dt.date(2026, 1, 5), dt.datetime(2026, 1, 5)),  # python-calamine's
    ("  ", None), (None, None), (12.0, 12.0), ("Berlin", "Berlin"),
], ids=["timestamp", "datetime", "date", "spaces", "blank", "number", "text"])
def test_an_extra_columns_cell_is_the_same_value_from_every_reader(value, expected):
    """A date in a column of the team's own is one plain datetime whichever reader saw it (a pandas Timestamp is
    recognised without importing pandas: this runs once per cell)."""
    found = extra_value(value)
    assert found == expected and type(found) is type(expected)
