"""Workbooks the layout tests share with other test modules: random teams, a hostile role, Python's statuses."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl

from salesmetrics_xl.core.evaluate import evaluate_rows, scorecard_metrics
from salesmetrics_xl.core.tracking import ROW
from salesmetrics_xl.reader import read_workbook
from tests.conftest import RANGES_HEADER, TRACKING_HEADER

TODAY = dt.date(2026, 11, 22)


#        Metric, Category, Formula, Period, Min, Max, Unit, Role
RANGES = [
    ["Dials", "activity", None, "week", 50, 75, None, None],
    ["Dials", "activity", None, "week", 20, 40, None, "AE"],
    ["Emails", "activity", None, "week", 100, None],  # open max
    ["Conversations", "activity", None, "week", None, 20],  # open min
    ["Meetings Booked", "activity", None, "week", None, None],  # both open: NO RANGE
    ["Connect Rate", "quality", None, "week", 0.15, 0.5],
    ["Meeting Rate", "quality", None, "week", 0.2, None],
    ["Qualification Rate", "quality", None, "week", 0.08, 0.3],
    ["Qualification Rate", "quality", None, "week", 0.1, None, None, "AE"],
    ["Win Rate", "quality", None, "week", 0.2, 1],
    ["SQLs", "outcome", None, "week", 1, None],
    ["Opportunities", "outcome", None, "week", 1, 3],
    ["Deals Won", "outcome", None, "month", 5, None],  # no weekly range
    ["New MRR", "outcome", None, "week", 500, 5000],
]


BOUNDS = {"Dials": (20, 40, 50, 75, 100), "Emails": (100,), "Conversations": (15, 20), "Meetings Booked": (3,),
          "SQLs": (1,), "Opportunities": (1, 3), "Deals Won": (1,), "New MRR": (500, 5000)}


def _value(rng: random.Random, column: str) -> object:
    roll = rng.random()
    if roll < 0.12:
        return None
    if roll < 0.40:
        bound = rng.choice(BOUNDS[column])
        return bound + rng.choice((-1, 0, 0, 1))
    if roll < 0.50:
        return 0
    if roll < 0.51:
        return -3
    if roll < 0.515:
        return "12 calls"
    return rng.randint(0, 120) if column != "New MRR" else rng.randint(0, 9000)


COUNTED = TRACKING_HEADER[4:TRACKING_HEADER.index("Days Worked")]


def _fair(rng: random.Random, week: dt.date) -> list[object]:
    """Days Worked, Start Date, FTE: blank, ordinary, at the edges, and impossible (read as blank)."""
    days = rng.choice([None, None, 0, 1, 2, 3, 4, 5, 2.5, 6, -1])
    start = rng.choice([None, week - dt.timedelta(days=rng.randint(0, 200)),
                        week + dt.timedelta(days=rng.randint(0, 9)),
                        dt.date(week.year, week.month, 1) + dt.timedelta(days=rng.choice([-31, -30, -29, -28, 30]))])
    fte = rng.choice([None, None, 1, 0.5, 0.6, 0, 1.5])
    return [days, start, fte]


MISSING_RANGES = [["Emails", "activity", None, "week", None, None, None, None, "not set yet"] if r[0] == "Emails"
                  else ["Meetings Booked", "activity", None, "week", 3, 6, None, "AE"] if r[0] == "Meetings Booked"
                  else r for r in RANGES]


def random_book(path: Path, rows: int, seed: int = 7, fair: bool = False, roster: bool = False,
                missing: tuple[str, ...] = ()) -> Path:
    """Rows with every kind of value. ``fair``: Days Worked, Start Date and FTE too, with a Ramp (its own for AEs)
    and a 5-day working week in Settings; ``roster``: Start Date, Role and FTE from a Reps sheet instead;
    ``missing``: these Tracking columns left out, judged by MISSING_RANGES."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    header = TRACKING_HEADER if fair and not roster else TRACKING_HEADER[:TRACKING_HEADER.index("Days Worked")]
    header = header + (["Days Worked"] if roster else [])
    kept = [k for k, name in enumerate(header) if name not in missing]
    ws.append([header[k] for k in kept])
    reps = 100
    for i in range(rows):
        week = dt.date(2026, 11, 16) - dt.timedelta(weeks=i // reps)
        record = [week, f"Rep {i % reps}", "T", rng.choice(["SDR", "AE", None]) if not roster or i % 3 else None]
        record += [_value(rng, c) for c in COUNTED]
        if rng.random() < 0.1:  # a rate exactly on its boundary: 15 of 100 dials connect
            record[4], record[6] = 100, 15
        if fair and rng.random() < 0.15:  # exactly on a scaled bound: 3 of 5 days of 50-75 dials is 30-45
            record[4] = rng.choice([30, 45, 25, 37.5, 20, 30])
        if fair:
            record += _fair(rng, week)[:1 if roster else 3]
        ws.append([record[k] for k in kept])
    rs = wb.create_sheet("Ranges")
    rs.append(RANGES_HEADER)
    for r in MISSING_RANGES if missing else RANGES:
        rs.append(r + [None] * (len(RANGES_HEADER) - len(r)))
    if fair:
        ramp = wb.create_sheet("Ramp")
        ramp.append(["Month", "Share", "Role", "Notes"])
        for row in ([1, 0.25], [2, 0.5], [3, 0.75], [1, 0.4, "AE"], [2, None, "AE"], [3, 0.8, "AE"]):
            ramp.append(row)
        settings = wb.create_sheet("Settings")
        settings.append(["Setting", "Value", "Notes"])
        settings.append(["Working Week", 5])
    if roster:
        people = wb.create_sheet("Reps")
        people.append(["Rep", "Start Date", "Role", "FTE"])
        for n in range(0, reps, 1):
            if n % 10 == 9:
                continue  # not on the roster
            start = dt.date(2026, 11, 16) - dt.timedelta(days=rng.randint(-10, 300)) if n % 4 else None
            people.append([f"Rep {n}", start, rng.choice(["SDR", "AE", None]), rng.choice([None, 1, 0.5, 0.8])])
    wb.save(path)
    return path


def python_statuses(path: Path) -> dict[int, dict[str, str]]:
    """Tracking row -> metric -> the core's status."""
    data = read_workbook(path, today=TODAY)
    evaluated = evaluate_rows(data.tracking.frame, data.ranges, metrics=scorecard_metrics(data.ranges))
    return {int(row): {m: statuses[i] for m, (_, statuses) in evaluated.items()}
            for i, row in enumerate(data.tracking.frame[ROW])}


HOSTILE_ROLE = "Q\"A', =(x),!\nNew"  # a quote, an apostrophe, =, (, ), a comma, ! and a line break


HOSTILE_METRIC = "Touches \"x\"=(y),'z'!\nall"


HOSTILE_RATE = "Rate \"r\"=(1),'!'"


HOSTILE_UNIT = "\"count\"=(1),'u'!\n"


def hostile_book(path: Path, rows: int = 600, seed: int = 11) -> Path:
    """Roles, a metric name and units full of formula syntax; the Tracking rows carry the same Role text, also
    upper-cased (the core and Excel both match roles whatever their case)."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append([*TRACKING_HEADER[:4], *COUNTED, "Days Worked", "Start Date", HOSTILE_METRIC])
    for i in range(rows):
        week = dt.date(2026, 11, 16) - dt.timedelta(weeks=i // 20)
        role = rng.choice([HOSTILE_ROLE, HOSTILE_ROLE.upper(), "SDR", None])
        record = [week, f"Rep {i % 20}", "T", role, *(_value(rng, c) for c in COUNTED),
                  rng.choice([None, 0, 3, 5]), rng.choice([None, week - dt.timedelta(days=40)])]
        ws.append([*record, rng.choice([None, 2, 3, 4, 5, 6, 7, "n/a"])])
    ramp = wb.create_sheet("Ramp")  # the hostile Role has its own ramp: a formula literal too
    for row in (["Month", "Share", "Role"], [1, 0.25], [2, 0.5], [2, 0.4, HOSTILE_ROLE]):
        ramp.append(row)
    rs = wb.create_sheet("Ranges")
    rs.append(RANGES_HEADER)
    hostile = [["Dials", "activity", None, "week", 30, 45, HOSTILE_UNIT, HOSTILE_ROLE],
               ["Connect Rate", "quality", None, "week", 0.2, None, HOSTILE_UNIT, HOSTILE_ROLE],
               [HOSTILE_METRIC, "activity", None, "week", 3, 5, HOSTILE_UNIT],
               [HOSTILE_METRIC, "activity", None, "week", 4, 4, HOSTILE_UNIT, HOSTILE_ROLE],
               [HOSTILE_RATE, "quality", "SQLs / Conversations", "week", 0.1, 0.3, HOSTILE_UNIT, HOSTILE_ROLE]]
    for r in RANGES + hostile:
        rs.append(r + [None] * (len(RANGES_HEADER) - len(r)))
    wb.save(path)
    return path
