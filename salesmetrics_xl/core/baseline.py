"""From "what do we do today" to "what should we aim for": the team's baseline and suggested starting ranges.

The method, stated once:
- Window: the last N complete weeks (a week is complete once its Sunday has passed). With Days Worked, Start Date
  or FTE declared, only full weeks count: rep-weeks that are OFF, short, part-time or in a ramp month are left out
  of the top-performer choice and the quartiles (not weighted), and the notes say how many and whose.
- Top performers: each role's, chosen by the outcome that pays (core/ranking.py): the furthest-down outcome the
  role has a target for, pooled over the window's full weeks; reps off track on a later outcome are left out. The
  output names the role, the outcome, the reps and the weeks, and what changed against a week earlier.
- Counts (activity and outcome): min = the top performers' 25th percentile of weekly values; for activity,
  max = their 75th percentile (above it, effort may be costing quality); outcomes get no max (more is better).
- Rates: each top performer's rate pooled from their counts over the window (not an average of weekly ratios);
  min = the 25th percentile of those; no max.
- Monthly ranges: from monthly totals, not weekly figures scaled: each top performer's total in each calendar
  month the window covers (a week counts in its Monday's month, as the pace judges it), pro-rated to the whole
  month from the weeks worked in it (a month needs 2 of them); then the same percentiles.
- Thin evidence: fewer than 3 top performers, or fewer than 6 weeks, decide a range: the text says so and the
  range is widened to their 10th and 90th percentiles.
- Width: an activity count range is at least 1 wide on each side of the top performers' median when their weeks
  do not vary (never "5-5").
- An outcome or rate minimum is never 0 (it would judge nothing): when the percentile gives 0, the smallest figure
  above 0 the top performers reach; when they reach none, the current minimum is kept, and the text says why.
- Activity against the outcome targets: for each outcome range with a Min whose funnel (core/funnel.py) passes
  through an activity, the weekly activity it takes at the top performers' and at the team's pooled rates; an
  activity range whose Max cannot reach the target at the team's rates is flagged.
- Rounded to numbers a manager would write down: min rounded down and max rounded up to a step that suits the size
  (1 under 20, 5 under 100, 10 under 1,000, then 50, 100, 500), rates to whole percents.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel

from salesmetrics_xl.core.defaults import WEEKS, check_top, check_weeks
from salesmetrics_xl.core.effective import row_scales
from salesmetrics_xl.core.evaluate import metric_values, pooled_rate, pooled_sums, scorecard_metrics
from salesmetrics_xl.core.funnel import MIN_COUNT, activity_needed, chain, funnel_links, per_week
from salesmetrics_xl.core.metrics import (
    CATALOG,
    MONTHLY_FACTOR,
    Category,
    Metric,
    Period,
    Range,
    Unit,
    format_beside,
    format_bound,
    format_value,
    singular,
    text_key,
)
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.ranking import OUTCOMES, TOP_SHARE, Ranking, describe_change, rank_role, role_groups
from salesmetrics_xl.core.status import as_numbers
from salesmetrics_xl.core.text import joined, listing
from salesmetrics_xl.core.tracking import TrackingData, monday, week_label
from salesmetrics_xl.core.workbook import REP, WEEK

__all__ = ["MONTHLY_FACTOR", "TOP_SHARE", "Baseline", "build_baseline", "nice", "singular", "suggest",
           "suggest_range"]

METHOD = __doc__.split("The method, stated once:\n", 1)[1].strip()  # type: ignore[union-attr]
THIN_REPS = 3  # fewer top performers than this decide a range: thin evidence
THIN_WEEKS = 6  # ... or fewer weeks than this
MIDDLE, WIDE = (25, 75), (10, 90)  # the percentiles a range is taken from; WIDE when the evidence is thin
MONTH_WEEKS = 2  # a month counts for a rep from this many of their weeks in it (one week x 4 is noise)


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


class Suggestion(BaseModel):
    """A suggested range and what shaped it beyond the plain rule (thin evidence, width, a minimum of 0)."""

    range: Range | None
    top: Spread | None  # the top performers' median and quartiles
    notes: list[str] = []


class MetricBaseline(BaseModel):
    metric: str
    category: Category
    unit: Unit
    period: Period = Period.WEEK
    team: Spread | None  # all rep-weeks in the window (rates: each rep's pooled rate; a month: rep-month totals)
    top: Spread | None  # the top performers'
    per_rep: dict[str, float]  # weekly average (rates: pooled; a month: average monthly total) per rep
    current: Range | None
    suggested: Range | None
    why: str
    notes: list[str] = []  # what shaped the suggestion beyond the plain rule; also in ``why``
    needed: list[TargetActivity] = []  # activity only: what each outcome target takes


class Baseline(BaseModel):
    role: str | None
    weeks: list[str]
    reps: list[str]  # the ranked reps, best first (those left out of the ranking are not here)
    top_reps: list[str]
    ranking: Ranking  # how the top performers were chosen: the outcome, the values, who was left out and why
    basis: str  # the same in one sentence: the role, the outcome, the reps, the weeks
    changed: str = ""  # against the baseline a week earlier: who joined or left the top set, and why
    metrics: list[MetricBaseline]
    notes: list[str]  # what limits the baseline (too few weeks, one rep, thin evidence, ties): a caveat
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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def suggest(values: object, category: Category, unit: Unit, reps: int, weeks: int | None = None,
            current: Range | None = None, name: str = "", per: str = "week") -> Suggestion:
    """The one rule that turns the top performers' figures into a range (the baseline and =SUGGEST_RANGE both
    call it): ``values`` are their weekly (monthly, or per-rep pooled rate) figures, ``reps`` how many top
    performers they come from and ``weeks`` how many weeks (None: not known)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    top = _spread(v)
    if top is None:
        return Suggestion(range=None, top=None)
    notes: list[str] = []
    thin = ([f"only {_plural(reps, 'top performer')} (fewer than {THIN_REPS})"] if reps < THIN_REPS else []) + \
        ([f"only {_plural(weeks, 'week')} (fewer than {THIN_WEEKS})"] if weeks is not None and weeks < THIN_WEEKS
         else [])
    low_p, high_p = WIDE if thin else MIDDLE
    low, high = (float(x) for x in np.percentile(v, [low_p, high_p]))
    if thin:
        notes.append(f"thin evidence, {' and '.join(thin)}: widened to their {low_p}th–{high_p}th percentiles")
    lo: float | None = nice(low, unit, up=False)
    hi = nice(high, unit, up=True) if category is Category.ACTIVITY else None
    shown = format_value(top.median, unit, exact=True)
    if category is Category.ACTIVITY and unit is not Unit.RATE and hi is not None and (low == high or hi <= lo):
        lo = max(0.0, min(lo, nice(top.median - 1, unit, up=False)))  # type: ignore[type-var]
        hi = max(hi, nice(top.median + 1, unit, up=True))
        notes.append(f"their {per}s do not vary ({shown} {name or 'a ' + per}): widened to at least 1 either side "
                     "of it")
    if category is not Category.ACTIVITY and lo is not None and lo <= 0:
        positive = v[v > 0]
        what = f"their {low_p}th percentile is 0"
        if len(positive):
            lo = nice(float(positive.min()), unit, up=False) or nice(float(positive.min()), unit, up=True)
            notes.append(f"{what}, and a minimum of 0 judges nothing: the smallest figure above 0 they reach "
                         f"({format_value(float(positive.min()), unit, exact=True)} a {per}) gives "
                         f"{format_bound(lo, unit)}")
        elif current is not None and current.min is not None and current.min > 0:
            lo = current.min
            notes.append(f"none of them had any {name} in the window, so the current minimum "
                         f"({format_bound(lo, unit)}) is kept: a minimum of 0 judges nothing")
        else:
            notes.append(f"none of them had any {name} in the window, and a minimum of 0 judges nothing: no "
                         "minimum to suggest")
            return Suggestion(range=None, top=top, notes=notes)
    return Suggestion(range=Range(min=lo, max=hi), top=top, notes=notes)


