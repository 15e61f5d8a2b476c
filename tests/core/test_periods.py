"""A range without a period is read as a week's, and a target that looks like a month's is said to be one."""

import datetime as dt

from salesmetrics_xl.core.parse import parse_ranges, parse_tracking
from salesmetrics_xl.core.periods import LOOKS_MONTHLY, looks_monthly

WEEKS = [dt.date(2026, 11, 2) + dt.timedelta(weeks=i) for i in range(3)]
# Calls and SQLs per rep per week: the team's best week is 2 SQLs per rep on average (the third).
ROWS = [("Week", "Rep", "Calls", "SQLs")] + [
    (week, rep, 60, sqls[i]) for i, week in enumerate(WEEKS) for rep, sqls in (("Ann", (1, 2, 3)), ("Bo", (1, 1, 1)))]


def judged(targets):
    tracking, _ = parse_tracking(ROWS, sheet="Log")
    ranges, problems = parse_ranges(targets, tracking_columns=list(tracking.letters), sheet="Targets")
    return looks_monthly(tracking, ranges), problems


def test_a_target_above_three_times_the_teams_best_week_read_as_a_weeks_gets_a_warning_that_says_so():
    found, _ = judged([("Metric", "Min", "Max"), ("SQLs", 6.5, None), ("Calls", 50, 75)])
    (warning,) = found
    assert (warning.severity, warning.code, warning.sheet, warning.cell) == ("warning", "looks-monthly", "Targets",
                                                                             "B2")
    assert warning.message == ("SQLs: Min 6.5 is read as a week's target (no period given), but it is 3.2 times the "
                               "team's best week (2.0 per rep, the week of 2026-11-16): if it is a month's target, "
                               "write month in a Period column, or call it 'SQLs per month'")


def test_the_users_header_names_the_column_in_the_warning_and_a_max_alone_is_judged_too():
    found, _ = judged([("Metric", "Max"), ("Calls", 400)])
    (warning,) = found
    assert warning.message.startswith("Calls (Dials): Max 400 is read as a week's target") and warning.cell == "B2"


def test_no_warning_at_three_times_or_when_a_period_is_given():
    at_most, _ = judged([("Metric", "Min"), ("SQLs", LOOKS_MONTHLY * 2)])  # exactly 3x: plausible for a week
    assert at_most == []
    named, problems = judged([("Metric", "Min"), ("SQLs per month", 20)])
    assert named == [] and problems == []  # the name gave the period: nothing assumed
    given, _ = judged([("Metric", "Period", "Min"), ("SQLs", "week", 20)])
    assert given == []  # a week written in the Period cell is the user's word, not our guess


def test_a_blank_period_cell_is_read_as_a_week_and_a_monthly_looking_target_there_is_warned_about():
    found, problems = judged([("Metric", "Period", "Min"), ("SQLs", None, 8)])
    assert problems == []  # blank Period under a Period column: a week, as the column's help says
    assert [w.code for w in found] == ["looks-monthly"]
