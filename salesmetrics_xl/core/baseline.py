"""From "what do we do today" to "what should we aim for": the team's baseline and suggested starting ranges.

The method, stated once:
- Window: the last N complete weeks (a week is complete once its Sunday has passed). With Days Worked, Start Date
  or FTE declared, only full weeks count: rep-weeks that are OFF, short, part-time or in a ramp month are left out
  of the top-performer choice and the quartiles (not weighted), and the notes say how many and whose.
- Top performers are chosen by outcomes, never activity: the top share of reps by SQLs per week, ties broken by
  deals won per week, then new MRR per week (at least one rep).
- Counts (activity and outcome): min = the top performers' 25th percentile of weekly values; for activity,
  max = their 75th percentile (above it, effort may be costing quality); outcomes get no max (more is better).
- Rates: each top performer's rate pooled from their counts over the window (not an average of weekly ratios);
  min = the 25th percentile of those; no max.
- Monthly ranges: the weekly suggestion times 52/12.
- Activity against the outcome targets: for each outcome range with a Min whose funnel (core/funnel.py) passes
  through an activity, the weekly activity it takes at the top performers' and at the team's pooled rates; an
  activity range whose Max cannot reach the target at the team's rates is flagged.
- Rounded to numbers a manager would write down: min rounded down and max rounded up to a step that suits the size
  (1 under 20, 5 under 100, 10 under 1,000, then 50, 100, 500), rates to whole percents.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from pydantic import BaseModel

from salesmetrics_xl.core.effective import row_scales
from salesmetrics_xl.core.evaluate import metric_values, pooled_rate, pooled_sums, scorecard_metrics
from salesmetrics_xl.core.metrics import (
    DEALS_WON,
    NEW_MRR,
    SQLS,
    Category,
    Metric,
    Period,
    Range,
    Unit,
    format_beside,
    format_bound,
    format_value,
)
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData, monday, week_label
from salesmetrics_xl.core.workbook import REP, ROLE, WEEK

METHOD = __doc__.split("The method, stated once:\n", 1)[1].strip()  # type: ignore[union-attr]
MONTHLY_FACTOR = 52 / 12
TOP_SHARE = 0.25  # the top quarter of reps by outcomes: the performers whose typical week sets the ranges


class Spread(BaseModel):
    median: float
    p25: float
    p75: float


class TargetActivity(BaseModel):
    """What an outcome target takes of one activity, a week: the funnel (core/funnel.py) run backwards."""

    outcome: str
    period: Period  # the target's
    target: float  # the outcome range's Min
    rates: list[str]  # the links from the activity to the outcome, nearest the outcome first
    at_top: float | None  # weekly activity needed at the top performers' pooled rates
    at_team: float | None  # ... at the team's pooled rates
    reach_at_max: float | None  # outcomes a period the current range's Max reaches at the team's rates
    reachable: bool | None  # False: the activity range cannot reach the target at the team's rates
    sentence: str


class MetricBaseline(BaseModel):
    metric: str
    category: Category
    unit: Unit
    period: Period = Period.WEEK
    team: Spread | None  # all rep-weeks in the window (rates: each rep's pooled rate)
    top: Spread | None  # the top performers' rep-weeks
    per_rep: dict[str, float]  # weekly average (rates: pooled) per rep
    current: Range | None
    suggested: Range | None
    why: str
    needed: list[TargetActivity] = []  # activity only: what each outcome target takes


class Baseline(BaseModel):
    role: str | None
    weeks: list[str]
    reps: list[str]
    top_reps: list[str]
    metrics: list[MetricBaseline]
    notes: list[str]  # what limits the baseline (too few weeks, one rep, ties): a finding
    method: str = METHOD
    unreachable: list[str] = []  # activity ranges whose Max cannot reach an outcome target at the team's rates
    left_out: str = ""  # the rep-weeks that were not full weeks, left out by the method: information, not a finding


def nice(value: float, unit: Unit, up: bool) -> float:
    """Round to what a manager would write down: down for a min, up for a max."""
    if unit is Unit.RATE:
        step = 0.01
    else:
        size = abs(value)
        step = 1 if size < 20 else 5 if size < 100 else 10 if size < 1000 else 50 if size < 5000 else \
            100 if size < 20000 else 500
    rounded = (math.ceil if up else math.floor)(round(value / step, 9)) * step
    return round(rounded, 2) if unit is Unit.RATE else float(rounded)


def _spread(values: np.ndarray) -> Spread | None:
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    p25, median, p75 = np.percentile(values, [25, 50, 75])
    return Spread(median=float(median), p25=float(p25), p75=float(p75))


def singular(name: str) -> str:
    """'Deals Won' -> 'Deal Won', 'Opportunities' -> 'Opportunity', for 'had 1 ...'; a name that is not a plural
    ('New MRR') stays as it is."""
    first, _, rest = name.partition(" ")
    if first.endswith("ies"):
        first = first[:-3] + "y"
    elif first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


def _suggestion(top: Spread, category: Category, unit: Unit) -> Range:
    """The rule: min from the top performers' 25th percentile; a max (their 75th) for activity only."""
    high = nice(top.p75, unit, up=True) if category is Category.ACTIVITY else None
    return Range(min=nice(top.p25, unit, up=False), max=high)


