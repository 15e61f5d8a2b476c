"""A cell's value as a week, a day, a count or a name: the one reading of each, with the reason when a cell
cannot be read (a ValueError's text is the sentence a user sees)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from salesmetrics_xl.core.cell_values import EXCEL_EPOCH, MAX_FIGURE, SMALLEST_FIGURE, figure_reason, in_years, shown
from salesmetrics_xl.core.metrics import trim
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.tracking import monday

T = TypeVar("T")

Row = tuple[object, ...]


@dataclass(frozen=True)
class Coded:
    """A column of few distinct values (names, teams, a column left blank) as a columnar reader hands it over:
    each row's code into ``values``. Each distinct value is read and judged once, never once per row; a row's
    value is ``values[codes[row]]``, exactly the cell a row reader would give."""

    codes: np.ndarray  # per row: an index into values
    values: list[object]  # the distinct cell values (None for a blank)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, row: int) -> object:
        return self.values[self.codes[row]]

    def take(self, rows: np.ndarray) -> Coded:
        return Coded(self.codes[rows], self.values)

    def mapped(self, read: Callable[[object], object]) -> np.ndarray:
        """``read`` of each row's value as an object array, calling ``read`` once per distinct value."""
        return objects(read(v) for v in self.values)[self.codes]

    def factorize(self) -> tuple[np.ndarray, list[object]]:
        """As pandas.factorize gives it for the rows' values: codes (-1 for a blank) and the distinct values in
        the order they first appear."""
        used, first = np.unique(self.codes, return_index=True)
        order = [int(c) for c in used[np.argsort(first, kind="stable")] if self.values[c] is not None]
        recode = np.full(len(self.values), -1, dtype=np.intp)
        recode[order] = np.arange(len(order))
        return recode[self.codes], [self.values[c] for c in order]


Column = list[object] | np.ndarray | Coded


