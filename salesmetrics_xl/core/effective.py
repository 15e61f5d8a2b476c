"""The effective range: a fair range for a rep who worked part of the week, works part time, or is new.

The rule, stated once. The summary, ``check``, the baseline, ``=METRIC_SCALE`` and ``=METRIC_STATUS``'s scale,
and the native formulas written into the Evaluation sheet and the Tracking checks all follow it (a LibreOffice
test holds the formulas to this module's answers). Only the bounds move; the status rule is unchanged.

    metric                      effective Min and Max = Min and Max x scale, where scale is
    activity (counts)           Days Worked / working week x FTE x ramp share
    outcome, weekly range       FTE x ramp share
    outcome, monthly range      the average over the month's weeks of (Days Worked / working week x FTE x ramp
                                share); weeks still to come count as full weeks
    rates                       never scaled (1)
    a week with a scale of 0    OFF (0 days worked): not judged, not in streaks, not in team shares

- Blank Days Worked = the full working week (Settings: Working Week, default 5); blank FTE = 1; no Start Date =
  not ramping. A value that cannot be right (Days Worked below 0 or above the working week, FTE outside 0-1) is
  reported by ``check`` and read as blank.
- Ramp share: the Ramp row for the rep's month of tenure (a Role's own rows win over the general ones); months not
  listed are 100 %. Month of tenure = complete calendar months from the Start Date to the week's Monday, plus 1 (a
  rep who starts during the week is in month 1).
- Effective bound = round(bound x scale, 9): the 9 decimals only remove floating-point noise (3/5 x 50 is 30, not
  30.000000000000004). Sheets and sentences round for display; the comparison uses the bound itself.
- A workbook that declares none of Days Worked, Start Date, FTE (in Tracking or a Reps sheet) is judged exactly as
  before.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from salesmetrics_xl.core.metrics import Category, Metric, Range, Unit, text_key
from salesmetrics_xl.core.workbook import (
    DAYS_WORKED,
    DEFAULT_RAMP,
    DEFAULT_WORKING_WEEK,
    FAIRNESS_COLUMNS,
    FTE,
    ROLE,
    START_DATE,
    WEEK,
)

if TYPE_CHECKING:
    import pandas as pd

DECIMALS = 9  # effective bounds are rounded to this many decimals, to remove floating-point noise only


class RampStep(BaseModel):
    """One row of the Ramp sheet: in this month of tenure, this share of the range is expected."""

    model_config = ConfigDict(frozen=True)

    month: int
    share: float
    role: str | None = None
    month_cell: str | None = None  # where Month and Share live, so formulas we write can refer to them
    share_cell: str | None = None


DEFAULT_STEPS = tuple(RampStep(month=m, share=s) for m, s, _ in DEFAULT_RAMP)


class Roster(BaseModel):
    """Where a Reps sheet lives, so formulas can look a rep's Start Date, Role and FTE up in it."""

    sheet: str
    letters: dict[str, str]  # Reps column name -> Excel column letter
    first_row: int
    last_row: int


class Fairness(BaseModel):
    """The workbook's working week and ramp (Settings and Ramp sheets, or the defaults) and its Reps sheet."""

    working_week: float = DEFAULT_WORKING_WEEK
    week_cell: str | None = None  # e.g. "B2" on ``settings_sheet``
    settings_sheet: str | None = None
    ramp: tuple[RampStep, ...] = DEFAULT_STEPS
    ramp_sheet: str | None = None
    roster: Roster | None = None

    def steps(self, role: str | None) -> list[RampStep]:
        """A role's own ramp when it has one, else the general rows; roles match as the formulas match them."""
        wanted = text_key(role) if role is not None else ""
        own = [s for s in self.ramp if s.role is not None and wanted and text_key(s.role) == wanted]
        return own or [s for s in self.ramp if s.role is None]


def declared(frame: pd.DataFrame) -> bool:
    """Whether a Tracking frame says anything about days, start dates or FTE; if not, nothing is scaled."""
    return any(c in frame for c in FAIRNESS_COLUMNS)


def tenure_month(start: object, week: object) -> np.ndarray:
    """Month of tenure (1 = the first calendar month from the start date) for each row; NaN without a start.
    Counted on numpy's calendar units (months since 1970, days into the month): the same numbers as pandas'
    year, month and day fields, without building an index of dates for each call."""
    s, w = stamps(start), stamps(week)
    out = np.full(s.shape, np.nan)
    known = ~np.isnat(s) & ~np.isnat(w)  # only rows with a start date: most sheets have none, or few
    s, w = s[known], w[known]
    months = (w.astype("datetime64[M]").astype(np.int64) - s.astype("datetime64[M]").astype(np.int64)
              - (_day_of_month(w) < _day_of_month(s))).astype(float)
    out[known] = np.where(s.astype("datetime64[D]") > w, 0, months) + 1.0  # started during the week: month 1
    return out


def stamps(values: object) -> np.ndarray:
    """Dates as numpy datetimes; what is not a date (blank, text) is NaT."""
    import pandas as pd
    found = np.asarray(values)
    if found.dtype.kind == "M":
        return found
    return pd.to_datetime(pd.Series(values), errors="coerce").to_numpy(dtype="datetime64[ns]")


def _day_of_month(stamps: np.ndarray) -> np.ndarray:
    return (stamps.astype("datetime64[D]") - stamps.astype("datetime64[M]")).astype(np.int64)


