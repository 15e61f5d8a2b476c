"""A WeeklySummary laid out as sheets: which cell holds what, with which style, formula and format.

Pure data, no spreadsheet library: the lossless file writer and the xlwings writer both render it.
"""

from __future__ import annotations

import math
from pathlib import PurePath

from salesmetrics_xl.core.funnel import focus, goal_text, no_top_reps
from salesmetrics_xl.core.metrics import DEALS_WON, SQLS, Category, Unit, format_value
from salesmetrics_xl.core.pace import MonthlyPace
from salesmetrics_xl.core.problems import column_letter
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import Status
from salesmetrics_xl.core.summary import RepWeek, WeeklySummary
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import (
    SUMMARY_SHEET,
)
from salesmetrics_xl.layouts.evaluation import Formulas, live_layout
from salesmetrics_xl.layouts.sheet import (
    CellValue,
    Chart,
    Series,
    SheetLayout,
    Style,
    WorkbookLayout,
    look,
)
from salesmetrics_xl.layouts.styles import (
    AMBER,
    BLUE,
    CATEGORY_FILL,
    CHANGE_FORMAT,
    FORMAT,
    GREEN,
    GREY_TEXT,
    HEADER,
    NO_DATA_FILL,
    NOTE,
    PROJECTION_FORMAT,
    RED,
    SECTION,
    TITLE,
    status_highlight,
    styled,
)

# ---- the Weekly Summary sheet ------------------------------------------------------------------------------

