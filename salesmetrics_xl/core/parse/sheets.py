"""Which sheet is the tracking sheet and which the ranges sheet: by the name the user gave (option, defined
name, Settings row), else by the declared names and aliases, else by the header."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from itertools import islice

import numpy as np

from salesmetrics_xl.core.metrics import closest_name, match_name, normalise
from salesmetrics_xl.core.parse.header import HEADER_SEARCH_ROWS, find_header
from salesmetrics_xl.core.parse.values import EXCEL_ERROR, Row, UncachedFormula
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.workbook import (
    OUR_SHEETS,
    RANGES_SHEET_NAME,
    RANGES_SHEET_SETTING,
    TRACKING_SHEET_NAME,
    TRACKING_SHEET_SETTING,
    SheetSpec,
)


def find_sheet(names: list[str], spec: SheetSpec) -> str | None:
    """The first sheet named as the declaration names it (or an alias), whatever its case and spacing; never one
    of the sheets we write. The file reader asks it too, to tell a chart sheet named Tracking from a worksheet."""
    return next((n for n in names if n not in OUR_SHEETS and match_name(n, {spec.name: spec.aliases})), None)


def has_header(rows: Iterable[Row], spec: SheetSpec, required: tuple[str, ...], any_of: tuple[str, ...] = ()) -> bool:
    """Does the sheet have a header with the required columns (and one of ``any_of``) in its first rows: how a
    tracking or ranges sheet under a name of the team's own is found."""
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
    if EXCEL_ERROR.fullmatch(text):
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