def suggest_range(values: object, outcomes: object, reps: object = None, top: float = 0.25,
                  category: Category = Category.ACTIVITY, unit: Unit = Unit.COUNT) -> Range:
    """The baseline's suggestion from bare columns (what =SUGGEST_RANGE gets): ``values`` of the metric and the
    ``outcomes`` (SQLs) on the same rows; with ``reps``, top performers are reps by mean outcome, else rows."""
    from salesmetrics_xl.core.status import as_numbers

    v, o = as_numbers(values), as_numbers(outcomes)
    if len(v) != len(o) or (reps is not None and len(list(reps)) != len(v)):  # type: ignore[arg-type]
        raise ValueError("values, outcomes and reps must be columns of the same length")
    if not 0 < top <= 1:
        raise ValueError("top is a share between 0 and 1, e.g. 0.25")
    who = pd.Series(list(reps) if reps is not None else range(len(v)), dtype=object)  # type: ignore[arg-type]
    means = pd.Series(o).groupby(who).mean().fillna(-1.0).sort_values(ascending=False, kind="stable")
    chosen = set(means.index[: max(1, math.ceil(top * len(means)))])
    spread = _spread(v[who.isin(chosen).to_numpy()])
    if spread is None:
        raise ValueError("the top performers have no values to suggest a range from")
    return _suggestion(spread, category, unit)


def complete_weeks(tracking: TrackingData, today: dt.date) -> list[pd.Timestamp]:
    this_week = pd.Timestamp(monday(today))
    return [w for w in tracking.weeks if w < this_week]


def rank_by_outcomes(frame: pd.DataFrame) -> list[str]:
    """Reps, best first, by SQLs per week, then deals won, then new MRR: the outcomes-first rule."""
    means = frame.groupby(REP)[[c for c in (SQLS, DEALS_WON, NEW_MRR) if c in frame]].mean()
    for column in (SQLS, DEALS_WON, NEW_MRR):
        if column not in means:
            means[column] = 0.0
    means = means.fillna(-1.0).reset_index()
    means["_name"] = means[REP].str.casefold()
    ordered = means.sort_values([SQLS, DEALS_WON, NEW_MRR, "_name"], ascending=[False, False, False, True])
    return list(ordered[REP])


def top_performers(frame: pd.DataFrame, share: float = TOP_SHARE) -> list[str]:
    """The top share of reps by outcomes, at least one: the one choice of top performers that the baseline, the
    summary's range check and each rep's funnel comparison make, so they never name different top reps."""
    ranked = rank_by_outcomes(frame) if len(frame) else []
    return ranked[: max(1, math.ceil(share * len(ranked)))] if ranked else []


def _pooled_by_rep(frame: pd.DataFrame, metric: Metric) -> pd.Series:
    codes, reps = pd.factorize(frame[REP].to_numpy(), sort=True)
    mine = codes >= 0  # a row with no rep is nobody's
    rates = pooled_rate(*pooled_sums(frame[mine], metric.numerator, metric.denominator, codes[mine],  # type: ignore[arg-type]
                                     len(reps)))
    return pd.Series(rates, index=reps, dtype=float).dropna()


