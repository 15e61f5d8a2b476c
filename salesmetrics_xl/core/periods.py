"""Which period a range is for, when the Ranges table does not say: read as a week's, and said so.

A month's target of 6 SQLs judged as a week's puts every rep below range without a word; these warnings name the
rows that were read as a week's, and the targets that look like a month's for this team. Pure Python.
"""

from __future__ import annotations

from salesmetrics_xl.core.metrics import Period, format_bound
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import PERIOD, WEEK

# Above this many times the team's best week (per rep), a target read as a week's looks like a month's: a month
# is about 4.3 weeks, and a team's best week is seldom 1.5 times its usual one.
LOOKS_MONTHLY = 3.0


def period_assumed_problem(rows: list[tuple[int, str]], has_column: bool, file: str, sheet: str, cell: str
                           ) -> Problem:
    """One warning for the ranges read as a week's because nothing gave their period, naming their rows."""
    shown = rows[:12]
    listed = ", ".join(f"{name} (row {row})" for row, name in shown) + (
        f" and {len(rows) - len(shown)} more" if len(rows) > len(shown) else "")
    why = "there is no Period column" if not has_column else "their Period is blank"
    return Problem(
        severity=Severity.WARNING, code="period-assumed", file=file, sheet=sheet, cell=cell,
        message=f"{why}, so these ranges are read as a week's: {listed}. If any is a month's, add a {PERIOD} column "
                "(week or month), or put the period in its name ('SQLs per month', 'Calls per week')")


def looks_monthly(tracking: TrackingData, ranges: RangeSet) -> list[Problem]:
    """A count or amount read as a week's (no period given) whose bound is above LOOKS_MONTHLY times the team's
    best week, as an average per rep: most likely a month's target, judged as a week's."""
    import pandas as pd
    frame = tracking.frame
    problems = []
    for rule in ranges.rules:
        column = rule.metric.column
        if not rule.period_assumed or rule.period is not Period.WEEK or column is None or column not in frame:
            continue
        per_week = frame.groupby(WEEK)[column].mean().dropna()
        if per_week.empty or per_week.max() <= 0:
            continue
        best_week, best = per_week.idxmax(), float(per_week.max())
        side, bound, cell = (("Min", rule.range.min, rule.min_cell) if rule.range.min is not None
                             else ("Max", rule.range.max, rule.max_cell))
        if bound is None or bound <= LOOKS_MONTHLY * best:
            continue
        name = tracking.label(column)
        problems.append(Problem(
            severity=Severity.WARNING, code="looks-monthly", file=tracking.file, sheet=ranges.sheet,
            cell=cell or rule.cell,
            message=f"{name}: {side} {format_bound(bound, rule.metric.unit)} is read as a week's target (no period "
                    f"given), but it is {bound / best:.1f} times the team's best week ({best:,.1f} per rep, the week "
                    f"of {pd.Timestamp(best_week):%Y-%m-%d}): if it is a month's target, write month in a "
                    f"{PERIOD} column, or call it '{rule.metric.name} per month'"))
    return problems
