"""The one pooled rate (sum of numerator / sum of denominator) the summary, the funnel and the baseline share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.evaluate import pooled_rate, pooled_sums


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
