"""Excel functions (UDFs): thin over the core, one module for classic Excel and xlwings Lite.

Each function converts Excel's arguments (ranges arrive as lists of rows), calls the core, converts back, and
turns any error into a short sentence in the cell instead of a traceback. A whole column in, a whole column out:
one call spills, which is much faster than thousands of single-cell calls.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from xlwings import arg, func

from salesmetrics_xl.core import baseline, funnel
from salesmetrics_xl.core.decision import rule_decision
from salesmetrics_xl.core.defaults import TOP_SHARE
from salesmetrics_xl.core.metrics import CATALOG, Category, Period, Unit, normalise, unknown_message
from salesmetrics_xl.core.parse import parse_ranges
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import Status, as_numbers, evaluate, rate, score
from salesmetrics_xl.core.workbook import parse_category, parse_period, parse_unit

CATEGORY = "Sales Metrics"
Grid = list[list[Any]]


def _grid(value: Any) -> Grid:
    """Whatever Excel passed (a value, a row, a range) as rows of cells."""
    if not isinstance(value, list):
        return [[value]]
    if value and not isinstance(value[0], list):
        return [value]
    return value or [[None]]


def _flat(value: Any) -> tuple[list[Any], tuple[int, int]]:
    rows = _grid(value)
    return [cell for row in rows for cell in row], (len(rows), len(rows[0]) if rows else 0)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Building 100k small row lists for Excel triggers garbage collections that each walk the caller's (equally
    large) argument: five times the work of the conversion itself. Nothing built here forms a cycle, so
    collection can wait until it is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _shape(values: Any, shape: tuple[int, int]) -> Grid:
    """Back into the shape Excel passed, as plain Python values, NaN as an empty cell."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        cells = array.astype(object)
        cells[np.isnan(array)] = None
    else:
        cells = array.astype(object)
    with _no_gc_pauses():
        return cells.reshape(shape[0], shape[1] or 1).tolist()


def _scalar(value: Any) -> Any:
    cells, _ = _flat(value)
    return cells[0] if cells else None


def _message(exc: Exception) -> Grid:
    """A sentence a sales manager understands, shown in the cell (KeyError's str() would add quotes)."""
    return [[exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)]]


def _ranges(table: Any) -> RangeSet:
    """The Ranges table passed as an argument (header row included), so Excel recalculates when it changes."""
    rows = [tuple(row) for row in _grid(table)]
    ranges, problems = parse_ranges(rows, tracking_columns=[])
    errors = [p for p in problems if p.severity == "error" and p.code == "missing-column"]
    if errors:
        raise ValueError("the ranges table needs its header row (Metric, Min, Max, ...)")
    return ranges


def _lookup(metric: str, table: Any, role: Any, period: Any) -> tuple[float | None, float | None]:
    if not isinstance(table, list) or len(_grid(table)) < 2:
        raise ValueError(f"'{metric}' is not a number: pass a Min and a Max, or a metric name and the Ranges table")
    ranges = _ranges(table)
    names = [m.name for m in ranges.metrics]
    if normalise(metric) not in {normalise(n) for n in names}:
        raise KeyError(unknown_message("metric", str(metric).strip(), names or [m.name for m in CATALOG]))
    which = parse_period(period) if period not in (None, "") else Period.WEEK
    if which is None:
        raise ValueError(f"period '{period}' must be week or month")
    found = ranges.lookup(str(metric), which, str(role) if role not in (None, "") else None)
    return (found.min, found.max) if found else (None, None)


@func(category=CATEGORY)
@arg("value", ndim=2, doc="A value, or a whole column of values (rates as fractions: 12% is 0.12).")
@arg("min_or_metric", doc="The range's Min (blank = no lower bound), or a metric name such as \"Dials\".")
@arg("max_or_ranges", ndim=2, doc="The range's Max (blank = no upper bound), or the Ranges table with its headers.")
@arg("role", doc="Optional, with a metric name: the rep's Role, for role-specific ranges.")
@arg("period", doc="Optional, with a metric name: week (default) or month.")
@arg("scale", ndim=2, doc="Optional: what the range is multiplied by for this row (METRIC_SCALE: days worked, FTE, "
                          "ramp); a value or a column like value. 0 = a week off: OFF.")
