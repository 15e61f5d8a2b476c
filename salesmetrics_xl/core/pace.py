"""The month's pace: month to date against the monthly ranges, projected to month end, rep by rep.

The summary judges an outcome with a monthly range by this pace, and the decision and the evidence speak of it:
here, below all three."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pydantic import BaseModel

from salesmetrics_xl.core.effective import Scales, describe, ramp_shares, role_codes, stamps, tenure_month
from salesmetrics_xl.core.evaluate import column_values, group_sums, pooled_columns, pooled_rate, week_stamps
from salesmetrics_xl.core.metrics import Category, Metric, Period, Unit
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import STATUSES, Status, status_codes
from salesmetrics_xl.core.workbook import REP, ROLE, START_DATE

PACE_WEEKS = 4  # a rep's typical week, for the monthly projection: the average of the last 4


class MonthlyPace(BaseModel):
    rep: str
    metric: str
    unit: Unit
    month_to_date: float
    weeks_elapsed: int
    weeks_in_month: int
    projection: float
    range: str
    status: Status  # of the projection against the monthly range; NO DATA when this week's number is not entered
    on_pace: bool
    share: float = 1.0  # of the monthly range this rep is held to: days worked, FTE and ramp over the month


def is_paced(metric: Metric, weekly: Status, pace: MonthlyPace | None) -> bool:
    """Whether a metric counts in the verdict by the month's pace rather than its weekly range: an outcome with a
    monthly range (one quiet week of a rep on pace is noise, not a problem), or any metric with only a monthly
    range."""
    return pace is not None and (metric.category is Category.OUTCOME or weekly in (Status.NO_RANGE, Status.NO_DATA))


_NO_DATA, _ON_PACE = Status.NO_DATA, (Status.IN_RANGE, Status.ABOVE)  # read once, not once per rep


def monthly_paces(frame: pd.DataFrame, ranges: RangeSet, week: dt.date, people: list[tuple[str, str | None]],
             scales: Scales | None = None) -> tuple[list[MonthlyPace], str]:
    """Month to date against monthly ranges; a week counts in its Monday's month. A count is projected to month end
    as the month so far plus, for each week left, the rep's average week over the last 4 (this one included): a
    straight line from one quiet first week would call a rep who reaches the target most months "behind".
    Rates are the month's pooled counts. ``people`` are (rep, role) pairs; paces come rep by rep, in table order.
    With ``scales`` (core/effective.py), an OFF week is left out of the typical week, and each rep's monthly range
    is scaled by the month's share (days worked, FTE and ramp, week by week; weeks to come count as full)."""
    first = week.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    mondays = [d for d in (first + dt.timedelta(days=i) for i in range((next_month - first).days))
               if d.weekday() == 0]
    elapsed = sum(d <= week for d in mondays)
    weeks, this = week_stamps(frame), np.datetime64(week, "ns")
    in_month = np.flatnonzero((weeks >= np.datetime64(first, "ns")) & (weeks <= this))  # rows, by position
    recent = (weeks > this - np.timedelta64(7 * PACE_WEEKS, "D")) & (weeks <= this)
    now = in_month[weeks[in_month] == this]
    rep_of = frame[REP].to_numpy()
    away = set() if scales is None else set(rep_of[now[scales.off[now]]])  # nothing to enter
    names = [rep for rep, _ in people]
    share = None
    if scales is not None:
        recent &= ~scales.off
        share = month_share(frame, ranges, scales, mondays, week, names)
    recent = np.flatnonzero(recent)
    roles = [role for _, role in people]
    role_of, distinct = role_codes(roles)
    place = pd.Index(names)
    month_codes = place.get_indexer(rep_of[in_month])  # each row's place in ``names``; -1: not listed
    recent_codes = place.get_indexer(rep_of[recent])
    now_codes = place.get_indexer(rep_of[now])
    month_mine, recent_mine, now_mine = month_codes >= 0, recent_codes >= 0, now_codes >= 0
    taken: dict[str, np.ndarray] = {}

    def values(column: str) -> np.ndarray:  # each column taken out once, for every row
        if column not in taken:
            taken[column] = column_values(frame, column)
        return taken[column]

    found: dict[tuple[int, int], MonthlyPace] = {}
    for k, metric in enumerate(dict.fromkeys(r.metric for r in ranges.rules if r.period is Period.MONTH)):
        present = [c for c in metric.columns if c in frame]
        if len(present) < len(metric.columns):
            continue
        if metric.is_rate:  # pooled: the month's counts, not an average of weekly rates
            num, den = pooled_columns(values(metric.numerator)[in_month][month_mine],  # type: ignore[arg-type]
                                      values(metric.denominator)[in_month][month_mine],  # type: ignore[arg-type]
                                      month_codes[month_mine], len(names))
            mtd = projection = pooled_rate(num, den)
        else:  # per rep in ``names``: the month's total (NaN: nothing entered) and the mean of the recent weeks
            column = values(metric.column)  # type: ignore[arg-type]
            total, count = group_sums(month_codes[month_mine], column[in_month][month_mine], len(names))
            mtd = np.where(count > 0, total, np.nan)
            total, count = group_sums(recent_codes[recent_mine], column[recent][recent_mine], len(names))
            with np.errstate(divide="ignore", invalid="ignore"):
                typical = np.where(count > 0, total / count, np.nan)
            typical = np.where(np.isnan(typical), mtd / elapsed, typical)
            projection = mtd + (len(mondays) - elapsed) * typical
        entered = np.zeros(len(names), dtype=bool)  # this week's numbers all there; no row: not entered
        entered[now_codes[now_mine]] = np.isfinite([values(c)[now] for c in present]).all(axis=0)[now_mine]
        lo, hi = ranges.bounds(metric.name, Period.MONTH, distinct)
        scale = None if share is None or metric.is_rate or metric.category is Category.QUALITY else share
        statuses = status_codes(projection, lo[role_of], hi[role_of], scale).tolist()
        by_role = {role: ranges.lookup(metric.name, Period.MONTH, role) for role in set(roles)}
        as_set = {role: rule.describe(metric.unit) for role, rule in by_role.items() if rule is not None}
        so_far, ahead = mtd.tolist(), projection.tolist()  # one rep at a time: Python floats
        parts = None if scale is None else scale.tolist()
        is_entered = entered.tolist()  # read one rep at a time: Python's bools, not numpy's
        for i, (rep, role) in enumerate(people):
            rule = by_role[role]
            if rule is None or rule.is_open or so_far[i] != so_far[i]:  # NaN: nothing entered this month
                continue
            # this week's number not entered yet (or no row): the month so far lacks it, so no verdict, no colour
            status = STATUSES[statuses[i]] if is_entered[i] or rep in away else _NO_DATA
            part = 1.0 if parts is None else parts[i]
            found[(i, k)] = MonthlyPace(
                rep=rep, metric=metric.name, unit=metric.unit, month_to_date=so_far[i],
                weeks_elapsed=elapsed, weeks_in_month=len(mondays), projection=ahead[i],
                range=describe(rule, part, metric.unit) if part != 1 else as_set[role], status=status,
                on_pace=status in _ON_PACE, share=part)
    return [found[key] for key in sorted(found)], f"{first:%B %Y}"


