"""Raw cell values -> tracking data and ranges, with a problem for every cell that is wrong.

Pure: any reader (openpyxl, calamine, a live xlwings book) hands rows of plain Python values here,
so every face reports the same problems in the same words.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, islice, zip_longest

import numpy as np
import pandas as pd

from salesmetrics_xl.core.cell_values import (
    MAX_FIGURE,
    SMALLEST_FIGURE,
    figure_reason,
    in_years,
    literal_reason,
    shown,
)
from salesmetrics_xl.core.effective import Fairness, RampStep, Roster
from salesmetrics_xl.core.metrics import (
    CATALOG,
    Category,
    Metric,
    Period,
    Range,
    Unit,
    closest_name,
    match_name,
    normalise,
    parse_ratio,
    text_key,
    trim,
)
from salesmetrics_xl.core.names import label, split_period
from salesmetrics_xl.core.periods import looks_monthly, period_assumed_problem
from salesmetrics_xl.core.problems import Problem, Severity, column_letter
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.text import listing, shorten
from salesmetrics_xl.core.tracking import ROW, TrackingData, check_fairness, check_tracking, monday
from salesmetrics_xl.core.workbook import (
    CATEGORY,
    DAYS_WORKED,
    DEFAULT_WORKING_WEEK,
    FORMULA,
    FTE,
    MAX,
    METRIC,
    MIN,
    MONTH,
    NOTES,
    OUR_SHEETS,
    PERIOD,
    RAMP,
    RANGES,
    RANGES_SHEET_NAME,
    RANGES_SHEET_SETTING,
    REP,
    REPS,
    ROLE,
    SETTING,
    SETTINGS,
    SHARE,
    SHEET_SETTINGS,
    START_DATE,
    TEAM,
    TRACKING,
    TRACKING_SHEET_NAME,
    TRACKING_SHEET_SETTING,
    UNIT,
    VALUE,
    WEEK,
    WEEK_ENDING,
    WORKING_WEEK,
    SheetSpec,
    default_range_rows,
    metric_named,
    parse_category,
    parse_period,
    parse_unit,
)

HEADER_SEARCH_ROWS = 20
Row = tuple[object, ...]
Column = list[object] | np.ndarray


@dataclass
class Header:
    row: int  # 1-based Excel row
    columns: dict[str, int]  # declared column name -> 0-based index
    extras: dict[str, int]  # other non-empty headers -> 0-based index
    duplicates: list[tuple[str, int, str]]  # (declared column, 0-based index, header text) that repeat one above


def find_header(rows: list[Row], spec: SheetSpec, required: tuple[str, ...]) -> Header | None:
    """The first row in the top 20 that names every required column, so title blocks above it are fine."""
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        columns: dict[str, int] = {}
        extras: dict[str, int] = {}
        duplicates: list[tuple[str, int, str]] = []
        for index, value in enumerate(row):
            if value is None or not shown(value).strip():
                continue
            column = spec.match(value)
            if column is not None and column.name not in columns:
                columns[column.name] = index
            elif column is not None:
                duplicates.append((column.name, index, shown(value).strip()))
            elif shown(value).strip() not in extras:
                extras[shown(value).strip()] = index
        if all(name in columns for name in required):
            return Header(number, columns, extras, duplicates)
    return None


def _describe_found(rows: list[Row]) -> str:
    best = max(rows[:HEADER_SEARCH_ROWS], key=lambda r: sum(v is not None for v in r), default=())
    found = [shown(v) for v in best if v is not None and shown(v).strip()]
    return ", ".join(found[:12]) if found else "nothing"


def likely_header(rows: list[Row], spec: SheetSpec) -> tuple[int, Row]:
    """The row in the top 20 that looks most like a header row (most declared names, then most filled cells), and
    its number: where a message about a missing column points, below any title block."""
    def score(row: Row) -> tuple[int, int]:
        return sum(spec.match(v) is not None for v in row), sum(_filled(v) for v in row)

    return max(enumerate(rows[:HEADER_SEARCH_ROWS], start=1), key=lambda nr: score(nr[1]), default=(1, ()))


def missing_columns_problem(rows: list[Row], spec: SheetSpec, required: tuple[str, ...], file: str, sheet: str,
                            any_of: tuple[str, ...] = ()) -> Problem:
    """The error for a sheet without its header, at the first filled cell of the row that looks most like one
    (A4 under a three-row title, not A1)."""
    number, best = likely_header(rows, spec)
    first = next((i for i, v in enumerate(best) if _filled(v)), 0)
    return Problem(severity=Severity.ERROR, code="missing-column", file=file, sheet=sheet,
                   cell=f"{column_letter(first + 1)}{number}",
                   message=missing_columns_message(rows, spec, required, any_of))


def missing_columns_message(rows: list[Row], spec: SheetSpec, required: tuple[str, ...],
                            any_of: tuple[str, ...] = ()) -> str:
    """Which required column is missing, the names it goes by, and the header that came closest, from the row in
    the top 20 that looks most like a header row: what a user needs to rename one cell."""
    number, best = likely_header(rows, spec)
    found = {spec.match(v).name for v in best if spec.match(v) is not None}  # type: ignore[union-attr]
    unmatched = {normalise(v): (shown(v).strip(), i) for i, v in enumerate(best)
                 if _filled(v) and spec.match(v) is None}
    parts = []
    wanted = [*required, *(any_of if not found & set(any_of) else ())]
    for name in wanted:
        if name in found:
            continue
        column = spec.column(name)
        text = f"no {name} column (it may be called {', '.join(column.aliases)})" if column.aliases else \
            f"no {name} column"
        near = difflib.get_close_matches(normalise(name), list(unmatched), n=1, cutoff=0.5) or next(
            (difflib.get_close_matches(normalise(a), list(unmatched), n=1, cutoff=0.6) for a in column.aliases
             if difflib.get_close_matches(normalise(a), list(unmatched), n=1, cutoff=0.6)), [])
        if near:
            header, index = unmatched[near[0]]
            text += (f"; the closest header is '{shorten(header)}' in {column_letter(index + 1)}{number}: rename it "
                     f"to {name}")
        parts.append(text)
    if len(any_of) > 1 and not found & set(any_of):
        parts.append(f"at least one of {' or '.join(any_of)} is needed")
    headers = ", ".join(shown(v).strip() for v in best if _filled(v))[:300] or "nothing"
    where = f"row {number}" if any(_filled(v) for v in best) else f"the first {HEADER_SEARCH_ROWS} rows"
    return f"{'; '.join(parts)} (headers found in {where}: {headers})"


@dataclass
class SheetColumns:
    """The rows under the header as a columnar reader hands them over: a column of plain numbers is a float
    array and a column of dates a datetime64 array, so a 200k-row sheet never becomes 2M Python objects.
    Anything else is a list of cell values, as a row reader would give them."""

    first_row: int  # Excel row number of each column's first value
    values: dict[int, Column]  # 0-based sheet column -> values; a column past the data is absent
    kept: np.ndarray  # per row: does any cell hold more than spaces (else it is an empty row)


def _objects(values: Column) -> list[object]:
    """Cell values as a row reader gives them (None for a blank), for the code that judges cell by cell."""
    if not isinstance(values, np.ndarray):
        return values
    series = pd.Series(values)
    return series.astype(object).where(series.notna(), None).tolist()


class UncachedFormula(str):
    """A formula cell saved without its result (by a program that does not calculate): unknown, not blank."""


_ISO_WEEK = re.compile(r"^(\d{4})\s*-?\s*W(\d{1,2})(?:\s*-?\s*[1-7])?$", re.I)
_TEXT_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
               "%d-%b-%Y", "%Y-%m-%d %H:%M:%S")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


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


def _numbers(values: Column) -> tuple[np.ndarray, dict[int, str], list[int]]:
    """Column -> floats, the reason for each cell that is not a usable number, and the cells holding a number
    as text (read, but Excel's own formulas will not count them). Fast on plain numbers."""
    bad: dict[int, str] = {}
    as_text: list[int] = []
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":  # from a columnar reader: all plain numbers
        out, unread = values.astype(float), np.array([], dtype=np.intp)
    else:
        values = _objects(values)
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
        except ValueError as exc:
            bad[int(i)] = str(exc)
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
    return out, bad, as_text


def _filled(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _extra(value: object) -> object:
    """An extra column's cell as every reader gives it: readers differ on dates (date, datetime, Timestamp)."""
    if not _filled(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def _text(value: object, cut: Callable[[str], str] = str.strip) -> str | None:
    if value is None or isinstance(value, UncachedFormula):
        return None
    text = cut(shown(value))
    return text or None


def _role(value: object) -> str | None:
    """A Role as the formulas we write see it: trimmed as TRIM trims (a tab or a line break at the end counts)."""
    return _text(value, trim)


def parse_tracking(rows: Iterable[Row], *, file: str = "", sheet: str = TRACKING.name,
                   columns: Callable[[Header], SheetColumns | None] | None = None
                   ) -> tuple[TrackingData | None, list[Problem]]:
    """The Tracking sheet's rows (row 1 first) -> TrackingData, or None when Week or Rep is missing.

    ``columns``, when a reader offers it, reads the rows under the header column by column; it may decline
    (None), and then the rows are read one by one. Both give the same data and the same problems."""
    it: Iterator[Row] = iter(rows)
    head = [tuple(r) for r in islice(it, HEADER_SEARCH_ROWS)]
    header = find_header(head, TRACKING, (WEEK, REP))
    if header is None:
        return None, [missing_columns_problem(head, TRACKING, (WEEK, REP), file, sheet)]

    problems: list[Problem] = []
    letters = {name: column_letter(i + 1) for name, i in {**header.columns, **header.extras}.items()}
    headers = {name: shown(head[header.row - 1][i]).strip() for name, i in header.columns.items()}

    def named(column: str) -> str:
        return label(column, headers.get(column))

    def problem(severity: Severity, code: str, message: str, column: str, row: int) -> Problem:
        return Problem(severity=severity, code=code, message=message, file=file, sheet=sheet,
                       cell=f"{letters[column]}{row}")

    counted = [c for c in TRACKING.columns if c.kind in ("count", "currency")]
    missing = [c.name for c in counted if c.name not in header.columns]
    if missing:
        problems.append(Problem(
            severity=Severity.WARNING, code="missing-column", file=file, sheet=sheet, cell=f"A{header.row}",
            message=f"no column for {', '.join(missing)}; metrics that need "
                    f"{'it' if len(missing) == 1 else 'them'} show NO DATA (headers found: "
                    f"{', '.join(shown(v) for v in head[header.row - 1] if v is not None)})"))

    for name, index, text in header.duplicates:
        first = header.columns[name]
        problems.append(Problem(
            severity=Severity.WARNING, code="duplicate-column", file=file, sheet=sheet,
            cell=f"{column_letter(index + 1)}{header.row}",
            message=f"'{shorten(text)}' means {named(name)} too; {column_letter(first + 1)} "
                    f"('{shorten(shown(head[header.row - 1][first]))}') is used and {column_letter(index + 1)} is "
                    "ignored: "
                    "rename or remove one"))
    wanted = {**header.columns, **header.extras}
    read = columns(header) if columns else None
    if read is not None:
        keep = np.flatnonzero(read.kept)
        row_numbers = (keep + read.first_row).tolist()
        cols = {name: _take(read.values.get(i), keep) for name, i in wanted.items()}
        firsts = _first_filled(read, keep, (header.columns[WEEK], header.columns[REP]))
        del head, read
    else:
        row_numbers, cols, firsts = _row_by_row(chain(head[header.row:], it), header.row + 1, wanted,
                                                (header.columns[WEEK], header.columns[REP]))
        del head
    frame = pd.DataFrame({ROW: np.array(row_numbers, dtype=np.int64)})
    row_problems: list[tuple[int, Problem]] = []  # (0-based row, problem): a totals row's are dropped below

    def row_problem(severity: Severity, code: str, message: str, column: str, i: int) -> None:
        row_problems.append((int(i), problem(severity, code, message, column, row_numbers[i])))

    # Work on distinct values (a sheet holds few weeks and few names), and touch single rows only to report them.
    codes, distinct = pd.factorize(pd.Series(cols[WEEK], dtype=None if isinstance(cols[WEEK], np.ndarray)
                                             else object))
    codes = np.where(codes < 0, len(distinct), codes)  # a blank week: the code after the distinct values
    parsed: list[dt.date | str] = [_week_or_reason(v) for v in distinct] + ["no week given"]
    failed = [k for k, w in enumerate(parsed) if isinstance(w, str)]
    for i in np.flatnonzero(np.isin(codes, failed)):
        row_problem(Severity.ERROR, "bad-week", f"{parsed[codes[i]]}; this row is skipped", WEEK, i)
    mondays = pd.to_datetime(pd.Series([w if not isinstance(w, str) else None for w in parsed], dtype=object))
    frame[WEEK] = mondays.to_numpy(dtype="datetime64[ns]")[codes]
    total = np.isin(codes, [k for k, v in enumerate(distinct) if isinstance(parsed[k], str) and is_total_label(v)])
    for name in (REP, TEAM, ROLE):
        if name not in cols:
            frame[name] = pd.Series([None] * len(row_numbers), dtype=object)
            continue
        cols[name] = _objects(cols[name])
        cleaned = {v: _role(v) if name == ROLE else _text(v) for v in set(cols[name])}
        if any(isinstance(v, UncachedFormula) for v in cleaned):
            for i, value in enumerate(cols[name]):
                if isinstance(value, UncachedFormula):
                    row_problem(Severity.ERROR, "bad-text", f"{named(name)}: the formula here has no saved result; "
                                "open and save the file in Excel", name, i)
        frame[name] = pd.Series([cleaned[v] for v in cols[name]], dtype=object)
        total |= frame[name].isin([v for v in set(cleaned.values()) if is_total_label(v)]).to_numpy()
    for i in np.flatnonzero(frame[REP].isna().to_numpy()):
        row_problem(Severity.ERROR, "missing-rep", "no rep name; this row is skipped", REP, i)
    numeric = np.zeros(len(row_numbers), dtype=np.int64)  # numbers, or cells meant as one (a bad or empty formula)
    for column in counted:
        if column.name not in cols:
            frame[column.name] = np.nan
            continue
        values, bad, as_text = _numbers(cols[column.name])
        frame[column.name] = values
        meant = ~np.isnan(values)
        meant[list(bad)] = True
        numeric += meant
        for i, reason in bad.items():
            row_problem(Severity.ERROR, "bad-number", f"{named(column.name)}: {reason}", column.name, i)
        for i in as_text:
            row_problem(
                Severity.WARNING, "number-as-text",
                f"{named(column.name)}: '{shorten(cols[column.name][i])}' is a number stored as text; it is read as "
                f"{values[i]:g}, but Excel formulas skip it: re-enter it as a number",
                column.name, i)
    for name in (DAYS_WORKED, FTE):
        if name in cols:
            values, bad, _ = _numbers(cols[name])
            frame[name] = values
            for i, reason in bad.items():
                row_problem(Severity.ERROR, "bad-number", f"{named(name)}: {reason}", name, i)
    if START_DATE in cols:
        frame[START_DATE], bad = _dates(cols[START_DATE])
        for i, reason in bad.items():
            row_problem(Severity.ERROR, "bad-date", f"{named(START_DATE)}: {reason}", START_DATE, i)
    for name in header.extras:
        frame[name] = pd.Series([_extra(v) for v in _objects(cols[name])], dtype=object)

    # A totals row: labelled Total / Grand Total / Subtotal, or a row of numbers (SUM formulas) with neither week
    # nor rep right under the data. A value further below, in a row with neither, is a stray value (see below).
    numbers = np.array(row_numbers, dtype=np.int64)
    under_data = np.diff(numbers, prepend=numbers[:1] - 99) <= 2
    total |= frame[WEEK].isna().to_numpy() & frame[REP].isna().to_numpy() & (numeric >= 2) & under_data
    usable = (frame[WEEK].notna() & frame[REP].notna()).to_numpy() & ~total
    end = int(numbers[usable].max()) if usable.any() else header.row  # the data ends at its last real row
    stray = (numbers > end) & ~total & np.isin(np.arange(len(numbers)), list(firsts)) & usable.any()
    problems += [p for i, p in row_problems if not total[i] and not stray[i]]
    if stray.any():
        problems.append(_stray_warning([(row_numbers[i], firsts[i]) for i in np.flatnonzero(stray)], end, file,
                                       sheet))
    if total.any():
        skipped = [row_numbers[i] for i in np.flatnonzero(total)]
        listed = ", ".join(str(r) for r in skipped[:10]) + (", ..." if len(skipped) > 10 else "")
        problems.append(Problem(
            severity=Severity.NOTE, code="totals-row", file=file, sheet=sheet, cell=f"A{skipped[0]}",
            message=f"{'a totals row' if len(skipped) == 1 else f'{len(skipped)} totals rows'} (row"
                    f"{'s' if len(skipped) > 1 else ''} {listed}) skipped: we add up the reps' rows ourselves"))

    if normalise(headers[WEEK]) in {normalise(a) for a in WEEK_ENDING}:
        problems.append(Problem(severity=Severity.NOTE, code="week-ending", file=file, sheet=sheet,
                                cell=f"{letters[WEEK]}{header.row}",
                                message=week_ending_note(headers[WEEK], distinct, parsed)))
    if not row_numbers:
        problems.append(Problem(severity=Severity.WARNING, code="no-data", file=file, sheet=sheet,
                                cell=f"A{header.row + 1}",
                                message="no tracking rows yet; add one row per rep per week"))
    return TrackingData(frame[usable].reset_index(drop=True), file=file, sheet=sheet, letters=letters,
                        header_row=header.row, last_row=end if usable.any() else max(row_numbers, default=header.row),
                        headers=headers), problems


def week_ending_note(header: str, values: Iterable[object], weeks: list[dt.date | str]) -> str:
    """How a column of week-ending dates was read, once, with one of the team's own dates as the example: a
    Friday 30 October counts for the week of Monday 26 October, the week that contains it."""
    example = next(((v, w) for v, w in zip(values, weeks, strict=False) if isinstance(w, dt.date)
                    and _day(v) is not None and _day(v) != w), None)
    shown = f": {_day(example[0]):%a %Y-%m-%d} is the week of {example[1]:%a %Y-%m-%d}" if example else ""
    return (f"'{header}' is read as the day a week ends: each date counts for the week (Monday to Sunday) that "
            f"contains it{shown}; weeks are named by their Monday")


def _day(value: object) -> dt.date | None:
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        return None


STRAY_CELLS_LISTED = 5


def _stray_warning(cells: list[tuple[int, int]], end: int, file: str, sheet: str) -> Problem:
    """Values below the data (the last row with a Week and a Rep) in rows with neither: a note far down, a
    number left in M500000. Named, not read, and they size nothing the tool writes."""
    refs = [f"{column_letter(col + 1)}{row}" for row, col in cells]
    listed = ", ".join(refs[:STRAY_CELLS_LISTED]) + (
        f" and {len(refs) - STRAY_CELLS_LISTED:,} more" if len(refs) > STRAY_CELLS_LISTED else "")
    one = len(refs) == 1
    return Problem(
        severity=Severity.WARNING, code="stray-cell", file=file, sheet=sheet, cell=refs[0],
        message=f"{'a value' if one else f'values in {len(refs):,} rows'} below the data, which ends at row {end:,} "
                f"(the last row with a Week and a Rep), in {listed}: {'it is' if one else 'they are'} not read; "
                f"delete {'it' if one else 'them'}, or give {'its row' if one else 'their rows'} a Week and a Rep")


def _first_filled(read: SheetColumns, keep: np.ndarray, week_rep: tuple[int, int]) -> dict[int, int]:
    """For each kept row with neither a Week nor a Rep: the 0-based column of its first value (see _row_by_row).
    Whole columns at once: a 200k-row sheet has a Week and a Rep on every row."""
    def filled(column: Column | None) -> np.ndarray:
        if column is None:
            return np.zeros(len(keep), dtype=bool)
        if isinstance(column, np.ndarray) and column.dtype.kind == "f":
            return ~np.isnan(column[keep])
        if isinstance(column, np.ndarray) and column.dtype.kind == "M":
            return ~np.isnat(column[keep])
        return np.array([_filled(column[i]) and not (isinstance(column[i], float) and np.isnan(column[i]))
                         for i in keep], dtype=bool)
    bare = np.flatnonzero(~filled(read.values.get(week_rep[0])) & ~filled(read.values.get(week_rep[1])))
    if not len(bare):
        return {}
    columns = {at: filled(read.values[at]) for at in sorted(read.values)}
    return {int(n): next((at for at, full in columns.items() if full[n]), 0) for n in bare}


def _row_by_row(rows: Iterable[Row], first: int, wanted: dict[str, int], week_rep: tuple[int, int]
                ) -> tuple[list[int], dict[str, Column], dict[int, int]]:
    """Rows under the header -> their row numbers, the wanted columns, and for each kept row with neither a Week
    nor a Rep the 0-based column of its first value (a stray value's cell). Only rows with data are kept as they
    stream past: a stray value in row 1,048,576 costs time, not memory."""
    body: list[Row] = []
    row_numbers: list[int] = []
    firsts: dict[int, int] = {}
    week, rep = week_rep
    for number, row in enumerate(rows, start=first):
        if any(_filled(v) for v in row):  # a row of blanks and spaces is an empty row, whichever reader saw it
            if not (week < len(row) and _filled(row[week])) and not (rep < len(row) and _filled(row[rep])):
                firsts[len(body)] = next(i for i, v in enumerate(row) if _filled(v))
            body.append(row)
            row_numbers.append(number)
    columns = list(zip_longest(*body)) if body else []  # transposed in C; short rows padded with None
    return row_numbers, {name: list(columns[i]) if i < len(columns) else [None] * len(body)
                         for name, i in wanted.items()}, firsts


def _take(values: Column | None, rows: np.ndarray) -> Column:
    if values is None:
        return [None] * len(rows)
    if isinstance(values, np.ndarray):
        return values[rows]
    return values if len(rows) == len(values) else [values[i] for i in rows]


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


def _dates(values: Column) -> tuple[np.ndarray, dict[int, str]]:
    """A column of dates as datetime64 (NaT for a blank), and the reason for each cell that is not a date."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":  # a columnar reader's dates: the day, as below
        return values.astype("datetime64[D]").astype("datetime64[ns]"), {}
    out, bad = [], {}
    for i, value in enumerate(_objects(values)):
        if not _filled(value) or (isinstance(value, float) and np.isnan(value)):
            out.append(None)
            continue
        try:
            out.append(parse_date(value))
        except ValueError as exc:
            bad[i] = str(exc)
            out.append(None)
    return pd.to_datetime(pd.Series(out, dtype=object)).to_numpy(dtype="datetime64[ns]"), bad


def _week_or_reason(value: object) -> dt.date | str:
    if not _filled(value):
        return "no week given"
    try:
        return parse_week(value)
    except ValueError as exc:
        return str(exc)


def _bound(value: object, unit: Unit) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_number(value)
    if unit is Unit.RATE and number > 1:
        raise ValueError(f"{number:g} is a rate above 100%; write {number:g}% (or {number / 100:g})")
    return number


def default_ranges() -> RangeSet:
    """The built-in ranges, used when a workbook has no Ranges sheet (they live in no cell)."""
    ranges = parse_ranges(_rows_of(default_range_rows()), tracking_columns=[])[0]
    return RangeSet(rules=[r.model_copy(update={"cell": None, "min_cell": None, "max_cell": None})
                           for r in ranges.rules], sheet=None, letters={})


def _rows_of(records: list[dict[str, object]]) -> list[Row]:
    names = [c.name for c in RANGES.columns]
    return [tuple(names)] + [tuple(r.get(n) for n in names) for r in records]


def parse_ranges(rows: Iterable[Row], *, tracking_columns: list[str], file: str = "", sheet: str = RANGES.name
                 ) -> tuple[RangeSet, list[Problem]]:
    """The Ranges sheet's rows -> RangeSet. ``tracking_columns`` are the columns a user's formula may use."""
    materialised = [tuple(r) for r in rows]
    header = find_header(materialised, RANGES, (METRIC,))
    if header is None or not ({MIN, MAX} & header.columns.keys()):
        return RangeSet(rules=[]), [missing_columns_problem(materialised, RANGES, (METRIC,), file, sheet,
                                                            any_of=(MIN, MAX))]
    problems: list[Problem] = []
    rules: list[RangeRule] = []
    seen: dict[tuple[str, str, str], str] = {}
    read_as_week: list[tuple[int, str]] = []  # (row, metric): no period given anywhere, so read as a week's
    known_columns = list(dict.fromkeys([*(m.column for m in CATALOG if m.column), *tracking_columns]))

    for number, row in enumerate(materialised[header.row:], start=header.row + 1):
        def get(name: str, row: Row = row) -> object:
            index = header.columns.get(name)
            return row[index] if index is not None and index < len(row) else None

        def cell(name: str, number: int = number) -> str:
            index = header.columns.get(name, header.columns[METRIC])
            return f"{column_letter(index + 1)}{number}"

        def error(message: str, column: str) -> None:
            problems.append(Problem(severity=Severity.ERROR, code="bad-range", message=message, file=file,
                                    sheet=sheet, cell=cell(column)))

        name = _text(get(METRIC))
        if name is None:
            if any(_text(v) for v in row):
                error("this row has no metric name", METRIC)
            continue
        formula = _text(get(FORMULA))
        try:
            metric, named_period = _metric_for(name, formula, get, known_columns)
        except ValueError as exc:
            error(str(exc), FORMULA if formula and "formula" in str(exc) else METRIC)
            continue
        period = parse_period(get(PERIOD))
        if period is None:
            error(f"{shorten(name)}: period '{shorten(shown(get(PERIOD)))}' must be week or month", PERIOD)
            continue
        given = _filled(get(PERIOD))
        if given and named_period is not None and named_period is not period:
            error(f"{name}: the name says a {named_period.value} but Period says {period.value}; make them agree",
                  PERIOD)
            continue
        # no period in a cell or in the name: a week's. A rate is the same share whatever the period, so only a
        # count or an amount can be misread (a month's 6 SQLs judged as a week's): those are warned about.
        assumed = not given and named_period is None and not metric.is_rate
        period = period if given else (named_period or Period.WEEK)
        try:
            low, high = _bound(get(MIN), metric.unit), _bound(get(MAX), metric.unit)
        except ValueError as exc:
            error(f"{shorten(name)}: {exc}", MIN if _bad(get(MIN), metric.unit) else MAX)
            continue
        if low is not None and high is not None and low > high:
            error(f"{shorten(name)}: Min {low:g} is greater than Max {high:g}", MIN)
            continue
        role = _role(get(ROLE))
        if role and (reason := literal_reason(role)) is not None:  # the Evaluation sheet's formulas compare it
            error(f"{name}: the Role {reason}", ROLE if ROLE in header.columns else METRIC)
            continue
        key = (normalise(metric.name), period.value, text_key(role))
        if key in seen:
            again = shorten(name) if normalise(name) == normalise(metric.name) else f"{shorten(name)}: {metric.name}"
            error(f"{again} ({period.value}{', ' + shorten(role) if role else ''}) already has a range in "
                  f"{seen[key]}", METRIC)
            continue
        seen[key] = cell(METRIC)
        if assumed and PERIOD not in header.columns:
            read_as_week.append((number, name))
        rules.append(RangeRule(metric=metric, period=period, role=role, range=Range(min=low, max=high),
                               notes=_text(get(NOTES)) or "", cell=cell(METRIC), period_assumed=assumed,
                               min_cell=cell(MIN) if MIN in header.columns else None,
                               max_cell=cell(MAX) if MAX in header.columns else None))
    letters = {name: column_letter(i + 1) for name, i in header.columns.items()}
    if read_as_week:
        problems.append(period_assumed_problem(read_as_week, PERIOD in header.columns, file, sheet,
                                               f"{column_letter(header.columns[METRIC] + 1)}{read_as_week[0][0]}"))
    return RangeSet(rules=rules, sheet=sheet, header_row=header.row, letters=letters), problems


def _bad(value: object, unit: Unit) -> bool:
    try:
        _bound(value, unit)
        return False
    except ValueError:
        return True


def _metric_for(name: str, formula: str | None, get: Callable[[str], object], known_columns: list[str]
                ) -> tuple[Metric, Period | None]:
    """A catalog metric by name, or the user's own: a ratio formula, or one of their extra tracking columns; with
    the period the name gives ("SQLs per month"), if it gives one."""
    period: Period | None = None
    try:
        metric, period = metric_named(name)
    except KeyError as exc:
        metric = None
        unknown = exc.args[0]
    if metric is not None and not (formula and metric.is_rate and normalise(formula) != normalise(metric.formula)):
        return metric, period
    category = parse_category(get(CATEGORY))
    if formula:
        numerator, denominator = parse_ratio(formula, known_columns)
        return Metric(name=name, category=category or (metric.category if metric else Category.QUALITY),
                      unit=Unit.RATE, numerator=numerator, denominator=denominator), period
    own, period = split_period(name)
    column = next((c for c in known_columns if normalise(c) in (normalise(name), normalise(own))), None)
    if column is not None and normalise(column) == normalise(name):
        own, period = name, None  # a column of theirs whose name only looks like it holds a period
    if column is None:
        raise ValueError(unknown + "; your own metric needs a Formula like 'Replies / Emails' or a Tracking "
                         "column of that name" if "; known: " in unknown else unknown)
    if category is None:
        raise ValueError(f"{shorten(name)}: your own metric needs a Category (activity, quality or outcome)")
    unit = parse_unit(get(UNIT)) or Unit.COUNT
    return Metric(name=own, category=category,
                  unit=unit if unit is not Unit.RATE else Unit.COUNT, column=column), period


def _table_rows(rows: Iterable[Row], spec: SheetSpec, file: str, sheet: str
                ) -> tuple[Header | None, list[tuple[int, Callable[[str], object]]], list[Problem]]:
    """A small declared sheet (Settings, Ramp, Reps): its header and, per filled row, its number and a getter."""
    materialised = [tuple(r) for r in rows]
    required = tuple(c.name for c in spec.columns if c.required)
    header = find_header(materialised, spec, required)
    if header is None:
        number, best = likely_header(materialised, spec)
        return None, [], [Problem(
            severity=Severity.ERROR, code="missing-column", file=file, sheet=sheet,
            cell=f"{column_letter(next((i for i, v in enumerate(best) if _filled(v)), 0) + 1)}{number}",
            message=f"no header row with {', '.join(required)} in the first {HEADER_SEARCH_ROWS} rows; found: "
                    f"{_describe_found(materialised)}")]
    out = []
    for number, row in enumerate(materialised[header.row:], start=header.row + 1):
        if not any(_filled(v) for v in row):
            continue

        def get(name: str, row: Row = row) -> object:
            index = header.columns.get(name)
            return row[index] if index is not None and index < len(row) else None

        out.append((number, get))
    return header, out, []


def _letter(header: Header, name: str) -> str:
    return column_letter(header.columns[name] + 1)


def parse_settings(rows: Iterable[Row], file: str = "", sheet: str = SETTINGS.name
                   ) -> tuple[float, str | None, list[Problem]]:
    """The team-wide working week (days) and its cell, from the Settings sheet."""
    header, body, problems = _table_rows(rows, SETTINGS, file, sheet)
    for number, get in body:
        if header is None or normalise(get(SETTING)) != normalise(WORKING_WEEK):
            continue
        cell = f"{_letter(header, VALUE)}{number}"
        try:
            days = parse_number(get(VALUE))
            if not 0 < days <= 7:
                raise ValueError(f"{days:g} is not a number of days between 1 and 7")
        except ValueError as exc:
            problems.append(Problem(severity=Severity.ERROR, code="bad-setting", file=file, sheet=sheet, cell=cell,
                                    message=f"{WORKING_WEEK}: {exc}; {DEFAULT_WORKING_WEEK:g} days are used"))
            return DEFAULT_WORKING_WEEK, None, problems
        return days, cell, problems
    return DEFAULT_WORKING_WEEK, None, problems


def parse_ramp(rows: Iterable[Row], file: str = "", sheet: str = RAMP.name
               ) -> tuple[tuple[RampStep, ...], list[Problem]]:
    """The Ramp sheet: month of tenure -> share of the range, optionally per Role."""
    header, body, problems = _table_rows(rows, RAMP, file, sheet)
    steps: list[RampStep] = []
    seen: dict[tuple[int, str], int] = {}
    for number, get in body:
        assert header is not None
        month_cell, share_cell = f"{_letter(header, MONTH)}{number}", f"{_letter(header, SHARE)}{number}"

        def error(message: str, cell: str) -> None:
            problems.append(Problem(severity=Severity.ERROR, code="bad-ramp", file=file, sheet=sheet, cell=cell,
                                    message=message))

        try:
            month = parse_number(get(MONTH))
            if month < 1 or not float(month).is_integer():
                raise ValueError(f"{month:g} is not a month of tenure (1, 2, 3, ...)")
        except ValueError as exc:
            error(f"Month: {exc}", month_cell)
            continue
        if not _filled(get(SHARE)):
            continue  # a blank share: that month is judged at 100 %
        try:
            share = parse_number(get(SHARE))
            if share > 1 and share <= 100:
                raise ValueError(f"{share:g} is above 100%; write {share:g}% (or {share / 100:g})")
            if not 0 <= share <= 1:
                raise ValueError(f"{share:g} is not a share between 0% and 100%")
        except ValueError as exc:
            error(f"Share for month {month:g}: {exc}", share_cell)
            continue
        role = _role(get(ROLE))
        key = (int(month), text_key(role))
        if key in seen:
            error(f"month {month:g}{' for ' + role if role else ''} already has a share in row {seen[key]}",
                  month_cell)
            continue
        seen[key] = number
        steps.append(RampStep(month=int(month), share=share, role=role, month_cell=month_cell,
                              share_cell=share_cell))
    return tuple(steps), problems


def parse_reps(rows: Iterable[Row], file: str = "", sheet: str = REPS.name
               ) -> tuple[dict[str, dict[str, object]], Roster | None, list[Problem]]:
    """The Reps sheet: per rep (by text_key(name), as the formulas we write look a rep up), Start Date, Role and
    FTE."""
    header, body, problems = _table_rows(rows, REPS, file, sheet)
    if header is None:
        return {}, None, problems
    reps: dict[str, dict[str, object]] = {}
    for number, get in body:
        name = _text(get(REP))
        if name is None:
            continue
        record: dict[str, object] = {"row": number}
        if _filled(get(START_DATE)):
            try:
                record[START_DATE] = parse_date(get(START_DATE))
            except ValueError as exc:
                problems.append(Problem(severity=Severity.ERROR, code="bad-date", file=file, sheet=sheet,
                                        cell=f"{_letter(header, START_DATE)}{number}",
                                        message=f"{shorten(name)}: {START_DATE}: {exc}"))
        if _filled(get(FTE)):
            try:
                record[FTE] = parse_number(get(FTE))
            except ValueError as exc:
                problems.append(Problem(severity=Severity.ERROR, code="bad-number", file=file, sheet=sheet,
                                        cell=f"{_letter(header, FTE)}{number}", message=f"{shorten(name)}: FTE: {exc}"))
        record[ROLE] = _role(get(ROLE))
        reps.setdefault(text_key(name), record)  # MATCH finds the first
    last = max((n for n, _ in body), default=header.row + 1)
    letters = {name: column_letter(i + 1) for name, i in header.columns.items()}
    return reps, Roster(sheet=sheet, letters=letters, first_row=header.row + 1, last_row=last), problems


def _with_roster(tracking: TrackingData, reps: dict[str, dict[str, object]]) -> TrackingData:
    """Start Date, Role and FTE from the Reps sheet where the Tracking row has none (the row's own value wins)."""
    frame = tracking.frame.copy()
    keys = frame[REP].map({r: text_key(r) for r in frame[REP].unique()})  # each distinct name keyed once
    for name in (START_DATE, FTE, ROLE):
        looked = keys.map(lambda k, name=name: reps.get(k, {}).get(name))
        if name == START_DATE:
            looked = pd.to_datetime(looked)
        if name == ROLE:  # text: None, never NaN, where neither has one
            frame[ROLE] = pd.Series([o if isinstance(o, str) else (lk if isinstance(lk, str) else None)
                                     for o, lk in zip(frame[ROLE], looked, strict=True)], index=frame.index,
                                    dtype=object)
        elif name not in frame:
            frame[name] = looked
        else:
            own = frame[name]
            frame[name] = own.where(own.notna(), looked)
    return TrackingData(frame, tracking.file, tracking.sheet, tracking.letters, tracking.header_row,
                        tracking.last_row, tracking.headers)


def check_roles(tracking: TrackingData, ranges: RangeSet, reps: dict[str, dict[str, object]] | None = None,
                roster: Roster | None = None) -> list[Problem]:
    """A Role (in Tracking, or on the Reps sheet) that matches no Role of Ranges while Ranges has ranges of its
    own for some roles: its rows are judged by the general ranges, by the core and the formulas alike. Said once
    per role at its first cell, so a typo ("S.D.R.") is not silently judged as everyone else; a warning when a
    known Role is close to it, else a note (an AE judged by the general range may be meant)."""
    own = [r for r in ranges.rules if r.role is not None]
    if not own:
        return []
    known = list(dict.fromkeys(r.role for r in own if r.role))
    keys = {text_key(r) for r in known}
    metrics = ", ".join(dict.fromkeys(r.metric.name for r in own))
    found: list[tuple[str, str, str]] = []  # (role, sheet, cell) in reading order, Tracking first
    frame, letter = tracking.frame, tracking.letters.get(ROLE)
    if letter and ROLE in frame:
        firsts = frame.groupby(ROLE, sort=False)[ROW].min().sort_values()
        found += [(str(role), tracking.sheet, f"{letter}{int(row)}") for role, row in firsts.items()]
    if roster is not None and ROLE in roster.letters:
        found += [(str(rec[ROLE]), roster.sheet, f"{roster.letters[ROLE]}{rec['row']}") for rec in (reps or {}).values()
                  if rec.get(ROLE)]
    problems, seen = [], set(keys)
    for role, sheet, cell in found:
        if (key := text_key(role)) in seen:
            continue
        seen.add(key)
        close = closest_name(role, {k: () for k in known})
        problems.append(Problem(
            severity=Severity.WARNING if close else Severity.NOTE, code="unknown-role", file=tracking.file,
            sheet=sheet, cell=cell,
            message=f"the Role '{shorten(role)}' has no range of its own in {ranges.sheet or 'Ranges'} (Roles there: "
                    f"{listing(known)}), so its rows are judged by the general range of {metrics}"
                    + (f"; did you mean '{shorten(close)}'?" if close else "")))
    return problems


def _fairness(names: list[str], rows: Callable[[str], Iterable[Row]], file: str, tracking: TrackingData | None,
              problems: list[Problem], ranges: RangeSet | None = None) -> tuple[Fairness, TrackingData | None]:
    """The Settings, Ramp and Reps sheets, when there are any; without them, the defaults. With ``ranges``, the
    roles of Tracking and Reps are checked against it (check_roles) before the Reps sheet fills Tracking in."""
    fairness, reps, roster = Fairness(), {}, None
    if name := _pick_sheet(names, SETTINGS):
        week, cell, found = parse_settings(rows(name), file, name)
        problems += found
        fairness = fairness.model_copy(update={"working_week": week, "week_cell": cell,
                                               "settings_sheet": name if cell else None})
    if name := _pick_sheet(names, RAMP):
        steps, found = parse_ramp(rows(name), file, name)
        problems += found
        fairness = fairness.model_copy(update={"ramp": steps, "ramp_sheet": name})
    if name := _pick_sheet(names, REPS):
        reps, roster, found = parse_reps(rows(name), file, name)
        problems += found
    if tracking is not None:
        problems += check_fairness(tracking, fairness, reps, roster)
        if ranges is not None:
            problems += check_roles(tracking, ranges, reps, roster)
        if roster is not None:
            tracking = _with_roster(tracking, reps)
            fairness = fairness.model_copy(update={"roster": roster})
    return fairness, tracking


@dataclass
class WorkbookData:
    path: str
    tracking: TrackingData | None
    ranges: RangeSet
    problems: list[Problem]


def _pick_sheet(names: list[str], spec: SheetSpec) -> str | None:
    """The first sheet named as the declaration names it (or an alias), whatever its case and spacing."""
    return next((n for n in names if n not in OUR_SHEETS and match_name(n, {spec.name: spec.aliases})), None)


def _header_in(rows: Iterable[Row], spec: SheetSpec, required: tuple[str, ...], any_of: tuple[str, ...] = ()) -> bool:
    header = find_header([tuple(r) for r in islice(rows, HEADER_SEARCH_ROWS)], spec, required)
    return header is not None and (not any_of or bool(set(any_of) & header.columns.keys()))


def sheet_in_name(refers_to: str) -> str | None:
    """The sheet a defined name points at: ='Weekly Activity'!$A$1, Goals!A1:F20, or the text ="Goals"."""
    text = refers_to.strip().lstrip("=").strip()
    if m := re.fullmatch(r"'((?:[^']|'')+)'!.*", text):
        return m[1].replace("''", "'")
    if m := re.fullmatch(r"([^!'\"#]+)!.*", text):  # not #REF!: the sheet it named was deleted
        return m[1]
    if m := re.fullmatch(r'"([^"]+)"', text):
        return m[1]
    return None


def sheet_named(names: list[str], asked: str) -> str | None:
    """The sheet a user asked for (a command-line option, a defined name): exact, else ignoring case and spaces."""
    return asked if asked in names else next((n for n in names if normalise(n) == normalise(asked)), None)


_EXCEL_ERROR = re.compile(r"#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|"
                          r"CONNECT!|BUSY!|UNKNOWN!|PYTHON!)")


def sheet_settings(rows: Iterable[Row], file: str, sheet: str
                   ) -> tuple[dict[str, tuple[object, str]], list[Problem]]:
    """The Settings rows that name sheets (Tracking Sheet, Ranges Sheet, or an alias): each one's value as the cell
    holds it and its cell. Blank values are left out: blank means not set. A Setting that is a near miss of a
    known one (Trackng Sheet) is a warning, as it would otherwise be ignored without a word. A Settings sheet
    without a header has none; parse_settings reports that."""
    header, body, _ = _table_rows(rows, SETTINGS, file, sheet)
    found: dict[str, tuple[object, str]] = {}
    problems: list[Problem] = []
    known = {WORKING_WEEK: (), **SHEET_SETTINGS}
    for number, get in body:
        assert header is not None
        name = match_name(get(SETTING), SHEET_SETTINGS)
        if name is not None and name not in found and _filled(get(VALUE)):
            found[name] = get(VALUE), f"{_letter(header, VALUE)}{number}"
        elif match_name(get(SETTING), known) is None and (close := closest_name(get(SETTING), known)):
            problems.append(Problem(
                severity=Severity.WARNING, code="unknown-setting", file=file, sheet=sheet,
                cell=f"{_letter(header, SETTING)}{number}",
                message=f"unknown setting '{_text(get(SETTING))}', so it is ignored; did you mean '{close}'?"))
    return found, problems


def _sheet_in_setting(value: object, names: list[str]) -> str:
    """The sheet a Settings value names; ValueError says why the value cannot name one."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if sheet := sheet_named(names, str(value)):  # a sheet named 2026, typed as a number
            return sheet
        raise ValueError(f"{value:g} is a number, not a sheet name")
    if isinstance(value, UncachedFormula):
        raise ValueError("the formula here has no saved result (the file was saved by a program that does not "
                         "calculate); open and save it in Excel, or type the sheet's name")
    if not isinstance(value, str):
        what = "TRUE/FALSE" if isinstance(value, bool) else "a date" if isinstance(value, dt.date) else \
            type(value).__name__
        raise ValueError(f"{what} is not a sheet name; type the sheet's name")
    text = value.strip()
    if sheet := sheet_named(names, text):
        return sheet
    if _EXCEL_ERROR.fullmatch(text):
        raise ValueError(f"the cell shows the Excel error {shorten(text)}; type the sheet's name")
    raise ValueError(f"no sheet named '{shorten(text)}'")


def _sheets_found(names: list[str], asked: object = None) -> str:
    found = f"sheets found: {', '.join(names)}"
    close = closest_name(asked, {n: () for n in names}) if isinstance(asked, str) else None
    return found + (f"; did you mean '{shorten(close)}'?" if close else "")


def named_sheet(what: str, option: str | None, defined: str | None, setting: tuple[object, str] | None,
                settings_sheet: str | None, names: list[str], file: str,
                problems: list[Problem]) -> tuple[str | None, bool]:
    """Which sheet the user named as the tracking (or ranges) sheet. The one precedence rule, for every face:
    the command-line option (--tracking-sheet, --ranges-sheet), else the workbook's defined name
    (salesmetrics_tracking, salesmetrics_ranges), else its Settings row (Tracking Sheet, Ranges Sheet), else none:
    then the sheet is found by its recognised names or its header. Returns the sheet (None when the one named is
    not there: an error, never a silent search elsewhere) and whether one was named at all.

    A Settings value that cannot name a sheet is an error with its cell; a warning when a higher one wins."""
    name_of, label = (TRACKING_SHEET_NAME, TRACKING_SHEET_SETTING) if what == "tracking" else \
        (RANGES_SHEET_NAME, RANGES_SHEET_SETTING)
    winner = next(((asked, source) for asked, source in (
        (option, f"--{what}-sheet"), (defined, f"the defined name {name_of}")) if asked), None)
    chosen: str | None = None
    if setting is not None:
        value, cell = setting
        try:
            chosen = _sheet_in_setting(value, names)
        except ValueError as exc:
            unused = f" (not used: {winner[1]} names the {what} sheet)" if winner else ""
            problems.append(Problem(
                severity=Severity.WARNING if winner else Severity.ERROR, code="bad-setting", file=file,
                sheet=settings_sheet, cell=cell, message=f"{label}: {exc}{unused}; {_sheets_found(names, value)}"))
    if winner is None:
        return chosen, setting is not None
    asked, source = winner
    name = sheet_named(names, asked)
    if name is None:
        problems.append(Problem(
            severity=Severity.ERROR, code="missing-sheet", file=file,
            message=f"no sheet named '{asked}' (asked for as the {what} sheet by {source}); "
                    f"{_sheets_found(names, asked)}"))
    return name, True


def parse_workbook(names: list[str], rows: Callable[[str], Iterable[Row]], file: str, today: dt.date,
                   columns: Callable[[str, Header], SheetColumns | None] | None = None,
                   tracking_sheet: str | None = None, ranges_sheet: str | None = None,
                   defined: tuple[str | None, str | None] = (None, None)) -> WorkbookData:
    """A whole tracking workbook from its sheet names and a way to get each sheet's rows (row 1 first), and
    optionally a columnar way to read the Tracking rows under a header (see parse_tracking).

    The sheets are the ones named (``tracking_sheet``/``ranges_sheet`` from the command line, ``defined`` by the
    workbook's defined names, else its Settings rows: see named_sheet), else the ones named as declared (or an
    alias), else the first sheet whose header has the required columns: a team's own workbook is met as it is.
    Shared by the file reader and the live Excel book, so both find the same sheets and report the same problems.
    """
    problems: list[Problem] = []
    found = ", ".join(names)
    settings_name = _pick_sheet(names, SETTINGS)
    settings: dict[str, tuple[object, str]] = {}
    if settings_name:
        settings, found_problems = sheet_settings(rows(settings_name), file, settings_name)
        problems += found_problems
    tracking_name, tracking_asked = named_sheet(
        "tracking", tracking_sheet, defined[0], settings.get(TRACKING_SHEET_SETTING), settings_name, names, file,
        problems)
    ranges_name, ranges_asked = named_sheet(
        "ranges", ranges_sheet, defined[1], settings.get(RANGES_SHEET_SETTING), settings_name, names, file,
        problems)

    if not tracking_asked:
        tracking_name = _pick_sheet(names, TRACKING) or next(
            (n for n in names if n not in OUR_SHEETS and _header_in(rows(n), TRACKING, (WEEK, REP))), None)
        if tracking_name is None:
            problems.append(Problem(
                severity=Severity.ERROR, code="missing-sheet", file=file,
                message=f"no '{TRACKING.name}' sheet (nor {_accepted(TRACKING, 1)}) and no sheet with Week and Rep "
                        f"columns; sheets found: {found}. Point at yours with --tracking-sheet NAME (in Excel: "
                        f"the defined name {TRACKING_SHEET_NAME}, or the {TRACKING_SHEET_SETTING} row in "
                        f"{SETTINGS.name})"))
    tracking: TrackingData | None = None
    if tracking_name is not None:
        tracking, found_problems = parse_tracking(rows(tracking_name), file=file, sheet=tracking_name, columns=partial(
            columns, tracking_name) if columns else None)
        problems += found_problems
        if tracking is not None:
            problems += check_tracking(tracking, today)
    if not ranges_asked:
        ranges_name = _pick_sheet(names, RANGES) or next(
            (n for n in names if n not in OUR_SHEETS and n != tracking_name
             and _header_in(rows(n), RANGES, (METRIC,), (MIN, MAX))), None)
    if ranges_name is None:
        ranges = default_ranges()
        if not ranges_asked:
            problems.append(Problem(
                severity=Severity.WARNING, code="missing-sheet", file=file,
                message=f"no '{RANGES.name}' sheet (nor {_accepted(RANGES, 1)}) and no sheet with Metric and Min/Max "
                        f"columns, so the default ranges are used; sheets found: {found}. Point at yours with "
                        f"--ranges-sheet NAME (in Excel: the defined name {RANGES_SHEET_NAME}, or the "
                        f"{RANGES_SHEET_SETTING} row in {SETTINGS.name})"))
    else:
        known = list(tracking.letters) if tracking is not None else []
        ranges, found_problems = parse_ranges(rows(ranges_name), tracking_columns=known, file=file, sheet=ranges_name)
        problems += found_problems
    if tracking is not None:
        problems = _missing_columns(problems, tracking, ranges)
        problems += looks_monthly(tracking, ranges)
    fairness, tracking = _fairness(names, rows, file, tracking, problems, ranges)
    if tracking is not None and ROLE in tracking.frame:
        tracking = _one_spelling_per_role(tracking, ranges)
    return WorkbookData(file, tracking, ranges.model_copy(update={"fairness": fairness}), problems)


def _one_spelling_per_role(tracking: TrackingData, ranges: RangeSet) -> TrackingData:
    """Each Role under one spelling, so that what groups reps by role (the baseline, the funnel's top reps, the
    roles a summary lists) sees " sdr " and "SDR" as the one role the ranges and formulas judge them as: the
    spelling of the Ranges row when it has one, else the most common in Tracking. Blank Roles become none."""
    codes, spellings = pd.factorize(tracking.frame[ROLE])  # each spelling once, in order of first appearance
    rows = np.bincount(codes[codes >= 0], minlength=len(spellings))
    canonical = {text_key(rule.role): trim(rule.role) for rule in reversed(ranges.rules) if rule.role}
    counts: dict[str, dict[str, int]] = {}  # key -> trimmed spelling -> rows
    for role, n in zip(spellings, rows, strict=True):
        if isinstance(role, str) and (key := text_key(role)):
            spelled = counts.setdefault(key, {})
            spelled[trim(role)] = spelled.get(trim(role), 0) + int(n)
    for key, spelled in counts.items():
        canonical.setdefault(key, max(spelled, key=spelled.__getitem__))  # the first of the most common
    mapped = [canonical.get(text_key(r)) if isinstance(r, str) else None for r in spellings]
    if mapped == list(spellings) and not (codes < 0).any():
        return tracking
    frame = tracking.frame.copy()
    frame[ROLE] = pd.Series(np.array([*mapped, None], dtype=object)[codes], index=frame.index, dtype=object)
    return replace(tracking, frame=frame)


def _missing_columns(problems: list[Problem], tracking: TrackingData, ranges: RangeSet) -> list[Problem]:
    """The Tracking sheet's missing counted columns judged once the ranges are known: a column a range (or a
    metric of the team's own) needs stays a warning, naming what needs it; the ones nothing needs are one note,
    so a sheet with only the columns the team tracks (Week, Rep, Dials, SQLs) is not a sheet with problems."""
    found = next((p for p in problems if p.code == "missing-column" and p.severity is Severity.WARNING
                  and p.sheet == tracking.sheet), None)
    if found is None:
        return problems
    missing = [c.name for c in TRACKING.columns if c.kind in ("count", "currency") and c.name not in tracking.letters]
    needs: dict[str, list[str]] = {}
    for rule in ranges.rules:
        for column in rule.metric.columns:
            if column in missing and rule.metric.name not in needs.setdefault(column, []):
                needs[column].append(rule.metric.name)
    headers = found.message[found.message.rindex(" (headers found: "):]
    out = [p for p in problems if p is not found]
    if needs:
        what = [f"{c} (for {_and(needs[c])})" if needs[c] != [c] else c for c in needs]
        out.append(found.model_copy(update={"message": (
            f"no column for {_and(what)}, which {'a range needs' if len(needs) == 1 else 'ranges need'}; "
            f"{'it shows' if len(needs) == 1 else 'they show'} NO DATA{headers}")}))
    unused = [c for c in missing if c not in needs]
    if unused:
        out.append(found.model_copy(update={"severity": Severity.NOTE, "message": (
            f"no column for {_and(unused)}; no range uses "
            f"{'it' if len(unused) == 1 else 'them'}, so nothing is judged on {'it' if len(unused) == 1 else 'them'}"
            f"{headers}")}))
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _accepted(spec: SheetSpec, skip: int = 0) -> str:
    names = [f"'{n}'" for n in spec.sheet_names[skip:]]
    return ", ".join(names[:-1]) + f" or {names[-1]}"