def metric_status(value: Any, min_or_metric: Any = None, max_or_ranges: Any = None, role: Any = None,
                  period: Any = None, scale: Any = None) -> Grid:
    """Status of a value against its range: BELOW, IN RANGE, ABOVE, NO DATA (blank), NO RANGE, or OFF (scale 0).

    =METRIC_STATUS(value, min, max) or =METRIC_STATUS(value, "Dials", Ranges[#All]). Bounds are inclusive.
    With a scale, the bounds are Min and Max times the scale (a fair range for a short week, a part-timer, a
    new rep).
    """
    try:
        cells, shape = _flat(value)
        factors = None
        if scale is not None and not all(v in (None, "") for v in _flat(scale)[0]):
            factors = as_numbers(_flat(scale)[0])
            if len(factors) not in (1, len(cells)):
                raise ValueError(f"scale has {len(factors)} cells but value has {len(cells)}")
        if isinstance(min_or_metric, str) and min_or_metric.strip():
            low, high = _lookup(min_or_metric, max_or_ranges, role, period)
        else:
            low, high = _scalar(min_or_metric), _scalar(max_or_ranges)
            for name, bound in (("min", low), ("max", high)):
                if bound is not None and not isinstance(bound, (int, float)):
                    raise ValueError(f"{name} '{bound}' is not a number")
        if low is None and high is None and factors is None:
            return _shape([Status.NO_RANGE.value] * len(cells), shape)
        return _shape(evaluate(cells, low, high, factors if factors is None or len(factors) > 1 else factors[0]),
                      shape)
    except (ValueError, KeyError, TypeError) as exc:
        return _message(exc)


@func(category=CATEGORY)
@arg("numerator", ndim=2, doc="What converted, e.g. Conversations (a value or a column).")
@arg("denominator", ndim=2, doc="What it converted from, e.g. Dials (same shape as numerator).")
def metric_rate(numerator: Any, denominator: Any) -> Grid:
    """numerator / denominator as a fraction; blank when the denominator is zero or blank, never #DIV/0!."""
    try:
        num, shape = _flat(numerator)
        den, _ = _flat(denominator)
        if len(num) != len(den):
            raise ValueError(f"numerator has {len(num)} cells but denominator has {len(den)}")
        return _shape(rate(num, den), shape)
    except (ValueError, TypeError) as exc:
        return _message(exc)


@func(category=CATEGORY)
@arg("value", ndim=2, doc="A value or a column of values.")
@arg("min", doc="The range's Min (blank = none).")
@arg("max", doc="The range's Max (blank = none).")
def metric_score(value: Any, min: Any = None, max: Any = None) -> Grid:
    """Where a value sits in its range: 0 at Min, 1 at Max, below 0 under it, above 1 over it.

    With only a Min: value / Min (1 = at the floor). With only a Max: value / Max. Blank without value or range.
    """
    try:
        cells, shape = _flat(value)
        return _shape(score(cells, _scalar(min), _scalar(max)), shape)
    except (ValueError, TypeError) as exc:
        return _message(exc)


@func(category=CATEGORY)
@arg("activity_status", ndim=2, doc="The rep's activity status (BELOW, IN RANGE, ABOVE, NO DATA, NO RANGE), or a "
                                    "column; blank is NO DATA.")
