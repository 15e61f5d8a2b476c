"""The weekly summary a sales manager reads on Monday morning: what it says, not where it goes.

Computed once here, from tracking data and ranges; the layout turns it into cells, and each writer
(file or live Excel book) renders that layout.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd
from pydantic import BaseModel

from salesmetrics_xl.core.diagnosis import ON_TRACK, busy_not_producing, category_status, diagnose
from salesmetrics_xl.core.evaluate import column_values, evaluate_rows, metric_values, scorecard_metrics
from salesmetrics_xl.core.metrics import DEALS_WON, NEW_MRR, SQLS, Category, Metric, Period, Unit
from salesmetrics_xl.core.problems import Problem
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import Status, evaluate
from salesmetrics_xl.core.tracking import ROW, TrackingData, monday, week_label
from salesmetrics_xl.core.workbook import REP, ROLE, TEAM, WEEK

ORDERING_RULE = ("Reps are ordered by outcomes, never by activity: first by how many outcome metrics are in range "
                 "or above, then by SQLs, then deals won, then new MRR.")
JUDGED = (Status.BELOW.value, Status.IN_RANGE.value, Status.ABOVE.value)


class MetricColumn(BaseModel):
    name: str
    category: Category
    unit: Unit
    range: str  # as a manager reads it: "50–75", "at least 15%", "by role"


class RepWeek(BaseModel):
    rep: str
    team: str | None
    role: str | None
    row: int  # the Tracking row, for links and messages
    values: dict[str, float | None]
    statuses: dict[str, Status]
    changes: dict[str, float | None]  # from the previous week
    streaks: dict[str, int]  # weeks in a row out of range, this week included
    categories: dict[Category, Status]
    diagnosis_code: str
    diagnosis: str
    busy_not_producing: bool

    @property
    def out_of_range(self) -> list[str]:
        return [m for m, s in self.statuses.items() if s in (Status.BELOW, Status.ABOVE)]


class MonthlyPace(BaseModel):
    rep: str
    metric: str
    unit: Unit
    month_to_date: float
    weeks_elapsed: int
    weeks_in_month: int
    projection: float
    range: str
    status: Status  # of the projection against the monthly range
    on_pace: bool


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
    month: str
    monthly: list[MonthlyPace]
    problems: list[Problem]
    ordering_rule: str = ORDERING_RULE

    @property
    def needs_attention(self) -> list[RepWeek]:
        return [r for r in self.reps if r.diagnosis_code != ON_TRACK.code]


def _num(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _range_text(ranges: RangeSet, metric: Metric, period: Period, roles: list[str | None]) -> str:
    found = {ranges.lookup(metric.name, period, role) for role in roles}
    if len(found) > 1:
        return "by role"
    only = next(iter(found), None)
    return only.describe(metric.unit) if only else "no range"


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


def _streaks(frame: pd.DataFrame, statuses: dict[str, np.ndarray], week: pd.Timestamp) -> dict[str, dict[str, int]]:
    """rep -> metric -> consecutive weeks out of range ending this week (a missing week ends a streak).

    One row per rep and week. A rep's out-of-range rows, sorted by weeks back from this one (k = 0, 1, ...),
    form a streak exactly as long as the leading run where k equals the row's place in that list."""
    back = ((week - frame[WEEK]) // pd.Timedelta(days=7)).to_numpy()
    mine = np.flatnonzero(back >= 0)
    codes, reps = pd.factorize(frame[REP].to_numpy()[mine])
    order = np.lexsort((back[mine], codes))
    rows = mine[order]
    rep_sorted, back_sorted = codes[order], back[rows]
    counts = {}
    for metric, status in statuses.items():
        out = np.isin(status[rows], (Status.BELOW.value, Status.ABOVE.value))
        rep, k = rep_sorted[out], back_sorted[out]
        place = np.arange(len(rep)) - np.searchsorted(rep, rep)
        counts[metric] = np.bincount(rep[k == place], minlength=len(reps))
    return {rep: {m: int(c[i]) for m, c in counts.items()} for i, rep in enumerate(reps)}


def _pooled(frame: pd.DataFrame, metric: Metric) -> float | None:
    if metric.is_rate:
        num = column_values(frame, metric.numerator)  # type: ignore[arg-type]
        den = column_values(frame, metric.denominator)  # type: ignore[arg-type]
        ok = ~np.isnan(num) & ~np.isnan(den)
        total = den[ok].sum()
        return float(num[ok].sum() / total) if total > 0 else None
    values = metric_values(frame, metric)
    return float(np.nansum(values)) if (~np.isnan(values)).any() else None


def build_summary(tracking: TrackingData, ranges: RangeSet, problems: list[Problem] | None = None,
                  week: dt.date | None = None, now: dt.datetime | None = None, title: str | None = None
                  ) -> WeeklySummary:
    frame = tracking.frame.drop_duplicates([REP, WEEK], keep="last").reset_index(drop=True)
    chosen = pick_week(TrackingData(frame, tracking.file, tracking.sheet, tracking.letters), week)
    this = pd.Timestamp(chosen)
    weekly = scorecard_metrics(ranges)
    evaluated = evaluate_rows(frame, ranges, metrics=weekly)
    statuses = {m: s for m, (_, s) in evaluated.items()}
    values = {m: v for m, (v, _) in evaluated.items()}
    last_week = np.flatnonzero((frame[WEEK] == this - pd.Timedelta(days=7)).to_numpy())
    previous = dict(zip(frame[REP].to_numpy()[last_week], last_week, strict=True))
    streaks = _streaks(frame, statuses, this)
    by_category = {c: [m.name for m in weekly if m.category is c] for c in Category}

    reps: list[RepWeek] = []
    in_week = (frame[WEEK] == this).to_numpy()
    week_rows = frame[in_week]
    for i, rec in zip(np.flatnonzero(in_week), week_rows.to_dict("records"), strict=True):
        prev = previous.get(rec[REP])
        row_status = {m: Status(statuses[m][i]) for m in statuses}
        categories = {c: category_status(row_status[m] for m in names) for c, names in by_category.items()}
        found = diagnose(categories[Category.ACTIVITY], categories[Category.QUALITY], categories[Category.OUTCOME])
        reps.append(RepWeek(
            rep=rec[REP], team=rec.get(TEAM), role=rec.get(ROLE), row=int(rec[ROW]),
            values={m: _num(values[m][i]) for m in values}, statuses=row_status,
            changes={m: (None if prev is None or np.isnan(values[m][prev]) or np.isnan(values[m][i])
                         else float(values[m][i] - values[m][prev])) for m in values},
            streaks=streaks.get(rec[REP], {}), categories=categories,
            diagnosis_code=found.code, diagnosis=found.sentence,
            busy_not_producing=busy_not_producing(categories[Category.ACTIVITY], categories[Category.OUTCOME]),
        ))

    def outcome_rank(r: RepWeek) -> tuple:
        good = sum(r.statuses[m] in (Status.IN_RANGE, Status.ABOVE) for m in by_category[Category.OUTCOME])
        return (-good, *(-(r.values.get(m) or 0) for m in (SQLS, DEALS_WON, NEW_MRR)), r.rep.casefold())

    reps.sort(key=outcome_rank)
    roles = sorted({r.role for r in reps}, key=lambda x: x or "")
    columns = [MetricColumn(name=m.name, category=m.category, unit=m.unit,
                            range=_range_text(ranges, m, Period.WEEK, roles)) for m in weekly]
    team = []
    for m in weekly:
        status = statuses[m.name][in_week]
        counted = metric_values(week_rows, m)
        team.append(TeamMetric(
            metric=m.name, total=_pooled(week_rows, m),
            average=None if m.is_rate or np.isnan(counted).all() else float(np.nanmean(counted)),
            in_range=int((status == Status.IN_RANGE.value).sum()), judged=int(np.isin(status, JUDGED).sum())))

    monthly, month_name = _monthly(frame, ranges, chosen, reps)
    return WeeklySummary(
        title=title or tracking.file, source=tracking.file,
        teams=sorted({t for t in week_rows[TEAM] if t}) if TEAM in week_rows else [],
        week=chosen, week_label=week_label(chosen), generated_at=now or dt.datetime.now().replace(microsecond=0),
        metrics=columns, reps=reps, team=team, team_diagnosis=team_diagnosis(reps), month=month_name,
        monthly=monthly, problems=_affecting(problems or [], tracking, week_rows, chosen),
    )


def _monthly(frame: pd.DataFrame, ranges: RangeSet, week: dt.date, reps: list[RepWeek]
             ) -> tuple[list[MonthlyPace], str]:
    """Month-to-date against monthly ranges, projected in a straight line; a week counts in its Monday's month."""
    first = week.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    mondays = [d for d in (first + dt.timedelta(days=i) for i in range((next_month - first).days))
               if d.weekday() == 0]
    elapsed = sum(d <= week for d in mondays)
    in_month = frame[(frame[WEEK] >= pd.Timestamp(first)) & (frame[WEEK] <= pd.Timestamp(week))]
    names = [r.rep for r in reps]
    roles = pd.Series([r.role for r in reps], dtype=object)
    out = []
    for metric in dict.fromkeys(r.metric for r in ranges.rules if r.period is Period.MONTH):
        present = [c for c in metric.columns if c in in_month]
        if len(present) < len(metric.columns):
            continue
        sums = in_month.groupby(REP)[present].sum(min_count=1).reindex(names)
        if metric.is_rate:  # pooled: the month's counts, not an average of weekly rates
            num, den = sums[metric.numerator].to_numpy(float), sums[metric.denominator].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                mtd = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            projection = mtd
        else:
            mtd = sums[metric.column].to_numpy(float)
            projection = mtd / elapsed * len(mondays)
        lo, hi = ranges.bounds(metric.name, Period.MONTH, roles)
        statuses = evaluate(projection, lo, hi)
        by_role = {role: ranges.lookup(metric.name, Period.MONTH, role) for role in set(roles)}
        for i, rep in enumerate(reps):
            found = by_role[rep.role]
            if found is None or np.isnan(mtd[i]):
                continue
            status = Status(statuses[i])
            out.append(MonthlyPace(
                rep=rep.rep, metric=metric.name, unit=metric.unit, month_to_date=float(mtd[i]),
                weeks_elapsed=elapsed, weeks_in_month=len(mondays), projection=float(projection[i]),
                range=found.describe(metric.unit), status=status, on_pace=status is not Status.BELOW))
    position = {name: i for i, name in enumerate(names)}
    out.sort(key=lambda p: position[p.rep])  # rep by rep, each rep's metrics in table order
    return out, f"{first:%B %Y}"


def team_diagnosis(reps: list[RepWeek]) -> str:
    """Where most reps break, in one sentence for the team."""
    if not reps:
        return "No reps have data this week."
    counts = Counter(r.diagnosis_code for r in reps)
    on_track = counts.pop(ON_TRACK.code, 0)
    if not counts:
        return f"All {len(reps)} reps are on track."
    code, n = counts.most_common(1)[0]
    example = next(r for r in reps if r.diagnosis_code == code)
    names = ", ".join(r.rep for r in reps if r.diagnosis_code == code)
    headline = example.diagnosis.split(":", 1)[0]
    return (f"{on_track} of {len(reps)} reps are on track. Most of the others break at {headline.lower()} "
            f"({n} rep{'s' if n > 1 else ''}: {names}).")


def _affecting(problems: list[Problem], tracking: TrackingData, week_rows: pd.DataFrame, week: dt.date
               ) -> list[Problem]:
    """The reader's problems that touch this week: its rows, the ranges, and whole-sheet problems."""
    rows = {int(r) for r in week_rows[ROW]}
    out = []
    for p in problems:
        row = int("".join(ch for ch in (p.cell or "") if ch.isdigit()) or 0)
        if p.sheet != tracking.sheet or row in rows or p.code in ("missing-column", "missing-sheet", "no-data") \
                or f"{week:%Y-%m-%d}" in p.message:
            out.append(p)
    return out
