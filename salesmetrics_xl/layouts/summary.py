"""A WeeklySummary laid out as sheets: which cell holds what, with which style, formula and format.

Pure data, no spreadsheet library: the lossless file writer and the xlwings writer both render it.
"""

from __future__ import annotations

import math
from pathlib import PurePath
from typing import Literal

from salesmetrics_xl.core.effective import DECIMALS
from salesmetrics_xl.core.evaluate import scorecard_metrics
from salesmetrics_xl.core.funnel import focus, goal_text, no_top_reps
from salesmetrics_xl.core.metrics import DEALS_WON, SQLS, Category, Period, Unit, format_value
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, column_letter, split_ref
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.status import Status
from salesmetrics_xl.core.summary import RepWeek, WeeklySummary
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import (
    CATEGORY,
    DAYS_WORKED,
    EVALUATION_SHEET,
    FAIRNESS_COLUMNS,
    FTE,
    MAX,
    MIN,
    PERIOD,
    REP,
    ROLE,
    START_DATE,
    SUMMARY_SHEET,
    WEEK,
)
from salesmetrics_xl.layouts.role_ranges import RoleTable, bound_ref, chain
from salesmetrics_xl.layouts.sheet import (
    BOLD_CHAR,
    Chart,
    ConditionalFormat,
    Fill,
    Highlight,
    Series,
    SheetEdit,
    SheetLayout,
    Style,
    Validation,
    WorkbookLayout,
    formula_text,
    header_height,
    quote_sheet,
    same_text,
    same_text_in,
    sheet_ref,
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
    above,
    status_highlight,
    styled,
)

Formulas = Literal["native", "udf"]

# ---- the Weekly Summary sheet ------------------------------------------------------------------------------

