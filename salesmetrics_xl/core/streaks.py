"""Weeks in a row out of range, stated once: from this week back, a rep's streak on a metric counts each week whose
row is out of range (below or above), until a week that is not, or a week with no row. A week off (0 days worked)
is skipped: a holiday neither breaks a streak nor adds to it.

Walked back week by week from this week's rows, every rep at once, and only as far as some streak still runs: a
sheet with years of history is not judged row by row to find streaks a few weeks long."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from salesmetrics_xl.core.status import STATUSES, Status

OUT_OF_RANGE = (STATUSES.index(Status.BELOW), STATUSES.index(Status.ABOVE))  # as status codes


def weeks_back(stamps: np.ndarray, week: pd.Timestamp) -> np.ndarray:
    """Each row's week as whole weeks before ``week`` (0: this week); -1 for a later week or no week (NaT)."""
    with np.errstate(invalid="ignore"):
        back = np.where(np.isnat(stamps), -1, (pd.Timestamp(week).to_datetime64() - stamps) // np.timedelta64(7, "D"))
    return np.where(back < 0, -1, back)


def streaks(reps: np.ndarray, back: np.ndarray, start: np.ndarray, metrics: int,
            judge: Callable[[np.ndarray], np.ndarray], off: np.ndarray | None = None) -> np.ndarray:
    """Per row of ``start`` (this week's rows, by position, one per rep) and each of ``metrics`` metrics, the weeks
    in a row out of range ending this week. ``reps``: each row's rep as a code (0..n-1, -1 for none; one row per
    rep and week); ``back``: weeks_back; ``judge(rows)``: the status codes of those rows, one column per metric;
    ``off``: whether each row is a week off."""
    n = int(reps.max(initial=-1)) + 1
    found = np.zeros((len(start), metrics), dtype=np.int64)
    running = np.ones(found.shape, dtype=bool)  # per rep and metric: the streak has not ended
    rows, who = np.asarray(start, dtype=np.int64), np.arange(len(start))  # each running rep's row, its place
    week = 0
    while len(rows):
        if off is not None and (away := off[rows]).any():  # skipped, neither counted nor ended
            worked, rows_worked = who[~away], rows[~away]
        else:
            worked, rows_worked = who, rows
        if len(rows_worked):
            running[worked] &= np.isin(judge(rows_worked), OUT_OF_RANGE)
            found[worked] += running[worked]
        keep = running[who].any(axis=1)
        rows, who = rows[keep], who[keep]
        week += 1
        earlier = np.flatnonzero(back == week)  # the week before: each running rep's row there, if any
        row_of = np.full(n + 1, -1, dtype=np.int64)
        row_of[reps[earlier]] = earlier
        rows = row_of[reps[rows]]
        has = rows >= 0
        rows, who = rows[has], who[has]
    return found
