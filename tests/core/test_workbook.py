"""One matcher for what people type: Tracking headers, Ranges metric names and sheet names."""

import datetime as dt

import pytest

from salesmetrics_xl.core.metrics import unknown_message
from salesmetrics_xl.core.parse import parse_ranges, parse_tracking, sheet_in_name
from salesmetrics_xl.core.tracking import TrackingData, check_tracking
from salesmetrics_xl.core.workbook import METRIC_NAMES, RANGES, TRACKING, metric_named

ALIASES = {"Calls": "Dials", "Emails Sent": "Emails", "Connects": "Conversations", "Meetings Set": "Meetings Booked",
           "Sales Qualified Leads": "SQLs", "Closed Won": "Deals Won", "MRR": "New MRR", "close rate": "Win Rate"}


@pytest.mark.parametrize(("typed", "meant"), ALIASES.items())
def test_a_ranges_metric_name_takes_the_aliases_a_header_takes(typed, meant):
    assert metric_named(typed)[0].name == meant
    column = TRACKING.match(typed)
    assert column is None or column.name == meant  # the same name means the same thing in both sheets


def test_a_targets_sheet_under_alias_names_is_read_without_an_error():
    rows = [("Metric", "Period", "Min", "Max"), *[(name, "week", 1, None) for name in ALIASES]]
    ranges, problems = parse_ranges(rows, tracking_columns=[], sheet="Targets")
    assert problems == [] and [r.metric.name for r in ranges.rules] == list(ALIASES.values())


def test_suggestions_only_for_close_matches():
    with pytest.raises(KeyError, match="did you mean 'Conversations'"):
        metric_named("Conects")
    with pytest.raises(KeyError, match="did you mean 'Dials'"):
        metric_named("Dails")
    for far in ("Pipeline Value", "Demos Held", "Revenue"):
        with pytest.raises(KeyError) as info:
            metric_named(far)
        assert "did you mean" not in str(info.value) and "known: Dials, Emails" in str(info.value)
    assert "did you mean" not in unknown_message("column", "Replys Sent", ["Emails", "Replies"])


def test_every_alias_is_unique_across_metrics():
    keys = [k.casefold().replace(" ", "") for name, aliases in METRIC_NAMES.items() for k in (name, *aliases)]
    assert len(keys) == len(set(keys))


def test_goals_and_weekly_activity_are_recognised_sheet_names():
    assert "Goals" in RANGES.sheet_names and "Targets" in RANGES.sheet_names
    assert "Weekly Activity" in TRACKING.sheet_names


@pytest.mark.parametrize(("refers_to", "sheet"), [("='Weekly Activity'!$A$1", "Weekly Activity"),
                                                  ("=Goals!$A$1:$F$20", "Goals"), ('="Goals"', "Goals"),
                                                  ("='Bob''s'!A1", "Bob's"), ("=#REF!", None)])
def test_a_defined_name_points_at_a_sheet(refers_to, sheet):
    assert sheet_in_name(refers_to) == sheet


def test_funnel_and_future_warnings_from_whole_columns_name_each_cell():
    header = ["Week", "Rep", "Opportunities", "Deals Won"]
    weeks = [dt.date(2026, 11, 9), dt.date(2026, 11, 16), dt.date(2026, 12, 7)]
    rows = [header, *[[w, f"Rep {i}", 1, 2 if i % 2 else 0] for i, w in enumerate(weeks * 2)]]
    data, _ = parse_tracking(rows, file="f.xlsx")
    assert isinstance(data, TrackingData)
    problems = check_tracking(data, dt.date(2026, 11, 23))
    funnel = [(p.cell, p.message) for p in problems if p.code == "impossible-funnel"]
    assert funnel == [(f"D{r}", f"Rep {r - 2}: Deals Won 2 > Opportunities 1: more deals won than opportunities "
                                 "opened this week; fine if they came from earlier weeks' pipeline, otherwise check "
                                 "the numbers") for r in (3, 5, 7)]
    future = [(p.cell, p.message) for p in problems if p.code == "future-week"]
    assert future == [("A4", "the week of 2026-12-07 is in the future"), ("A7", "the week of 2026-12-07 is in the "
                                                                               "future")]


def test_a_goals_sheet_with_a_target_column_gives_minimums():
    from salesmetrics_xl.core.parse import parse_ranges

    ranges, problems = parse_ranges([["Metric", "Target", "Stretch"], ["Calls", 50, 90],
                                     ["Sales Qualified Leads", 5, 8]], tracking_columns=[])
    assert [p for p in problems if p.severity == "error"] == []
    assert ranges.lookup("Dials").min == 50 and ranges.lookup("SQLs").min == 5