VERDICT_LOOK = {"On track": GREEN, "On track, less activity": GREEN, "Watch": AMBER, "Off track": RED}
HEADER_ROWS = (5, 7)  # the scorecard's header rows: repeated on every printed page
METRICS_FROM = 8  # the scorecard's first metric column: A-D rank, rep, role, team; E-G verdict, focus, action
BLOCK = 5  # the blocks under the scorecard start in the Verdict column, wide enough for "2 Deals Won a month"


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of this column width takes, paragraph by paragraph (a header is never cut)."""
    text, room = str(text), max(width - 1, 1)
    if "\n" not in text:  # most cells: one paragraph
        return max(1, math.ceil(1.15 * len(text) / room))
    return sum(max(1, math.ceil(1.15 * len(part) / room)) for part in text.split("\n"))


class _Lines(dict[object, int]):
    """_lines of each text in a column of this width, measured once: for columns that repeat a few texts."""

    def __init__(self, width: float):
        super().__init__()
        self.width = width

    def __missing__(self, text: object) -> int:
        self[text] = lines = _lines(str(text), self.width)
        return lines


def summary_sheet(summary: WeeklySummary) -> SheetLayout:
    sheet = SheetLayout(SUMMARY_SHEET, landscape=True, fit_width=True, tab_color="1F4E79", fit_pages_wide=2,
                        print_rows=HEADER_ROWS, print_columns=(1, 2))
    metrics = summary.metrics
    verdict_col, focus_col, action_col = 5, 6, 7  # what a manager reads first, beside the rep
    first = METRICS_FROM
    last = first + len(metrics) - 1
    sheet.widths = {1: 4, 2: 18, 3: 8, 4: 9, verdict_col: 21, focus_col: 13, action_col: 50} | {
        first + i: max(10.5, 2.0 + max(len(word) for word in (m.label or m.name).split()), 1.0 + len(m.range))
        for i, m in enumerate(metrics)}

    teams = ", ".join(summary.teams) if summary.teams else "all reps"
    sheet.put(1, 1, f"Weekly Summary: {summary.title}, week {summary.week_label} "
                    f"(from {summary.week:%d %b %Y})", TITLE)
    source = PurePath(summary.source).name
    note = (f"Generated {summary.generated_at:%Y-%m-%d %H:%M} by salesmetrics-xl from {source}. "
            f"Teams: {teams}. {len(summary.reps)} reps. {summary.ordering_rule}")
    sheet.put(2, 1, note, look(italic=True, color="595959", wrap=True))
    sheet.merges.append(f"A2:{column_letter(action_col)}2")  # on the first printed page, wrapped, never cut
    sheet.heights[2] = 15.0 * _lines(note, sum(sheet.widths[c] for c in range(1, action_col + 1)))
    sheet.put(3, 1, "Legend:", look(bold=True))
    legend = [("IN RANGE", GREEN), ("BELOW", RED), ("ABOVE: activity", AMBER), ("ABOVE: good", BLUE),
              ("no data/range", None)]
    for col, (label, hl) in enumerate(legend, start=3):  # beside the rep, where the first page shows it whole
        sheet.put(3, col, label, styled(hl, None, bold=True))
    sheet.put(4, 2, "Under a value: the range (or the pooled rate) that judged it, where the column's is not it.",
              NOTE)

    # scorecard: group header, metric names, ranges, then one row per rep, outcomes first
    head, names, ranges_row, top = 5, 6, 7, 8
    for label, col in (("#", 1), ("Rep", 2), ("Role", 3), ("Team", 4), ("Verdict", verdict_col),
                       ("Focus", focus_col), ("Next action", action_col)):
        sheet.put(head, col, label, HEADER)
        for row in (names, ranges_row):
            sheet.put(row, col, None, HEADER)
        sheet.merges.append(f"{column_letter(col)}{head}:{column_letter(col)}{ranges_row}")
    for category in Category:
        cols = [first + i for i, m in enumerate(metrics) if m.category is category]
        if not cols:
            continue
        style = look(bold=True, fill=CATEGORY_FILL[category], align="center", border=True)
        sheet.put(head, cols[0], category.value.capitalize(), style)
        for c in cols[1:]:
            sheet.put(head, c, None, style)
        if len(cols) > 1:
            sheet.merges.append(f"{column_letter(cols[0])}{head}:{column_letter(cols[-1])}{head}")
    sheet.heights |= {head: 15.0, names: 15.0, ranges_row: 15.0}
    for i, m in enumerate(metrics):
        label = m.label or m.name
        sheet.put(names, first + i, label, HEADER)
        sheet.put(ranges_row, first + i, m.range, look(italic=True, fill="DDEBF7", align="center", border=True,
                                                        wrap=True))
        sheet.heights[names] = max(sheet.heights[names], 15.0 * _lines(label, sheet.widths[first + i]))
        sheet.heights[ranges_row] = max(sheet.heights[ranges_row], 15.0 * _lines(m.range, sheet.widths[first + i]))

    # The looks of a rep's row, found once per sheet: a summary of 10,000 reps puts 200,000 cells.
    centred, left = look(align="center"), look(align="left")
    verdict_looks = {verdict: look(bold=True, wrap=True, align="center", fill=hl.fill, color=hl.color)
                     for verdict, hl in VERDICT_LOOK.items()}
    no_verdict_look = look(bold=True, wrap=True, align="center", fill=NO_DATA_FILL, color=GREY_TEXT)
    name_looks = {(bold, wrap): look(bold=bold, align="left", wrap=wrap) for bold in (False, True)
                  for wrap in (False, True)}
    focus_looks = {bold: look(wrap=True, bold=bold, align="center") for bold in (False, True)}
    action_looks = {off: look(wrap=True, color=GREY_TEXT if off else None) for off in (False, True)}
    status_looks = [{status: styled(status_highlight(status, m.category), FORMAT[m.unit]) for status in Status}
                    for m in metrics]
    under_looks: dict[int, Style] = {}  # a value's look -> the same with the range under the value, wrapped
    columns = [(m, m.name, sheet.widths[first + i], status_looks[i]) for i, m in enumerate(metrics)]
    put_row, window = sheet.put_row, summary.window_weeks
    # The verdict and focus columns hold a few texts, each measured once.
    verdict_lines = _Lines(sheet.widths[verdict_col])
    focus_lines = _Lines(sheet.widths[focus_col])
    for n, rep in enumerate(summary.reps):
        row = top + n
        # a rep judged against smaller ranges says why under the name ("3 of 5 days", "ramp 50 %", "OFF")
        name = f"{rep.rep}\n{rep.judged_on}" if rep.judged_on else rep.rep
        put_row(row, 1, (n + 1, name, rep.role, rep.team, rep.verdict, rep.focus or None, rep.action),  # A to G
                (centred, name_looks[bool(rep.busy_not_producing), bool(rep.judged_on)], left, left,
                 verdict_looks.get(rep.verdict, no_verdict_look), focus_looks[bool(rep.focus)],
                 action_looks[bool(rep.off)]))
        lines = max(2 if rep.judged_on else 1, _lines(rep.action, sheet.widths[action_col]),
                    verdict_lines[rep.verdict], focus_lines[rep.focus])
        judged, values = rep.judged, rep.values
        explained = rep.thin or rep.effective or rep.judged_by  # else no value has a range under it
        cells, looks_ = [], []
        for m, metric, width, looks in columns:
            status = judged[metric]  # what counts in the verdict: a paced outcome by the month's pace
            style = looks[status] if type(status) is Status else styled(status_highlight(status, m.category),
                                                                          FORMAT[m.unit])
            value = values[metric]
            if explained and value is not None and (under := _judged_by(rep, metric, window)):
                # the range (or pooled rate) that judged it, under the value
                value = f"{format_value(value, m.unit, exact=m.unit is Unit.RATE)}\n{under}"
                wrapped = under_looks.get(id(style))
                if wrapped is None:
                    wrapped = under_looks[id(style)] = look(fill=style.fill, color=style.color, align="center",
                                                           wrap=True)
                style = wrapped
                lines = max(lines, _lines(value, width))
            cells.append(value)
            looks_.append(style)
        put_row(row, first, cells, looks_)  # the metric columns, side by side from the first
        sheet.heights[row] = 15.0 * lines
    bottom = top + max(len(summary.reps), 1) - 1
    sheet.freeze = f"C{top}"

    # team block: the headline across the sheet, then the numbers under the same metric columns
    row = bottom + 2
    sheet.put(row, 2, "Team", SECTION)
    width = sum(sheet.widths[c] for c in range(3, action_col + 1))
    for k, (text, style) in enumerate([(summary.team_diagnosis, look(bold=True, wrap=True)),
                                       *((note, look(italic=True, color="595959", wrap=True))
                                         for note in summary.range_review)]):
        row += k and 1  # the team line and each check wrapped across Role to Next action: printed whole
        sheet.put(row, 3, text, style)
        sheet.merges.append(f"C{row}:{column_letter(action_col)}{row}")
        sheet.heights[row] = 15.0 * _lines(text, width)
    for label, kind in (("Total (rates pooled)", "total"), ("Average per rep", "average"),
                        ("Reps in range", "share")):
        row += 1
        sheet.put(row, 2, label, look(bold=True))
        for i, (m, t) in enumerate(zip(metrics, summary.team, strict=True)):
            value = {"total": t.total, "average": t.average, "share": t.share_in_range}[kind]
            fmt = "0%" if kind == "share" else (FORMAT[m.unit] if kind == "total" or m.unit is not Unit.COUNT
                                                 else "0.0")
            sheet.put(row, first + i, value, look(number_format=fmt, align="center"))
    row = _detail_block(sheet, summary, row + 2, 3, action_col)
    row += 1
    # change from last week, same columns
    row += 1
    sheet.put(row, 2, "Change from last week", SECTION)
    change_looks = [(first + i, m.name, m.unit is Unit.RATE, look(number_format=CHANGE_FORMAT[m.unit],
                                                                  align="center")) for i, m in enumerate(metrics)]
    change_styles = [style for _, _, _, style in change_looks]
    for rep in summary.reps:
        row += 1
        sheet.put(row, 2, rep.rep)
        changes = rep.changes
        put_row(row, first, [None if (change := changes[metric]) is None else round(change * 100, 10) if rate
                             else change for _, metric, rate, _ in change_looks], change_styles)  # rates in points
    row = _monthly_block(sheet, summary, row + 2)
    row = _what_it_takes_block(sheet, summary, row + 2)
    row = _problems_block(sheet, summary, row + 2)

    outcome = [m.name for m in metrics if m.name in (SQLS, DEALS_WON)]
    if summary.reps and outcome:
        # The chart's data as one contiguous block: a live Excel chart takes a single source range.
        row += 2
        sheet.put(row, 2, "Chart data: outcomes by rep", SECTION)
        head = row + 1
        for i, label in enumerate(["Rep", *outcome]):
            sheet.put(head, 2 + i, label, HEADER)
            _fit_words(sheet, 2 + i, label)
            sheet.heights[head] = max(sheet.heights.get(head, 15.0), 15.0 * _lines(label, sheet.widths[2 + i]))
        for n, rep in enumerate(summary.reps, start=1):
            put_row(head + n, 2, [rep.rep, *(rep.values[name] for name in outcome)])
        last = head + len(summary.reps)
        series = tuple(Series(name, f"{column_letter(2 + i)}{head + 1}:{column_letter(2 + i)}{last}")
                       for i, name in enumerate(outcome, start=1))
        sheet.charts.append(Chart(f"Outcomes by rep, week {summary.week_label}", f"B{head + 1}:B{last}", series,
                                  anchor=f"H{head}", width_cols=9, kind="bar",
                                  height_rows=max(18, 2 * len(summary.reps) + 4)))  # room to label every rep
    return sheet


def _fit_words(sheet: SheetLayout, col: int, label: str) -> None:
    """Widen a column a block's header lands in, so that no word of the header is broken ("Conversati/ons")."""
    sheet.widths[col] = max(sheet.widths.get(col, 10), 2.0 + max(len(word) for word in label.split()))


