"""The weekly summary a sales manager reads on Monday morning: what it says, not where it goes.

Computed once here, from tracking data and ranges; the layout turns it into cells, and each writer
(file or live Excel book) renders that layout.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel

from salesmetrics_xl.core.decision import (
    NO_DATA,
    OFF_TRACK,
    OFF_WEEK_VERDICT,
    WATCH,
    decide,
    no_range_applies,
)
from salesmetrics_xl.core.defaults import WEEKS  # the range check looks back as far as the baseline
from salesmetrics_xl.core.diagnosis import (
    EFFICIENT,
    NO_ROW,
    OFF_WEEK,
    Diagnosis,
    busy_not_producing,
    category_status,
    diagnose,
)
from salesmetrics_xl.core.effective import Scales, describe, row_scales
from salesmetrics_xl.core.evaluate import (
    RowStatuses,
    column_values,
    evaluate_rows,
    metric_values,
    pooled_columns,
    pooled_rate,
    scorecard_metrics,
    week_stamps,
)
from salesmetrics_xl.core.evidence import floors as evidence_floors
from salesmetrics_xl.core.evidence import targets_out_of_reach, thin_rates
from salesmetrics_xl.core.funnel import WINDOW_WEEKS, Funnels, RepFunnel
from salesmetrics_xl.core.metrics import (
    Category,
    Metric,
    Period,
    Range,
    Unit,
    text_key,
)
from salesmetrics_xl.core.pace import MonthlyPace, is_paced, monthly_paces
from salesmetrics_xl.core.problems import Problem
from salesmetrics_xl.core.ranges import KnownRanges, RangeSet
from salesmetrics_xl.core.ranking import OUTCOME_ORDER, Rankings, outcome_key
from salesmetrics_xl.core.records import built
from salesmetrics_xl.core.rep_week import RepDecision, RepWeek
from salesmetrics_xl.core.status import STATUSES, Status, labels
from salesmetrics_xl.core.streaks import streaks as streak_counts
from salesmetrics_xl.core.streaks import weeks_back
from salesmetrics_xl.core.text import listing, shorten
from salesmetrics_xl.core.tracking import ROW, TrackingData, monday, week_label
from salesmetrics_xl.core.workbook import REP, ROLE, TEAM, WEEK

ORDERING_RULE = ("Reps are ordered by outcomes, never by activity: first by how many outcome metrics are in range "
                 f"or above, then by {OUTCOME_ORDER}.")
JUDGED = (Status.BELOW.value, Status.IN_RANGE.value, Status.ABOVE.value)
RECENT_WEEKS = 4  # a rep with a row in the 4 weeks before, but none this week, is listed as missing


class MetricColumn(BaseModel):
    name: str
    category: Category
    unit: Unit
    range: str  # as a manager reads it: "50–75", "at least 15%", "by role"
    label: str = ""  # the heading: the name, or "Calls (Dials)" when the user's header is another name for it


class TeamMetric(BaseModel):
    metric: str
    total: float | None  # a sum for counts, the pooled rate for rates
    average: float | None  # per rep, counts only
    in_range: int
    judged: int

    @property
    def share_in_range(self) -> float | None:
        return self.in_range / self.judged if self.judged else None


class WeeklySummary(BaseModel):
    title: str
    source: str
    teams: list[str]
    week: dt.date
    week_label: str
    generated_at: dt.datetime
    metrics: list[MetricColumn]
    reps: list[RepWeek]
    team: list[TeamMetric]
    team_diagnosis: str
    range_review: list[str]  # outcome targets the top reps project below; activity ranges they do not keep to
    month: str
    monthly: list[MonthlyPace]
    problems: list[Problem]
    ordering_rule: str = ORDERING_RULE
    window_weeks: int = WINDOW_WEEKS  # the trailing weeks each rep's funnel is pooled over
    funnels: list[RepFunnel] = []  # per rep behind on outcomes: rates, what each target behind takes, the leak

    @property
    def needs_attention(self) -> list[RepWeek]:
        return [r for r in self.reps if not r.on_track and not r.off]


def _num(value: float) -> float | None:
    return None if value is None or value != value else float(value)


def _range_text(ranges: RangeSet, metric: Metric, roles: list[str | None]) -> str:
    """The range that judges a metric in the verdict, under its name: the monthly one (judged by pace) for an
    outcome that has one or a metric with no weekly range, the weekly one otherwise (``is_paced``)."""

    def shown(period: Period) -> str | None:
        found = {ranges.lookup(metric.name, period, role) for role in roles}
        if found <= {None}:
            return None
        return "by role" if len(found) > 1 else next(iter(found)).describe(metric.unit)  # type: ignore[union-attr]

    weekly, monthly = shown(Period.WEEK), shown(Period.MONTH)
    if monthly and (metric.category is Category.OUTCOME or weekly is None):
        return f"{monthly} a month"
    return weekly or "no range"


def pick_week(tracking: TrackingData, week: dt.date | None) -> dt.date:
    """The latest week with data, or the one asked for (any day in it), which must have rows."""
    weeks = [w.date() for w in tracking.weeks]
    if not weeks:
        raise ValueError("the Tracking sheet has no rows to summarise")
    if week is None:
        return weeks[-1]
    wanted = monday(week)
    if wanted not in weeks:
        raise ValueError(f"no Tracking rows for the week of {wanted:%Y-%m-%d} ({week_label(wanted)}); the workbook "
                         f"has {week_label(weeks[0])} to {week_label(weeks[-1])}")
    return wanted


def _pooled(frame: pd.DataFrame, metric: Metric, rows: np.ndarray, values: np.ndarray) -> float | None:
    """The team's total of a count, or its pooled rate, over ``rows`` (positions in ``frame``); ``values``: the
    metric's value on those rows."""
    if metric.is_rate:
        found = float(pooled_rate(*pooled_columns(column_values(frame, metric.numerator)[rows],  # type: ignore[arg-type]
                                                  column_values(frame, metric.denominator)[rows]))[0])  # type: ignore[arg-type]
        return None if np.isnan(found) else found
    return float(np.nansum(values)) if (~np.isnan(values)).any() else None


