"""The Evaluation sheet and the range checks: every status as a live formula over the user's own Tracking and
Ranges cells (edit a range and the cells recolour), the effective range as formulas (core/effective.py's rule,
cell by cell), and the checks written onto the user's Tracking and Ranges sheets."""


from __future__ import annotations

import math
from typing import Literal

from salesmetrics_xl.core.effective import DECIMALS
from salesmetrics_xl.core.evaluate import scorecard_metrics
from salesmetrics_xl.core.metrics import Category, Period
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, column_letter, split_ref
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.status import Status
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
    ConditionalFormat,
    Fill,
    Highlight,
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
    GREEN,
    HEADER,
    NOTE,
    RED,
    above,
)

Formulas = Literal["native", "udf"]


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


def live_layout(tracking: TrackingData, ranges: RangeSet, formulas: Formulas = "native") -> WorkbookLayout:
    """What a summary run adds that no judging decides: the Evaluation sheet and the range checks on the user's
    Tracking and Ranges sheets. The Weekly Summary, which the judging writes, holds its place as the first sheet
    (empty here) and the one the workbook opens on: a job prepares these big parts while it judges."""
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
    return WorkbookLayout([SheetLayout(SUMMARY_SHEET), evaluation_sheet(tracking, ranges, formulas)], edits,
                          active=SUMMARY_SHEET)


def evaluation_sheet(tracking: TrackingData, ranges: RangeSet, formulas: Formulas = "native") -> SheetLayout:
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
        heading = tracking.heading(metric)
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