VERDICT_LOOK = {"On track": GREEN, "On track, less activity": GREEN, "Watch": AMBER, "Off track": RED}
HEADER_ROWS = (5, 7)  # the scorecard's header rows: repeated on every printed page
METRICS_FROM = 8  # the scorecard's first metric column: A-D rank, rep, role, team; E-G verdict, focus, action
BLOCK = 5  # the blocks under the scorecard start in the Verdict column, wide enough for "2 Deals Won a month"


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of this column width takes, paragraph by paragraph (a header is never cut)."""
    return sum(max(1, math.ceil(1.15 * len(part) / max(width - 1, 1))) for part in str(text).split("\n"))


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
    sheet.put(2, 1, note, Style(italic=True, color="595959", wrap=True))
    sheet.merges.append(f"A2:{column_letter(action_col)}2")  # on the first printed page, wrapped, never cut
    sheet.heights[2] = 15.0 * _lines(note, sum(sheet.widths[c] for c in range(1, action_col + 1)))
    sheet.put(3, 1, "Legend:", Style(bold=True))
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
        style = Style(bold=True, fill=CATEGORY_FILL[category], align="center", border=True)
        sheet.put(head, cols[0], category.value.capitalize(), style)
        for c in cols[1:]:
            sheet.put(head, c, None, style)
        if len(cols) > 1:
            sheet.merges.append(f"{column_letter(cols[0])}{head}:{column_letter(cols[-1])}{head}")
    sheet.heights |= {head: 15.0, names: 15.0, ranges_row: 15.0}
    for i, m in enumerate(metrics):
        label = m.label or m.name
        sheet.put(names, first + i, label, HEADER)
        sheet.put(ranges_row, first + i, m.range, Style(italic=True, fill="DDEBF7", align="center", border=True,
                                                        wrap=True))
        sheet.heights[names] = max(sheet.heights[names], 15.0 * _lines(label, sheet.widths[first + i]))
        sheet.heights[ranges_row] = max(sheet.heights[ranges_row], 15.0 * _lines(m.range, sheet.widths[first + i]))

    for n, rep in enumerate(summary.reps):
        row = top + n
        sheet.put(row, 1, n + 1, Style(align="center"))
        # a rep judged against smaller ranges says why under the name ("3 of 5 days", "ramp 50 %", "OFF")
        name = f"{rep.rep}\n{rep.judged_on}" if rep.judged_on else rep.rep
        sheet.put(row, 2, name, Style(bold=rep.busy_not_producing, align="left", wrap=bool(rep.judged_on)))
        sheet.put(row, 3, rep.role, Style(align="left"))
        sheet.put(row, 4, rep.team, Style(align="left"))
        look = VERDICT_LOOK.get(rep.verdict)
        sheet.put(row, verdict_col, rep.verdict, Style(bold=True, wrap=True, align="center",
                                                        fill=look.fill if look else NO_DATA_FILL,
                                                        color=look.color if look else GREY_TEXT))
        sheet.put(row, focus_col, rep.focus or None, Style(wrap=True, bold=bool(rep.focus), align="center"))
        sheet.put(row, action_col, rep.action, Style(wrap=True, color=GREY_TEXT if rep.off else None))
        lines = max(2 if rep.judged_on else 1, _lines(rep.action, sheet.widths[action_col]),
                    _lines(rep.verdict, sheet.widths[verdict_col]), _lines(rep.focus, sheet.widths[focus_col]))
        for i, m in enumerate(metrics):
            status = rep.judged[m.name]  # what counts in the verdict: a paced outcome by the month's pace
            style = styled(status_highlight(status, m.category), FORMAT[m.unit])
            value = rep.values[m.name]
            under = _judged_by(rep, m.name, summary.window_weeks)
            if under and value is not None:  # the range (or pooled rate) that judged it, under the value
                value = f"{format_value(value, m.unit, exact=m.unit is Unit.RATE)}\n{under}"
                style = Style(fill=style.fill, color=style.color, align="center", wrap=True)
                lines = max(lines, _lines(value, sheet.widths[first + i]))
            sheet.put(row, first + i, value, style)
        sheet.heights[row] = 15.0 * lines
    bottom = top + max(len(summary.reps), 1) - 1
    sheet.freeze = f"C{top}"

    # team block: the headline across the sheet, then the numbers under the same metric columns
    row = bottom + 2
    sheet.put(row, 2, "Team", SECTION)
    width = sum(sheet.widths[c] for c in range(3, action_col + 1))
    for k, (text, style) in enumerate([(summary.team_diagnosis, Style(bold=True, wrap=True)),
                                       *((note, Style(italic=True, color="595959", wrap=True))
                                         for note in summary.range_review)]):
        row += k and 1  # the team line and each check wrapped across Role to Next action: printed whole
        sheet.put(row, 3, text, style)
        sheet.merges.append(f"C{row}:{column_letter(action_col)}{row}")
        sheet.heights[row] = 15.0 * _lines(text, width)
    for label, kind in (("Total (rates pooled)", "total"), ("Average per rep", "average"),
                        ("Reps in range", "share")):
        row += 1
        sheet.put(row, 2, label, Style(bold=True))
        for i, (m, t) in enumerate(zip(metrics, summary.team, strict=True)):
            value = {"total": t.total, "average": t.average, "share": t.share_in_range}[kind]
            fmt = "0%" if kind == "share" else (FORMAT[m.unit] if kind == "total" or m.unit is not Unit.COUNT
                                                 else "0.0")
            sheet.put(row, first + i, value, Style(number_format=fmt, align="center"))
    row = _detail_block(sheet, summary, row + 2, 3, action_col)
    row += 1
    # change from last week, same columns
    row += 1
    sheet.put(row, 2, "Change from last week", SECTION)
    for rep in summary.reps:
        row += 1
        sheet.put(row, 2, rep.rep)
        for i, m in enumerate(metrics):
            change = rep.changes[m.name]
            if change is not None and m.unit is Unit.RATE:
                change = round(change * 100, 10)  # percentage points
            sheet.put(row, first + i, change, Style(number_format=CHANGE_FORMAT[m.unit], align="center"))
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
            sheet.put(head + n, 2, rep.rep)
            for i, name in enumerate(outcome, start=1):
                sheet.put(head + n, 2 + i, rep.values[name])
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
    for rep in summary.reps:
        row += 1
        sheet.put(row, 2, rep.rep, Style(bold=True, wrap=True))
        sheet.put(row, left, rep.detail, Style(wrap=True))
        for c in range(left + 1, right + 1):
            sheet.put(row, c, None, Style(wrap=True))
        sheet.merges.append(f"{column_letter(left)}{row}:{column_letter(right)}{row}")
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
    row += 1
    sheet.heights[row] = 30
    sheet.put(row, 2, "Rep", HEADER)
    for i, name in enumerate(metrics):
        sample = next(p for p in paces if p.metric == name)
        full = {p.range for p in paces if p.metric == name and p.share == 1}
        unit, rng = sample.unit, ("by role" if len(full) > 1 else next(iter(full))) if full else "by rep"
        col = BLOCK + 3 * i
        for j, label in enumerate((f"{name} so far", "Projected", f"Range: {rng}")):
            sheet.put(row, col + j, label, HEADER)
            _fit_words(sheet, col + j, label)
            lines = math.ceil(1.15 * len(label) / sheet.widths.get(col + j, 10))  # a header is never cut
            sheet.heights[row] = max(sheet.heights[row], 15.0 * lines)
        for n, rep in enumerate(reps):
            pace = by_key.get((rep, name))
            sheet.put(row + 1 + n, 2, rep)
            if pace is None:
                continue
            hl = status_highlight(pace.status, Category.OUTCOME)
            sheet.put(row + 1 + n, col, pace.month_to_date, Style(number_format=FORMAT[unit], align="center"))
            entered = pace.status is not Status.NO_DATA  # a projection without this week's number says nothing
            sheet.put(row + 1 + n, col + 1, pace.projection if entered else None, styled(hl, PROJECTION_FORMAT[unit]))
            verdict = "not entered yet" if not entered else "on pace" if pace.on_pace else "behind"
            style = styled(hl, None)
            if pace.range != rng:  # its role's range, or its share of it (days worked, FTE, ramp): shown under
                verdict += "\n" + pace.range.replace("at least ", "≥ ").replace("at most ", "≤ ")
                style = Style(fill=style.fill, color=style.color, align="center", wrap=True)
                sheet.heights[row + 1 + n] = 30
            sheet.put(row + 1 + n, col + 2, verdict, style)
    return row + len(reps)


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
    stages = [m.name for m in summary.metrics if any(m.name in need.needed for _, need in behind)
              and m.category is Category.ACTIVITY]
    row += 1
    labels = ["Behind on", *(f"{s} {w}" for s in stages for w in ("needed a week", "this week")), "Focus",
              "Costs the most", "Rep's", "Top reps' (or range)", "Outcomes it costs", "Projected"]
    sheet.put(row, 2, "Rep", HEADER)
    for i, label in enumerate(labels):
        sheet.put(row, BLOCK + i, label, HEADER)
        _fit_words(sheet, BLOCK + i, label)
    sheet.heights[row] = 15.0 * max(_lines(label, sheet.widths.get(BLOCK + i, 10)) for i, label in enumerate(labels))
    center = Style(align="center", wrap=True)
    for n, (funnel, need) in enumerate(behind, start=1):
        r = row + n
        unit = FORMAT[need.unit]
        rep = reps.get(funnel.rep)
        sheet.put(r, 2, funnel.rep)
        goal = goal_text(need)
        sheet.put(r, BLOCK, goal, center)
        lines = _lines(goal, sheet.widths.get(BLOCK, 10))
        for i, stage in enumerate(stages):
            needed, actual = need.needed.get(stage), need.this_week.get(stage)
            short = needed is not None and actual is not None and actual < needed
            sheet.put(r, BLOCK + 1 + 2 * i, needed, Style(number_format="0", align="center"))
            sheet.put(r, BLOCK + 2 + 2 * i, actual, styled(RED if short else GREEN if actual is not None else None,
                                                            "0"))
        col = BLOCK + 1 + 2 * len(stages)
        chosen = rep.focus_metric if rep is not None else ""
        gain = next((g for g in need.gains if g.metric == chosen), None)
        stage = rep.focus if rep is not None else ""
        if gain is None:
            why = "target out of reach" if stage == "Target out of reach" else \
                "none below the top reps" if funnel.top_reps else f"no top reps: {no_top_reps(funnel)}"
        else:
            why = gain.metric
        number = FORMAT[Unit.CURRENCY] if gain is not None and gain.unit is Unit.CURRENCY else \
            "0.0%" if gain is not None and gain.unit is Unit.RATE else "0"
        for k, value in enumerate((stage or None, why)):
            sheet.put(r, col + k, value, center)
            lines = max(lines, _lines(str(value or ""), sheet.widths.get(col + k, 10)))
        sheet.put(r, col + 2, gain.mine if gain else None, Style(number_format=number, align="center"))
        sheet.put(r, col + 3, gain.goal if gain else None, Style(number_format=number, align="center"))
        sheet.put(r, col + 4, gain.outcomes if gain else None,
                  Style(number_format=unit if need.unit is Unit.CURRENCY else "0.0", align="center"))
        sheet.put(r, col + 5, need.projection, Style(number_format=unit if need.unit is Unit.CURRENCY else "0.0",
                                                    align="center"))
        sheet.heights[r] = 15.0 * lines
    return row + len(behind)


def _problems_block(sheet: SheetLayout, summary: WeeklySummary, row: int) -> int:
    sheet.put(row, 2, "Data problems this week", SECTION)
    if not summary.problems:
        sheet.put(row + 1, 2, "None found.")
        return row + 1
    for n, p in enumerate(summary.problems, start=1):
        sheet.put(row + n, 2, p.where or p.file, Style(color="9C0006" if p.severity == "error" else "9C5700"))
        sheet.put(row + n, BLOCK, f"{p.severity.value}: {p.message}")
    return row + len(summary.problems)


# ---- the Evaluation sheet: statuses as live formulas -------------------------------------------------------

def _cell(sheet: str | None, ref: str) -> str:
    return sheet_ref(sheet, ref) if sheet else ref


def _absolute(ref: str) -> str:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return f"${letters}${ref[len(letters):]}"


def _is_role(ref: str, rule: RangeRule, ranges: RangeSet, file: str) -> str:
    """Whether the Role in ``ref`` is the rule's Role (text_key's rule); Role text that no formula can hold is an
    error at its Ranges cell."""
    assert rule.role is not None
    try:
        return same_text(ref, rule.role)
    except ValueError as exc:
        letter = ranges.letters.get(ROLE)
        cell = f"{letter}{split_ref(rule.cell)[0]}" if letter and rule.cell else rule.cell
        raise WorkbookError(Problem(severity=Severity.ERROR, code="bad-range", message=f"the Role {exc}", file=file,
                                    sheet=ranges.sheet, cell=cell)) from None


def _bound(rules: list[RangeRule], ranges: RangeSet, side: str, role_ref: str | None, file: str = "",
           table: RoleTable | None = None, where: str | None = None) -> str:
    """The Min or Max that applies to this row: a role's own range if the row's Role has one, else the general.
    Chained as IFs, or looked up in ``table`` (on the sheet ``where``) when the roles are too many or too long for
    a formula (layouts/role_ranges.py)."""
    general = bound_ref(next((r for r in rules if r.role is None), None), side, ranges)
    if not role_ref or not rules:
        return general
    if table is not None and (looked := table.lookup(rules[0].metric.name, side, role_ref, general, where)):
        return looked
    return chain(rules, side, role_ref, general, ranges, lambda ref, rule: _is_role(ref, rule, ranges, file))


def role_table(tracking: TrackingData, ranges: RangeSet) -> RoleTable:
    """The role-range table's place on the Evaluation sheet: after the metric and helper columns, one column
    left free."""
    helpers = 0
    if fairness_declared(tracking, ranges):
        helpers = len(SCALE_HEADERS) + (len(ROSTER_HEADERS) if ranges.fairness.roster else 0)
    return RoleTable(ranges, 3 + len(scorecard_metrics(ranges)) + helpers + 1)


def status_formula(value: str, lo: str, hi: str) -> str:
    """The core's status rule as a native Excel formula; LibreOffice must agree with Python on every case. With no
    value (``'""'``: the column is missing) only the bounds are left to decide: NO RANGE or NO DATA."""
    no_range = f"AND(NOT(ISNUMBER({lo})),NOT(ISNUMBER({hi})))"
    if value == '""':
        return f'IF({no_range},"NO RANGE","NO DATA")'
    return (f'IF({no_range},"NO RANGE",IF(NOT(ISNUMBER({value})),"NO DATA",'
            f'IF({value}<0,"NO DATA",IF(AND(ISNUMBER({lo}),{value}<{lo}),"BELOW",'
            f'IF(AND(ISNUMBER({hi}),{value}>{hi}),"ABOVE","IN RANGE")))))')


def rate_formula(numerator: str, denominator: str) -> str:
    """Numerator / denominator, or "" (NO DATA) when either is missing or the denominator is not above zero."""
    return f'IF(AND(ISNUMBER({numerator}),ISNUMBER({denominator})),IF({denominator}>0,{numerator}/{denominator},""),"")'


# ---- the effective range as formulas (core/effective.py's rule, cell by cell) ---------------------------------

SCALE_HEADERS = ("Month of tenure", "Ramp share", "Activity scale", "Outcome scale")
ROSTER_HEADERS = ("Start Date used", "FTE used", "Role used")  # with a Reps sheet: looked up once per row


def fairness_declared(tracking: TrackingData, ranges: RangeSet) -> bool:
    return ranges.fairness.roster is not None or any(c in tracking.letters for c in FAIRNESS_COLUMNS)


class FairRow:
    """The inputs of one Tracking row's effective range as formula expressions, relative to row ``row`` (Tracking
    cells first, then the Reps sheet for what the row leaves blank), and the expressions built from them."""

    def __init__(self, tracking: TrackingData, ranges: RangeSet, row: int):
        self.fairness = f = ranges.fairness
        self.tracking, self.row = tracking, row
        self.week_days = (_cell(f.settings_sheet, _absolute(f.week_cell)) if f.settings_sheet and f.week_cell
                          else f"{f.working_week:g}")
        self.rep = self._own(REP)
        self.days = self._own(DAYS_WORKED)
        self.start = self._with_roster(START_DATE, "ISNUMBER")
        self.fte = self._with_roster(FTE, "ISNUMBER")
        self.role = self._with_roster(ROLE, "ISTEXT")

    def _own(self, column: str) -> str | None:
        letter = self.tracking.letters.get(column)
        return _cell(self.tracking.sheet, f"${letter}{self.row}") if letter else None

    def _with_roster(self, column: str, test: str) -> str | None:
        own, roster = self._own(column), self.fairness.roster
        if roster is None or column not in roster.letters or REP not in roster.letters or self.rep is None:
            return own
        span = f"{roster.first_row}:{{0}}${roster.last_row + 200}"

        def col(name: str) -> str:
            letter = roster.letters[name]
            return _cell(roster.sheet, f"${letter}${span.format('$' + letter)}")

        found = f"INDEX({col(column)},{same_text_in(self.rep, col(REP))})"
        looked = f'IF({test}({found}),{found},"")'
        if own is None:
            return looked
        blank = f'TRIM({own})<>""' if test == "ISTEXT" else f"ISNUMBER({own})"
        return f"IF({blank},{own},{looked})"

    def days_share(self) -> str:
        d, w = self.days, self.week_days
        return f"IF(ISNUMBER({d}),IF(AND({d}>=0,{d}<={w}),{d}/{w},1),1)" if d else "1"

    def fte_value(self) -> str:
        f = self.fte
        return f"IF(ISNUMBER({f}),IF(AND({f}>=0,{f}<=1),{f},1),1)" if f else "1"

    def month(self) -> str:
        """Complete calendar months from the start date to the week's Monday, plus 1; month 1 when it starts
        later. Blank without a start date."""
        s, week = self.start, self._own(WEEK)
        if s is None or week is None:
            return '""'
        w = f"({week}-WEEKDAY({week},3))"
        months = f"(YEAR({w})-YEAR({s}))*12+MONTH({w})-MONTH({s})-IF(DAY({w})<DAY({s}),1,0)+1"
        return f'IF(AND(ISNUMBER({s}),ISNUMBER({week})),IF({s}>{w},1,{months}),"")'

    def ramp(self, month: str) -> str:
        """The share for ``month`` (a cell holding month()): the Ramp row for it, a role's own rows first."""
        def chain(steps: list) -> str:
            expr = "1"
            for step in reversed(steps):
                m = (_cell(self.fairness.ramp_sheet, _absolute(step.month_cell))
                     if self.fairness.ramp_sheet and step.month_cell else str(step.month))
                share = (_cell(self.fairness.ramp_sheet, _absolute(step.share_cell))
                         if self.fairness.ramp_sheet and step.share_cell else repr(step.share))
                expr = f"IF(AND({month}={m},ISNUMBER({share})),{share},{expr})"
            return expr

        expr = chain(self.fairness.steps(None))
        if self.role:
            for role in reversed(list(dict.fromkeys(s.role for s in self.fairness.ramp if s.role is not None))):
                expr = f"IF({self._is_role(role)},{chain(self.fairness.steps(role))},{expr})"
        return f"IF(ISNUMBER({month}),{expr},1)"

    def _is_role(self, role: str) -> str:
        """Whether the row's Role is this Ramp Role; text no formula can hold is an error at its Ramp cell."""
        assert self.role is not None
        try:
            return same_text(self.role, role)
        except ValueError as exc:
            step = next(s for s in self.fairness.ramp if s.role == role)
            raise WorkbookError(Problem(severity=Severity.ERROR, code="bad-ramp", message=f"the Role {exc}",
                                        file=self.tracking.file, sheet=self.fairness.ramp_sheet,
                                        cell=step.month_cell)) from None


