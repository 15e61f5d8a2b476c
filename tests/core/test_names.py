"""One matcher for a metric named in a team's words, with its period; one label for a column."""

import pytest

from salesmetrics_xl.core.metrics import Period
from salesmetrics_xl.core.names import did_you_mean, label, match_metric, split_period
from salesmetrics_xl.core.parse import parse_ranges
from salesmetrics_xl.core.workbook import METRIC_NAMES

MONTH, WEEK = Period.MONTH, Period.WEEK


@pytest.mark.parametrize(("typed", "metric", "period"), [
    ("Calls per week", "Dials", WEEK),  # Calls is another name for Dials
    ("Calls Per Week", "Dials", WEEK),
    ("Call per week", "Dials", WEEK),  # singular
    ("SQLs per month", "SQLs", MONTH),
    ("SQL per month", "SQLs", MONTH),
    ("Monthly SQLs", "SQLs", MONTH),
    ("monthly SQL", "SQLs", MONTH),
    ("Weekly Dials", "Dials", WEEK),
    ("SQLs (month)", "SQLs", MONTH),
    ("SQLs (per month)", "SQLs", MONTH),
    ("SQLs [monthly]", "SQLs", MONTH),
    ("SQL target (month)", "SQLs", MONTH),
    ("Monthly SQL target", "SQLs", MONTH),
    ("Deals per month", "Deals Won", MONTH),
    ("Deal per month", "Deals Won", MONTH),
    ("Closed Won per month", "Deals Won", MONTH),
    ("Opportunity per week", "Opportunities", WEEK),
    ("Meetings Set a week", "Meetings Booked", WEEK),
    ("Connects / wk", "Conversations", WEEK),
    ("MRR ($) per month", "New MRR", MONTH),
    ("New MRR - monthly", "New MRR", MONTH),
    ("Win Rate per month", "Win Rate", MONTH),
    ("Calls target", "Dials", None),
    ("Calls goal", "Dials", None),
    ("SQL quota", "SQLs", None),
    ("Meetings Booked", "Meetings Booked", None),  # a name that is a metric is never split
    ("Connect Rate", "Connect Rate", None),
])
def test_a_metric_name_with_its_period_in_the_teams_words(typed, metric, period):
    assert match_metric(typed, METRIC_NAMES)[:2] == (metric, period)


@pytest.mark.parametrize("typed", ["Revenue per month", "Pipeline Value", "Demos Held per week"])
def test_a_name_nothing_matches_is_none_and_gets_no_far_fetched_suggestion(typed):
    found, _, _ = match_metric(typed, METRIC_NAMES)
    assert found is None and did_you_mean(typed, METRIC_NAMES) is None


def test_a_close_name_gets_a_did_you_mean_with_or_without_its_period():
    assert did_you_mean("Callz per week", METRIC_NAMES) == "Dials"
    assert did_you_mean("Conects", METRIC_NAMES) == "Conversations"


def test_split_period_keeps_the_name_of_a_metric_of_the_teams_own():
    assert split_period("Replies per week") == ("Replies", WEEK)
    assert split_period("Demos") == ("Demos", None)


def test_the_ranges_sheet_reads_the_period_from_the_name_and_says_what_it_did_not_know():
    rows = [("Metric", "Min", "Max"), ("Calls per week", 50, 75), ("SQLs per month", 6, None),
            ("SQL target (month)", 6, None), ("Meetings Set", 3, 6), ("Callz per week", 1, 2),
            ("Revenue per month", 1, None), ("Connect Rate", 0.15, None)]
    ranges, problems = parse_ranges(rows, tracking_columns=[], sheet="Targets")
    read = {(r.metric.name, r.period) for r in ranges.rules}
    assert read == {("Dials", WEEK), ("SQLs", MONTH), ("Meetings Booked", WEEK), ("Connect Rate", WEEK)}
    by_cell = {p.cell: p for p in problems}
    assert by_cell["A4"].message == "SQL target (month): SQLs (month) already has a range in A3"  # same metric, period
    assert by_cell["A6"].message == "unknown metric 'Callz per week'; did you mean 'Dials'?"
    assert "did you mean" not in by_cell["A7"].message and "known: Dials" in by_cell["A7"].message
    (assumed,) = [p for p in problems if p.code == "period-assumed"]
    assert assumed.severity == "warning" and assumed.cell == "A5"
    assert assumed.message.startswith("there is no Period column, so these ranges are read as a week's: Meetings Set "
                                      "(row 5).")  # not the rate: a share is a share whatever the period
    assert [r.period_assumed for r in ranges.rules if r.metric.name == "Meetings Booked"] == [True]


def test_a_period_column_and_a_name_that_disagree_is_an_error_in_the_period_cell():
    rows = [("Metric", "Period", "Min"), ("SQLs per month", "week", 6), ("Calls per week", "", 50)]
    ranges, problems = parse_ranges(rows, tracking_columns=[], sheet="Targets")
    (error,) = problems
    assert (error.cell, error.message) == ("B2", "SQLs per month: the name says a month but Period says week; make "
                                                 "them agree")
    assert [(r.metric.name, r.period) for r in ranges.rules] == [("Dials", WEEK)]  # a blank Period: the name's


def test_one_label_for_a_column_the_users_header_first_ours_in_brackets():
    assert label("Dials", "Calls") == "Calls (Dials)"
    assert label("SQLs", " sqls ") == "SQLs"  # the same name: no brackets
    assert label("Conversations", None) == "Conversations"
    assert label("New MRR", "MRR ($)") == "MRR ($) (New MRR)"


@pytest.mark.parametrize(("typed", "written"), [("Calls per day", "Calls"), ("Daily Dials", "Dials"),
                                                ("SQLs (day)", "SQLs"), ("Connects/day", "Connects")])
def test_a_days_target_is_told_how_to_write_it_as_a_weeks(typed, written):
    _, problems = parse_ranges([("Metric", "Min"), (typed, 15)], tracking_columns=[], sheet="Targets")
    (error,) = problems
    assert (error.cell, error.message) == ("A2", f"'{typed}': a range is for a week or a month, not a day; write a "
                                                 "week's numbers (a day's times the days in your working week) as "
                                                 f"'{written} per week'")
