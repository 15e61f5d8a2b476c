"""The one pooled rate (sum of numerator / sum of denominator) the summary, the funnel and the baseline share."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.effective import row_scales
from salesmetrics_xl.core.evaluate import (
    RowStatuses,
    pooled_rate,
    pooled_sums,
    scorecard_metrics,
    status_rows,
    week_stamps,
)
from salesmetrics_xl.core.parse import parse_ranges
from salesmetrics_xl.core.streaks import weeks_back
from salesmetrics_xl.core.summary import _one_row_per_week
from tests.conftest import RANGES_HEADER, TRACKING_HEADER
from tests.core.test_summary import W, row, tracking


def test_a_rate_is_pooled_over_the_rows_where_both_counts_are_there():
    frame = pd.DataFrame({"Dials": [10, 90, None, 50, 0], "Conversations": [1, 45, 7, None, 0]})
    num, den = pooled_sums(frame, "Conversations", "Dials")
    # the row with no dials and the row with no conversations tilt nothing: 46 / 100, not 53 / 150
    assert (num.tolist(), den.tolist()) == ([46.0], [100.0])
    assert pooled_rate(num, den)[0] == pytest.approx(0.46)
    codes = np.array([0, 1, 1, 0, 2])
    num, den = pooled_sums(frame, "Conversations", "Dials", codes, 3)
    assert num.tolist() == [1, 45, 0] and den.tolist() == [10, 90, 0]
    rates = pooled_rate(num, den)
    assert rates[:2].tolist() == [0.1, 0.5] and np.isnan(rates[2])  # no dials: no rate, never 0 or inf
    assert np.isnan(pooled_rate(*pooled_sums(frame, "Conversations", "Missing column"))[0])


@settings(deadline=None, max_examples=50)
@given(rows=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=1, max_size=12))
def test_pooled_is_the_sum_over_the_sum(rows):
    frame = pd.DataFrame(rows, columns=["Dials", "Conversations"])
    rate = pooled_rate(*pooled_sums(frame, "Conversations", "Dials"))[0]
    total = sum(d for d, _ in rows)
    if total:
        assert rate == pytest.approx(sum(c for _, c in rows) / total)
    else:
        assert np.isnan(rate)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=12), st.booleans())
def test_rows_judged_when_asked_are_judged_as_the_whole_sheet_would_be(asked, with_days):
    """The summary judges only the weeks it reads (this one, the last, the range check's, a streak's), a span of
    weeks at a time: each row's code is the one judging every row of the sheet at once gives."""
    days = TRACKING_HEADER.index("Days Worked")
    rng = np.random.default_rng(len(asked))
    rows = []
    for k in range(42):
        for rep, role in (("Ann", "SDR"), ("Bob", "AE"), ("Cy", None)):
            r = row(W[2] - dt.timedelta(weeks=k), rep, *rng.choice([0, 30, 60, 90], 1).tolist(),
                    *rng.choice([0, 5, 12], 2).tolist(), role=role)
            r += [None] * (len(TRACKING_HEADER) - len(r))
            r[days] = int(rng.choice([0, 3, 5])) if with_days else None
            rows.append(r)
    own = [["Dials", "activity", "", "week", 20, 40, "count", "AE"], ["Dials", "activity", "", "week", 50, 75, "count"],
           ["Connect Rate", "quality", "", "week", 0.15, None, "rate"], ["SQLs", "outcome", "", "week", 1, 4, "count",
                                                                         "SDR"]]
    ranges = parse_ranges([RANGES_HEADER, *own], tracking_columns=TRACKING_HEADER)[0]
    frame, _ = _one_row_per_week(tracking(rows).frame)
    metrics = scorecard_metrics(ranges)
    scales = row_scales(frame, ranges.fairness)
    whole = status_rows(frame, ranges, metrics=metrics, scales=scales)
    back = weeks_back(week_stamps(frame), pd.Timestamp(W[2]))
    statuses = {m.name: np.full(len(frame), -1, dtype=np.int8) for m in metrics}
    judge = RowStatuses(frame, ranges, metrics, scales, back, statuses)
    for k in asked:
        at = np.flatnonzero(back == k)
        assert judge(at).tolist() == np.column_stack([whole[m.name][1][at] for m in metrics]).tolist()
    assert judge.judged <= 2 * (max(asked) + 1)  # no more weeks judged than a doubling span reaches
