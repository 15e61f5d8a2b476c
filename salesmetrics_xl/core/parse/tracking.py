"""The Tracking sheet: one row per rep per week -> TrackingData, with a problem for every cell that is wrong,
totals rows and stray values below the data set aside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice, zip_longest
from typing import TYPE_CHECKING

import numpy as np

from salesmetrics_xl.core.cell_values import shown
from salesmetrics_xl.core.metrics import normalise
from salesmetrics_xl.core.names import label
from salesmetrics_xl.core.parse.header import HEADER_SEARCH_ROWS, Header, find_header, missing_columns_problem
from salesmetrics_xl.core.parse.values import (
    EXCEL_ERROR,
    Coded,
    Column,
    Row,
    UncachedFormula,
    cell_objects,
    cell_text,
    dates_in,
    extra_value,
    filled,
    is_total_label,
    numbers_in,
    parse_date,
    role_text,
    week_or_reason,
)
from salesmetrics_xl.core.problems import Problem, Severity, column_letter
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.tracking import ROW, TrackingData
from salesmetrics_xl.core.workbook import (
    DAYS_WORKED,
    FTE,
    REP,
    ROLE,
    START_DATE,
    TEAM,
    TRACKING,
    TRACKING_COUNTED,
    WEEK,
    WEEK_ENDING,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class SheetColumns:
    """The rows under the header as a columnar reader hands them over: a column of plain numbers is a float
    array and a column of dates a datetime64 array, so a 200k-row sheet never becomes 2M Python objects.
    A column of text (names, teams) is Coded: each distinct value once, and a code per row. Anything else is a
    list of cell values, as a row reader would give them."""

    first_row: int  # Excel row number of each column's first value
    values: dict[int, Column]  # 0-based sheet column -> values; a column past the data is absent
    kept: np.ndarray  # per row: does any cell hold more than spaces (else it is an empty row)


@dataclass(frozen=True)
class MissingCounted:
    """The warning about the Tracking sheet's missing counted columns, with what it is made of, so that the whole
    workbook can reword it once the ranges are known (which of them a range needs) without reading it back."""

    problem: Problem  # the warning as parse_tracking gives it
    columns: tuple[str, ...]  # the counted columns with no header, in the order of TRACKING_COUNTED
    headers: str  # the header row as the warning quotes it: " (headers found: Week, Rep, Dials)"


def parse_tracking(rows: Iterable[Row], *, file: str = "", sheet: str = TRACKING.name,
                   columns: Callable[[Header], SheetColumns | None] | None = None
                   ) -> tuple[TrackingData | None, list[Problem]]:
    """The Tracking sheet's rows (row 1 first) -> TrackingData, or None when Week or Rep is missing.

    ``columns``, when a reader offers it, reads the rows under the header column by column; it may decline
    (None), and then the rows are read one by one. Both give the same data and the same problems."""
    tracking, problems, _ = read_tracking(rows, file=file, sheet=sheet, columns=columns)
    return tracking, problems


def read_tracking(rows: Iterable[Row], *, file: str = "", sheet: str = TRACKING.name,
                  columns: Callable[[Header], SheetColumns | None] | None = None,
                  on_header: Callable[[TrackingData], None] | None = None
                  ) -> tuple[TrackingData | None, list[Problem], MissingCounted | None]:
    """parse_tracking, and its warning about missing counted columns as a record (None when none is missing).
    ``on_header`` hears the sheet's shape (its header, no rows yet) before the rows under it are read."""
    import pandas as pd
    it: Iterator[Row] = iter(rows)
    head = [tuple(r) for r in islice(it, HEADER_SEARCH_ROWS)]
    header = find_header(head, TRACKING, (WEEK, REP))
    if header is None:
        return None, [missing_columns_problem(head, TRACKING, (WEEK, REP), file, sheet)], None

    problems: list[Problem] = []
    letters = {name: column_letter(i + 1) for name, i in {**header.columns, **header.extras}.items()}
    headers = {name: shown(head[header.row - 1][i]).strip() for name, i in header.columns.items()}

    def named(column: str) -> str:
        return label(column, headers.get(column))

    def problem(severity: Severity, code: str, message: str, column: str, row: int) -> Problem:
        return Problem(severity=severity, code=code, message=message, file=file, sheet=sheet,
                       cell=f"{letters[column]}{row}")

    missing = tuple(name for name in TRACKING_COUNTED if name not in header.columns)
    missing_counted: MissingCounted | None = None
    if missing:
        found = f" (headers found: {', '.join(shown(v) for v in head[header.row - 1] if v is not None)})"
        missing_counted = MissingCounted(Problem(
            severity=Severity.WARNING, code="missing-column", file=file, sheet=sheet, cell=f"A{header.row}",
            message=f"no column for {', '.join(missing)}; metrics that need "
                    f"{'it' if len(missing) == 1 else 'them'} show NO DATA{found}"), missing, found)
        problems.append(missing_counted.problem)

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
    if on_header is not None:
        on_header(TrackingData(pd.DataFrame(), file=file, sheet=sheet, letters=dict(letters),
                               header_row=header.row, last_row=header.row, headers=dict(headers)))
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
    # the columns, in the frame's order; the frame is made once at the end (inserting column by column into a
    # DataFrame cost more than reading a small sheet)
    frame: dict[str, pd.Series | np.ndarray] = {ROW: np.array(row_numbers, dtype=np.int64)}
    row_problems: list[tuple[int, Problem]] = []  # (0-based row, problem): a totals row's are dropped below

    def row_problem(severity: Severity, code: str, message: str, column: str, i: int) -> None:
        row_problems.append((int(i), problem(severity, code, message, column, row_numbers[i])))

    # Work on distinct values (a sheet holds few weeks and few names), and touch single rows only to report them.
    week = cols[WEEK]
    codes, distinct = week.factorize() if isinstance(week, Coded) else pd.factorize(
        pd.Series(week, dtype=None if isinstance(week, np.ndarray) else object))
    codes = np.where(codes < 0, len(distinct), codes)  # a blank week: the code after the distinct values
    parsed: list[dt.date | str] = [week_or_reason(v) for v in distinct] + ["no week given"]
    failed = [k for k, w in enumerate(parsed) if isinstance(w, str)]
    for i in np.flatnonzero(np.isin(codes, failed)):
        row_problem(Severity.ERROR, "bad-week", f"{parsed[codes[i]]}; this row is skipped", WEEK, i)
    mondays = pd.to_datetime(pd.Series([w if not isinstance(w, str) else None for w in parsed], dtype=object))
    frame[WEEK] = mondays.to_numpy(dtype="datetime64[ns]")[codes]
    total = np.isin(codes, [k for k, v in enumerate(distinct) if isinstance(parsed[k], str) and is_total_label(v)])
    said_rep = np.zeros(len(row_numbers), dtype=bool)  # rows whose Rep cell already has its sentence
    for name in (REP, TEAM, ROLE):
        if name not in cols:
            frame[name] = pd.Series([None] * len(row_numbers), dtype=object)
            continue
        text = role_text if name == ROLE else cell_text
        if isinstance(cols[name], Coded):  # each distinct name cleaned once
            coded = cols[name]
            cleaned = dict(zip(coded.values, (text(v) for v in coded.values), strict=True))
            uncached = np.flatnonzero(coded.mapped(lambda v: isinstance(v, UncachedFormula)).astype(bool))
            frame[name] = pd.Series(coded.mapped(text), dtype=object)
        else:
            cols[name] = cell_objects(cols[name])
            cleaned = {v: text(v) for v in set(cols[name])}
            uncached = [i for i, v in enumerate(cols[name]) if isinstance(v, UncachedFormula)] if any(
                isinstance(v, UncachedFormula) for v in cleaned) else []
            frame[name] = pd.Series([cleaned[v] for v in cols[name]], dtype=object)
        for i in uncached:
            row_problem(Severity.ERROR, "bad-text", f"{named(name)}: the formula here has no saved result; "
                        "open and save the file in Excel", name, i)
        total |= frame[name].isin([v for v in set(cleaned.values()) if is_total_label(v)]).to_numpy()
        # A name cell showing an Excel error (#N/A from a lookup) names nobody: never a rep or team called "#N/A".
        errors = [v for v in set(cleaned.values()) if isinstance(v, str) and EXCEL_ERROR.fullmatch(v)]
        shows = frame[name].isin(errors).to_numpy() if errors else np.zeros(len(row_numbers), dtype=bool)
        for i in np.flatnonzero(shows):
            error = frame[name].iat[i]
            if name == REP:
                row_problem(Severity.ERROR, "missing-rep", f"{named(REP)}: the cell shows the Excel error {error}, "
                            "not a rep's name; this row is skipped", REP, i)
            else:
                row_problem(Severity.WARNING, "error-value", f"{named(name)}: the cell shows the Excel error "
                            f"{error}; it is read as blank: fix the formula in Excel", name, i)
        if shows.any():
            frame[name][shows] = None  # type: ignore[index]
            if name == REP:
                said_rep = shows
    for i in np.flatnonzero(frame[REP].isna().to_numpy() & ~said_rep):  # type: ignore[union-attr]
        row_problem(Severity.ERROR, "missing-rep", "no rep name; this row is skipped", REP, i)
    numeric = np.zeros(len(row_numbers), dtype=np.int64)  # numbers, or cells meant as one (a bad or empty formula)
    for name in TRACKING_COUNTED:
        if name not in cols:
            frame[name] = np.full(len(row_numbers), np.nan)
            continue
        values, bad, as_text, errors = numbers_in(cols[name])
        frame[name] = values
        meant = ~np.isnan(values)
        meant[[*bad, *errors]] = True
        numeric += meant
        for i, reason in bad.items():
            row_problem(Severity.ERROR, "bad-number", f"{named(name)}: {reason}", name, i)
        for i, error in errors.items():  # unknown that week, as a blank is, but never silently: #29
            row_problem(Severity.WARNING, "error-value", f"{named(name)}: {error_value_sentence(error)}", name, i)
        for i in as_text:
            row_problem(
                Severity.WARNING, "number-as-text",
                f"{named(name)}: '{shorten(cols[name][i])}' is a number stored as text; it is read as "
                f"{values[i]:g}, but Excel formulas skip it: re-enter it as a number",
                name, i)
    for name in (DAYS_WORKED, FTE):
        if name in cols:
            values, bad, _, errors = numbers_in(cols[name])
            frame[name] = values
            # an error here is no figure at all: a blank Days Worked or FTE would mean a full week
            for i, reason in sorted({**bad, **{i: f"the cell shows the Excel error {shorten(e)}"
                                              for i, e in errors.items()}}.items()):
                row_problem(Severity.ERROR, "bad-number", f"{named(name)}: {reason}", name, i)
    if START_DATE in cols:
        frame[START_DATE], bad = dates_in(cols[START_DATE])
        for i, reason in bad.items():
            row_problem(Severity.ERROR, "bad-date", f"{named(START_DATE)}: {reason}", START_DATE, i)
    for name in header.extras:
        column = cols[name]
        frame[name] = pd.Series(column.mapped(extra_value) if isinstance(column, Coded) else
                                [extra_value(v) for v in cell_objects(column)], dtype=object)

    # A totals row: labelled Total / Grand Total / Subtotal, or a row of numbers (SUM formulas) with neither week
    # nor rep right under the data. A value further below, in a row with neither, is a stray value (see below).
    numbers = np.array(row_numbers, dtype=np.int64)
    under_data = np.diff(numbers, prepend=numbers[:1] - 99) <= 2
    no_week, no_rep = np.isnat(frame[WEEK]), frame[REP].isna().to_numpy()  # type: ignore[union-attr, arg-type]
    total |= no_week & no_rep & (numeric >= 2) & under_data
    usable = ~no_week & ~no_rep & ~total
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
    table = pd.DataFrame(frame)
    return TrackingData(table[usable].reset_index(drop=True), file=file, sheet=sheet, letters=letters,
                        header_row=header.row, last_row=end if usable.any() else max(row_numbers, default=header.row),
                        headers=headers), problems, missing_counted