@arg("quality_status", ndim=2, doc="The quality status, same shape.")
@arg("outcome_status", ndim=2, doc="The outcome status, same shape.")
def metric_diagnosis(activity_status: Any, quality_status: Any, outcome_status: Any) -> Grid:
    """The rep's verdict, focus and next action from the three category statuses, in the Weekly Summary's words
    (the rule table decides: with no counts to weigh, it cannot say how much each stage costs)."""
    try:
        columns = [_flat(x) for x in (activity_status, quality_status, outcome_status)]
        (acts, shape), (quals, _), (outs, _) = columns
        if not len(acts) == len(quals) == len(outs):
            raise ValueError("the three status arguments must have the same shape")

        def status(value: Any) -> str:
            text = str(value or "NO DATA").strip().upper()
            if text not in {s.value for s in Status}:
                raise ValueError(f"'{value}' is not a status (BELOW, IN RANGE, ABOVE, NO DATA)")
            return text

        return _shape([rule_decision(status(a), status(q), status(o)).text for a, q, o in zip(acts, quals, outs,
                                                                                              strict=True)], shape)
    except (ValueError, TypeError) as exc:
        return _message(exc)


@func(category=CATEGORY)
@arg("metric_name", doc="A metric, e.g. \"Dials\" or \"Connect Rate\".")
@arg("ranges_table", ndim=2, doc="The Ranges table with its header row.")
@arg("role", doc="Optional: the Role whose range you want (blank = everyone).")
@arg("period", doc="Optional: week (default) or month.")
def metric_range(metric_name: Any, ranges_table: Any, role: Any = None, period: Any = None) -> Grid:
    """The Min and Max of a metric's range, spilled into two cells (blank where the range is open)."""
    try:
        low, high = _lookup(str(_scalar(metric_name)), ranges_table, role, period)
        return [[low, high]]
    except (ValueError, KeyError, TypeError) as exc:
        return _message(exc)


@func(category=CATEGORY)
@arg("values", ndim=2, doc="The metric's values, one row per rep-week (e.g. the Dials column).")
@arg("outcomes", ndim=2, doc="The outcome on the same rows that picks the top performers (e.g. SQLs), or the last "
                             "2 to 4 of SQLs, Opportunities, Deals Won, New MRR side by side: ranked by the last with "
                             "data, and a rep with none of one from 10 of the one before is never a top performer.")
@arg("reps", ndim=2, doc="Optional: the Rep column, to rank reps rather than single weeks.")
@arg("top", doc=f"Optional: the share of top performers, default {TOP_SHARE:g}.")
@arg("category", doc="Optional: activity (default: Min and Max), quality or outcome (Min only).")
@arg("unit", doc="Optional: count (default), currency or rate, for rounding.")
def suggest_range(values: Any, outcomes: Any, reps: Any = None, top: Any = TOP_SHARE, category: Any = None,
                      unit: Any = None) -> Grid:
    """A starting range from what the top performers (by outcomes) typically do, spilled as Min and Max."""
    try:
        kind = parse_category(category) if category not in (None, "") else Category.ACTIVITY
        measure = parse_unit(unit) if unit not in (None, "") else Unit.COUNT
        if kind is None or measure is None:
            raise ValueError("category must be activity, quality or outcome; unit count, currency or rate")
        who = _flat(reps)[0] if reps is not None else None
        if who is not None and all(v in (None, "") for v in who):  # an empty cell: treated as not given
            who = None
        rows = _grid(outcomes)
        ranked = (tuple(as_numbers([row[c] for row in rows]) for c in range(len(rows[0]))) if len(rows) > 1
                  and len(rows[0]) > 1 else as_numbers(_flat(outcomes)[0]))  # several columns: funnel order
        found = baseline.suggest_range(_flat(values)[0], ranked, who, float(top or TOP_SHARE), kind, measure)
        return [[found.min, found.max]]
    except (ValueError, KeyError, TypeError) as exc:
        return _message(exc)



def _rates(values: tuple[Any, ...]) -> tuple[list[float | None], Period]:
    """Rates from cells or ranges, in order; a trailing "week" or "month" is the target's period."""
    cells = [cell for value in values for cell in _flat(value)[0]]
    while cells and cells[-1] in (None, ""):
        cells.pop()
    period = Period.WEEK
    if cells and isinstance(cells[-1], str):
        found = parse_period(cells.pop())
        if found is None:
            raise ValueError("the last argument may be the target's period: week or month")
        period = found
    if not cells:
        raise ValueError("give at least one conversion rate, e.g. 19% for a connect rate")
    rates: list[float | None] = []
    for n, cell in enumerate(cells, start=1):
        if cell in (None, ""):
            rates.append(None)
        elif isinstance(cell, bool) or not isinstance(cell, (int, float)):
            raise ValueError(f"rate {n} '{cell}' is not a number (a rate is a fraction: 19% is 0.19)")
        else:
            rates.append(float(cell))
    return rates, period