def _judged_by(rep: RepWeek, metric: str, window: int) -> str:
    """What a cell shows under its value: the pooled rate that judged a thin weekly rate, or the range that judged
    it where the column's heading does not say it (a role's own range, a range moved by days worked, FTE or
    ramp)."""
    if metric in rep.thin:
        pooled = rep.pooled.get(metric)
        return f"{window} wk: {pooled:.0%}" if pooled is not None else "too few"
    if metric in rep.effective:
        return rep.effective[metric]
    return rep.judged_by.get(metric, "")


def _detail_block(sheet: SheetLayout, summary: WeeklySummary, row: int, left: int, right: int) -> int:
    """Each rep's detail (pacing, streaks, what it takes, also below), wrapped across the scorecard's width with
    its own row height: the rows above stay one reading height, and the detail prints with the sheet."""
    sheet.put(row, 2, "Detail: pacing, streaks, what it takes, also below", SECTION)
    width = sum(sheet.widths.get(c, 10) for c in range(left, right + 1))
    name, wrap = look(bold=True, wrap=True), look(wrap=True)
    wraps = [wrap] * (right - left + 1)
    blanks = [None] * (right - left)
    start, end = column_letter(left), column_letter(right)
    for rep in summary.reps:
        row += 1
        sheet.put(row, 2, rep.rep, name)
        sheet.put_row(row, left, [rep.detail, *blanks], wraps)
        sheet.merges.append(f"{start}{row}:{end}{row}")
        sheet.heights[row] = 15.0 * max(_lines(rep.detail, width), _lines(rep.rep, sheet.widths[2]))
    return row


