"""The bounds a cell's value must keep to be read, and how a value is quoted back in a sentence.

Every reader hands the parser the same cell in its own Python type (openpyxl: 60 and a datetime; python-calamine:
60.0 and a date; fastexcel: a float array and datetime64). What a sentence quotes, and what is accepted, is decided
here once, so that every reader gives the same problems word for word.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

import numpy as np

EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # a cell's date is its days since this (Excel's 1900 date system)
# The years a week or a start date may fall in. A sales week outside them is a typing slip (3026 for 2026, 1926),
# and pandas' nanosecond dates end in 2262: a year past that would be read as some other year, without a word.
FIRST_YEAR, LAST_YEAR = 1990, 2199
# A count or amount beyond this is no sales figure (Excel shows 15 significant digits); one this small and not zero
# (5e-324) is damage or a slip, and dividing by it gives a rate of infinity.
MAX_FIGURE = 1e15
SMALLEST_FIGURE = 1e-6


def shown(value: object) -> str:
    """A cell's value as a sentence quotes it, the same from every reader: 2026 (not 2026.0), 2026-01-05 (not
    2026-01-05 00:00:00), TRUE. Text is given as it is (the caller trims)."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return f"{number:.15g}"
    if isinstance(value, dt.datetime):  # pandas' Timestamp too (a datetime): formatted alike, no pandas needed
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M:%S}"
    return str(value)


def in_years(day: dt.date) -> dt.date:
    """The day, if its year is one a week or a start date can be in; else ValueError with the reason."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day:%Y-%m-%d} is outside the years {FIRST_YEAR} to {LAST_YEAR} that this tool reads; "
                         "check the year")
    return day


def figure_reason(number: float) -> str | None:
    """Why a number cannot be a count or an amount (too large, or a tiny value such as 5e-324), else None."""
    if abs(number) > MAX_FIGURE:
        return f"{number:g} is too large to be a sales figure (over {MAX_FIGURE:,.0f})"
    if number != 0 and abs(number) < SMALLEST_FIGURE:
        return f"{number:g} is too small to be a sales figure (a damaged or mistyped value)"
    return None


MAX_LITERAL = 255  # Excel refuses a formula whose text constant is longer
FORMULA_BREAKS = {"\t": 9, "\n": 10, "\r": 13}  # the control characters a formula can spell, as CHAR(n)


def unwritable(value: str) -> str | None:
    """The first character no formula can hold: control characters other than tab and line breaks, lone
    surrogates and the two XML non-characters."""
    for ch in value:
        if ch not in FORMULA_BREAKS and (unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff"):
            return ch
    return None


def literal_reason(value: str) -> str | None:
    """Why text cannot be a constant inside a formula we write (a Role the Evaluation sheet compares against), else
    None: longer than Excel's 255 characters, or a control character no formula can hold. Checked when the Ranges
    sheet is read, so check, summary and baseline give one answer."""
    if (ch := unwritable(value)) is not None:
        return f"holds the control character U+{ord(ch):04X}, which a formula cannot contain; remove it"
    length = len(value.encode("utf-16-le", "surrogatepass")) // 2  # Excel counts UTF-16 units
    if length > MAX_LITERAL:
        return f"is {length} characters long; text inside a formula can be at most {MAX_LITERAL}"
    return None
