"""Baselines laid out: the Suggested Ranges sheet, and (only when asked) the new values for the user's Ranges."""

from __future__ import annotations

import datetime as dt
import math

from salesmetrics_xl.core.baseline import Baseline, MetricBaseline
from salesmetrics_xl.core.metrics import Period, Range, Unit, text_key
from salesmetrics_xl.core.problems import column_index, column_letter
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.workbook import NOTES
from salesmetrics_xl.layouts.sheet import SheetEdit, SheetLayout, Style
from salesmetrics_xl.layouts.summary import FORMAT, HEADER, NOTE, TITLE

SUGGESTED_SHEET = "Suggested Ranges"
COLUMNS = ("Role", "Metric", "Category", "Period", "Current Min", "Current Max", "Suggested Min", "Suggested Max",
           "Team median", "Team 25th", "Team 75th", "Top 25th", "Top 75th", "Why")


def suggested_sheet(baselines: list[Baseline], source: str, generated: dt.datetime) -> SheetLayout:
    sheet = SheetLayout(SUGGESTED_SHEET, freeze="C5", landscape=True, fit_width=True, tab_color="ED7D31")
    first = baselines[0]
    sheet.put(1, 1, "Suggested ranges from your top performers", TITLE)
    sheet.put(2, 1, f"Generated {generated:%Y-%m-%d %H:%M} by salesmetrics-xl from {source}, over {len(first.weeks)} "
                    f"complete weeks ({first.weeks[0]} to {first.weeks[-1]}). Top performers are chosen by outcomes, "
                    "never activity. Copy the ones you agree with into Ranges, or run salesmetrics baseline --apply.",
              NOTE)
    sheet.put(3, 1, " ".join([*(n for b in baselines for n in b.notes),
                              *(f"Range check: {u}." for b in baselines for u in b.unreachable),
                              *dict.fromkeys(b.left_out for b in baselines if b.left_out)]) or "", NOTE)
    for col, name in enumerate(COLUMNS, start=1):
        sheet.put(4, col, name, HEADER)
    sheet.widths = {1: 8, 2: 20, 3: 10, 4: 8, len(COLUMNS): 90} | {c: 11 for c in range(5, len(COLUMNS))}
    row = 5
    for baseline in baselines:
        for m in baseline.metrics:
            fmt = Style(number_format=FORMAT[m.unit], align="center")
            current, suggested = m.current or Range(), m.suggested or Range()
            values = [baseline.role or "everyone", m.metric, m.category.value, m.period.value, current.min,
                      current.max, suggested.min, suggested.max, *(_spread(m))]
            for col, value in enumerate(values, start=1):
                sheet.put(row, col, value, fmt if col >= 5 else None)
            for col in (7, 8):
                sheet.put(row, col, values[col - 1], Style(number_format=FORMAT[m.unit], align="center", bold=True,
                                                           fill="FCE4D6"))
            sheet.put(row, len(COLUMNS), "; ".join([m.why, *(t.sentence for t in m.needed)]))
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


def apply_suggestions(baselines: list[Baseline], ranges: RangeSet, today: dt.date
                      ) -> tuple[SheetEdit | None, list[MetricBaseline]]:
    """New Min/Max for the Ranges rows the suggestions match (metric, period, role), the old values kept in
    Notes (a Notes column is added after the table's last when it has none: the old ranges are never lost);
    and the suggestions that match no row, for the user to add."""
    if not ranges.sheet:
        return None, [m for b in baselines for m in b.metrics if m.suggested]
    edit = SheetEdit(ranges.sheet)
    left = []
    notes_letter = ranges.letters.get(NOTES) or column_letter(max(map(column_index, ranges.letters.values())) + 1)
    first: dict[tuple[str, Period, str], RangeRule] = {}  # each row found by one look-up, not a scan of all
    for r in ranges.rules:
        first.setdefault((r.metric.name, r.period, text_key(r.role)), r)
    for baseline in baselines:
        for m in baseline.metrics:
            if m.suggested is None:
                continue
            rule = first.get((m.metric, m.period, text_key(baseline.role)))
            if rule is None or not (rule.min_cell and rule.max_cell and rule.cell):
                left.append(m)
                continue
            if _same(rule.range, m.suggested):  # nothing changes: no new "Was ..." note on a second run
                continue
            edit.values[rule.min_cell] = m.suggested.min
            edit.values[rule.max_cell] = m.suggested.max
            row = "".join(ch for ch in rule.cell if ch.isdigit())
            was = f"Was {_describe(rule.range, m.unit)} before {today:%Y-%m-%d} (salesmetrics baseline)."
            edit.values[f"{notes_letter}{row}"] = f"{was} {rule.notes}".strip()
    if edit.values and NOTES not in ranges.letters:
        edit.values[f"{notes_letter}{ranges.header_row}"] = NOTES
    return edit, left