def build_summary(tracking: TrackingData, ranges: RangeSet, problems: list[Problem] | None = None,
                  week: dt.date | None = None, now: dt.datetime | None = None, title: str | None = None,
                  window: int = WINDOW_WEEKS) -> WeeklySummary:
    """The week's summary. Python's cycle collector is paused while it is built (and restored as it was): the
    build makes millions of small records that live on into the summary, and at 10,000 reps the collector's
    passes over them took a third of the time while finding nothing to free."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build_summary(tracking, ranges, problems, week, now, title, window)
    finally:
        if paused:
            gc.enable()


def _build_summary(tracking: TrackingData, ranges: RangeSet, problems: list[Problem] | None,
                   week: dt.date | None, now: dt.datetime | None, title: str | None, window: int) -> WeeklySummary:
    frame, rep_codes = _one_row_per_week(tracking.frame)
    chosen = pick_week(TrackingData(frame, tracking.file, tracking.sheet, tracking.letters), week)
    this = pd.Timestamp(chosen)
    weekly = scorecard_metrics(ranges)
    scales = row_scales(frame, ranges.fairness)
    stamps, rep_of, row_of = week_stamps(frame), frame[REP].to_numpy(), frame[ROW].to_numpy()
    back = weeks_back(stamps, this)
    # each row's status code (core/status.py), worked out for the weeks the summary reads: this one, the last
    # one, the range check's and as far back as a streak runs (-1: not judged, never read); the values of the
    # first of them (this week's and the last: NaN elsewhere, never read)
    statuses = {m.name: np.full(len(frame), -1, dtype=np.int8) for m in weekly}
    judge = RowStatuses(frame, ranges, weekly, scales, back, statuses)
    values = judge.upto(max(WEEKS, 2))
    last_week = np.flatnonzero(back == 1)
    previous = dict(zip(rep_of[last_week], last_week.tolist(), strict=True))
    off = scales.off if scales is not None else None
    by_category = {c: [m for m in weekly if m.category is c] for c in Category}

    week_rows = np.flatnonzero(back == 0)  # rows by position, taken from the columns: no frame of them is built
    worked_rows = week_rows if off is None else week_rows[~off[week_rows]]
    found = streak_counts(rep_codes, back, worked_rows, len(weekly), judge, off).tolist()
    streaks = dict(zip(worked_rows.tolist(), [dict(zip(values, x, strict=True)) for x in found], strict=True))
    missing = _missing(rep_codes, stamps, week_rows, this)
    shown_rows = np.concatenate([week_rows, missing])  # the rows the sheet names a role and a team of
    role_of, team_of = _texts(frame, ROLE, shown_rows), _texts(frame, TEAM, shown_rows)
    people = [(rep_of[i], role_of[i]) for i in (*week_rows, *missing)]
    monthly, month_name = monthly_paces(frame, ranges, chosen, people, scales)
    paces = {(p.rep, p.metric): p for p in monthly}
    rankings = Rankings(ranges)  # the top performers, chosen once for the funnels and the range check
    plan = _funnels(frame, ranges, this, window, monthly, scales, tracking.label, rankings)
    funnels: dict[str, RepFunnel] = {}

    rates = [m for m in weekly if m.is_rate]
    counts = {m.name: column_values(frame, m.denominator) for m in rates}  # type: ignore[arg-type]
    reach = targets_out_of_reach(plan, ranges, monthly, people)
    known = KnownRanges(ranges)  # a range per (metric, period, role), looked up once
    find = known.lookup
    context: dict[str, tuple[Diagnosis, RepFunnel | None]] = {}
    kept = np.concatenate([week_rows, last_week]).tolist()  # the rows read one number at a time: Python floats
    listed = {m: dict(zip(kept, v[kept].tolist(), strict=True)) for m, v in values.items()}
    shown_values = {m: {i: None if v is None or v != v else float(v) for i, v in by_row.items()}  # _num, once
                    for m, by_row in listed.items()}
    # this week's rows, read one rep at a time: Python objects taken out once, not numpy's scalars rep by rep
    week_list = week_rows.tolist()
    names = list(values)  # the metrics in table order; each row's statuses and values as a rep's dicts hold them
    by_row = zip(*[[STATUSES[c] for c in statuses[m][week_rows].tolist()] for m in names], strict=True)
    row_statuses = dict(zip(week_list, [dict(zip(names, row, strict=True)) for row in by_row], strict=True))
    by_row = zip(*[[shown_values[m][i] for i in week_list] for m in names], strict=True)
    row_values = dict(zip(week_list, [dict(zip(names, row, strict=True)) for row in by_row], strict=True))
    week_counts = {m: dict(zip(week_list, c[week_rows].tolist(), strict=True)) for m, c in counts.items()}
    maybe_thin = np.zeros(len(week_rows), dtype=bool)  # a rate resting on fewer counts than the minimum this week
    for c in counts.values():
        maybe_thin |= c[week_rows] < plan.min_count
    thin_rows = set(week_rows[maybe_thin].tolist())
    fte_ramp = dict(zip(week_list, (scales.fte[week_rows] * scales.ramp[week_rows]).tolist(), strict=True)) \
        if scales is not None else {}
    with_pace = {p.metric for p in monthly}
    pace_metrics = [m for m in weekly if m.name in with_pace]
    names_of = {c: [m.name for m in metrics] for c, metrics in by_category.items()}
    outcome_names, quality_names = names_of[Category.OUTCOME], names_of[Category.QUALITY]
    # what a category's statuses and the three of them give: the same few combinations for every rep, each
    # worked out once (tests/core/test_summary.py holds every rep's equal to the rule's own answer)
    category = functools.lru_cache(maxsize=None)(category_status)
    diagnosed = functools.lru_cache(maxsize=None)(diagnose)
    busy = functools.lru_cache(maxsize=None)(busy_not_producing)
    below, no_range, no_data, week_period, month_period = (Status.BELOW, Status.NO_RANGE, Status.NO_DATA,
                                                           Period.WEEK, Period.MONTH)
    activity, quality, outcome = Category.ACTIVITY, Category.QUALITY, Category.OUTCOME

    reps: list[RepWeek] = []
    for i in week_list:
        name, role = rep_of[i], role_of[i]
        prev = previous.get(name)
        was_off = prev is not None and off is not None and bool(off[prev])  # no change against a week off
        if off is not None and off[i]:
            reps.append(_off_week(name, team_of[i], role, int(row_of[i]), {m: _num(listed[m][i]) for m in values},
                                  ranges.fairness.working_week))
            continue
        row_status = row_statuses[i]
        paced = [m.name for m in pace_metrics if is_paced(m, row_status[m.name], paces.get((name, m.name)))]
        judged = {m: paces[(name, m)].status if m in paced else row_status[m] for m in row_status}
        for m in weekly:  # blank, with only a monthly range and nothing this month to pace: not entered, not unranged
            if judged[m.name] is no_range and (v := listed[m.name][i]) != v and \
                    (rule := find(m.name, month_period, role)) is not None and not rule.is_open:
                judged[m.name] = no_data
        thin, pooled = thin_rates(name, role, rates, week_counts, i, judged, listed, find, plan) \
            if i in thin_rows else ({}, {})
        by_pace = [m for m in paced if row_status[m] in (no_range, no_data)]
        shown = {m: judged[m] if m in by_pace else s for m, s in row_status.items()}  # a monthly-only one: by pace
        categories = {c: category(tuple([judged[m] for m in metrics])) for c, metrics in names_of.items()}
        found = diagnosed(categories[activity], categories[quality], categories[outcome])
        rep = built(  # RepWeek, each field computed here in its type: no validation pass (core/records.py)
            RepWeek, rep=name, team=team_of[i], role=role, row=int(row_of[i]),
            values=row_values[i], statuses=shown, judged=judged, paced=paced,
            changes=dict.fromkeys(values) if prev is None or was_off else  # nothing to compare with
            {m: (None if (v := listed[m])[prev] != v[prev] or v[i] != v[i] else v[i] - v[prev]) for m in values},
            streaks=streaks[i], categories=categories,
            diagnosis_code=found.code, diagnosis_headline=found.headline, diagnosis=found.sentence,
            on_track=found.on_track,
            busy_not_producing=busy(categories[activity], tuple([judged[m] for m in quality_names]),
                                    tuple([judged[m] for m in outcome_names])),
            thin=thin, pooled=pooled, by_pace=by_pace, judged_by={},  # given: a default {} is deep-copied
            **_effective(weekly, ranges, role, scales, i, {m: paces[(name, m)] for m in paced}, find),
        )
        funnel = None
        if not found.on_track and categories[outcome] is below:  # behind: what it takes
            behind = [m for m in outcome_names if judged[m] is below]
            shares = {(m, month_period): paces[(name, m)].share for m in behind if (name, m) in paces}
            if scales is not None:  # a weekly outcome target, moved by this week's FTE and ramp (not the days)
                shares |= {(m, week_period): fte_ramp[i] for m in behind}
            floors = evidence_floors(find, by_category[activity], role, rep.scales)
            if (funnel := plan.rep(rep.rep, role, behind, shares, floors)) is not None:
                funnel.behind_on = behind
                funnels[rep.rep] = funnel
        context[rep.rep] = (found, funnel)
        reps.append(rep)
    for i in missing.tolist():
        last = f"{pd.Timestamp(stamps[i]):%Y-%m-%d}"
        reps.append(RepWeek(
            rep=rep_of[i], team=team_of[i], role=role_of[i], row=None, values={m: None for m in values},
            statuses={m: Status.NO_DATA for m in values}, judged={m: Status.NO_DATA for m in values},
            changes={m: None for m in values}, streaks={m: 0 for m in values},
            categories={c: Status.NO_DATA for c in Category},
            diagnosis_code=NO_ROW.code, diagnosis_headline=NO_ROW.headline, diagnosis="",
            on_track=False, busy_not_producing=False))
        reps[-1].decided(RepDecision(
            verdict=NO_DATA, focus="",
            action=f"Add this week's row to Tracking (the last is for {last}).",
            detail=f"The last row is for the week of {last}; no row this week."))

    outcomes = [m.name for m in by_category[Category.OUTCOME]]

    def outcome_rank(r: RepWeek) -> tuple:
        good = sum(r.judged[m] in (Status.IN_RANGE, Status.ABOVE) for m in outcomes)
        return (r.row is None, r.off, -good, *outcome_key(r.values), r.rep.casefold())

    reps.sort(key=outcome_rank)
    ranked = [r for r in reps if r.rep in context]
    produced = _produced(frame, by_category[Category.OUTCOME], this, window)
    # the team's best by outcomes: the top third, never a rep with no outcome at all in the window
    top_third = {r.rep for r in ranked[:math.ceil(len(ranked) / 3)] if r.rep in produced} if len(ranked) >= 3 \
        else set()
    for r in ranked:  # decided once the order is known: no rep in the top third is sent to work harder
        found, funnel = context[r.rep]
        role = text_key(r.role if isinstance(r.role, str) else "")
        r.decided(decide(r, found, weekly, known, paces, funnel, reach.get(role), top_third=r.rep in top_third,
                          label=tracking.label))
    unranged = frozenset(r.rep for r in ranked if r.verdict == NO_DATA and no_range_applies(r.role, weekly, known))
    position = {r.rep: i for i, r in enumerate(reps)}
    monthly.sort(key=lambda p: position[p.rep])  # rep by rep, each rep's metrics in table order
    roles = sorted({r.role for r in reps}, key=lambda x: x or "")
    columns = [MetricColumn(name=m.name, category=m.category, unit=m.unit, range=_range_text(ranges, m, roles),
                            label=tracking.heading(m))
               for m in weekly]
    by_role = [c.name for c in columns if c.range == "by role"]
    if by_role:  # the range that judged each cell, under it, where the heading cannot say it
        shown: dict[tuple[str, str | None], str] = {}
        for r in reps:
            for m in weekly:
                if m.name in by_role and r.row is not None and not r.off:
                    key = (m.name, r.role)
                    if key not in shown:
                        shown[key] = _range_text(ranges, m, [r.role])
                    r.judged_by[m.name] = shown[key]
    team = []
    worked = week_rows if off is None else week_rows[~off[week_rows]]
    judged_by_rep = [r.judged for r in reps]
    for m in weekly:  # reps in range as the cells show them: a paced outcome by its pace
        shown = [judged[m.name] for judged in judged_by_rep]
        counted = values[m.name][worked]  # per rep who worked: an OFF week is not a 0
        team.append(TeamMetric(
            metric=m.name, total=_pooled(frame, m, week_rows, values[m.name][week_rows]),
            average=None if m.is_rate or np.isnan(counted).all() else float(np.nanmean(counted)),
            in_range=shown.count(Status.IN_RANGE),
            judged=sum(shown.count(s) for s in (Status.BELOW, Status.IN_RANGE, Status.ABOVE))))

    outcome_ranges = any(r.metric.category is Category.OUTCOME and not r.range.is_open for r in ranges.rules)
    return WeeklySummary(
        title=title or tracking.file, source=tracking.file,
        teams=sorted({t for t in team_of[week_rows] if t}) if TEAM in frame else [],
        week=chosen, week_label=week_label(chosen), generated_at=now or dt.datetime.now().replace(microsecond=0),
        metrics=columns, reps=reps, team=team, team_diagnosis=team_diagnosis(reps, outcome_ranges, unranged),
        range_review=[*dict.fromkeys(x.text for found in reach.values() for x in found.values()),
                      *range_review(frame, ranges, this, full=None if scales is None else scales.activity == 1,
                                    rankings=rankings, evaluated={m.name: (m, statuses[m.name]) for m in weekly})],
        month=month_name, monthly=monthly,
        problems=_affecting(problems or [], tracking, row_of[week_rows], chosen), window_weeks=window,
        funnels=sorted(funnels.values(), key=lambda f: position[f.rep]),
    )


def _one_row_per_week(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per rep and week, the last where there are two (check has said so), indexed 0..n-1 like every
    array the summary keeps per row, and each row's rep as a code (equal names share one; a blank: -1), found
    once for every step that groups rows by rep. Looked for on codes first: a sheet without a second row, the
    usual one, is not searched row by row."""
    if len(frame):
        reps = pd.factorize(frame[REP].to_numpy())[0].astype(np.int64)
        weeks, distinct = pd.factorize(frame[WEEK].to_numpy())
        if len(pd.unique(reps * (len(distinct) + 1) + weeks)) == len(frame):
            return frame.reset_index(drop=True), reps
    frame = frame.drop_duplicates([REP, WEEK], keep="last").reset_index(drop=True)
    return frame, pd.factorize(frame[REP].to_numpy())[0].astype(np.int64)