def build_baseline(tracking: TrackingData, ranges: RangeSet, weeks: int = 8, top: float = TOP_SHARE,
                   today: dt.date | None = None) -> list[Baseline]:
    """One baseline per role when the data has several roles (an SDR and an AE are judged differently), else one."""
    if weeks < 1:
        raise ValueError("--weeks must be at least 1")
    if not 0 < top <= 1:
        raise ValueError("--top is a share of the team between 0 and 1, e.g. 0.25 for the top quarter")
    today = today or dt.date.today()
    frame = tracking.frame.drop_duplicates([REP, WEEK], keep="last")
    available = complete_weeks(tracking, today)
    notes = []
    if not available:
        raise ValueError(f"no complete weeks before the week of {monday(today):%Y-%m-%d} to build a baseline from")
    window = available[-weeks:]
    if len(window) < weeks:
        notes.append(f"only {len(window)} complete week{'s' if len(window) > 1 else ''} of data; used "
                     f"{'all of them' if len(window) > 1 else 'it'} instead of {weeks}")
    frame = frame[frame[WEEK].isin(window)].reset_index(drop=True)
    frame, left_out = _full_weeks(frame, ranges)
    roles = sorted({r for r in frame[ROLE].dropna()}) if ROLE in frame else []
    groups = [(role, frame[frame[ROLE] == role]) for role in roles] if len(roles) > 1 else [(None, frame)]
    return [_baseline(group, ranges, role, window, top, list(notes)).model_copy(update={"left_out": left_out})
            for role, group in groups]


def _full_weeks(frame: pd.DataFrame, ranges: RangeSet) -> tuple[pd.DataFrame, str]:
    """Only the rep-weeks that are a full week, full time, out of ramp: a holiday week or a new rep's month 1
    would drag the quartiles down and never picks a top performer fairly."""
    scales = row_scales(frame, ranges.fairness)
    if scales is None:
        return frame, ""
    full = scales.activity == 1
    if full.all():
        return frame, ""
    if not full.any():
        return frame, "no rep-week is a full week at full time and full ramp; all of them are used"
    kinds = [("OFF", scales.off), ("ramping", ~scales.off & (scales.ramp < 1)),
             ("part-time", ~scales.off & (scales.ramp == 1) & (scales.fte < 1)),
             ("short", ~scales.off & (scales.ramp == 1) & (scales.fte == 1) & (scales.days < 1))]
    counts = ", ".join(f"{int(mask.sum())} {kind}" for kind, mask in kinds if mask.any())
    who = ", ".join(sorted(set(frame.loc[~full, REP])))
    return frame[full], (f"left out {int((~full).sum())} rep-weeks that were not a full week at full time and full "
                          f"ramp ({counts}: {who}) from the top-performer choice and the quartiles")


def _baseline(frame: pd.DataFrame, ranges: RangeSet, role: str | None, window: list[pd.Timestamp], top: float,
              notes: list[str]) -> Baseline:
    ranked = rank_by_outcomes(frame)
    top_reps = top_performers(frame, top)
    count = len(top_reps)
    if len(ranked) == 1:
        notes.append(f"a team of one: the suggestions are {ranked[0]}'s own numbers")
    elif SQLS in frame and frame.groupby(REP)[SQLS].mean().nunique() == 1:
        notes.append("every rep has the same SQLs per week, so the top performers were picked by deals won, then "
                     "MRR, then name")
    top_frame = frame[frame[REP].isin(top_reps)]
    who = f"the top {count} reps by SQLs" if count > 1 else ("the top rep by SQLs" if len(ranked) > 1 else ranked[0])
    out = []
    monthly = {r.metric.name for r in ranges.rules if r.period is Period.MONTH}  # once, not once per metric
    for metric in scorecard_metrics(ranges):
        out.append(_metric(metric, frame, top_frame, ranges, role, who, len(window), Period.WEEK))
        if metric.name in monthly:
            out.append(_metric(metric, frame, top_frame, ranges, role, who, len(window), Period.MONTH))
    unreachable = []
    for m in out:
        if m.category is Category.ACTIVITY and m.unit is not Unit.RATE and m.period is Period.WEEK:
            m.needed = target_activity(m.metric, frame, top_frame, ranges, role, m.current)
            unreachable += [t.sentence for t in m.needed if t.reachable is False]
    return Baseline(role=role, weeks=[week_label(w) for w in window], reps=ranked, top_reps=top_reps, metrics=out,
                    notes=notes, unreachable=unreachable)


