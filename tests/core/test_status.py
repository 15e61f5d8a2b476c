import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.metrics import Range
from salesmetrics_xl.core.status import STATUSES, Status, evaluate, rate, status, status_codes


def spec(value: float | None, lo: float | None, hi: float | None) -> str:
    """The rule as the issue states it, written independently of the implementation."""
    if lo is None and hi is None:
        return "NO RANGE"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NO DATA"
    if lo is not None and value < lo:
        return "BELOW"
    if hi is not None and value > hi:
        return "ABOVE"
    return "IN RANGE"


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
small = st.integers(min_value=0, max_value=20).map(float)  # collides with bounds often, to hit the edges
values = st.one_of(st.none(), st.just(float("nan")), finite, small)
bounds = st.one_of(st.none(), finite, small)


@st.composite
def ranges(draw: st.DrawFn) -> tuple[float | None, float | None]:
    lo, hi = draw(bounds), draw(bounds)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


@settings(deadline=None)  # no test depends on wall-clock speed; speed is measured in benchmarks/
@given(value=values, bounds=ranges())
def test_scalar_matches_the_stated_rule(value, bounds):
    lo, hi = bounds
    expected = spec(value, lo, hi)
    assert status(value, Range(min=lo, max=hi)).value == expected


@settings(deadline=None)
@given(data=st.lists(st.tuples(values, ranges()), min_size=1, max_size=200))
def test_vectorised_with_per_row_bounds_matches_scalar(data):
    vals = [v for v, _ in data]
    los = [np.nan if b[0] is None else b[0] for _, b in data]
    his = [np.nan if b[1] is None else b[1] for _, b in data]
    got = evaluate(vals, np.array(los), np.array(his))
    assert list(got) == [status(v, Range(min=b[0], max=b[1])).value for v, b in data]


@settings(deadline=None, max_examples=25)  # 100,000 values per example: a few hundred ms each on a busy machine
@given(bounds=ranges(), seed=st.integers(0, 2**32 - 1))
def test_100k_values_in_one_call_match_one_by_one(bounds, seed):
    lo, hi = bounds
    rng = np.random.default_rng(seed)
    vals = rng.integers(-5, 25, size=100_000).astype(float)
    vals[rng.random(100_000) < 0.05] = np.nan
    series = pd.Series(vals)
    got = evaluate(series, lo, hi)
    assert len(got) == 100_000
    uniques = {v: spec(None if np.isnan(v) else v, lo, hi) for v in np.unique(vals)} | {np.nan: spec(None, lo, hi)}
    expected = [spec(None, lo, hi) if np.isnan(v) else uniques[v] for v in vals]
    assert list(got) == expected
    assert list(evaluate(vals, lo, hi)) == list(got)  # ndarray and Series give the same


scales = st.one_of(st.just(0.0), st.just(1.0), st.sampled_from([0.5, 0.6, 0.75, 1 / 3, 0.15]))


@settings(deadline=None)
@given(data=st.lists(st.tuples(values, ranges(), scales), min_size=1, max_size=60), shared=ranges())
def test_scaled_per_row_and_shared_bounds_match_the_rule_row_by_row(data, shared):
    """Each row's bounds moved by its scale (rounded to 9 decimals), an open side staying open, a scale of 0
    OFF: per-row bounds, one bound for every row (a number or a one-element array) and the codes all agree."""
    vals = [v for v, _, _ in data]
    factor = np.array([f for _, _, f in data])

    def expected(v, lo, hi, f):
        if f == 0:
            return "OFF"
        return spec(v, None if lo is None else round(lo * f, 9), None if hi is None else round(hi * f, 9))

    los = np.array([np.nan if b[0] is None else b[0] for _, b, _ in data])
    his = np.array([np.nan if b[1] is None else b[1] for _, b, _ in data])
    assert list(evaluate(vals, los, his, factor)) == [expected(v, *b, f) for v, b, f in data]
    lo, hi = shared
    one = [expected(v, lo, hi, f) for v, _, f in data]
    assert list(evaluate(vals, lo, hi, factor)) == one
    assert list(evaluate(vals, np.array([np.nan if lo is None else lo]), np.array([np.nan if hi is None else hi]),
                         factor)) == one
    assert [STATUSES[c].value for c in status_codes(vals, lo, hi, factor)] == one


def test_bounds_are_inclusive_and_blanks_are_no_data():
    r = Range(min=50, max=75)
    assert [status(v, r) for v in (49, 50, 75, 76)] == [Status.BELOW, Status.IN_RANGE, Status.IN_RANGE, Status.ABOVE]
    assert status(None, r) is Status.NO_DATA
    assert status("", r) is Status.NO_DATA
    assert status(float("nan"), r) is Status.NO_DATA
    assert status(60, None) is Status.NO_RANGE
    assert status(60, Range()) is Status.NO_RANGE
    assert status(None, None) is Status.NO_RANGE


def test_open_ended_ranges():
    assert status(5, Range(min=5)) is Status.IN_RANGE
    assert status(1e9, Range(min=5)) is Status.IN_RANGE
    assert status(4.99, Range(min=5)) is Status.BELOW
    assert status(-1e9, Range(max=3)) is Status.IN_RANGE
    assert status(3.01, Range(max=3)) is Status.ABOVE


def test_rates_are_fractions_and_a_zero_denominator_is_no_data():
    rates = rate([3, 5, 1, None, 2], [20, 0, None, 10, -1])
    assert rates[0] == 0.15
    assert all(np.isnan(rates[1:]))
    assert list(evaluate(rates, 0.15, None)) == ["IN RANGE", "NO DATA", "NO DATA", "NO DATA", "NO DATA"]
    assert status(rates[0], Range(min=0.16)) is Status.BELOW


def test_text_that_is_not_a_number_is_an_error_not_a_blank():
    with pytest.raises(ValueError, match="not a number"):
        evaluate(["12 calls"], 1, 5)


def test_min_above_max_is_invalid():
    with pytest.raises(ValueError, match="greater than max"):
        Range(min=10, max=5)


def test_above_is_good_news_except_for_activity():
    from salesmetrics_xl.core.metrics import Category
    from salesmetrics_xl.core.status import above_is_good, counts_as_in_range

    assert [above_is_good(c) for c in Category] == [False, True, True]  # activity, quality, outcome
    assert counts_as_in_range(Status.ABOVE, Category.OUTCOME) and counts_as_in_range(Status.IN_RANGE, Category.ACTIVITY)
    assert not counts_as_in_range(Status.ABOVE, Category.ACTIVITY)
    assert not counts_as_in_range(Status.BELOW, Category.QUALITY)