def _texts(frame: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """A text column's ``rows`` (positions) as Python objects, a blank as None, whichever way pandas holds it (its
    own text type spells a blank NaN), in place in a column of every row (None in the others, never read); all
    None without the column."""
    out = np.full(len(frame), None)
    if column in frame:
        values = frame[column].to_numpy(dtype=object)[rows]
        out[rows] = np.where(pd.isna(values), None, values)
    return out


def _missing(codes: np.ndarray, stamps: np.ndarray, week_rows: np.ndarray, week: pd.Timestamp) -> np.ndarray:
    """The reps with a row in the RECENT_WEEKS weeks before ``week`` but none in it: each one's last such row, in
    sheet order (positions). ``codes``: each row's rep (equal names share a code; a blank one: -1, the last place
    below)."""
    here = np.zeros(codes.max(initial=-1) + 2, dtype=bool)
    here[codes[week_rows]] = True
    end = week.to_datetime64()
    before = np.flatnonzero((stamps < end) & (stamps >= end - np.timedelta64(7 * RECENT_WEEKS, "D")))
    before = before[~here[codes[before]]]
    _, last = np.unique(codes[before][::-1], return_index=True)  # a rep's last row
    return np.sort(before[len(before) - 1 - last])


def _funnels(frame: pd.DataFrame, ranges: RangeSet, week: pd.Timestamp, window: int, monthly: list[MonthlyPace],
             scales: Scales | None, label: Callable[[str], str] = str, rankings: Rankings | None = None) -> Funnels:
    """The reps' funnels (core/funnel.py), with the pace's month-end projection: one projection per outcome."""
    month = {(p.rep, p.metric): p.projection for p in monthly}
    return Funnels(frame, ranges, week, window, month, scales=scales, label=label, rankings=rankings)


def _produced(frame: pd.DataFrame, outcomes: list[Metric], week: pd.Timestamp, window: int) -> set[str]:
    """The reps with any outcome above 0 in the window's weeks ending with ``week``: a rep with none is never among
    the team's best by outcomes, however the order falls (a team where most reps have none)."""
    stamps, end = week_stamps(frame), pd.Timestamp(week).to_datetime64()
    rows = np.flatnonzero((stamps <= end) & (stamps > end - np.timedelta64(7 * window, "D")))
    some = np.zeros(len(rows), dtype=bool)
    for m in outcomes:
        if not m.is_rate:
            some |= np.nan_to_num(metric_values(frame, m, rows)) > 0
    return set(frame[REP].to_numpy()[rows[some]])


def _off_week(name: str, team: str | None, role: str | None, row: int, values: dict[str, float | None],
              working_week: float) -> RepWeek:
    """A week with 0 days worked: shown, never judged, and left out of streaks, shares and the team line's count."""
    rep = RepWeek(
        rep=name, team=team, role=role, row=row, values=values,
        statuses={m: Status.OFF for m in values}, judged={m: Status.OFF for m in values},
        changes={m: None for m in values}, streaks={m: 0 for m in values},
        categories={c: Status.OFF for c in Category}, diagnosis_code=OFF_WEEK.code,
        diagnosis_headline=OFF_WEEK.headline,
        diagnosis="", on_track=False, busy_not_producing=False, off=True, judged_on="OFF")
    rep.decided(RepDecision(verdict=OFF_WEEK_VERDICT, focus="", action=f"Not judged: 0 of {working_week:g} days "
                            "worked.", detail="No streak counts this week."))
    return rep


def _effective(metrics: list[Metric], ranges: RangeSet, role: str | None, scales: Scales | None, i: int,
               paced: dict[str, MonthlyPace], find: Callable[..., Range | None] | None = None) -> dict[str, object]:
    """A row's effective ranges where they differ from the sheet's, with why, for the cells and the sentences: the
    range that judged each cell, so a paced outcome shows its month's range, not a weekly one it was not judged by."""
    if scales is None:
        return {}
    effective, why, scale_of = {}, {}, {}
    if not scales.off[i] and scales.activity[i] == 1 and scales.outcome[i] == 1:  # a full week: only paces move
        metrics = [m for m in metrics if m.name in paced]
    for m in metrics:
        pace = paced.get(m.name)
        if pace is not None:
            if pace.share != 1:
                effective[m.name] = f"{pace.range} a month"
                why[m.name] = f"{pace.share:.0%} of the month's range: days worked, FTE and ramp".replace("%", " %")
            continue
        found = (find or ranges.lookup)(m.name, Period.WEEK, role)
        scale = scales.at(m, i)
        if found is not None and not found.is_open and scale != 1:
            effective[m.name] = describe(found, scale, m.unit)
            why[m.name] = scales.note(i, ranges.fairness.working_week, m) or ""
            scale_of[m.name] = scale
    return {"judged_on": scales.note(i, ranges.fairness.working_week), "effective": effective,
            "effective_why": why, "scales": scale_of}



def team_diagnosis(reps: list[RepWeek], outcomes_judged: bool = True, unranged: frozenset[str] = frozenset()
                   ) -> str:
    """The headline: how many reps are on track (and how many of them with less activity than the range), then
    every other rep once, under the verdict their row gives (off track, to watch, numbers not entered yet), split
    by their focus. Counted from the same rows the sheet shows; ``unranged``: the reps no range applies to."""
    if not reps:
        return "No reps have data this week."
    on = [r for r in reps if r.on_track]
    efficient = [r.rep for r in on if r.diagnosis_code == EFFICIENT.code]
    missing = [r.rep for r in reps if r.diagnosis_code == NO_ROW.code]
    away = [r.rep for r in reps if r.off]
    rest = [r for r in reps if not r.on_track and r.diagnosis_code != NO_ROW.code and not r.off]
    text = "" if outcomes_judged else "Outcomes are not judged: no outcome range is set. "
    text += f"{len(on)} of {len(reps) - len(away)} reps on track"
    watching = [r.rep for r in on if r.verdict == WATCH]  # on track, with a metric still below its range
    notes = [f"{len(names)} {what}: {listing(names)}" for names, what in (
        (efficient, "with less activity than the range"), (watching, "to watch")) if names]
    if notes:
        text += f" ({'; '.join(notes)})"
    for verdict, phrase in ((OFF_TRACK, "off track"), (WATCH, "to watch")):
        chosen = [r for r in rest if r.verdict == verdict]
        if chosen:
            groups: dict[str, list[str]] = {}
            for r in chosen:  # by the one focus each rep's row gives
                groups.setdefault(r.focus or "no focus", []).append(r.rep)
            ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))  # stable: ties keep the sheet's order
            text += f"; {len(chosen)} {phrase}: " + "; ".join(f"{len(names)} {focus.lower()} ({listing(names)})"
                                                              for focus, names in ordered)
    unjudged = [r for r in rest if r.verdict not in (OFF_TRACK, WATCH)]
    if no_range := [r.rep for r in unjudged if r.rep in unranged]:
        text += f"; {len(no_range)} with no range that applies ({listing(no_range)})"
    if blank := [r.rep for r in unjudged if r.rep not in unranged]:
        text += f"; {len(blank)} with numbers not entered yet ({listing(blank)})"
    if missing:
        text += f"; {len(missing)} with no row this week ({listing(missing)})"
    if away:
        text += f"; {len(away)} off this week, not judged ({listing(away)})"
    return text + "."


