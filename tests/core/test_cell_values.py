"""A cell's value as a sentence quotes it (core/cell_values.py): the same text whichever reader gave the value."""

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from salesmetrics_xl.core.cell_values import shown


@pytest.mark.parametrize(("value", "text"), [
    (pd.Timestamp("2026-01-05"), "2026-01-05"),
    (pd.Timestamp("2026-01-05 09:30:15"), "2026-01-05 09:30:15"),
    (pd.Timestamp("2026-01-05 00:00:00.000000001"), "2026-01-05"),  # nanoseconds are not shown, nor a time
    (pd.Timestamp("2026-01-05 09:30:15.123456789"), "2026-01-05 09:30:15"),
    (pd.Timestamp("2026-01-05 09:30:15", tz="Europe/Berlin"), "2026-01-05 09:30:15"),
], ids=["midnight", "time", "nanosecond", "time-and-nanoseconds", "with-zone"])
def test_a_pandas_stamp_is_quoted_as_the_same_datetime_from_another_reader(value, text):
    """A Timestamp is a datetime, so it is formatted as one, without pandas being imported to recognise it; its
    nanoseconds, which Excel cannot hold, are dropped, and without a warning printed to a user's console."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert shown(value) == text
    if isinstance(value, pd.Timestamp) and not value.nanosecond:
        assert shown(value.to_pydatetime()) == text


def test_a_missing_stamp_is_no_date():
    """NaT is a datetime with no date: it has no text, as before (the readers give None for a blank, never NaT)."""
    with pytest.raises(ValueError, match="NaTType does not support"):
        shown(pd.NaT)


@pytest.mark.parametrize(("value", "text"), [
    (True, "TRUE"), (np.bool_(False), "FALSE"), (2026.0, "2026"), (np.float64(0.25), "0.25"), (np.int64(7), "7"),
    (dt.date(2026, 1, 5), "2026-01-05"), (dt.datetime(2026, 1, 5, 9, 30), "2026-01-05 09:30:00"),
    (dt.time(9, 30), "09:30:00"), ("  text ", "  text "),
])
def test_each_kind_of_value_is_quoted_as_excel_shows_it(value, text):
    assert shown(value) == text
