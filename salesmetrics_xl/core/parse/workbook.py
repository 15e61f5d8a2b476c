"""A whole tracking workbook: its sheets found, each one read, and the problems judged once the ranges are
known. Shared by the file reader and the live Excel book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from salesmetrics_xl.core.effective import Fairness
from salesmetrics_xl.core.parse.header import Header
from salesmetrics_xl.core.parse.ranges import default_ranges, parse_ranges
from salesmetrics_xl.core.parse.roles import check_roles, one_spelling_per_role
from salesmetrics_xl.core.parse.sheets import find_sheet, has_header, named_sheet
from salesmetrics_xl.core.parse.team_sheets import parse_ramp, parse_reps, parse_settings, sheet_settings, with_roster
from salesmetrics_xl.core.parse.tracking import MissingCounted, SheetColumns, read_tracking
from salesmetrics_xl.core.parse.values import Row
from salesmetrics_xl.core.periods import looks_monthly
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData, check_fairness, check_tracking
from salesmetrics_xl.core.workbook import (
    MAX,
    METRIC,
    MIN,
    OUR_SHEETS,
    RAMP,
    RANGES,
    RANGES_SHEET_NAME,
    RANGES_SHEET_SETTING,
    REP,
    REPS,
    ROLE,
    SETTINGS,
    TRACKING,
    TRACKING_SHEET_NAME,
    TRACKING_SHEET_SETTING,
    WEEK,
    SheetSpec,
)


def read_fairness(names: list[str], rows: Callable[[str], Iterable[Row]], file: str, tracking: TrackingData | None,
              problems: list[Problem], ranges: RangeSet | None = None) -> tuple[Fairness, TrackingData | None]:
    """The Settings, Ramp and Reps sheets, when there are any; without them, the defaults. With ``ranges``, the
    roles of Tracking and Reps are checked against it (check_roles) before the Reps sheet fills Tracking in."""
    fairness, reps, roster = Fairness(), {}, None
    if name := find_sheet(names, SETTINGS):
        week, cell, found = parse_settings(rows(name), file, name)
        problems += found
        fairness = fairness.model_copy(update={"working_week": week, "week_cell": cell,
                                               "settings_sheet": name if cell else None})
    if name := find_sheet(names, RAMP):
        steps, found = parse_ramp(rows(name), file, name)
        problems += found
        fairness = fairness.model_copy(update={"ramp": steps, "ramp_sheet": name})
    if name := find_sheet(names, REPS):
        reps, roster, found = parse_reps(rows(name), file, name)
        problems += found
    if tracking is not None:
        problems += check_fairness(tracking, fairness, reps, roster)
        if ranges is not None:
            problems += check_roles(tracking, ranges, reps, roster)
        if roster is not None:
            tracking = with_roster(tracking, reps)
            fairness = fairness.model_copy(update={"roster": roster})
    return fairness, tracking


@dataclass
class WorkbookData:
    path: str
    tracking: TrackingData | None
    ranges: RangeSet
    problems: list[Problem]


def parse_workbook(names: list[str], rows: Callable[[str], Iterable[Row]], file: str, today: dt.date,
                   columns: Callable[[str, Header], SheetColumns | None] | None = None,
                   tracking_sheet: str | None = None, ranges_sheet: str | None = None,
                   defined: tuple[str | None, str | None] = (None, None),
                   early: Callable[[TrackingData, Callable[[], RangeSet | None]], None] | None = None
                   ) -> WorkbookData:
    """A whole tracking workbook from its sheet names and a way to get each sheet's rows (row 1 first), and
    optionally a columnar way to read the Tracking rows under a header (see parse_tracking).

    The sheets are the ones named (``tracking_sheet``/``ranges_sheet`` from the command line, ``defined`` by the
    workbook's defined names, else its Settings rows: see named_sheet), else the ones named as declared (or an
    alias), else the first sheet whose header has the required columns: a team's own workbook is met as it is.
    Shared by the file reader and the live Excel book, so both find the same sheets and report the same problems.

    ``early`` hears the Tracking sheet's shape (its header; no rows, last_row its header row) as soon as the header
    is found, before the rows under it are read, with a way to have the Ranges parsed then (once: the result keeps
    them; None when they cannot be read yet). A guess: a totals row below the data, a Reps sheet and one spelling
    per Role come later, so a caller checks what it heard against the result.
    """
    problems: list[Problem] = []
    found = ", ".join(names)
    settings_name = find_sheet(names, SETTINGS)
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
        tracking_name = find_sheet(names, TRACKING) or next(
            (n for n in names if n not in OUR_SHEETS and has_header(rows(n), TRACKING, (WEEK, REP))), None)
        if tracking_name is None:
            problems.append(Problem(
                severity=Severity.ERROR, code="missing-sheet", file=file, setting="tracking_sheet",
                message=f"no '{TRACKING.name}' sheet (nor {_accepted(TRACKING, 1)}) and no sheet with Week and Rep "
                        f"columns; sheets found: {found}. Point at yours with the defined name "
                        f"{TRACKING_SHEET_NAME}, or the {TRACKING_SHEET_SETTING} row in {SETTINGS.name}"))
    def find_ranges() -> str | None:
        return ranges_name if ranges_asked else find_sheet(names, RANGES) or next(
            (n for n in names if n not in OUR_SHEETS and n != tracking_name
             and has_header(rows(n), RANGES, (METRIC,), (MIN, MAX))), None)

    parsed: list[tuple[str | None, RangeSet, list[Problem]]] = []  # the Ranges parsed when the header was found

    def heard(shape: TrackingData) -> None:
        assert early is not None

        def parsed_now() -> RangeSet | None:
            try:
                name = find_ranges()
                ranges, found = parse_ranges(rows(name), tracking_columns=list(shape.letters), file=file,
                                             sheet=name) if name is not None else (default_ranges(), [])
                fairness, _ = read_fairness(names, rows, file, None, [])
            except Exception:  # said when the sheets are read in their usual order
                return None
            parsed.append((name, ranges, found))
            return ranges.model_copy(update={"fairness": fairness})

        early(shape, parsed_now)

    tracking: TrackingData | None = None
    missing: MissingCounted | None = None
    if tracking_name is not None:
        tracking, found_problems, missing = read_tracking(
            rows(tracking_name), file=file, sheet=tracking_name, columns=partial(columns, tracking_name) if columns
            else None, on_header=heard if early else None)
        problems += found_problems
        if tracking is not None:
            problems += check_tracking(tracking, today)
    ranges_name = parsed[0][0] if parsed else find_ranges()
    if ranges_name is None:
        ranges = default_ranges()
        if not ranges_asked:
            problems.append(Problem(
                severity=Severity.WARNING, code="missing-sheet", file=file, setting="ranges_sheet",
                message=f"no '{RANGES.name}' sheet (nor {_accepted(RANGES, 1)}) and no sheet with Metric and Min/Max "
                        f"columns, so the default ranges are used; sheets found: {found}. Point at yours with the "
                        f"defined name {RANGES_SHEET_NAME}, or the {RANGES_SHEET_SETTING} row in {SETTINGS.name}"))
    else:
        known = list(tracking.letters) if tracking is not None else []
        ranges, found_problems = parsed[0][1:] if parsed else parse_ranges(
            rows(ranges_name), tracking_columns=known, file=file, sheet=ranges_name)
        problems += found_problems
    if tracking is not None:
        problems = _missing_columns(problems, missing, ranges)
        problems += looks_monthly(tracking, ranges)
    fairness, tracking = read_fairness(names, rows, file, tracking, problems, ranges)
    if tracking is not None and ROLE in tracking.frame:
        tracking = one_spelling_per_role(tracking, ranges)
    return WorkbookData(file, tracking, ranges.model_copy(update={"fairness": fairness}), problems)


def _missing_columns(problems: list[Problem], missing: MissingCounted | None, ranges: RangeSet) -> list[Problem]:
    """The Tracking sheet's missing counted columns judged once the ranges are known: a column a range (or a
    metric of the team's own) needs stays a warning, naming what needs it; the ones nothing needs are one note,
    so a sheet with only the columns the team tracks (Week, Rep, Dials, SQLs) is not a sheet with problems."""
    if missing is None:
        return problems
    found, headers = missing.problem, missing.headers
    needs: dict[str, list[str]] = {}
    for rule in ranges.rules:
        for column in rule.metric.columns:
            if column in missing.columns and rule.metric.name not in needs.setdefault(column, []):
                needs[column].append(rule.metric.name)
    out = [p for p in problems if p is not found]
    if needs:
        what = [f"{c} (for {_and(needs[c])})" if needs[c] != [c] else c for c in needs]
        out.append(found.model_copy(update={"message": (
            f"no column for {_and(what)}, which {'a range needs' if len(needs) == 1 else 'ranges need'}; "
            f"{'it shows' if len(needs) == 1 else 'they show'} NO DATA{headers}")}))
    unused = [c for c in missing.columns if c not in needs]
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
