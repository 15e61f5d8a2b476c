"""Teams and ranges the ranking, baseline and summary tests share."""

import datetime as dt

from salesmetrics_xl.core.parse import parse_ranges, parse_tracking
from tests.conftest import RANGES_HEADER, TRACKING_HEADER


def ranges_of(*rows):
    """A Ranges table: (metric, period, min, max, role) rows."""
    table = [RANGES_HEADER] + [[metric, None, None, period, low, high, None, role, None]
                               for metric, period, low, high, role in rows]
    ranges, problems = parse_ranges(table, tracking_columns=TRACKING_HEADER)
    assert not [p for p in problems if p.severity == "error"], problems
    return ranges


FULL_CYCLE = ranges_of(("Dials", "week", 50, 75, None), ("Emails", "week", 100, 200, None),
                       ("Conversations", "week", 10, 20, None), ("Meetings Booked", "week", 3, 6, None),
                       ("Win Rate", "week", 0.2, None, None), ("SQLs", "week", 1, None, None),
                       ("Opportunities", "week", 1, None, None), ("Deals Won", "month", 2, None, None),
                       ("New MRR", "month", 3000, None, None))


TEAM_WEEKS = [dt.date(2026, 11, 9), dt.date(2026, 11, 16)]


LOW = [f"Low {i:02d}" for i in range(23)]  # 10 dials, 10 emails, 1 conversation a week, no outcome at all


GOOD = [f"Good {i:02d}" for i in range(5)]  # 60 dials, 120 emails, 12 conversations, 4 meetings, 2 SQLs, 1 deal


def few_closers(low_weeks=TEAM_WEEKS, good_weeks=TEAM_WEEKS):
    """28 SDRs over 2 weeks, judged by the default ranges: a quarter of the team is 7 reps, but only 5 have any
    outcome. (TrackingData, RangeSet)."""
    from salesmetrics_xl.core.parse import parse_ranges
    from tests.conftest import TRACKING_HEADER, default_ranges_rows

    rows = [[week, rep, "East", "SDR", *figures] for names, weeks, figures in (
        (LOW, low_weeks, (10, 10, 1, 0, 0, 0, 0, 0)), (GOOD, good_weeks, (60, 120, 12, 4, 2, 1, 1, 900)))
            for week in weeks for rep in names]
    data, problems = parse_tracking([TRACKING_HEADER[:12], *rows], file="team.xlsx")
    assert not problems, problems
    ranges, problems = parse_ranges(default_ranges_rows(), tracking_columns=list(data.letters))
    assert not problems, problems
    return data, ranges