def suggest_range(values: object, outcomes: object, reps: object = None, top: float = TOP_SHARE,
                  category: Category = Category.ACTIVITY, unit: Unit = Unit.COUNT) -> Range:
    """The baseline's suggestion from bare columns (what =SUGGEST_RANGE gets): ``values`` of the metric and the
    ``outcomes`` on the same rows: one column, or a tuple of the last 2 to 4 of OUTCOMES in funnel order (Deals
    Won and New MRR; ... SQLs to New MRR), ranked as core/ranking.py ranks a role with a target for each; with ``reps``,
    top performers are reps by their outcomes per row, else rows. The same rule as the baseline (suggest)."""
    v = as_numbers(values)
    columns = [as_numbers(c) for c in (outcomes if isinstance(outcomes, tuple) else (outcomes,))]
    if any(len(c) != len(v) for c in columns) or (reps is not None and len(list(reps)) != len(v)):  # type: ignore[arg-type]
        raise ValueError("values, outcomes and reps must be columns of the same length")
    check_top(top)
    if len(columns) > len(OUTCOMES):
        raise ValueError(f"outcomes are at most {len(OUTCOMES)} columns, in funnel order: {', '.join(OUTCOMES)}")
    names = OUTCOMES[len(OUTCOMES) - len(columns):] if len(columns) > 1 else (OUTCOMES[0],)
    who = list(reps) if reps is not None else list(range(len(v)))  # type: ignore[call-overload]
    frame = pd.DataFrame({REP: [None if x in (None, "") else str(x) for x in who],
                          **dict(zip(names, columns, strict=True))})
    frame[WEEK] = frame.groupby(REP).cumcount() if reps is not None else 0  # a rep's rows are their weeks
    chosen = _rank_bare(frame, names, top)
    rows = frame[REP].isin(chosen.top).to_numpy()
    if not rows.any():
        raise ValueError(f"no top performers: {chosen.empty_reason()}")
    weeks = int(frame[rows].groupby(REP).size().max()) if reps is not None else None
    found = suggest(v[rows], category, unit, reps=len(chosen.top), weeks=weeks)
    if found.range is None:
        raise ValueError(found.notes[-1] if found.notes else "the top performers have no values to suggest a range "
                                                             "from")
    return found.range


