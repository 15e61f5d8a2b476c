"""Every tracking row's metrics against its ranges, in one vectorised pass."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesmetrics_xl.core.effective import Scales, describe, role_codes, row_scales, scaled
from salesmetrics_xl.core.metrics import CATALOG, Category, Metric, Period, format_beside
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import Status, labels, rate, status_codes
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.tracking import ROW, TrackingData
from salesmetrics_xl.core.workbook import REP, ROLE, WEEK


def column_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """One tracking column as floats; all NaN when the workbook has no such column."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    column = frame[name]
    if column.dtype == np.float64:  # the reader's own type: taken as it is
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def week_stamps(frame: pd.DataFrame) -> np.ndarray:
    """Each row's week as numpy datetimes: rows are picked by week with plain comparisons, never a pandas one
    (a pandas comparison and the frame it picks cost more than the work on a small sheet)."""
    return frame[WEEK].to_numpy(dtype="datetime64[ns]")


def metric_values(frame: pd.DataFrame, metric: Metric, rows: np.ndarray | None = None) -> np.ndarray:
    """A counted column as is, a rate from its two columns; NaN where the data is not there. With ``rows``
    (positions), those rows' only."""
    def column(name: str) -> np.ndarray:
        values = column_values(frame, name)
        return values if rows is None else values[rows]

    if metric.is_rate:
        return rate(column(metric.numerator), column(metric.denominator))  # type: ignore[arg-type]
    return column(metric.column)  # type: ignore[arg-type]


