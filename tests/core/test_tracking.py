"""core/tracking.py: the checks that need only the data. Here: a rep's second row for a week is found by hashing
the (rep, week) pairs, with the answer sorting them gave."""

from __future__ import annotations

import numpy as np
import pytest

from salesmetrics_xl.core.tracking import _repeats

WEEK_NS = 7 * 24 * 3600 * 10**9


def _sorted_answer(reps: np.ndarray, weeks: np.ndarray) -> bool:
    keys = np.stack([reps, weeks])
    return bool(keys.shape[1]) and np.unique(keys, axis=1).shape[1] < keys.shape[1]


@pytest.mark.parametrize("seed", range(40))
def test_repeats_answers_as_sorting_the_pairs_did(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    reps = rng.integers(-1, 12, n)  # -1: a blank name, as pandas.factorize codes it
    weeks = (rng.integers(0, 30, n) * WEEK_NS + 1_700_000_000 * 10**9).astype(np.int64)
    if seed % 2:  # most sound sheets: each rep once a week
        pairs = {(r, w) for r, w in zip(reps.tolist(), weeks.tolist(), strict=True)}
        reps = np.array([r for r, _ in pairs], dtype=np.int64)
        weeks = np.array([w for _, w in pairs], dtype=np.int64)
    assert _repeats(reps, weeks) == _sorted_answer(reps, weeks)


def test_a_rep_twice_in_a_week_is_a_repeat_and_two_reps_in_a_week_are_not():
    week = np.array([5 * WEEK_NS, 5 * WEEK_NS], dtype=np.int64)
    assert _repeats(np.array([3, 3]), week)
    assert not _repeats(np.array([3, 4]), week)
    assert not _repeats(np.array([3, 3]), np.array([5 * WEEK_NS, 6 * WEEK_NS], dtype=np.int64))
    assert not _repeats(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