def scaled_bound(bound: str, scale: str) -> str:
    """A bound times its scale, rounded as core/effective.py rounds it; blank stays blank (an open side)."""
    return f'IF(ISNUMBER({bound}),ROUND({bound}*{scale},{DECIMALS}),"")'


def evaluation_sheet(summary: WeeklySummary, tracking: TrackingData, ranges: RangeSet,
                     formulas: Formulas = "native") -> SheetLayout:
    sheet = SheetLayout(EVALUATION_SHEET, freeze="C3", tab_color="70AD47")
    first, last = tracking.header_row + 1, max(tracking.last_row, tracking.header_row + 1)
    top = 3
    bottom = top + last - first
    sheet.put(1, 1, f"Statuses of every Tracking row as live {'add-in' if formulas == 'udf' else 'Excel'} formulas: "
                    "edit a number in Tracking or a range in Ranges and they update.", NOTE)
    src = tracking.sheet

    def tracking_cell(column: str) -> str | None:
        letter = tracking.letters.get(column)
        return _cell(src, f"{letter}{first}") if letter else None

    sheet.put(2, 1, tracking.label(WEEK), HEADER)
    sheet.put(2, 2, tracking.label(REP), HEADER)
    sheet.widths = {1: 12, 2: 22}
    for column, col in ((WEEK, 1), (REP, 2)):
        ref = tracking_cell(column)
        style = Style(number_format="yyyy-mm-dd") if column == WEEK else None
        sheet.fills.append(Fill(f"{column_letter(col)}{top}:{column_letter(col)}{bottom}",
                                f'IF({ref}="","",{ref})', style))
    role = tracking.letters.get(ROLE)
    role_ref = _cell(src, f"${role}{first}") if role else None  # the Role column stays put; its row moves
    metrics = scorecard_metrics(ranges)
    table = role_table(tracking, ranges)
    table.write(sheet, HEADER)
    fair = FairRow(tracking, ranges, first) if fairness_declared(tracking, ranges) else None
    scales: dict[str, str] = {}
    if fair is not None:  # helper columns after the metrics: the row's month of tenure, ramp share and scales
        helpers = [*SCALE_HEADERS, *(ROSTER_HEADERS if ranges.fairness.roster else ())]
        at = {name: f"${column_letter(3 + len(metrics) + k)}{top}" for k, name in enumerate(helpers)}
        month, ramp, act, out = (at[h] for h in SCALE_HEADERS)
        exprs = []
        if ranges.fairness.roster:  # what the row leaves blank, from the Reps sheet
            exprs = [fair.start or '""', fair.fte or '""', fair.role or '""']
            fair.start, fair.fte, fair.role = (at[h] for h in ROSTER_HEADERS)
        role_ref = fair.role
        for k, (name, expr) in enumerate(zip(helpers, (
                fair.month(), fair.ramp(month), f"{fair.days_share()}*{fair.fte_value()}*{ramp}",
                f"{fair.fte_value()}*{ramp}", *exprs), strict=True)):
            col = 3 + len(metrics) + k
            sheet.put(2, col, name, HEADER)
            sheet.widths[col] = 11
            number = {0: "0", 4: "yyyy-mm-dd", 5: "0%", 6: "@"}.get(k, "0%")
            sheet.fills.append(Fill(f"{column_letter(col)}{top}:{column_letter(col)}{bottom}",
                                    f'IF({tracking_cell(REP)}="","",{expr})', Style(number_format=number,
                                                                                   align="center")))
        scales = {"off": f"{act}=0", Category.ACTIVITY.value: act, Category.OUTCOME.value: out}
    for i, metric in enumerate(metrics):
        col = 3 + i
        heading = metric.name if metric.is_rate else tracking.label(metric.column)  # type: ignore[arg-type]
        sheet.put(2, col, heading, HEADER)
        sheet.widths[col] = max(12, math.ceil(max(map(len, heading.split())) * BOLD_CHAR) + 1)  # no word broken
        rules = [r for r in ranges.rules if r.metric.name == metric.name and r.period is Period.WEEK]
        lo, hi = (_bound(rules, ranges, side, role_ref, tracking.file, table) for side in ("min", "max"))
        scale = None if metric.is_rate or metric.category is Category.QUALITY else scales.get(metric.category.value)
        cells = [tracking_cell(c) for c in metric.columns]
        udf = formulas == "udf" and bool(rules) and all(cells)
        if not rules:  # no weekly range for anyone: nothing for a formula to decide
            formula = '"NO RANGE"'
        elif any(c is None for c in cells):  # no column: each row's own bounds say NO RANGE or NO DATA, as the core
            formula = status_formula('""', lo, hi)
        elif udf:
            value = f"METRIC_RATE({cells[0]},{cells[1]})" if metric.is_rate else cells[0]
            formula = f"METRIC_STATUS({value},{lo},{hi})"
            if scales:  # the add-in applies the same rule: a scale of 0 is OFF
                formula = f'METRIC_STATUS({value},{lo},{hi},"","",IF({scales["off"]},0,{scale or 1}))'
        else:
            value = rate_formula(cells[0], cells[1]) if metric.is_rate else cells[0]
            if scale:
                lo, hi = scaled_bound(lo, scale), scaled_bound(hi, scale)
            formula = status_formula(value, lo, hi)
        if scales and not udf:
            formula = f'IF({scales["off"]},"OFF",{formula})'
        sheet.fills.append(Fill(f"{column_letter(col)}{top}:{column_letter(col)}{bottom}",
                                f'IF({tracking_cell(REP)}="","",{formula})', Style(align="center")))
        ref = f"{column_letter(col)}{top}:{column_letter(col)}{bottom}"
        for status, hl in ((Status.BELOW, RED), (Status.IN_RANGE, GREEN),
                           (Status.ABOVE, above(metric.category))):
            sheet.conditional_formats.append(
                ConditionalFormat(ref, f"{column_letter(col)}{top}={formula_text(status.value)}", hl))
    # the header row tall enough for "Connects (Conversations)" on two lines, so it never spills over row 1
    sheet.heights[2] = header_height([(str(cell.value), sheet.widths.get(col, 8.43)) for (row, col), cell
                                      in sheet.cells.items() if row == 2])
    return sheet


