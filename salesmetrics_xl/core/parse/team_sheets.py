"""The small sheets a team adds for fairness: Settings (the working week, and which sheets to read), Ramp
(month of tenure -> share of the range) and Reps (start date, role, FTE per rep)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from salesmetrics_xl.core.effective import RampStep, Roster
from salesmetrics_xl.core.metrics import closest_name, match_name, normalise, text_key
from salesmetrics_xl.core.parse.header import HEADER_SEARCH_ROWS, Header, describe_found, find_header, likely_header
from salesmetrics_xl.core.parse.values import Row, cell_text, filled, parse_date, parse_number, role_text
from salesmetrics_xl.core.problems import Problem, Severity, column_letter
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import (
    DEFAULT_WORKING_WEEK,
    FTE,
    MONTH,
    RAMP,
    REP,
    REPS,
    ROLE,
    SETTING,
    SETTINGS,
    SHARE,
    SHEET_SETTINGS,
    START_DATE,
    VALUE,
    WORKING_WEEK,
    SheetSpec,
)


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
            cell=f"{column_letter(next((i for i, v in enumerate(best) if filled(v)), 0) + 1)}{number}",
            message=f"no header row with {', '.join(required)} in the first {HEADER_SEARCH_ROWS} rows; found: "
                    f"{describe_found(materialised)}")]
    out = []
    for number, row in enumerate(materialised[header.row:], start=header.row + 1):
        if not any(filled(v) for v in row):
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
        if not filled(get(SHARE)):
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
        role = role_text(get(ROLE))
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
        name = cell_text(get(REP))
        if name is None:
            continue
        record: dict[str, object] = {"row": number}
        if filled(get(START_DATE)):
            try:
                record[START_DATE] = parse_date(get(START_DATE))
            except ValueError as exc:
                problems.append(Problem(severity=Severity.ERROR, code="bad-date", file=file, sheet=sheet,
                                        cell=f"{_letter(header, START_DATE)}{number}",
                                        message=f"{shorten(name)}: {START_DATE}: {exc}"))
        if filled(get(FTE)):
            try:
                record[FTE] = parse_number(get(FTE))
            except ValueError as exc:
                problems.append(Problem(severity=Severity.ERROR, code="bad-number", file=file, sheet=sheet,
                                        cell=f"{_letter(header, FTE)}{number}", message=f"{shorten(name)}: FTE: {exc}"))
        record[ROLE] = role_text(get(ROLE))
        reps.setdefault(text_key(name), record)  # MATCH finds the first
    last = max((n for n, _ in body), default=header.row + 1)
    letters = {name: column_letter(i + 1) for name, i in header.columns.items()}
    return reps, Roster(sheet=sheet, letters=letters, first_row=header.row + 1, last_row=last), problems


def with_roster(tracking: TrackingData, reps: dict[str, dict[str, object]]) -> TrackingData:
    """Start Date, Role and FTE from the Reps sheet where the Tracking row has none (the row's own value wins)."""
    import pandas as pd
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
        if name is not None and name not in found and filled(get(VALUE)):
            found[name] = get(VALUE), f"{_letter(header, VALUE)}{number}"
        elif match_name(get(SETTING), known) is None and (close := closest_name(get(SETTING), known)):
            problems.append(Problem(
                severity=Severity.WARNING, code="unknown-setting", file=file, sheet=sheet,
                cell=f"{_letter(header, SETTING)}{number}",
                message=f"unknown setting '{cell_text(get(SETTING))}', so it is ignored; did you mean '{close}'?"))
    return found, problems
