"""Which range applies: a role's own range wins over the general one, and a summary's lookups, each made once, give
the same answers as the ranges themselves."""

from __future__ import annotations

import datetime as dt

from salesmetrics_xl.core.metrics import Period
from salesmetrics_xl.core.ranges import KnownRanges
from salesmetrics_xl.reader import read_workbook
from tests.conftest import EXAMPLE


def test_a_range_looked_up_once_is_the_range_looked_up_each_time():
    ranges = read_workbook(EXAMPLE, today=dt.date(2026, 11, 22)).ranges
    known = KnownRanges(ranges)
    roles = [None, "", "SDR", "sdr ", "AE", "Nobody", *{r.role for r in ranges.rules}]
    names = [m.name for m in ranges.metrics] + ["connect rate", "Not A Metric"]
    asked = 0
    for _ in range(2):  # the second time from what was looked up
        for metric in names:
            for period in Period:
                for role in roles:
                    assert known.lookup(metric, period, role) == ranges.lookup(metric, period, role)
                    asked += ranges.lookup(metric, period, role) is not None
    assert asked > 20  # the example's ranges answer most of them
    assert known.lookup("SQLs", Period.MONTH, None) is ranges.lookup("SQLs", Period.MONTH, None) is not None