# ---- range checks on the user's own sheets -----------------------------------------------------------------

def tracking_checks(tracking: TrackingData, ranges: RangeSet) -> SheetEdit:
    """Conditional formatting on each counted Tracking column, driven by the Ranges cells: edit a range and the
    cells recolour. Rows past the data get it too, so next week's rows are checked as they are typed."""
    edit = SheetEdit(tracking.sheet)
    first = tracking.header_row + 1
    last = max(tracking.last_row, first) + 500
    role = tracking.letters.get(ROLE)
    role_ref = f"${role}{first}" if role else None
    table = role_table(tracking, ranges)
    scales: dict[str, str] = {}
    if fairness_declared(tracking, ranges):
        # the row's scales are the Evaluation sheet's helper columns (Tracking row ``first`` is its row 3); rows
        # past the Evaluation sheet (typed after the last run) are judged at full scale until the next run
        helper = 3 + len(scorecard_metrics(ranges))

        def ref(k: int) -> str:
            return _cell(EVALUATION_SHEET, f"${column_letter(helper + k)}3")

        def at(k: int) -> str:
            return f"IF(ISNUMBER({ref(k)}),{ref(k)},1)"

        scales = {"on": f"{at(2)}>0", Category.ACTIVITY.value: at(2), Category.OUTCOME.value: at(3)}
        if ranges.fairness.roster:  # with a Reps sheet, its Role where the row has none: the Evaluation's
            role_ref = ref(len(SCALE_HEADERS) + ROSTER_HEADERS.index("Role used"))
    for metric in ranges.metrics:
        letter = tracking.letters.get(metric.column or "")
        rules = [r for r in ranges.rules if r.metric.name == metric.name and r.period is Period.WEEK]
        if metric.is_rate or letter is None or not rules:
            continue
        lo, hi = (_bound(rules, ranges, side, role_ref, tracking.file, table, EVALUATION_SHEET)
                  for side in ("min", "max"))
        cell = f"{letter}{first}"
        ref = f"{letter}{first}:{letter}{last}"
        high = above(metric.category)
        scale = scales.get(metric.category.value)
        on = f",{scales['on']}" if scales else ""
        if scale:  # an open side stays blank, not 0: a blank Max times a scale would colour every value
            lo, hi = scaled_bound(lo, scale), scaled_bound(hi, scale)
        value = f"ISNUMBER({cell}),{cell}>=0"  # a negative count is no data, as the Evaluation sheet says
        edit.conditional_formats.append(ConditionalFormat(
            ref, f"AND({value},ISNUMBER({lo}){on},{cell}<{lo})", Highlight(RED.fill, RED.color)))
        edit.conditional_formats.append(ConditionalFormat(
            ref, f"AND({value},ISNUMBER({hi}){on},{cell}>{hi})", Highlight(high.fill, high.color)))
    return edit