def month_share(frame: pd.DataFrame, ranges: RangeSet, scales: Scales, mondays: list[dt.date], week: dt.date,
                 names: list[str]) -> np.ndarray:
    """Each rep's share of a monthly range: the average over the month's weeks of days worked / working week x
    FTE x ramp share. A week with a row uses the row's; a week to come (or with no row) counts as a full week at
    the rep's FTE and the ramp share of that week's Monday; a week before the start date counts 0."""
    out = np.ones(len(names))
    weeks, this = week_stamps(frame), np.datetime64(week, "ns")
    rep_of = frame[REP].to_numpy()
    now = np.flatnonzero(weeks == this)
    here = dict(zip(rep_of[now], now, strict=True))
    judged = [n for n, rep in enumerate(names) if rep in here]  # no row this week: the sheet's range judges it
    if not judged:
        return out
    rows = np.array([here[names[n]] for n in judged])
    at = np.array(mondays, dtype="datetime64[ns]")
    reps, weeks_in = len(rows), len(at)
    # every rep x week of the month at once: a full week at the rep's FTE and that Monday's ramp share, 0 before
    # the start date; then the weeks with a row take the row's own scale
    starts = frame[START_DATE].to_numpy()[rows] if START_DATE in frame else np.full(reps, None)
    roles = frame[ROLE].to_numpy()[rows] if ROLE in frame else np.full(reps, None)
    months = tenure_month(np.repeat(starts, weeks_in), np.tile(at, reps))
    ramp = ramp_shares(months, np.repeat(roles, weeks_in), ranges.fairness).reshape(reps, weeks_in)
    later = stamps(starts)[:, None] > (at + np.timedelta64(6, "D"))[None, :]  # NaT compares False
    share = np.where(later, 0.0, scales.fte[rows][:, None] * ramp)
    month = np.flatnonzero((weeks >= at[0]) & (weeks <= this))
    rep_at = pd.Index([names[n] for n in judged]).get_indexer(rep_of[month])  # -1: a rep not judged this week
    day_at = pd.Index(at).get_indexer(weeks[month])
    ok = np.flatnonzero((rep_at >= 0) & (day_at >= 0))
    cell = rep_at[ok] * weeks_in + day_at[ok]
    _, last = np.unique(cell[::-1], return_index=True)  # a rep's week twice: its last row counts
    keep = ok[len(ok) - 1 - last]
    share[rep_at[keep], day_at[keep]] = scales.activity[month[keep]]
    out[judged] = share.mean(axis=1)
    return out