def _rank_bare(frame: pd.DataFrame, names: tuple[str, ...], top: float) -> Ranking:
    """Bare outcome columns ranked as a role whose outcomes all have a target."""
    rules = [RangeRule(metric=m, range=Range(min=1)) for m in CATALOG if m.name in names]
    return rank_role(frame, RangeSet(rules=rules), None, top)


def complete_weeks(tracking: TrackingData, today: dt.date) -> list[pd.Timestamp]:
    this_week = pd.Timestamp(monday(today))
    return [w for w in tracking.weeks if w < this_week]


def _pooled_by_rep(frame: pd.DataFrame, metric: Metric) -> pd.Series:
    codes, reps = pd.factorize(frame[REP].to_numpy(), sort=True)
    mine = codes >= 0  # a row with no rep is nobody's
    rates = pooled_rate(*pooled_sums(frame[mine], metric.numerator, metric.denominator, codes[mine],  # type: ignore[arg-type]
                                     len(reps)))
    return pd.Series(rates, index=reps, dtype=float).dropna()


def monthly_totals(frame: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Each rep's total in each calendar month of the rows (a week counts in its Monday's month), pro-rated to the
    whole month from the weeks with a value: total x the month's weeks / the rep's weeks in it. Columns: rep,
    month ("2026-10"), weeks, total. A rep-month from fewer than MONTH_WEEKS weeks is dropped, unless every one is."""
    weeks = pd.to_datetime(frame[WEEK])
    table = pd.DataFrame({"rep": frame[REP].to_numpy(), "month": weeks.dt.strftime("%Y-%m").to_numpy(),
                          "value": values}).dropna()
    if not len(table):
        return pd.DataFrame(columns=["rep", "month", "weeks", "total"])
    grouped = table.groupby(["rep", "month"], sort=True)["value"].agg(["sum", "count"]).reset_index()

    def mondays(month: str) -> int:
        year, number = (int(x) for x in month.split("-"))
        return sum(1 for week in calendar.Calendar().monthdatescalendar(year, number)
                   if week[0].month == number)

    length = {m: mondays(m) for m in grouped["month"].unique()}
    grouped["total"] = grouped["sum"] * grouped["month"].map(length) / grouped["count"]
    grouped = grouped.rename(columns={"count": "weeks"})
    enough = grouped["weeks"] >= MONTH_WEEKS
    return (grouped[enough] if enough.any() else grouped)[["rep", "month", "weeks", "total"]]


def build_baseline(tracking: TrackingData, ranges: RangeSet, weeks: int = WEEKS, top: float = TOP_SHARE,
                   today: dt.date | None = None) -> list[Baseline]:
    """One baseline per role when the data has several roles (an SDR and an AE are judged differently), else one."""
    check_weeks(weeks)
    check_top(top)
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
    rows, left_out = _full_weeks(frame[frame[WEEK].isin(window)].reset_index(drop=True), ranges)
    earlier = available[-weeks - 1:-1] if len(available) > weeks else None
    before = {} if earlier is None else {
        text_key(role): rank_role(group, ranges, role, top)
        for role, group in role_groups(_full_weeks(frame[frame[WEEK].isin(earlier)].reset_index(drop=True),
                                                   ranges)[0])}
    groups = role_groups(rows)
    out = []
    for role, group in groups:
        ranking = rank_role(group, ranges, role, top)
        changed = describe_change(before[text_key(role)], ranking) if text_key(role) in before else ""
        found = _baseline(group, ranges, role if len(groups) > 1 else None, ranking, window, list(notes),
                          tracking.label)
        out.append(found.model_copy(update={"left_out": left_out, "changed": changed}))
    return out


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
    who = listing(sorted(set(frame.loc[~full, REP])))  # bounded: 1,500 part-timers are not one sentence
    return frame[full], (f"left out {int((~full).sum())} rep-weeks that were not a full week at full time and full "
                          f"ramp ({counts}; reps: {who}) from the top-performer choice and the quartiles")


def _who(ranking: Ranking) -> str:
    """The top performers as a metric's sentence names them (the baseline's basis names each rep)."""
    top = ranking.top
    if len(ranking.reps) == 1:
        return f"{top[0]} (the only {ranking.group[:-1]} ranked)"
    if len(top) == 1:
        return f"{top[0]}, the top {ranking.group[:-1]} by {ranking.outcome},"
    return f"the top {len(top)} {ranking.group} by {ranking.outcome}"


def _baseline(frame: pd.DataFrame, ranges: RangeSet, role: str | None, ranking: Ranking,
              window: list[pd.Timestamp], notes: list[str], label: Callable[[str], str] = str) -> Baseline:
    top_reps = ranking.top
    if len(ranking.reps) == 1 and len(ranking.full_weeks) == 1:
        notes.append(f"a team of one: the suggestions are {top_reps[0]}'s own numbers")
    if ranking.tied:
        notes.append(f"{ranking.top[-1]} and {ranking.reps[len(top_reps)]} are equal on every outcome a full week: "
                     "the top performers were picked by name")
    for rep, why in ranking.left_out.items():
        notes.append(f"{rep} is left out of the top-performer choice: {why}")
    if top_reps and len(top_reps) < THIN_REPS:
        notes.append(f"thin evidence: only {_plural(len(top_reps), 'top performer')} "
                     f"decide{'s' if len(top_reps) == 1 else ''} the ranges (fewer than {THIN_REPS}); they are "
                     f"widened to the top performers' {WIDE[0]}th–{WIDE[1]}th percentiles")
    if not top_reps:
        notes.append(f"no suggestions: {ranking.empty_reason()}")
    top_frame = frame[frame[REP].isin(top_reps)]
    lookup = ranking.role
    who = _who(ranking) if top_reps else ""
    out = []
    monthly = {r.metric.name for r in ranges.rules if r.period is Period.MONTH}  # once, not once per metric
    for metric in scorecard_metrics(ranges):
        out.append(_metric(metric, frame, top_frame, ranges, role, lookup, who, len(window), Period.WEEK, label))
        if metric.name in monthly:
            out.append(_metric(metric, frame, top_frame, ranges, role, lookup, who, len(window), Period.MONTH,
                               label))
    unreachable = []
    for m in out:
        if m.category is Category.ACTIVITY and m.unit is not Unit.RATE and m.period is Period.WEEK \
                and m.team is not None:  # a role that never dials: what a target takes in dials is no question
            m.needed = target_activity(m.metric, frame, top_frame, ranges, lookup, m.current, label)
            unreachable += [t.sentence for t in m.needed if t.reachable is False]
    return Baseline(role=role, weeks=[week_label(w) for w in window], reps=ranking.reps, top_reps=top_reps,
                    ranking=ranking, basis=ranking.basis(), metrics=out, notes=notes, unreachable=unreachable)


def target_activity(activity: str, frame: pd.DataFrame, top_frame: pd.DataFrame, ranges: RangeSet,
                    role: str | None, current: Range | None, label: Callable[[str], str] = str
                    ) -> list[TargetActivity]:
    """For each outcome range with a Min whose funnel starts at (or passes through) ``activity``: the weekly
    activity it takes at the top performers' and at the team's pooled rates, and whether the activity range's
    Max reaches it at the team's rates. Thin or missing rates give no number, never a guess."""
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
            name = label(metric.name)
            goal = f"{shown} {singular(name) if shown == '1' and name == metric.name else name} a {period.value}"
            sentence = (f"{goal} takes {_about(at_top)} {label(activity)} a week at the top performers' rates, "
                        f"{_about(at_team)} at the team's")
            if reach is not None and reach < target.min:
                most = format_beside(reach, target.min, metric.unit)
                sentence = (f"{label(activity)} {current.describe()} reach at most {most} "  # type: ignore[union-attr]
                            f"{name} a {period.value} at the team's rates; the target is "
                            f"{format_bound(target.min, metric.unit)}")
            found.append(TargetActivity(
                outcome=metric.name, period=period, target=target.min, rates=[link.name for link in path],
                at_top=at_top, at_team=at_team, reach_at_max=reach,
                reachable=None if reach is None else reach >= target.min, sentence=sentence))
    return found