def objects(values: Iterable[object]) -> np.ndarray:
    """Values as a one-dimensional object array (np.array would make a tuple into a row of its own)."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def rows_of(coded: Coded, per_value: dict[int, T]) -> dict[int, T]:
    """A per-distinct-value finding spread to the rows holding that value, in row order."""
    if not per_value:
        return {}
    rows = np.flatnonzero(np.isin(coded.codes, list(per_value)))
    return {int(i): per_value[int(coded.codes[i])] for i in rows}


def cell_objects(values: Column) -> list[object]:
    """Cell values as a row reader gives them (None for a blank), for the code that judges cell by cell."""
    import pandas as pd
    if isinstance(values, Coded):
        return objects(values.values)[values.codes].tolist()
    if not isinstance(values, np.ndarray):
        return values
    series = pd.Series(values)
    return series.astype(object).where(series.notna(), None).tolist()


class UncachedFormula(str):
    """A formula cell saved without its result (by a program that does not calculate): unknown, not blank."""


# The error values Excel shows in a cell (a formula's result, or a cached one: #GETTING_DATA while a query loads).
EXCEL_ERROR = re.compile(r"#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|"
                         r"CONNECT!|BUSY!|UNKNOWN!|PYTHON!)")


class ErrorValueError(ValueError):
    """A cell that shows an Excel error (#DIV/0!): its value is unknown, neither blank nor zero. Where a number
    is required (a range's Min) it is refused like any other non-number; a metric cell holding one is no data
    for that week, with a warning (see numbers_in)."""

    def __init__(self, error: str):
        super().__init__(f"the cell shows the Excel error {shorten(error)}")
        self.error = error


_ISO_WEEK = re.compile(r"^(\d{4})\s*-?\s*W(\d{1,2})(?:\s*-?\s*[1-7])?$", re.I)
_TEXT_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
               "%d-%b-%Y", "%Y-%m-%d %H:%M:%S")


def parse_week(value: object) -> dt.date:
    """A week as people write it, to its Monday; raises ValueError with the reason (a year outside
    FIRST_YEAR..LAST_YEAR included)."""
    return monday(in_years(_week_day(value)))


def _week_day(value: object) -> dt.date:
    """A day in the week a cell means (not yet its Monday)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel date serial in a cell not formatted as a date
            return (EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
        raise ValueError(f"{shorten(shown(value))} is a number, not a date")
    text = str(value).strip()
    if m := _ISO_WEEK.match(text):
        try:
            return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            raise ValueError(f"'{shorten(text)}' is not a real ISO week") from None
    for fmt in _TEXT_DATES:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        month, day = (b, a) if a > 12 else (a, b)  # US order unless the first number cannot be a month
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(f"'{shorten(text)}' is not a date or an ISO week like 2026-W47")


_NUMBER_TEXT = re.compile(r"^[\s$€£]*(-?[\d,]*\.?\d+)\s*(%?)\s*$")


def parse_number(value: object) -> float:
    """A count or amount; text is accepted only when it is plainly a number ('1,200', '$950', '15%')."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{shown(value)} is TRUE/FALSE, not a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _figure(float(value))
    if isinstance(value, UncachedFormula):
        raise ValueError("the formula here has no saved result (the file was saved by a program that does not "
                         "calculate); open and save it in Excel")
    text = shown(value).strip()
    if EXCEL_ERROR.fullmatch(text):
        raise ErrorValueError(text)
    if text.startswith("#"):
        raise ValueError(f"the cell shows the Excel error {shorten(text)}")
    m = _NUMBER_TEXT.match(text)
    if not m:
        raise ValueError(f"'{shorten(text)}' is text, not a number")
    number = float(m[1].replace(",", ""))
    return _figure(number / 100 if m[2] else number)


def _figure(number: float) -> float:
    reason = figure_reason(number) if math.isfinite(number) else f"{number:g} is not a number a cell can hold"
    if reason:
        raise ValueError(reason)
    return number


def numbers_in(values: Column) -> tuple[np.ndarray, dict[int, str], list[int], dict[int, str]]:
    """Column -> floats, the reason for each cell that is not a usable number, the cells holding a number as text
    (read, but Excel's own formulas will not count them), and the cells showing an Excel error (#DIV/0!), with the
    error: NaN, like a blank, but the caller says so. Fast on plain numbers."""
    if isinstance(values, Coded):  # each distinct value read once, then spread to its rows
        out, bad, as_text, errors = _read_numbers(values.values)
        text_rows = rows_of(values, dict.fromkeys(as_text, True))
        out, bad, errors = out[values.codes], rows_of(values, bad), rows_of(values, errors)
        return _checked(out, bad, list(text_rows), errors)
    return _checked(*_read_numbers(values))


def _read_numbers(values: list[object] | np.ndarray) -> tuple[np.ndarray, dict[int, str], list[int], dict[int, str]]:
    """numbers_in's reading of each cell, before the checks on the numbers read."""
    import pandas as pd
    bad: dict[int, str] = {}
    as_text: list[int] = []
    errors: dict[int, str] = {}
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":  # from a columnar reader: all plain numbers
        out, unread = values.astype(float), np.array([], dtype=np.intp)
    elif isinstance(values, list) and all(type(v) is float or (type(v) is str and not v) for v in values):
        out = np.array([v if type(v) is float else np.nan for v in values], dtype=float)  # numbers and blanks
        unread = np.flatnonzero(np.isnan(out))
    else:
        values = cell_objects(values)
        numeric = [v if not isinstance(v, str) else None for v in values]
        out = pd.to_numeric(pd.Series(numeric, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
        unread = np.flatnonzero(np.isnan(out))
    for i in unread:
        raw = values[i]
        if raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, float) and np.isnan(raw)):
            continue
        try:
            out[i] = parse_number(raw)
            if isinstance(raw, str):
                as_text.append(int(i))
        except ErrorValueError as exc:
            errors[int(i)] = exc.error
        except ValueError as exc:
            bad[int(i)] = str(exc)
    return out, bad, as_text, errors


def _checked(out: np.ndarray, bad: dict[int, str], as_text: list[int], errors: dict[int, str]
             ) -> tuple[np.ndarray, dict[int, str], list[int], dict[int, str]]:
    """The numbers read, with a reason for each that no count or amount can be (vectorised: one pass each)."""
    for i in np.flatnonzero(out < 0):
        bad[int(i)] = f"{out[i]:g} is negative; counts cannot be below zero"
        out[i] = np.nan
    for i in np.flatnonzero(np.isinf(out)):  # 1e400 or Infinity in a damaged file
        bad[int(i)] = f"{out[i]:g} is not a number a cell can hold"
        out[i] = np.nan
    with np.errstate(invalid="ignore"):
        odd = (np.abs(out) > MAX_FIGURE) | ((out != 0) & (np.abs(out) < SMALLEST_FIGURE))
    for i in np.flatnonzero(odd):  # 1e27 in Dials, 5e-324: no sales figure; said here, never a crash later
        bad[int(i)] = figure_reason(float(out[i])) or ""
        out[i] = np.nan
    return out, bad, as_text, errors


def filled(value: object) -> bool:
    """Does the cell hold anything: a cell of spaces is as blank as an empty one, whichever reader saw it."""
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def extra_value(value: object) -> object:
    """An extra column's cell as every reader gives it: readers differ on dates (date, datetime, Timestamp)."""
    if not filled(value):
        return None
    if isinstance(value, dt.datetime):  # pandas' Timestamp is one: made a plain datetime by its own method, found
        # without importing pandas (run once per cell, in a module that stays free of pandas: docs/development.md)
        return value.to_pydatetime() if type(value) is not dt.datetime and hasattr(value, "to_pydatetime") else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return value


def cell_text(value: object, cut: Callable[[str], str] = str.strip) -> str | None:
    """A name in a cell (a rep, a team, a metric), trimmed; None for a blank or a formula with no saved result."""
    if value is None or isinstance(value, UncachedFormula):
        return None
    text = cut(shown(value))
    return text or None


def role_text(value: object) -> str | None:
    """A Role as the formulas we write see it: trimmed as TRIM trims (a tab or a line break at the end counts)."""
    return cell_text(value, trim)


_TOTAL = re.compile(r"^(grand|sub|team|overall)?totals?\b|\b(sub)?totals?$|^sum$", re.I)


def is_total_label(value: object) -> bool:
    """'Total', 'Grand Total', 'Subtotal', 'Team A Total', 'TOTALS': a label a totals row carries."""
    return isinstance(value, str) and bool(_TOTAL.search(re.sub(r"[^0-9a-z]+", " ", value.casefold()).strip()))


def parse_date(value: object) -> dt.date:
    """A day (a start date): a real date, an Excel date serial, or a text date as ``parse_week`` reads them."""
    if isinstance(value, dt.datetime):
        return in_years(value.date())
    if isinstance(value, dt.date):
        return in_years(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value <= 80000:
        return in_years((EXCEL_EPOCH + dt.timedelta(days=float(value))).date())
    text = shown(value).strip()
    for fmt in _TEXT_DATES:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return in_years(day)
    raise ValueError(f"'{shorten(text)}' is not a date")


def dates_in(values: Column) -> tuple[np.ndarray, dict[int, str]]:
    """A column of dates as datetime64 (NaT for a blank), and the reason for each cell that is not a date."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":  # a columnar reader's dates: the day, as below
        return values.astype("datetime64[D]").astype("datetime64[ns]"), {}
    if isinstance(values, Coded):  # each distinct value read once
        days, bad = dates_in(values.values)
        return days[values.codes], rows_of(values, bad)
    out, bad = [], {}
    seen: dict[tuple[type, object], dt.date | str | None] = {}  # a rep's start date repeats on each of their rows
    for i, value in enumerate(cell_objects(values)):
        key = (type(value), value)  # by type too: 1.0 and TRUE are equal keys, not equal cells
        try:
            day = seen[key] if key in seen else seen.setdefault(key, _date_or_reason(value))
        except TypeError:  # a value that cannot be a key
            day = _date_or_reason(value)
        if isinstance(day, str):
            bad[i] = day
            day = None
        out.append(day)
    return np.array(out, dtype="datetime64[D]").astype("datetime64[ns]"), bad  # a blank (None) is NaT


def _date_or_reason(value: object) -> dt.date | str | None:
    """dates_in's reading of one cell: its day, None for a blank, or the reason it is not a date."""
    if not filled(value) or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        return str(exc)


def week_or_reason(value: object) -> dt.date | str:
    """A Week cell's Monday, or the sentence saying why it has none (a blank included)."""
    if not filled(value):
        return "no week given"
    try:
        return parse_week(value)
    except ValueError as exc:
        return str(exc)