@func(category=CATEGORY)
@arg("target", doc="The outcome target, e.g. 5 (SQLs). Weekly unless the last argument is \"month\".")
@arg("rates", ndim=2, doc="The conversion rates from the outcome back to the activity, e.g. 7% (qualification), "
                          "19% (connect); the last argument may be \"week\" or \"month\" (the target's period).")
def activity_needed(target: Any, *rates: Any) -> Grid:
    """The weekly activity an outcome target takes at these conversion rates: target / (rate1 x rate2 x ...).

    =ACTIVITY_NEEDED(5, 7%, 19%, "month"): 5 SQLs a month at 7% qualification and 19% connect take about 87 dials
    a week. A monthly target counts 12/52 of it a week. A rate of 0 reaches no target: a sentence, never #DIV/0!.
    """
    try:
        goal = _scalar(target)
        if isinstance(goal, bool) or not isinstance(goal, (int, float)) or goal < 0:
            raise ValueError(f"target '{goal}' must be a number of zero or more")
        found, period = _rates(rates)
        for n, r in enumerate(found, start=1):
            if r is None or not r > 0:
                raise ValueError(f"rate {n} is {'blank' if r is None else format(r, '.0%')}: at that rate no amount "
                                 "of activity reaches the target")
        return [[funnel.activity_needed(funnel.per_week(float(goal), period), found)[-1]]]  # type: ignore[list-item]
    except (ValueError, TypeError) as exc:
        return _message(exc)


@func(category=CATEGORY)
@arg("stages", ndim=2, doc="The stages' names, e.g. \"Connect Rate\", \"Qualification Rate\" (a row or column).")
@arg("rep_rates", ndim=2, doc="The rep's rate at each stage, same order.")
@arg("top_rates", ndim=2, doc="The top performers' rate at each stage; leave one blank to skip that stage.")
@arg("volume", doc="Optional: the rep's weekly activity at the top of the funnel (e.g. dials a week), to say how "
                   "many outcomes the leak costs.")
@arg("period", doc="Optional: week (default) or month, for the outcomes lost.")
def funnel_leak(stages: Any, rep_rates: Any, top_rates: Any, volume: Any = None, period: Any = None) -> Grid:
    """The stage where the rep's funnel loses most against the top performers, and the outcomes it costs.

    Spills the stage's name and, with a volume, the outcomes lost a week (or month) at the rep's own volume:
    volume x (top rate - rep rate) x the rep's other rates. The same rule as the Weekly Summary's leaking stage.
    """
    try:
        names, _ = _flat(stages)
        mine, top = (_flat(x)[0] for x in (rep_rates, top_rates))
        if not len(names) == len(mine) == len(top):
            raise ValueError(f"stages, rep_rates and top_rates must have as many cells ({len(names)}, {len(mine)}, "
                             f"{len(top)})")
        own = [float(v) for v in as_numbers(mine)]
        if any(v != v for v in own):
            raise ValueError("every stage needs the rep's rate")
        best_top = [None if v != v else float(v) for v in as_numbers(top)]
        amount = _scalar(volume)
        which = parse_period(period) if period not in (None, "") else Period.WEEK
        if which is None:
            raise ValueError(f"period '{period}' must be week or month")
        lost = funnel.outcomes_lost(own, best_top, float(amount) if amount not in (None, "") else 1.0)
        best = max((k for k, v in enumerate(lost) if v is not None and v > 0), key=lambda k: lost[k], default=None)
        if best is None:
            return [["none below the top reps", 0.0 if amount not in (None, "") else ""]]
        factor = baseline.MONTHLY_FACTOR if which is Period.MONTH else 1.0
        return [[str(names[best]), lost[best] * factor if amount not in (None, "") else ""]]  # type: ignore[operator]
    except (ValueError, TypeError) as exc:
        return _message(exc)


