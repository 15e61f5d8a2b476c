"""Weeks in a row out of range, walked back every rep at once (core/streaks.py), against the rule walked one rep and
one week at a time: from this week back, each out-of-range week counts until a week in range (or with no data or no
range) or a week with no row; a week off is skipped."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.status import STATUSES
from salesmetrics_xl.core.streaks import OUT_OF_RANGE, streaks, weeks_back

THIS = pd.Timestamp("2026-11-16")
# every status code but OFF, which only a week off has; out of range most often, so that streaks run long
CODES = [*OUT_OF_RANGE * 3, *(c for c in range(len(STATUSES) - 1) if c not in OUT_OF_RANGE)]


def walked(rows: list[tuple[int, int, bool, tuple[int, ...]]], rep: int, metric: int) -> int:
    """The rule, one week at a time: ``rows`` are (rep, weeks back, off, status code per metric)."""
    by_week = {back: (off, codes) for r, back, off, codes in rows if r == rep}
    count, back = 0, 0
    while back in by_week:
        off, codes = by_week[back]
        if not off:
            if codes[metric] not in OUT_OF_RANGE:
                break
            count += 1
        back += 1
    return count


REPS, WEEKS = 4, 12  # weeks back from -2 (later weeks, never counted) to 9
# each rep's week: no row (one time in five), or a row that is a week off or not, with its status per metric
week_of_rep = st.tuples(st.integers(0, 4), st.booleans(), st.tuples(*[st.sampled_from(CODES)] * 3))


@settings(max_examples=300, deadline=None)
@given(st.lists(week_of_rep, min_size=REPS * WEEKS, max_size=REPS * WEEKS), st.booleans(), st.randoms())
def test_every_reps_streak_is_the_week_by_week_walk(grid, with_off, order):
    kept = [(k // WEEKS, k % WEEKS - 2, off and with_off and k % WEEKS != 2, codes)  # this week's rows: worked
            for k, (present, off, codes) in enumerate(grid) if present]
    order.shuffle(kept)  # in any order on the sheet
    reps = np.array([r for r, *_ in kept], dtype=np.int64)
    back = np.array([b for _, b, _, _ in kept], dtype=np.int64).clip(-1)
    off = np.array([o for *_, o, _ in kept], dtype=bool) if with_off else None
    codes = np.array([c for *_, c in kept], dtype=np.int64).reshape(len(kept), 3)
    start = np.flatnonzero(back == 0)
    asked: list[int] = []

    def judge(at: np.ndarray) -> np.ndarray:
        asked.extend(at.tolist())
        return codes[at]

    found = streaks(reps, back, start, 3, judge, off)
    for place, i in enumerate(start.tolist()):
        assert found[place].tolist() == [walked(kept, kept[i][0], m) for m in range(3)], (kept, i)
    assert len(asked) == len(set(asked))  # each row judged once at most
    assert off is None or not off[asked].any()  # a week off is never judged


def test_weeks_back_counts_whole_weeks_and_leaves_later_weeks_and_blanks_out():
    stamps = pd.to_datetime(pd.Series([THIS, THIS - pd.Timedelta(days=7), THIS - pd.Timedelta(weeks=30),
                                       THIS + pd.Timedelta(days=7), pd.NaT, THIS - pd.Timedelta(days=1)])
                            ).to_numpy(dtype="datetime64[ns]")
    assert weeks_back(stamps, THIS).tolist() == [0, 1, 30, -1, -1, 0]


def test_a_streak_running_back_years_is_counted_whole():
    weeks = 300
    rows = np.arange(weeks, dtype=np.int64)
    out = np.full((weeks, 1), OUT_OF_RANGE[0])
    assert streaks(np.zeros(weeks, dtype=np.int64), rows, np.array([0]), 1, lambda at: out[at]).tolist() == [[weeks]]
