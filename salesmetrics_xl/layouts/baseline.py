"""Baselines laid out: the Suggested Ranges sheet, and (only when asked) the new values for the user's Ranges."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel

from salesmetrics_xl.core.baseline import Baseline, MetricBaseline
from salesmetrics_xl.core.metrics import Category, Period, Range, Unit, text_key
from salesmetrics_xl.core.problems import column_index, column_letter
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.text import fit_cell
from salesmetrics_xl.core.workbook import NOTES, SUGGESTED_SHEET
from salesmetrics_xl.layouts.sheet import SheetEdit, SheetLayout, Style
from salesmetrics_xl.layouts.styles import FORMAT, HEADER, TITLE

COLUMNS = ("Role", "Metric", "Category", "Period", "Current Min", "Current Max", "Suggested Min", "Suggested Max",
           "Team median", "Team 25th", "Team 75th", "Top 25th", "Top 75th", "Why")
WHY_WIDTH = 70  # characters: the Why column wraps at this width, so the sheet prints on a landscape page
WRAP = Style(wrap=True, align="left")
LEFT = Style(align="left")
NOTE_WRAP = Style(italic=True, color="595959", wrap=True)


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped at ``width`` characters (a row height for wrapped text: Excel does
    not grow a row for text it did not type itself)."""
    return max(1, sum(math.ceil(max(1, len(part)) / (width * 1.05)) for part in text.split("\n")))


def suggested_sheet(baselines: list[Baseline], source: str, generated: dt.datetime) -> SheetLayout:
    sheet = SheetLayout(SUGGESTED_SHEET, freeze="C5", landscape=True, fit_width=True, tab_color="ED7D31")
    first = baselines[0]
    span = sum(v for k, v in {1: 8, 2: 20, 3: 10, 4: 8}.items()) + 9 * 11 + WHY_WIDTH
    sheet.put(1, 1, "Suggested ranges from your top performers", TITLE)
    intro = (f"Generated {generated:%Y-%m-%d %H:%M} by salesmetrics-xl from {source}, over {len(first.weeks)} "
             f"complete weeks ({first.weeks[0]} to {first.weeks[-1]})."
             + "".join(f" Top performers{' (' + b.role + ')' if b.role else ''}: {b.basis}."
                       + (f" Against a week earlier: {b.changed}." if b.changed else "") for b in baselines)
             + " Copy the ones you agree with into Ranges, or run salesmetrics baseline --apply (--dry-run first "
               "to see each change).")
    caveats = " ".join([*(n + "." for b in baselines for n in b.notes),
                        *(f"Range check: {u}." for b in baselines for u in b.unreachable),
                        *dict.fromkeys(b.left_out + "." for b in baselines if b.left_out)])
    for row, text in ((2, intro), (3, caveats)):
        sheet.put(row, 1, text, NOTE_WRAP)
        sheet.merges.append(f"A{row}:{column_letter(len(COLUMNS))}{row}")
        sheet.heights[row] = 15.0 * _lines(text, span)
    for col, name in enumerate(COLUMNS, start=1):
        sheet.put(4, col, name, HEADER)
    sheet.heights[4] = 30
    sheet.widths = {1: 8, 2: 20, 3: 10, 4: 8, len(COLUMNS): WHY_WIDTH} | {c: 11 for c in range(5, len(COLUMNS))}
    row = 5
    for baseline in baselines:
        for m in baseline.metrics:
            fmt = Style(number_format=FORMAT[m.unit], align="center")
            current, suggested = m.current or Range(), m.suggested or Range()
            values = [baseline.role or "everyone", m.metric, m.category.value, m.period.value, current.min,
                      current.max, suggested.min, suggested.max, *(_spread(m))]
            for col, value in enumerate(values, start=1):
                sheet.put(row, col, value, fmt if col >= 5 else LEFT)  # styled: centred beside the wrapped Why
            for col in (7, 8):
                sheet.put(row, col, values[col - 1], Style(number_format=FORMAT[m.unit], align="center", bold=True,
                                                           fill="FCE4D6"))
            why = "; ".join([m.why, *(t.sentence for t in m.needed)]) + "."
            sheet.put(row, len(COLUMNS), why, WRAP)
            sheet.heights[row] = 15.0 * _lines(why, WHY_WIDTH)
            row += 1
    return sheet


def _spread(m: MetricBaseline) -> list[float | None]:
    team, top = m.team, m.top
    return [team.median if team else None, team.p25 if team else None, team.p75 if team else None,
            top.p25 if top else None, top.p75 if top else None]


def _describe(r: Range | None, unit: Unit) -> str:
    return r.describe(unit) if r else "no range"


def _same(a: Range | None, b: Range) -> bool:
    def close(x: float | None, y: float | None) -> bool:
        return (x is None and y is None) or (x is not None and y is not None and math.isclose(x, y, abs_tol=1e-9))

    return a is not None and close(a.min, b.min) and close(a.max, b.max)


class RangeChange(BaseModel):
    """One row of the user's Ranges, as --apply leaves it: changed (before -> after) or left alone, and why."""

    metric: str
    period: Period
    role: str | None
    cell: str | None  # the row's first cell, e.g. Ranges!A2's "A2"
    before: str  # "50–75"
    after: str | None  # "40–70"; None when left alone
    why: str = ""  # why a row is left alone
    new: Range | None = None  # the range written, when changed

    @property
    def label(self) -> str:
        return (f"{self.metric}{' a month' if self.period is Period.MONTH else ''}"
                + (f" ({self.role})" if self.role else ""))

    def line(self) -> str:
        """"Dials: 50–75 → 40–70", or "SQLs: at least 2, left alone: already the suggestion"."""
        if self.after is not None:
            return f"{self.label}: {self.before} → {self.after}"
        return f"{self.label}: {self.before}, left alone: {self.why}"