def _monthly_block(sheet: SheetLayout, summary: WeeklySummary, row: int) -> int:
    paces = summary.monthly
    if not paces:
        sheet.put(row, 2, f"Monthly pacing, {summary.month}: no monthly ranges set", SECTION)
        return row
    first = paces[0]
    sheet.put(row, 2, f"Monthly pacing, {summary.month} ({first.weeks_elapsed} of {first.weeks_in_month} weeks; "
                      "projected to month end at each rep's average week of the last 4)", SECTION)
    metrics = list(dict.fromkeys(p.metric for p in paces))
    by_key = {(p.rep, p.metric): p for p in paces}
    reps = list(dict.fromkeys(p.rep for p in paces))
    of_metric: dict[str, list[MonthlyPace]] = {}
    for p in paces:
        of_metric.setdefault(p.metric, []).append(p)
    row += 1
    sheet.heights[row] = 30
    sheet.put(row, 2, "Rep", HEADER)
    for i, name in enumerate(metrics):
        sample = of_metric[name][0]
        full = {p.range for p in of_metric[name] if p.share == 1}
        unit, rng = sample.unit, ("by role" if len(full) > 1 else next(iter(full))) if full else "by rep"
        col = BLOCK + 3 * i
        for j, label in enumerate((f"{name} so far", "Projected", f"Range: {rng}")):
            sheet.put(row, col + j, label, HEADER)
            _fit_words(sheet, col + j, label)
            lines = math.ceil(1.15 * len(label) / sheet.widths.get(col + j, 10))  # a header is never cut
            sheet.heights[row] = max(sheet.heights[row], 15.0 * lines)
        so_far = look(number_format=FORMAT[unit], align="center")
        looks = {status: _pace_looks(status, unit) for status in Status}  # each status's, found once
        for n, rep in enumerate(reps):
            r = row + 1 + n
            if not i:
                sheet.put(r, 2, rep)
            pace = by_key.get((rep, name))
            if pace is None:
                continue
            status = pace.status
            projected, style = looks[status] if type(status) is Status else _pace_looks(status, unit)
            entered = status is not Status.NO_DATA  # a projection without this week's number says nothing
            verdict = "not entered yet" if not entered else "on pace" if pace.on_pace else "behind"
            if pace.range != rng:  # its role's range, or its share of it (days worked, FTE, ramp): shown under
                verdict += "\n" + pace.range.replace("at least ", "≥ ").replace("at most ", "≤ ")
                style = look(fill=style.fill, color=style.color, align="center", wrap=True)
                sheet.heights[r] = 30
            sheet.put_row(r, col, (pace.month_to_date, pace.projection if entered else None, verdict),
                          (so_far, projected, style))
    return row + len(reps)


def _pace_looks(status: Status, unit: Unit) -> tuple[Style, Style]:
    """A monthly pace's looks by its status: the projection's and the verdict's."""
    hl = status_highlight(status, Category.OUTCOME)
    return styled(hl, PROJECTION_FORMAT[unit]), styled(hl, None)


