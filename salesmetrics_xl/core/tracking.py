"""Tracking data as the core sees it, and the checks that need only the data, not the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from salesmetrics_xl.core.effective import Fairness, Roster
from salesmetrics_xl.core.metrics import (
    CONVERSATIONS,
    DEALS_WON,
    DIALS,
    OPPORTUNITIES,
    SQLS,
    Metric,
    text_key,
)
from salesmetrics_xl.core.names import label
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.text import listing, shorten
from salesmetrics_xl.core.workbook import DAYS_WORKED, FTE, REP, START_DATE, TRACKING, WEEK

if TYPE_CHECKING:
    import pandas as pd

ROW = "_row"  # the Excel row each record came from, so every message can name its cell


@dataclass
class TrackingData:
    """One row per rep per week: Week (a Monday), Rep, Team, Role, the counted columns, any extras."""

    frame: pd.DataFrame
    file: str = ""
    sheet: str = TRACKING.name
    letters: dict[str, str] = field(default_factory=dict)  # column name -> Excel column letter
    header_row: int = 1
    last_row: int = 1  # the last row with data, usable or not (a totals row below the data is not)
    headers: dict[str, str] = field(default_factory=dict)  # column name -> the header as the user typed it

    def label(self, column: str) -> str:
        """A column as the manager knows it: "Calls (Dials)" when their header is one of its other names, so the
        sheet shows their own word and the name our ranges and sentences use."""
        return label(column, self.headers.get(column))

    def heading(self, metric: Metric) -> str:
        """A metric's column heading on our sheets: a count by its column's label, a rate (no column of the user's)
        by its name."""
        return metric.name if metric.is_rate else self.label(metric.column)  # type: ignore[arg-type]

    def cell(self, column: str, row: int) -> str | None:
        letter = self.letters.get(column)
        return f"{letter}{row}" if letter else None

    def problem(self, severity: Severity, code: str, message: str, column: str, row: int) -> Problem:
        return Problem(severity=severity, code=code, message=message, file=self.file, sheet=self.sheet,
                       cell=self.cell(column, row))

    def problems(self, severity: Severity, code: str, messages: list[str], column: str, rows: list[int]
                 ) -> list[Problem]:
        """Many problems of one kind in one column, built from whole columns: a sheet with a warning on every
        other row must not cost a pandas row lookup per warning."""
        letter = self.letters.get(column)
        return [Problem(severity=severity, code=code, message=message, file=self.file,
                        sheet=self.sheet, cell=f"{letter}{row}" if letter else None)
                for message, row in zip(messages, rows, strict=True)]

    @property
    def weeks(self) -> list[pd.Timestamp]:
        return sorted(self.frame[WEEK].dropna().unique())


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(week: dt.date | pd.Timestamp) -> str:
    """ISO week as people write it: 2026-W47."""
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


# (bigger, smaller, why): a later funnel stage cannot exceed an earlier one without a reason worth a look.
_FUNNEL = (
    (CONVERSATIONS, DIALS, "more conversations than dials; were inbound calls counted as conversations?"),
    (SQLS, CONVERSATIONS, "more SQLs than conversations; check the two numbers"),
    (DEALS_WON, OPPORTUNITIES, "more deals won than opportunities opened this week; fine if they came "
                               "from earlier weeks' pipeline, otherwise check the numbers"),
)


MISSING_WEEKS_LISTED = 10  # a gap of years would otherwise list every week in one sentence


def check_tracking(data: TrackingData, today: dt.date) -> list[Problem]:
    """Warnings a manager should look at before trusting the numbers; nothing here stops evaluation.

    Each check first asks plain arrays whether anything is wrong (a sound sheet has nothing), and only then
    builds its findings with pandas: on a batch of small files the pandas calls were most of this step's time."""
    import pandas as pd
    frame, problems = data.frame, []
    weeks = frame[WEEK].to_numpy(dtype="datetime64[ns]")
    has_week = ~np.isnat(weeks)
    rep_codes = pd.factorize(frame[REP], sort=False)[0]  # equal names share a code; a blank name is -1
    week_codes = weeks.view(np.int64)
    dated = frame[has_week] if not has_week.all() else frame

    if _repeats(rep_codes[has_week], week_codes[has_week]):  # some rep has two rows for a week
        dupes = dated[dated.duplicated([REP, WEEK], keep=False)]
        for (rep, week), group in dupes.groupby([REP, WEEK], sort=False):
            rows = listing(group[ROW])
            problems.append(data.problem(
                Severity.WARNING, "duplicate-row",
                f"{shorten(rep)} has {len(group)} rows for the week of {week:%Y-%m-%d} (rows {rows}); the last one "
                "is used", REP, int(group[ROW].iloc[-1])))

    for bigger, smaller, why in _FUNNEL:
        if bigger in frame and smaller in frame:
            over = _greater(frame[bigger], frame[smaller])
            if not over.any():
                continue
            bad = frame.loc[over, [REP, bigger, smaller, ROW]]
            problems += data.problems(
                Severity.WARNING, "impossible-funnel",
                [f"{shorten(rep)}: {bigger} {big:g} > {smaller} {small:g}: {why}" for rep, big, small in
                 zip(bad[REP].tolist(), bad[bigger].tolist(), bad[smaller].tolist(), strict=True)],
                bigger, bad[ROW].tolist())

    this_week = pd.Timestamp(monday(today))
    ahead = has_week & (weeks > this_week.to_datetime64())
    if ahead.any():
        future = frame.loc[ahead, [WEEK, ROW]]
        problems += data.problems(
            Severity.WARNING, "future-week",
            [f"the week of {week:%Y-%m-%d} is in the future" for week in future[WEEK].dt.date.tolist()], WEEK,
            future[ROW].tolist())

    # Only reps with a gap are looked at one by one: a 200k-row sheet has few gaps and many rows.
    done = has_week & ~ahead
    codes, stamps = rep_codes[done], week_codes[done]
    order = np.lexsort((stamps, codes))  # by rep, then week
    codes, stamps = codes[order], stamps[order]
    gap = (codes[1:] == codes[:-1]) & (codes[1:] >= 0) & (np.diff(stamps) > _WEEK_NS)
    if not gap.any():
        return problems
    past = frame.loc[done, [REP, WEEK, ROW]]
    gapped = set(past[REP].iloc[order[1:][gap]])
    for rep, group in past[past[REP].isin(gapped)].groupby(REP, sort=False):
        have = dict(zip(group[WEEK], group[ROW], strict=True))
        expected = pd.date_range(min(have), max(have), freq="7D")
        missing = [w for w in expected if w not in have]
        if missing:
            weeks_named = listing(f"{w:%Y-%m-%d}" for w in missing)
            after = min(w for w in have if w > missing[0])  # the row where the missing one belongs
            problems.append(data.problem(
                Severity.WARNING, "missing-week",
                f"{shorten(rep)} has no row for the week{'s' if len(missing) > 1 else ''} of {weeks_named}", REP,
                int(have[after])))
    return problems


_WEEK_NS = 7 * 24 * 3600 * 10**9  # a week, in the nanoseconds a week column is stored in


def _repeats(reps: np.ndarray, weeks: np.ndarray) -> bool:
    """Whether a (rep code, week) pair occurs twice. Each pair as one int64 (the week by its code among the
    distinct weeks), counted by hashing: sorting the pairs was most of this step's time on a 200k-row sheet."""
    import pandas as pd
    if not len(reps):
        return False
    week_codes, distinct = pd.factorize(weeks, sort=False)
    keys = (reps.astype(np.int64) + 1) * max(len(distinct), 1) + week_codes
    return len(pd.unique(keys)) < len(keys)


def _greater(bigger: pd.Series | float, smaller: pd.Series | float) -> np.ndarray | pd.Series:
    """Where the first number is over the second (a blank is neither), for columns or a column and a number: plain
    arrays for number columns, pandas for anything else."""
    import pandas as pd
    def plain(x: pd.Series | float) -> bool:
        return not isinstance(x, pd.Series) or x.dtype.kind == "f"
    if plain(bigger) and plain(smaller):
        return np.asarray(bigger) > np.asarray(smaller)
    return bigger > smaller


def check_fairness(data: TrackingData, fairness: Fairness, reps: dict[str, dict[str, object]] | None = None,
                   roster: Roster | None = None) -> list[Problem]:
    """Values that cannot be right: more days worked than the working week, an FTE outside 0-1, a start date
    after a week the rep has numbers for. Errors, each with its cell; the first two are then read as blank."""
    import pandas as pd
    frame, problems, week = data.frame, [], fairness.working_week
    if DAYS_WORKED in frame and (over := _greater(frame[DAYS_WORKED], week)).any():
        for _, rec in frame[over].iterrows():
            problems.append(data.problem(
                Severity.ERROR, "impossible-days",
                f"{shorten(rec[REP])}: Days Worked {rec[DAYS_WORKED]:g} is more than the {week:g}-day working week "
                f"(week of {rec[WEEK]:%Y-%m-%d}); it is read as a full week. Fix the number, or the Working Week "
                "in Settings",
                DAYS_WORKED, rec[ROW]))
    if FTE in frame and (outside := _greater(frame[FTE], 1) | _greater(0, frame[FTE])).any():
        for _, rec in frame[outside].iterrows():
            problems.append(data.problem(
                Severity.ERROR, "impossible-fte",
                f"{shorten(rec[REP])}: FTE {rec[FTE]:g} is outside 0 to 1 (0.6 is three days in five); it is read as 1",
                FTE, rec[ROW]))
    # a start date after the end of a week the rep has numbers for: one finding per rep, at its first such week
    own = frame[START_DATE] if START_DATE in frame else pd.Series(pd.NaT, index=frame.index)
    starts = own.to_numpy(dtype="datetime64[ns]")
    after = ~np.isnat(starts) & (starts > frame[WEEK].to_numpy(dtype="datetime64[ns]") + np.timedelta64(6, "D"))
    late = frame[after] if after.any() else frame.iloc[:0]
    for rep, group in late.groupby(REP, sort=False) if len(late) else ():
        rec = group.sort_values(WEEK).iloc[0]
        problems.append(data.problem(
            Severity.ERROR, "start-after-week",
            f"{shorten(rep)}: Start Date {rec[START_DATE]:%Y-%m-%d} is after the week of {rec[WEEK]:%Y-%m-%d}, "
            f"which has numbers ({len(group)} week{'s' if len(group) > 1 else ''} before the start)", START_DATE,
            rec[ROW]))
    keys = frame[REP].map({r: text_key(r) for r in frame[REP].unique()}) if reps and roster else None
    for key, record in (reps or {}).items():
        if roster is None:
            break
        start, fte = record.get(START_DATE), record.get(FTE)
        cell = roster.letters.get(FTE, "A")
        if isinstance(fte, float) and not 0 <= fte <= 1:
            problems.append(Problem(severity=Severity.ERROR, code="impossible-fte", file=data.file,
                                    sheet=roster.sheet, cell=f"{cell}{record['row']}",
                                    message=f"FTE {fte:g} is outside 0 to 1; it is read as 1"))
        if start is None:
            continue
        mine = frame[(keys == key) & own.isna()]
        weeks = mine[mine[WEEK] + pd.Timedelta(days=6) < pd.Timestamp(start)]  # type: ignore[arg-type]
        if len(weeks):
            first = weeks[WEEK].min()
            problems.append(Problem(
                severity=Severity.ERROR, code="start-after-week", file=data.file, sheet=roster.sheet,
                cell=f"{roster.letters.get(START_DATE, 'A')}{record['row']}",
                message=f"{shorten(mine[REP].iloc[0])}: Start Date {start:%Y-%m-%d} is after the week of "
                        f"{first:%Y-%m-%d}, which has numbers in {data.sheet} ({len(weeks)} "
                        f"week{'s' if len(weeks) > 1 else ''} before the start)"))
    return problems
