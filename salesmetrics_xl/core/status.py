"""The status rule, stated once.

``evaluate`` is the rule. Everything else (the scalar ``status``, the UDFs, the summary, and the
native Excel formula we write, which a LibreOffice test holds to the same answers) derives from it.

    no range (both bounds open) -> NO RANGE
    empty value                 -> NO DATA
    value < min                 -> BELOW
    value > max                 -> ABOVE
    otherwise                   -> IN RANGE     (bounds inclusive)

A ``scale`` moves the bounds for a rep who worked part of the week, part time or is ramping (the rule is in
``core/effective.py``); a scale of 0 is a week off, OFF, which is not judged at all.

Rates are fractions (0.12 is 12 %); a rate whose denominator is zero or empty is NO DATA.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from salesmetrics_xl.core.effective import scaled
from salesmetrics_xl.core.metrics import Category, Range


class Status(StrEnum):
    BELOW = "BELOW"
    IN_RANGE = "IN RANGE"
    ABOVE = "ABOVE"
    NO_DATA = "NO DATA"
    NO_RANGE = "NO RANGE"
    OFF = "OFF"  # a week with 0 days worked: not judged


Bound = float | None | np.ndarray | pd.Series


def above_is_good(category: Category) -> bool:
    """Above its range is good news for quality and outcomes (more is better), and a warning for activity: effort
    that may be costing quality. Stated once, here: the sheets' colours (amber or blue), the rollup's in-range
    counts and the decision's watch list all ask this."""
    return category is not Category.ACTIVITY


def counts_as_in_range(status: Status, category: Category) -> bool:
    """In range, or above where above is good: what the rollup counts as in range."""
    return status is Status.IN_RANGE or (status is Status.ABOVE and above_is_good(category))


def as_numbers(values: object) -> np.ndarray:
    """Floats with NaN for blanks; text that is not a number is an error, never a silent blank."""
    if isinstance(values, list):  # what Excel passes: try the fast way first (None becomes NaN)
        try:
            return np.array(values, dtype=float)
        except (ValueError, TypeError):
            pass
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(float, copy=False)
    if isinstance(values, pd.Series) and values.dtype.kind in "fiu":
        return values.to_numpy(dtype=float)
    if values is None or np.isscalar(values):
        values = [values]
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    series = series.map(lambda v: np.nan if v is None or (isinstance(v, str) and not v.strip()) else v)
    try:
        return pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a number: {exc}".replace('Unable to parse string ', '')) from None


def _bound(bound: Bound, fill: float) -> np.ndarray | float:
    if bound is None:
        return fill
    if np.isscalar(bound):
        return fill if pd.isna(bound) else float(bound)  # type: ignore[arg-type]
    arr = as_numbers(bound)
    return np.where(np.isnan(arr), fill, arr)


STATUSES = (Status.IN_RANGE, Status.NO_RANGE, Status.NO_DATA, Status.BELOW, Status.ABOVE, Status.OFF)  # by code
_LABELS = np.array([s.value for s in STATUSES], dtype=object)


def evaluate(values: object, min: Bound = None, max: Bound = None, scale: Bound = None) -> np.ndarray:
    """Statuses for many values in one call; ``min``/``max`` (and ``scale``) may be scalars or per-value arrays."""
    return labels(status_codes(values, min, max, scale))


def status_codes(values: object, min: Bound = None, max: Bound = None, scale: Bound = None) -> np.ndarray:
    """``evaluate``, each status as its place in STATUSES: a whole sheet's statuses compared and counted as small
    numbers, without a Python string per row."""
    v = as_numbers(values)
    lo, hi = _bound(min, -np.inf), _bound(max, np.inf)
    no_range = np.isneginf(lo) & np.isposinf(hi)
    conditions, codes = [no_range, np.isnan(v), v < lo, v > hi], [1, 2, 3, 4]
    if scale is not None:
        s = _bound(scale, 1.0)
        with np.errstate(invalid="ignore"):  # an open side (infinite) times 0 stays open
            lo, hi = _moved(lo, s), _moved(hi, s)
        conditions, codes = [np.asarray(s) == 0, no_range, np.isnan(v), v < lo, v > hi], [5, 1, 2, 3, 4]
    # the first condition that holds wins, in the order of the rule above; codes index STATUSES
    return np.select(conditions, codes, default=0)


def _moved(bound: np.ndarray | float, scale: np.ndarray | float) -> np.ndarray | float:
    """A bound times its scale; an open side (infinite) stays open, and is not worked out for every row."""
    if np.size(bound) == 1 and np.isinf(bound).all():
        return bound
    return np.where(np.isinf(bound), bound, scaled(bound, scale))  # type: ignore[arg-type]


def labels(codes: np.ndarray) -> np.ndarray:
    """The statuses' text for their codes (status_codes)."""
    return _LABELS[codes]


def status(value: object, range: Range | None) -> Status:
    """One value against one range: what a UDF cell or a summary cell shows."""
    if range is None:
        return Status.NO_RANGE
    return Status(evaluate([value], range.min, range.max)[0])


def rate(numerator: object, denominator: object) -> np.ndarray:
    """Numerator / denominator, NaN where the denominator is zero, negative or empty."""
    num, den = as_numbers(numerator), as_numbers(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def score(values: object, min: Bound = None, max: Bound = None) -> np.ndarray:
    """Where a value sits in its range, for charts and sorting: 0 at Min, 1 at Max, below 0 under the range and
    above 1 over it. With only a Min, value / Min (1 = just at the floor); with only a Max, value / Max.
    NaN (a blank cell) with no value, no range, or a zero bound it cannot be divided by."""
    v = as_numbers(values)
    lo = np.broadcast_to(np.asarray(_bound(min, np.nan), dtype=float), v.shape)
    hi = np.broadcast_to(np.asarray(_bound(max, np.nan), dtype=float), v.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        both = np.where(hi > lo, (v - lo) / (hi - lo), np.where(v < lo, -np.inf, np.where(v > hi, np.inf, 1.0)))
        floor = np.where(lo != 0, v / lo, np.nan)
        ceiling = np.where(hi != 0, v / hi, np.nan)
    has_lo, has_hi = ~np.isnan(lo), ~np.isnan(hi)
    out = np.where(has_lo & has_hi, both, np.where(has_lo, floor, np.where(has_hi, ceiling, np.nan)))
    return np.where(np.isinf(out), np.nan, out)