def target_activity(activity: str, frame: pd.DataFrame, top_frame: pd.DataFrame, ranges: RangeSet,
                    role: str | None, current: Range | None) -> list[TargetActivity]:
    """For each outcome range with a Min whose funnel starts at (or passes through) ``activity``: the weekly
    activity it takes at the top performers' and at the team's pooled rates, and whether the activity range's
    Max reaches it at the team's rates. Thin or missing rates give no number, never a guess."""
    from salesmetrics_xl.core.funnel import MIN_COUNT, activity_needed, chain, funnel_links, per_week

    links = funnel_links(ranges, list(frame.columns))

    def pooled(rows: pd.DataFrame, names: list) -> list[float | None]:
        out: list[float | None] = []
        for link in names:
            num, den = pooled_sums(rows, link.stage, link.source)
            out.append(float(num[0] / den[0]) if den[0] >= MIN_COUNT else None)
        return out

    found = []
    for metric in scorecard_metrics(ranges):
        if metric.category is not Category.OUTCOME or metric.is_rate:
            continue
        path = chain(metric.column, links)  # type: ignore[arg-type]
        sources = [link.source for link in path]
        if activity not in sources:
            continue
        path = path[: sources.index(activity) + 1]
        top_rates, team_rates = pooled(top_frame, path), pooled(frame, path)
        for period in Period:
            target = ranges.lookup(metric.name, period, role)
            if target is None or target.min is None or target.min <= 0:
                continue
            weekly = per_week(target.min, period)
            at_top, at_team = activity_needed(weekly, top_rates)[-1], activity_needed(weekly, team_rates)[-1]
            factor = MONTHLY_FACTOR if period is Period.MONTH else 1.0
            reach = None
            if current is not None and current.max is not None and None not in team_rates:
                reach = current.max * math.prod(team_rates) * factor  # type: ignore[arg-type]
            shown = format_bound(target.min, metric.unit)
            goal = f"{shown} {singular(metric.name) if shown == '1' else metric.name} a {period.value}"
            sentence = (f"{goal} takes {_about(at_top)} {activity} a week at the top performers' rates, "
                        f"{_about(at_team)} at the team's")
            if reach is not None and reach < target.min:
                most = format_beside(reach, target.min, metric.unit)
                sentence = (f"{activity} {current.describe()} reach at most {most} "  # type: ignore[union-attr]
                            f"{metric.name} a {period.value} at the team's rates; the target is "
                            f"{format_bound(target.min, metric.unit)}")
            found.append(TargetActivity(
                outcome=metric.name, period=period, target=target.min, rates=[link.name for link in path],
                at_top=at_top, at_team=at_team, reach_at_max=reach,
                reachable=None if reach is None else reach >= target.min, sentence=sentence))
    return found


def _about(value: float | None) -> str:
    return "no number (too few counts to know a rate, or a rate of 0)" if value is None else f"about {value:,.0f}"


def _metric(metric: Metric, frame: pd.DataFrame, top_frame: pd.DataFrame, ranges: RangeSet, role: str | None,
            who: str, weeks: int, period: Period) -> MetricBaseline:
    current = ranges.lookup(metric.name, period, role)
    factor = MONTHLY_FACTOR if period is Period.MONTH else 1.0
    per = "month" if period is Period.MONTH else "week"
    if metric.is_rate:
        per_rep = _pooled_by_rep(frame, metric)
        team, top = _spread(per_rep.to_numpy(float)), _spread(_pooled_by_rep(top_frame, metric).to_numpy(float))
    else:
        values = metric_values(frame, metric)
        per_rep = pd.Series(values, index=frame.index).groupby(frame[REP]).mean().dropna()
        team, top = _spread(values * factor), _spread(metric_values(top_frame, metric) * factor)
    suggested, why = None, f"no {metric.name} data in the last {weeks} weeks"
    if top is not None:
        suggested = _suggestion(top, metric.category, metric.unit)
        if metric.is_rate:
            why = f"{who} converted at {top.p25:.1%} or better over {weeks} weeks (pooled counts)"
        else:
            spread = (f"{format_value(top.p25, metric.unit)}–{format_value(top.p75, metric.unit)}" if top.p25 != top.p75
                      else format_value(top.p25, metric.unit))
            one = top.p25 == top.p75 and format_value(top.p25, metric.unit) == "1"
            why = f"{who} had {spread} {singular(metric.name) if one else metric.name} in a typical {per}"
            if period is Period.MONTH:
                why += " (weekly figures x 52/12)"
    return MetricBaseline(metric=metric.name, category=metric.category, unit=metric.unit, period=period, team=team,
                          top=top, per_rep={k: float(v) * factor for k, v in per_rep.items()}, current=current,
                          suggested=suggested, why=why)