def _about(value: float | None) -> str:
    return "no number (too few counts to know a rate, or a rate of 0)" if value is None else f"about {value:,.0f}"


def _metric(metric: Metric, frame: pd.DataFrame, top_frame: pd.DataFrame, ranges: RangeSet, role: str | None,
            lookup: str | None, who: str, weeks: int, period: Period, label: Callable[[str], str] = str
            ) -> MetricBaseline:
    """One metric's baseline and suggestion. ``role`` is the baseline's (None: everyone), ``lookup`` the role whose
    ranges apply (the data's only role when there is one)."""
    current = ranges.lookup(metric.name, period, lookup)
    per = period.value
    reps = int(top_frame[REP].nunique())
    if metric.is_rate:
        per_rep = _pooled_by_rep(frame, metric)
        top_values = _pooled_by_rep(top_frame, metric).to_numpy(float)
        team = _spread(per_rep.to_numpy(float))
        reps = len(top_values)
        counted = int(top_frame[WEEK].nunique())
    elif period is Period.MONTH:
        totals = monthly_totals(frame, metric_values(frame, metric))
        per_rep = totals.groupby("rep")["total"].mean() if len(totals) else pd.Series(dtype=float)
        top_totals = totals[totals["rep"].isin(top_frame[REP].unique())]
        top_values = top_totals["total"].to_numpy(float)
        team = _spread(totals["total"].to_numpy(float))
        reps = int(top_totals["rep"].nunique())
        counted = int(top_frame.loc[~np.isnan(metric_values(top_frame, metric)), WEEK].nunique())
        top_months = list(top_totals["month"].unique())
    else:
        values = metric_values(frame, metric)
        per_rep = pd.Series(values, index=frame.index).groupby(frame[REP]).mean().dropna()
        top_all = metric_values(top_frame, metric)
        top_values = top_all
        team = _spread(values)
        reps = int(top_frame.loc[~np.isnan(top_all), REP].nunique())
        counted = int(top_frame.loc[~np.isnan(top_all), WEEK].nunique())
    found = suggest(top_values, metric.category, metric.unit, reps, counted, current, metric.name, per)
    if not who:
        why = "no top performers to suggest from"
    elif found.top is None:
        why = f"no {label(metric.name)} data from the top performers in the last {weeks} weeks"
    elif metric.is_rate:
        why = f"{who} converted at {format_value(found.top.p25, Unit.RATE, exact=True)} or better (their 25th " \
              f"percentile), pooled over {_plural(counted, 'full week')}"
    else:
        top = found.top
        low, high = (format_value(x, metric.unit, exact=abs(x) < 10) for x in (top.p25, top.p75))  # 2.6, not 3
        spread = f"{low}–{high}" if low != high else low
        one = spread == "1"
        name = label(metric.name)  # the user's own header: "Calls (Dials)"
        name = singular(name) if one and name == metric.name else name
        if period is Period.MONTH:
            why = (f"{who} had {spread} {name} in a typical month: their monthly totals for "
                   f"{joined([_month(m) for m in sorted(top_months)])}, part months pro-rated from the weeks in "
                   "the window")
        else:
            why = f"{who} had {spread} {name} in a typical full week, over {_plural(counted, 'week')}"
    if found.notes:
        why += "; " + "; ".join(found.notes)
    return MetricBaseline(metric=metric.name, category=metric.category, unit=metric.unit, period=period, team=team,
                          top=found.top, per_rep={str(k): float(v) for k, v in per_rep.items()}, current=current,
                          suggested=found.range, why=why, notes=found.notes)


def _month(month: str) -> str:
    year, number = (int(x) for x in month.split("-"))
    return f"{calendar.month_abbr[number]} {year}"