def ranges_validations(letters: dict[str, str], first_row: int, last_row: int) -> list[Validation]:
    """Numbers in Min and Max, Min <= Max, Category and Period from their lists. Used by the template too."""
    out = []
    lo, hi = letters.get(MIN), letters.get(MAX)
    if lo and hi:
        for own, other, check in ((lo, hi, "<="), (hi, lo, ">=")):
            cell, peer = f"{own}{first_row}", f"{other}{first_row}"
            out.append(Validation(f"{own}{first_row}:{own}{last_row}", "custom",
                                  f'AND(ISNUMBER({cell}),{cell}>=0,OR({peer}="",{cell}{check}{peer}))',
                                  error="Enter a number of zero or more (a rate as a percentage), with Min no "
                                        "greater than Max. Leave it blank for an open range."))
    if cat := letters.get(CATEGORY):
        out.append(Validation(f"{cat}{first_row}:{cat}{last_row}", "list",
                              formula_text(",".join(c.value for c in Category)), error="Pick activity, quality or "
                                                                                         "outcome."))
    if period := letters.get(PERIOD):
        out.append(Validation(f"{period}{first_row}:{period}{last_row}", "list",
                              formula_text(",".join(p.value for p in Period)), error="Pick week or month."))
    return out


def workbook_layout(summary: WeeklySummary, tracking: TrackingData, ranges: RangeSet,
                    formulas: Formulas = "native") -> WorkbookLayout:
    """Everything a summary run adds to a workbook: our two sheets and the range checks on the user's."""
    for sheet in (tracking.sheet, ranges.sheet):  # both are named inside our formulas
        try:
            if sheet is not None:
                quote_sheet(sheet)
        except ValueError as exc:
            raise WorkbookError(Problem(severity=Severity.ERROR, code="bad-sheet-name", message=str(exc),
                                        file=tracking.file, sheet=sheet)) from None
    edits = [tracking_checks(tracking, ranges)]
    if ranges.sheet:
        first = ranges.header_row + 1
        edits.append(SheetEdit(ranges.sheet, validations=ranges_validations(ranges.letters, first, first + 199)))
    return WorkbookLayout([summary_sheet(summary), evaluation_sheet(summary, tracking, ranges, formulas)], edits,
                          active=SUMMARY_SHEET)