def _what_it_takes_block(sheet: SheetLayout, summary: WeeklySummary, row: int) -> int:
    """Per rep behind on outcomes: the weekly activity the target takes at the rep's own rates against this
    week's, and what costs the most outcomes: the rep's focus, with the same numbers (core/decision.py)."""
    behind = [(f, need) for f in summary.funnels if (need := focus(f)) is not None]
    sheet.put(row, 2, f"What it takes: weekly activity for each target at the rep's own rates (pooled over the last "
                      f"{summary.window_weeks} weeks), and what costs the most outcomes", SECTION)
    if not behind:
        sheet.put(row + 1, 2, "No rep is behind on an outcome target with a funnel to plan from.")
        return row + 1
    reps = {r.rep: r for r in summary.reps}
    planned = set().union(*(need.needed for _, need in behind))
    stages = [m.name for m in summary.metrics if m.name in planned and m.category is Category.ACTIVITY]
    row += 1
    labels = ["Behind on", *(f"{s} {w}" for s in stages for w in ("needed a week", "this week")), "Focus",
              "Costs the most", "Rep's", "Top reps' (or range)", "Outcomes it costs", "Projected"]
    sheet.put(row, 2, "Rep", HEADER)
    for i, label in enumerate(labels):
        sheet.put(row, BLOCK + i, label, HEADER)
        _fit_words(sheet, BLOCK + i, label)
    sheet.heights[row] = 15.0 * max(_lines(label, sheet.widths.get(BLOCK + i, 10)) for i, label in enumerate(labels))
    # The block's few looks and its few focus and cost texts' heights, found once (one row per rep behind).
    center, count = look(align="center", wrap=True), look(number_format="0", align="center")
    short, met, missing = styled(RED, "0"), styled(GREEN, "0"), styled(None, "0")
    numbers = {fmt: look(number_format=fmt, align="center") for fmt in {*FORMAT.values(), "0.0%", "0.0", "0"}}
    col = BLOCK + 1 + 2 * len(stages)
    stage_lines, why_lines = _Lines(sheet.widths.get(col, 10)), _Lines(sheet.widths.get(col + 1, 10))
    goal_width = sheet.widths.get(BLOCK, 10)
    for n, (funnel, need) in enumerate(behind, start=1):
        r = row + n
        unit = FORMAT[need.unit]
        rep = reps.get(funnel.rep)
        sheet.put(r, 2, funnel.rep)
        goal = goal_text(need)
        values: list[CellValue] = [goal]
        styles: list[Style | None] = [center]
        lines = _lines(goal, goal_width)
        for stage in stages:
            needed, actual = need.needed.get(stage), need.this_week.get(stage)
            values += (needed, actual)
            styles += (count, short if needed is not None and actual is not None and actual < needed
                       else met if actual is not None else missing)
        chosen = rep.focus_metric if rep is not None else ""
        gain = next((g for g in need.gains if g.metric == chosen), None)
        stage = rep.focus if rep is not None else ""
        if gain is None:
            why = "target out of reach" if stage == "Target out of reach" else \
                "none below the top reps" if funnel.top_reps else f"no top reps: {no_top_reps(funnel)}"
        else:
            why = gain.metric
        number = numbers[FORMAT[Unit.CURRENCY] if gain is not None and gain.unit is Unit.CURRENCY else
                         "0.0%" if gain is not None and gain.unit is Unit.RATE else "0"]
        outcome = numbers[unit if need.unit is Unit.CURRENCY else "0.0"]
        lines = max(lines, stage_lines[stage or ""], why_lines[why or ""])
        values += (stage or None, why, gain.mine if gain else None, gain.goal if gain else None,
                   gain.outcomes if gain else None, need.projection)
        styles += (center, center, number, number, outcome, outcome)
        sheet.put_row(r, BLOCK, values, styles)
        sheet.heights[r] = 15.0 * lines
    return row + len(behind)


def _problems_block(sheet: SheetLayout, summary: WeeklySummary, row: int) -> int:
    sheet.put(row, 2, "Data problems this week", SECTION)
    if not summary.problems:
        sheet.put(row + 1, 2, "None found.")
        return row + 1
    for n, p in enumerate(summary.problems, start=1):
        sheet.put(row + n, 2, p.where or p.file, look(color="9C0006" if p.severity == "error" else "9C5700"))
        sheet.put(row + n, BLOCK, f"{p.severity.value}: {p.message}")
    return row + len(summary.problems)


def workbook_layout(summary: WeeklySummary, tracking: TrackingData, ranges: RangeSet,
                    formulas: Formulas = "native") -> WorkbookLayout:
    """Everything a summary run adds to a workbook: our two sheets and the range checks on the user's."""
    layout = live_layout(tracking, ranges, formulas)
    layout.sheets[0] = summary_sheet(summary)
    return layout