class Plan(BaseModel):
    """What --apply does to the Ranges table (and --dry-run shows without doing)."""

    changes: list[RangeChange]  # every Ranges row, changed or left alone
    not_applied: list[MetricBaseline]  # suggestions with no Ranges row to write them into
    not_applied_roles: list[str | None] = []  # the role of each of them (None: everyone)

    def not_applied_by_role(self) -> list[tuple[str | None, MetricBaseline]]:
        return list(zip(self.not_applied_roles or [None] * len(self.not_applied), self.not_applied, strict=True))

    @property
    def changed(self) -> list[RangeChange]:
        return [c for c in self.changes if c.after is not None]

    @property
    def left_alone(self) -> list[RangeChange]:
        return [c for c in self.changes if c.after is None]


def _target(rule: RangeRule, baselines: list[Baseline], ranges: RangeSet) -> tuple[Baseline | None, str]:
    """The baseline whose suggestion a Ranges row takes, or why none: a row for everyone takes the one baseline's
    only when the data has one role (and that role has no row of its own for the metric); with several roles,
    each role's suggestion goes only into its own rows."""
    if len(baselines) == 1 and baselines[0].role is None:
        only = baselines[0]
        data_role = only.ranking.role
        if rule.role is None:
            own = data_role is not None and any(
                r.metric.name == rule.metric.name and r.period is rule.period and r.role is not None
                and text_key(r.role) == text_key(data_role) for r in ranges.rules)
            return (None, f"the {data_role} row judges the {data_role}s; this one is left for other roles") if own \
                else (only, "")
        if data_role is not None and text_key(rule.role) == text_key(data_role):
            return only, ""
        return None, f"no {rule.role} in the window"
    if rule.role is None:
        return None, ("it applies to every role, and each role has its own suggestion: add a row per role to use "
                      "them")
    found = next((b for b in baselines if text_key(b.role) == text_key(rule.role)), None)
    return (found, "") if found is not None else (None, f"no {rule.role} in the window")


def apply_plan(baselines: list[Baseline], ranges: RangeSet) -> Plan:
    """Every Ranges row with what --apply does to it. An outcome's or a rate's minimum is never lowered to 0."""
    changes: list[RangeChange] = []
    used: set[tuple[int, str, Period]] = set()
    for rule in ranges.rules:
        unit = rule.metric.unit
        change = RangeChange(metric=rule.metric.name, period=rule.period, role=rule.role, cell=rule.cell,
                             before=_describe(rule.range, unit), after=None)
        baseline, why = _target(rule, baselines, ranges)
        m = None if baseline is None else next(
            (x for x in baseline.metrics if x.metric == rule.metric.name and x.period is rule.period), None)
        if baseline is not None and m is not None:
            used.add((id(baseline), m.metric, m.period))
        if baseline is not None and m is None:
            why = "the baseline suggests nothing for it"
        elif m is not None and m.suggested is None:
            why = f"no suggestion: {m.why}"
        elif m is not None and m.suggested is not None:
            floor = m.category is not Category.ACTIVITY and (m.suggested.min is None or m.suggested.min <= 0)
            if floor:
                why = "a minimum of 0 judges nothing"
            elif not ranges.sheet:
                why = ("a built-in default: the workbook has no Ranges sheet to write into (copy the suggestions into "
                       "one from the Suggested Ranges sheet)")
            elif not (rule.min_cell and rule.max_cell and rule.cell):
                why = "the row has no Min and Max cells to write"
            elif _same(rule.range, m.suggested):
                why = "already the suggestion"
            else:
                change = change.model_copy(update={"after": m.suggested.describe(unit), "new": m.suggested})
        changes.append(change if change.after is not None else change.model_copy(update={"why": why}))
    left = [(b.role, m) for b in baselines for m in b.metrics
            if m.suggested and (id(b), m.metric, m.period) not in used]
    return Plan(changes=changes, not_applied=[m for _, m in left], not_applied_roles=[r for r, _ in left])


def apply_suggestions(baselines: list[Baseline], ranges: RangeSet, today: dt.date) -> tuple[SheetEdit | None, Plan]:
    """New Min/Max for the Ranges rows the plan changes, the old values kept in Notes (a Notes column is added
    after the table's last when it has none: the old ranges are never lost). A note is a cell like any other we
    write: at most 32,767 characters, cut at its oldest end with a word that says so."""
    plan = apply_plan(baselines, ranges)
    if not ranges.sheet:
        return None, plan
    edit = SheetEdit(ranges.sheet)
    notes_letter = ranges.letters.get(NOTES) or column_letter(max(map(column_index, ranges.letters.values())) + 1)
    rules = {(r.cell, r.metric.name, r.period): r for r in ranges.rules}
    for change in plan.changed:
        rule, new = rules[(change.cell, change.metric, change.period)], change.new
        edit.values[rule.min_cell] = new.min  # type: ignore[index,union-attr]
        edit.values[rule.max_cell] = new.max  # type: ignore[index,union-attr]
        row = "".join(ch for ch in rule.cell if ch.isdigit())  # type: ignore[union-attr]
        was = f"Was {change.before} before {today:%Y-%m-%d} (salesmetrics baseline)."
        # newest first: a note that no longer fits in a cell loses its oldest end, and says so at the end
        edit.values[f"{notes_letter}{row}"] = fit_cell(f"{was} {rule.notes}".strip())
    if edit.values and NOTES not in ranges.letters:
        edit.values[f"{notes_letter}{ranges.header_row}"] = NOTES
    return edit, plan