def range_review(frame: pd.DataFrame, ranges: RangeSet, week: pd.Timestamp, weeks: int = WEEKS,
                 full: np.ndarray | None = None, rankings: Rankings | None = None,
                 evaluated: dict[str, tuple[Metric, np.ndarray]] | None = None) -> list[str]:
    """The method's step 2 as a check: when most of the top producers by outcomes sit below an activity range's
    Min (or above its Max) in most of their recent weeks, the range, not the reps, may be wrong. With ``full``
    (rows that are a full week at full time and full ramp), only those count, as in the baseline. ``evaluated``:
    metric name -> (metric, status code of every row of ``frame``, indexed 0..n-1), when the caller has them."""
    stamps, end = week_stamps(frame), pd.Timestamp(week).to_datetime64()
    inside = (stamps <= end) & (stamps > end - np.timedelta64(7 * weeks, "D"))
    if full is not None:
        inside &= full
    rows = np.flatnonzero(inside)  # the window's rows, by position
    weeks = len(np.unique(stamps[rows]))
    reps = frame[REP].to_numpy()[rows]
    if len(pd.unique(reps[~pd.isna(reps)])) < 2:
        return []
    top = (rankings or Rankings(ranges)).top(frame.iloc[rows])
    chosen = set(top)
    rows = rows[np.fromiter((rep in chosen for rep in reps), dtype=bool, count=len(reps))]  # the top reps' rows
    activity = [m for m in ranges.metrics if m.category is Category.ACTIVITY]
    roles = sorted({r for r in frame[ROLE].to_numpy()[rows] if not pd.isna(r)}) if ROLE in frame else []
    codes, names = pd.factorize(frame[REP].to_numpy()[rows])
    place = {rep: k for k, rep in enumerate(names)}
    # each row is judged on its own, so the summary's statuses of every row serve the top reps' rows as they are
    shared = {m: labels(evaluated[m.name][1][rows]) for m in activity
              if evaluated is not None and m.name in evaluated and evaluated[m.name][0] == m}
    rest = evaluate_rows(frame.iloc[rows], ranges, metrics=[m for m in activity if m not in shared]) \
        if len(shared) < len(activity) else {}
    notes = []
    for metric in activity:
        statuses = shared[metric] if metric in shared else rest[metric.name][1]
        judged = np.bincount(codes[np.isin(statuses, JUDGED)], minlength=len(names))
        for status, wrong in ((Status.BELOW, "too high"), (Status.ABOVE, "too low")):
            hits = np.bincount(codes[statuses == status.value], minlength=len(names))
            flagged = [rep for rep in top if rep in place and judged[place[rep]]
                       and 2 * hits[place[rep]] > judged[place[rep]]]
            if len(flagged) >= 2 and 2 * len(flagged) > len(top):  # most top producers, not one efficient rep
                shown = _range_text(ranges, metric, roles or [None])
                who = listing((f"{shorten(rep)} ({hits[place[rep]]} of {judged[place[rep]]} weeks)"
                               for rep in flagged), limit=100)
                notes.append(f"Range check: the {metric.name} range ({shown}) may be set {wrong}. "
                             f"{len(flagged)} of the top {len(top)} reps by outcomes over the last {weeks} weeks "
                             f"were {status.value.lower()} it in most of those weeks: {who}. Run salesmetrics "
                             "baseline to see what they do in a typical week.")
    return notes


def _affecting(problems: list[Problem], tracking: TrackingData, week_rows: np.ndarray, week: dt.date
               ) -> list[Problem]:
    """The reader's problems that touch this week: its rows (``week_rows``: their Excel rows), the ranges, and
    whole-sheet problems."""
    rows = {str(r) for r in week_rows.tolist()}
    day = f"{week:%Y-%m-%d}"
    out = []
    for p in problems:
        row = (p.cell or "").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")
        if p.sheet != tracking.sheet or row in rows or p.code in ("missing-column", "missing-sheet", "no-data") \
                or day in p.message:
            out.append(p)
    return out