def pooled_sums(frame: pd.DataFrame, numerator: str, denominator: str, codes: np.ndarray | None = None,
                groups: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per group (``codes``: each row's group, 0..groups-1; none: one group), the numerator and the denominator
    summed over the rows where both are there: a rate is pooled as sum / sum, never averaged from weekly ratios,
    and a row with only one of its two counts would tilt it."""
    return pooled_columns(column_values(frame, numerator), column_values(frame, denominator), codes, groups)


def pooled_columns(num: np.ndarray, den: np.ndarray, codes: np.ndarray | None = None, groups: int = 1
                   ) -> tuple[np.ndarray, np.ndarray]:
    """pooled_sums on two columns already taken out as floats."""
    ok = ~np.isnan(num) & ~np.isnan(den)
    where = np.zeros(len(num), dtype=np.intp) if codes is None else codes
    return (np.bincount(where[ok], num[ok], minlength=groups), np.bincount(where[ok], den[ok], minlength=groups))


def group_sums(codes: np.ndarray, values: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group (``codes``: 0..groups-1), the sum of the values that are not NaN and how many there are, added in
    row order with Kahan's compensation exactly as pandas' groupby adds them, so a sum or mean here is the same
    float as pandas' to the last bit (a ranking and its figures never move with the way they are computed)."""
    ok = ~np.isnan(values)
    codes, values = codes[ok], values[ok]
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    count = np.bincount(codes, minlength=groups)
    place = np.arange(len(codes)) - (np.cumsum(count) - count)[codes]  # each value's place within its group
    total, compensation = np.zeros(groups), np.zeros(groups)
    for k in range(int(count.max()) if len(codes) else 0):  # the k-th value of every group at once
        at = place == k
        g = codes[at]
        y = values[at] - compensation[g]
        t = total[g] + y
        compensation[g] = np.where(np.isnan(c := t - total[g] - y), 0.0, c)  # an infinity: no compensation
        total[g] = t
    return total, count


def pooled_rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Sum / sum from ``pooled_sums``; NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def scorecard_metrics(ranges: RangeSet) -> list[Metric]:
    """Every catalog metric and every metric of the user's own, grouped Activity | Quality | Outcome."""
    own = [m for m in ranges.metrics if m.name not in {c.name for c in CATALOG}]
    return [m for category in Category for m in (*CATALOG, *own) if m.category is category]


_ROW_SCALES = object()  # evaluate_rows works the scales out itself


def evaluate_rows(frame: pd.DataFrame, ranges: RangeSet, period: Period = Period.WEEK,
                  metrics: list[Metric] | None = None, scales: Scales | object | None = _ROW_SCALES
                  ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """metric name -> (values, statuses) for each row of ``frame``, each rep judged by its Role's range, moved by
    the row's days worked, FTE and ramp (core/effective.py) when the workbook declares them. ``scales``: the
    frame's row_scales when the caller has them already."""
    return {name: (values, labels(codes)) for name, (values, codes) in
            status_rows(frame, ranges, period, metrics, scales).items()}


def status_rows(frame: pd.DataFrame, ranges: RangeSet, period: Period = Period.WEEK,
                metrics: list[Metric] | None = None, scales: Scales | object | None = _ROW_SCALES,
                rows: np.ndarray | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """evaluate_rows with each status as its code (core/status.status_codes), for a whole sheet's rows; with
    ``rows`` (positions), for those rows only, values and statuses alike: a summary judges the weeks it shows, not
    years of history (``scales`` are the whole frame's)."""
    roles = frame[ROLE].to_numpy(dtype=object) if ROLE in frame else np.full(len(frame), None)
    codes, distinct = role_codes(roles if rows is None else roles[rows])  # bounds per role, not per row
    if period is not Period.WEEK:
        scales = None
    elif scales is _ROW_SCALES:
        scales = row_scales(frame, ranges.fairness)
    out = {}
    for metric in metrics if metrics is not None else ranges.metrics:
        values = metric_values(frame, metric, rows)
        lo, hi = ranges.bounds(metric.name, period, distinct)
        if len(distinct) == 1:  # one role: its bounds as numbers, not a column of the same bound for every row
            lo, hi = lo[:1], hi[:1]
        else:
            lo, hi = lo[codes], hi[codes]
        scale = None if scales is None else scales.for_metric(metric, rows)  # type: ignore[union-attr]
        out[metric.name] = (values, status_codes(values, lo, hi, scale))
    return out


class RowStatuses:
    """The status codes of the rows a summary reads, each row judged once (status_rows) and kept in ``statuses``
    (metric -> every row's code; -1 until judged): called with rows, their codes, one column per metric. ``back``:
    each row's weeks before this one (core/streaks.weeks_back). Rows are judged a span of weeks at a time, the span
    doubling, so a streak that runs back years costs a few calls, and a sheet of years is not judged whole."""

    def __init__(self, frame: pd.DataFrame, ranges: RangeSet, metrics: list[Metric], scales: Scales | None,
                 back: np.ndarray, statuses: dict[str, np.ndarray]) -> None:
        self.frame, self.ranges, self.metrics, self.scales = frame, ranges, metrics, scales
        self.back, self.statuses, self.judged = back, statuses, 0  # every week before ``judged`` is judged

    def upto(self, weeks: int) -> dict[str, np.ndarray]:
        """Judge every row of the weeks from ``judged`` up to ``weeks`` before this one; their values, in place
        in every row's (NaN in the others)."""
        rows = np.flatnonzero((self.back >= self.judged) & (self.back < weeks))
        found = status_rows(self.frame, self.ranges, metrics=self.metrics, scales=self.scales, rows=rows)
        values = {}
        for name, (shown, codes) in found.items():
            self.statuses[name][rows] = codes
            values[name] = np.full(len(self.frame), np.nan)
            values[name][rows] = shown
        self.judged = weeks
        return values

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) and (latest := int(self.back[rows].max())) >= self.judged:
            self.upto(max(latest + 1, 2 * self.judged))
        return np.column_stack([codes[rows] for codes in self.statuses.values()]) if self.statuses \
            else np.zeros((len(rows), 0), dtype=np.int8)


def latest_week_findings(data: TrackingData, ranges: RangeSet) -> list[Problem]:
    """Cells of the latest week outside their weekly range: what ``check`` points a manager to."""
    if not data.weeks:
        return []
    week = data.weeks[-1]
    rows = data.frame[data.frame[WEEK] == week].drop_duplicates([REP], keep="last").reset_index(drop=True)
    scales = row_scales(rows, ranges.fairness)
    findings = []
    by_name = {m.name: m for m in ranges.metrics}
    for name, (values, statuses) in evaluate_rows(rows, ranges).items():
        metric = by_name[name]
        if metric.is_rate:
            continue  # a rate has no cell of its own; the summary shows it
        for i, ((_, rec), value, status) in enumerate(zip(rows.iterrows(), values, statuses, strict=True)):
            if status in (Status.BELOW, Status.ABOVE):
                found = ranges.lookup(name, Period.WEEK, rec[ROLE])
                assert found is not None
                shown = found.describe(metric.unit)
                scale = 1.0 if scales is None else scales.at(metric, i)
                bound = found.min if status == Status.BELOW else found.max
                if scale != 1:
                    why = scales.note(i, ranges.fairness.working_week, metric)  # type: ignore[union-attr]
                    shown = f"{describe(found, scale, metric.unit)} ({why})"
                findings.append(data.problem(
                    Severity.WARNING, "out-of-range",
                    f"{shorten(rec[REP])}: {data.label(metric.column or name)} "
                    f"{format_beside(value, scaled(bound, scale), metric.unit)} is "
                    f"{status.lower()} its range of "
                    f"{shown} (week of {week:%Y-%m-%d})", metric.column or name, rec[ROW]))
    return findings