def _column(value: Any, n: int, name: str) -> list[Any]:
    """One argument as n cells: a single value is repeated, a column must have n."""
    cells = _flat(value)[0] if value is not None else [None]
    if len(cells) == 1:
        return cells * n
    if len(cells) != n:
        raise ValueError(f"{name} has {len(cells)} cells but the longest argument has {n}")
    return cells


def _day(value: Any) -> Any:
    """A date as Excel passes it: a date, a serial number (xlwings Lite), or a text date."""
    from salesmetrics_xl.core.parse import parse_date

    if value in (None, ""):
        return None
    if isinstance(value, str) and "T" in value:  # an ISO date-time, as Office.js sends dates
        value = value.split("T", 1)[0]
    return parse_date(value)


@func(category=CATEGORY)
@arg("days", ndim=2, doc="Days worked this week (blank = the full week; 0 = off), a value or a column.")
@arg("week", doc="Days in a full working week (blank = 5).")
@arg("fte", ndim=2, doc="Optional: share of full time, 0 to 1 (blank = 1), a value or a column.")
@arg("start", ndim=2, doc="Optional: the rep's start date, for the ramp (blank = not ramping).")
@arg("week_of", ndim=2, doc="The week (any day in it), a value or a column: the ramp month counts from start to it.")
@arg("ramp", ndim=2, doc="Optional: the Ramp table with its header (Month, Share, Role); blank = 25/50/75 %.")
@arg("role", doc="Optional: the rep's Role, for a role's own ramp.")
def metric_scale(days: Any = None, week: Any = None, fte: Any = None, start: Any = None, week_of: Any = None,
                 ramp: Any = None, role: Any = None) -> Grid:
    """What a range is multiplied by for this row: days worked / working week x FTE x ramp share (0 = OFF).

    For an activity range pass the days; for an outcome range leave days blank (FTE x ramp). Rates are never
    scaled. Use it as METRIC_STATUS's scale.
    """
    from salesmetrics_xl.core.effective import DEFAULT_STEPS, Fairness, row_scales
    from salesmetrics_xl.core.parse import parse_ramp, parse_week
    from salesmetrics_xl.core.workbook import DAYS_WORKED, DEFAULT_WORKING_WEEK, FTE, ROLE, START_DATE, WEEK

    try:
        grids = [_flat(x) for x in (days, fte, start, week_of) if x is not None]
        n, shape = max(((len(cells), shape) for cells, shape in grids), default=(1, (1, 1)))
        working = float(as_numbers([_scalar(week)])[0]) if _scalar(week) not in (None, "") else DEFAULT_WORKING_WEEK
        if not working > 0:
            raise ValueError(f"week {working:g} must be the number of days in a working week, such as 5")
        steps = DEFAULT_STEPS
        if ramp is not None and any(v not in (None, "") for v in _flat(ramp)[0]):
            steps, problems = parse_ramp([tuple(r) for r in _grid(ramp)])
            if problems:
                raise ValueError(f"ramp: {problems[0].message}")
        weeks = [_day(v) for v in _column(week_of, n, "week_of")]
        if any(w is None for w in weeks):
            raise ValueError("week_of is blank: pass the week (a date) of each row")
        frame = pd.DataFrame({
            WEEK: pd.to_datetime([parse_week(w) for w in weeks]),
            DAYS_WORKED: as_numbers(_column(days, n, "days")),
            FTE: as_numbers(_column(fte, n, "fte")),
            START_DATE: pd.to_datetime(pd.Series([_day(v) for v in _column(start, n, "start")], dtype=object)),
            ROLE: pd.Series([str(role) if role not in (None, "") else None] * n, dtype=object),
        })
        scales = row_scales(frame, Fairness(working_week=working, ramp=steps))
        assert scales is not None
        return _shape(scales.activity, shape if n > 1 else (1, 1))
    except (ValueError, KeyError, TypeError) as exc:
        return _message(exc)