def role_codes(roles: object) -> tuple[np.ndarray, list[str]]:
    """Each row's role as a place in the distinct roles, a blank (None, NaN) as "": a column of roles looked up
    once per distinct role, not per row. The roles are spelled as ``fillna("").astype(str)`` spells them, but
    found without building a text column (pandas' own text type made that most of the lookup's time)."""
    import pandas as pd
    raw = roles.to_numpy(dtype=object) if isinstance(roles, pd.Series) else np.asarray(roles, dtype=object)
    codes, uniques = pd.factorize(raw.ravel())
    texts = [u if type(u) is str else str(u) for u in uniques]
    if len(codes) and codes.min() < 0:  # a blank: "" (two codes may spell the same role: each is looked up alike)
        codes = np.where(codes < 0, len(texts), codes)
        texts.append("")
    return codes, texts


def ramp_shares(months: np.ndarray, roles: object, fairness: Fairness) -> np.ndarray:
    """The ramp share for each row's month of tenure and role; 1 where there is no start date or no row."""
    out = np.ones(len(months))
    codes, distinct = role_codes(roles)
    for code, role in enumerate(distinct):
        mask = codes == code
        for step in fairness.steps(role or None):
            out[mask & (months == step.month)] = step.share
    return out


@dataclass
class Scales:
    """Per Tracking row: what each kind of range is multiplied by. ``off`` rows are not judged at all."""

    days: np.ndarray  # Days Worked / working week (1 when blank)
    fte: np.ndarray
    ramp: np.ndarray
    month: np.ndarray  # month of tenure, NaN when there is no start date

    # Computed once: the summary asks for one row's scale per rep and metric, and a fresh product of every row's
    # columns each time cost seconds on a big sheet.
    @cached_property
    def activity(self) -> np.ndarray:
        return self.days * self.fte * self.ramp

    @cached_property
    def outcome(self) -> np.ndarray:
        return self.fte * self.ramp

    @cached_property
    def off(self) -> np.ndarray:
        return self.activity == 0

    def _base(self, metric: Metric) -> np.ndarray | None:
        """The scale a metric's range follows on a worked row; None: never scaled (rates, quality)."""
        if metric.unit is Unit.RATE or metric.category is Category.QUALITY:
            return None
        return self.activity if metric.category is Category.ACTIVITY else self.outcome

    def for_metric(self, metric: Metric, rows: np.ndarray | None = None) -> np.ndarray:
        """The scale of one metric's range on each row (with ``rows``, positions: those rows'): 0 on an OFF row,
        whatever the metric."""
        base, off = self._base(metric), self.off
        if rows is not None:
            base, off = None if base is None else base[rows], off[rows]
        return np.where(off, 0.0, 1.0 if base is None else base)

    def at(self, metric: Metric, i: int) -> float:
        """``for_metric(metric)[i]``, for one row, without building the whole column."""
        base = self._base(metric)
        return 0.0 if self.off[i] else 1.0 if base is None else float(base[i])

    def note(self, i: int, working_week: float, metric: Metric | None = None) -> str | None:
        """Why row ``i`` is judged against a smaller range, in a manager's words: "3 of 5 days", "ramp 50 %".
        For an outcome metric the days are left out: they do not move its range."""
        if self.off[i]:
            return "OFF"
        parts = []
        if self.days[i] != 1 and (metric is None or metric.category is Category.ACTIVITY):
            parts.append(f"{round(self.days[i] * working_week, 6):g} of {working_week:g} days")
        if self.fte[i] != 1:
            parts.append(f"{self.fte[i]:.0%} FTE".replace("%", " %"))
        if self.ramp[i] != 1:
            parts.append(f"ramp {self.ramp[i]:.0%}".replace("%", " %"))
        return ", ".join(parts) or None


def row_scales(frame: pd.DataFrame, fairness: Fairness) -> Scales | None:
    """The scales of every row, or None when the workbook declares none of the columns (nothing is scaled)."""
    import pandas as pd
    if not declared(frame):
        return None
    n = len(frame)

    def numbers(column: str) -> np.ndarray:
        if column not in frame:
            return np.full(n, np.nan)
        return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)

    days, fte = numbers(DAYS_WORKED), numbers(FTE)
    week = fairness.working_week
    days = np.where((days >= 0) & (days <= week), days / week, 1.0)  # NaN compares False: blank = full week
    fte = np.where((fte >= 0) & (fte <= 1), fte, 1.0)
    start = frame[START_DATE] if START_DATE in frame else pd.Series([None] * n)
    months = tenure_month(start.to_numpy(), frame[WEEK].to_numpy())
    roles = frame[ROLE] if ROLE in frame else pd.Series([None] * n, dtype=object)
    ramp = ramp_shares(months, roles.reset_index(drop=True), fairness)
    return Scales(days=days, fte=fte, ramp=ramp, month=months)


def scaled(bound: float | np.ndarray | None, scale: float | np.ndarray) -> float | np.ndarray | None:
    """A bound times its scale, without floating-point noise: the one place a bound is moved."""
    if bound is None:
        return None
    return np.round(np.asarray(bound, dtype=float) * scale, DECIMALS)


def shown_bound(bound: float, unit: Unit) -> float:
    """An effective bound as a manager reads it: one decimal (whole dollars), but never rounded to a whole number
    it is not, so 2 dials never read as below a Min of "2" (2.04) or above a Max of "2" (1.96)."""
    if unit is Unit.CURRENCY:
        return round(bound)
    for decimals in (1, 2, 3):
        shown = round(bound, decimals)
        if shown != round(shown) or round(bound, DECIMALS) == round(bound):
            return shown
    return round(bound, DECIMALS)


def describe(rng: Range, scale: float, unit: Unit) -> str:
    """An effective range as a manager reads it (one decimal at most, more only where one would round it to a
    whole number it is not): "25–37.5", "at least 2.5", "1–1.96"."""
    def shown(v: float | None) -> float | None:
        return None if v is None else shown_bound(float(scaled(v, scale)), unit)  # type: ignore[arg-type]

    return Range(min=shown(rng.min), max=shown(rng.max)).describe(unit)
