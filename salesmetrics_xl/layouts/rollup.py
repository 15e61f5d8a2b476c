"""The cross-team rollup laid out: one row per team (and per rep if asked), outcomes first, with a chart."""

from __future__ import annotations

import datetime as dt

from salesmetrics_xl.core.metrics import DEALS_WON, NEW_MRR, SQLS, Category
from salesmetrics_xl.core.problems import column_letter
from salesmetrics_xl.core.ranking import OUTCOME_ORDER, OUTCOMES, outcome_key
from salesmetrics_xl.core.rollup import FileResult, TeamLine, below, common_root, shared_label
from salesmetrics_xl.core.workbook import ROLLUP_SHEET
from salesmetrics_xl.layouts.sheet import (
    Chart,
    Series,
    SheetLayout,
    Style,
)
from salesmetrics_xl.layouts.styles import HEADER, NOTE, SECTION, TITLE

MONEY = Style(number_format='"$"#,##0', align="center")
COUNT = Style(number_format="0", align="center")


def rollup_sheet(teams: list[TeamLine], results: list[FileResult], with_reps: bool, generated: dt.datetime
                 ) -> SheetLayout:
    sheet = SheetLayout(ROLLUP_SHEET, freeze="B5", landscape=True, fit_width=True, tab_color="1F4E79")
    weeks = sorted({r.week for r in results if r.week})
    unreadable = sum(r.status == "unreadable" for r in results)  # with the next, the files missing from the Files
    unwritten = sum(r.status == "could not write" for r in results)  # column
    with_errors = sum(r.status == "errors" for r in results)
    notes = "; ".join(n for n in (f"{unreadable} could not be read" if unreadable else "",
                                  f"{unwritten} could not be written" if unwritten else "",
                                  f"{with_errors} with errors, their bad cells counted as no data" if with_errors
                                  else "") if n)
    sheet.put(1, 1, f"Sales metrics rollup: {len(teams)} teams, week {', '.join(weeks) or 'n/a'}", TITLE)
    sheet.put(2, 1, f"Generated {generated:%Y-%m-%d %H:%M} by salesmetrics-xl from {len(results)} workbooks"
                    f"{f' ({notes}: see the report)' if notes else ''}. A team is one workbook's team (its File, "
                    "below the folder common to all the workbooks); teams are ordered by outcomes: "
                    f"{OUTCOME_ORDER}.", NOTE)
    named = {m: shared_label(m, results) for m in OUTCOMES}
    header = ["Team", "Reps", *named.values(), "On track", "Need attention", "Busy, not producing",
              *(f"{c.value.capitalize()} in range" for c in Category), "Where most break", "File"]
    for col, name in enumerate(header, start=1):
        sheet.put(4, col, name, HEADER)
    sheet.widths = {1: 18, len(header) - 1: 30, len(header): 40} | {c: 11 for c in range(2, len(header) - 1)}
    sheet.heights = {4: 30}
    row = 5
    for team in teams:
        values = [team.team, team.reps, *(team.outcomes[m] for m in OUTCOMES), team.on_track, team.needs_attention,
                  team.busy_not_producing, *(team.in_range[c] for c in Category), team.main_break, team.file]
        for col, value in enumerate(values, start=1):
            style = MONEY if header[col - 1] == named[NEW_MRR] else (COUNT if isinstance(value, int | float) else None)
            sheet.put(row, col, value, style)
        row += 1
    last = row - 1
    if teams:
        sqls, won = header.index(named[SQLS]) + 1, header.index(named[DEALS_WON]) + 1
        series = (Series(named[SQLS], f"{column_letter(sqls)}5:{column_letter(sqls)}{last}"),
                  Series(named[DEALS_WON], f"{column_letter(won)}5:{column_letter(won)}{last}"))
        sheet.charts.append(Chart("Outcomes by team", f"A5:A{last}", series, anchor=f"B{last + 3}", width_cols=8,
                                  height_rows=16, kind="bar"))
        row = last + 21
    if with_reps:
        sheet.put(row, 1, "Reps, outcomes first", SECTION)
        # the action last: it reads on, unwrapped, across the empty cells to its right
        rep_header = ["Team", "Rep", *named.values(), "Busy, not producing", "Verdict", "Focus", "File", "Next action"]
        for col, name in enumerate(rep_header, start=1):
            sheet.put(row + 1, col, name, HEADER)
        root = common_root(r.file for r in results)  # files named as the team lines name them
        lines = [(below(r.file, root).as_posix(), line) for r in results for line in r.lines]
        lines.sort(key=lambda item: (*outcome_key(item[1].outcomes), item[1].rep.casefold()))
        for n, (file, line) in enumerate(lines, start=row + 2):
            values = [line.team, line.rep, *(line.outcomes.get(m) for m in OUTCOMES),
                      "yes" if line.busy_not_producing else "", line.verdict, line.focus, file, line.action]
            for col, value in enumerate(values, start=1):
                sheet.put(n, col, value, MONEY if rep_header[col - 1] == named[NEW_MRR] else None)
    return sheet
