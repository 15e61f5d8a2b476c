"""A team's own workbook, as a sales ops person keeps it (no template): "Weekly Activity" with a title block above
the header, headers under their aliases, a Targets (or Goals) sheet, a Total row of SUM formulas. Built here for
every test module that needs one (tests/test_own_workbook.py, tests/excel/test_book.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

WEEKS = [dt.date(2026, 10, 26) + dt.timedelta(weeks=i) for i in range(4)]
HEADER = ["Week Of", "Sales Rep", "Team", "Calls", "Emails Sent", "Connects", "Meetings Set", "Sales Qualified Leads",
          "Opps", "Closed Won", "MRR"]
REPS = {"Ann Lee": (62, 130, 13, 4, 2, 2, 1, 1200), "Bo Chen": (40, 90, 5, 1, 0, 0, 0, 0),
        "Cy Diaz": (70, 150, 15, 5, 2, 1, 1, 900)}
TARGETS = [["Metric", "Period", "Min", "Max"],
           ["Calls", "week", 50, 75], ["Emails Sent", "week", 100, 200], ["Connects", "week", 10, 20],
           ["Meetings Set", "week", 3, 6], ["Sales Qualified Leads", "week", 1, None],
           ["Closed Won", "month", 2, None], ["Connect Rate", "week", 0.15, None]]

GOALS = [row if row[0] != "Calls" else ["Calls", "week", 65, 80] for row in TARGETS]


def own_workbook(path: Path, targets: str = "Targets", total: str = "Total") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Weekly Activity"
    ws.append(["Acme EMEA: weekly activity"])
    ws.append(["Kept by Sales Ops; one row per rep per week"])
    ws.append([])
    ws.append(HEADER)
    for week in WEEKS:
        for rep, numbers in REPS.items():
            ws.append([week, rep, "EMEA", *numbers])
    last = ws.max_row
    letters = "DEFGHIJK"
    ws.append([None, total, None, *[f"=SUM({c}5:{c}{last})" for c in letters]])
    goals = wb.create_sheet(targets)
    for row in TARGETS:
        goals.append(row)
    wb.save(path)
    return path


def settings_workbook(path: Path, tracking: object = "Weekly Activity", ranges: object = "Goals") -> Path:
    """The standard template, its Tracking left empty and its Ranges at the defaults (as a team that copied it
    leaves them), the team's data in Weekly Activity and its targets in Goals, named in Settings B3 and B4."""
    from salesmetrics_xl.template import build

    build(path)
    own = openpyxl.load_workbook(own_workbook(path.with_name("own.xlsx")))
    wb = openpyxl.load_workbook(path)
    for name, rows in (("Weekly Activity", own["Weekly Activity"].iter_rows(values_only=True)), ("Goals", GOALS)):
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    assert [wb["Settings"][f"A{r}"].value for r in (3, 4)] == ["Tracking Sheet", "Ranges Sheet"]
    wb["Settings"]["B3"], wb["Settings"]["B4"] = tracking, ranges
    wb.save(path)
    return path