def error_value_sentence(error: str) -> str:
    """What an Excel error in a metric cell means for the judgment: that rep's week has no figure for it."""
    return (f"the cell shows the Excel error {shorten(error)}; it is not counted (neither 0 nor blank), so what "
            "needs it shows NO DATA for this rep's week: fix the formula in Excel")


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
    def present(column: Column | None) -> np.ndarray:
        if column is None:
            return np.zeros(len(keep), dtype=bool)
        if isinstance(column, np.ndarray) and column.dtype.kind == "f":
            return ~np.isnan(column[keep])
        if isinstance(column, np.ndarray) and column.dtype.kind == "M":
            return ~np.isnat(column[keep])
        if isinstance(column, Coded):  # once per distinct value
            return np.array([_present(v) for v in column.values], dtype=bool)[column.codes[keep]]
        return np.array([_present(column[i]) for i in keep], dtype=bool)
    bare = np.flatnonzero(~present(read.values.get(week_rep[0])) & ~present(read.values.get(week_rep[1])))
    if not len(bare):
        return {}
    columns = {at: present(read.values[at]) for at in sorted(read.values)}
    return {int(n): next((at for at, full in columns.items() if full[n]), 0) for n in bare}


def _present(value: object) -> bool:
    return filled(value) and not (isinstance(value, float) and np.isnan(value))


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
        keyed = (week < len(row) and filled(row[week])) or (rep < len(row) and filled(row[rep]))
        # a row of blanks and spaces is an empty row, whichever reader saw it; a row with a Week or a Rep is not,
        # without a look at its other cells (most rows)
        if keyed or any(filled(v) for v in row):
            if not keyed:
                firsts[len(body)] = next(i for i, v in enumerate(row) if filled(v))
            body.append(row)
            row_numbers.append(number)
    columns = list(zip_longest(*body)) if body else []  # transposed in C; short rows padded with None
    return row_numbers, {name: list(columns[i]) if i < len(columns) else [None] * len(body)
                         for name, i in wanted.items()}, firsts


def _take(values: Column | None, rows: np.ndarray) -> Column:
    if values is None:
        return [None] * len(rows)
    if isinstance(values, (np.ndarray, Coded)):
        return values[rows] if isinstance(values, np.ndarray) else values.take(rows)
    return values if len(rows) == len(values) else [values[i] for i in rows]
