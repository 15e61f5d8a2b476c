import datetime as dt

import pytest

from salesmetrics_xl.core.baseline import build_baseline, nice, rank_by_outcomes
from salesmetrics_xl.core.metrics import Unit
from salesmetrics_xl.core.parse import default_ranges, parse_tracking
from salesmetrics_xl.core.workbook import REP
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.template import EXAMPLE_STORIES
from tests.conftest import EXAMPLE, TRACKING_HEADER

TODAY = dt.date(2026, 11, 22)  # a Sunday: the week of Nov 16 is not complete yet
WEEKS = [dt.date(2026, 11, 16) - dt.timedelta(weeks=i) for i in range(12)]


def team(rows):
    data, problems = parse_tracking([TRACKING_HEADER, *rows])
    assert not [p for p in problems if p.severity == "error"]
    return data


def rep_weeks(name, dials, conv, sqls, weeks=WEEKS[1:9], role="SDR", won=1, opps=2, mrr=1000):
    return [[w, name, "T", role, dials + i % 3, 120, conv, 4, sqls, opps, won, mrr] for i, w in enumerate(weeks)]


def by_metric(b):
    return {(m.metric, m.period.value): m for m in b.metrics}


def test_known_answer_top_performers_are_chosen_by_outcomes_not_activity():
    data = team(rep_weeks("Closer", 60, 15, 3) + rep_weeks("Dialer A", 110, 20, 0, won=0) +
                rep_weeks("Dialer B", 100, 20, 0, won=0) + rep_weeks("Middle", 80, 16, 1))
    (b,) = build_baseline(data, default_ranges(), weeks=8, top=0.25, today=TODAY)
    assert b.top_reps == ["Closer"] and len(b.weeks) == 8 and b.weeks[-1] == "2026-W46"
    m = by_metric(b)
    dials = m[("Dials", "week")]
    assert (dials.top.p25, dials.top.p75) == (60, 61.25)  # Closer: 60, 61, 62, 60, 61, 62, 60, 61
    assert (dials.suggested.min, dials.suggested.max) == (60, 65)  # rounded down / up to a step of 5
    assert m[("SQLs", "week")].suggested.min == 3 and m[("SQLs", "week")].suggested.max is None  # outcome: no max
    qual = m[("Qualification Rate", "week")]
    assert qual.top.p25 == pytest.approx(24 / 120) and qual.suggested.min == 0.2  # 3 SQLs / 15 conv, pooled
    assert m[("SQLs", "month")].suggested.min == nice(3 * 52 / 12, Unit.COUNT, up=False) == 13
    assert "the top rep by SQLs had" in dials.why and "60–61 Dials in a typical week" in dials.why


def test_rates_are_pooled_counts_not_an_average_of_ratios():
    weeks = WEEKS[1:3]
    rows = [[weeks[0], "Ann", "T", "SDR", 10, 1, 1, 1, 1, 1, 1, 1], [weeks[1], "Ann", "T", "SDR", 90, 1, 9, 1, 1, 1,
                                                                      1, 1]]
    (b,) = build_baseline(team(rows), default_ranges(), weeks=2, today=TODAY)
    connect = by_metric(b)[("Connect Rate", "week")]
    assert connect.top.p25 == pytest.approx(10 / 100)  # pooled 10/100, not the mean of 1/10 and 9/90 (also 0.1)
    rows[1][6] = 45  # 45/90 = 0.5: mean of ratios 0.3, pooled 46/100
    (b,) = build_baseline(team(rows), default_ranges(), weeks=2, today=TODAY)
    assert by_metric(b)[("Connect Rate", "week")].top.p25 == pytest.approx(46 / 100)


def test_example_dials_follow_the_top_outcome_reps_not_the_busiest():
    data = read_workbook(EXAMPLE, today=TODAY)
    (b,) = build_baseline(data.tracking, data.ranges, today=TODAY)
    assert EXAMPLE_STORIES["low_activity_high_outcome"] in b.top_reps
    assert EXAMPLE_STORIES["busy_not_converting"] not in b.top_reps
    dials = by_metric(b)[("Dials", "week")]
    frame = data.tracking.frame
    busiest = frame.groupby(REP)["Dials"].mean().max()
    assert dials.suggested.max < busiest
    top_typical = frame[frame[REP].isin(b.top_reps)]["Dials"].median()
    assert dials.suggested.min <= top_typical <= dials.suggested.max


def test_edge_cases_say_what_happened():
    few = team(rep_weeks("Ann", 60, 12, 2, weeks=WEEKS[1:4]) + rep_weeks("Bob", 50, 10, 1, weeks=WEEKS[1:4]))
    (b,) = build_baseline(few, default_ranges(), weeks=8, today=TODAY)
    assert b.notes == ["only 3 complete weeks of data; used all of them instead of 8"]
    (one,) = build_baseline(team(rep_weeks("Solo", 60, 12, 2)), default_ranges(), today=TODAY)
    assert one.top_reps == ["Solo"] and "a team of one" in one.notes[0]
    equal = team(rep_weeks("Ann", 60, 12, 2) + rep_weeks("Bob", 60, 12, 2))
    (same,) = build_baseline(equal, default_ranges(), top=0.5, today=TODAY)
    assert same.top_reps == ["Ann"] and "same SQLs" in same.notes[0]
    no_emails = [[*r[:5], None, *r[6:]] for r in rep_weeks("Ann", 60, 12, 2)]
    (b,) = build_baseline(team(no_emails), default_ranges(), today=TODAY)
    emails = by_metric(b)[("Emails", "week")]
    assert emails.suggested is None and emails.why == "no Emails data in the last 8 weeks"
    with pytest.raises(ValueError, match="no complete weeks"):
        build_baseline(team(rep_weeks("Ann", 60, 12, 2, weeks=[WEEKS[0]])), default_ranges(), today=TODAY)
    with pytest.raises(ValueError, match="share of the team"):
        build_baseline(few, default_ranges(), top=2, today=TODAY)


def test_one_baseline_per_role():
    data = team(rep_weeks("Sam", 30, 10, 3, role="AE") + rep_weeks("Sid", 70, 14, 1, role="SDR"))
    baselines = build_baseline(data, default_ranges(), today=TODAY)
    assert [(b.role, b.top_reps) for b in baselines] == [("AE", ["Sam"]), ("SDR", ["Sid"])]


def test_ranking_ties_break_on_deals_won_then_mrr():
    data = team(rep_weeks("Ann", 60, 12, 2, won=1) + rep_weeks("Bob", 60, 12, 2, won=2))
    assert rank_by_outcomes(data.frame) == ["Bob", "Ann"]


@pytest.mark.parametrize(("value", "unit", "up", "expected"), [
    (61.5, Unit.COUNT, False, 60), (61.5, Unit.COUNT, True, 65), (7.4, Unit.COUNT, False, 7),
    (0.2149, Unit.RATE, False, 0.21), (0.2149, Unit.RATE, True, 0.22), (3607, Unit.CURRENCY, False, 3600),
    (12345, Unit.CURRENCY, True, 12400), (0.2, Unit.RATE, False, 0.2),
])
def test_nice_numbers(value, unit, up, expected):
    assert nice(value, unit, up) == expected


def test_a_range_check_never_shows_a_shortfall_as_the_target_itself():
    """Dials 40–49 at 4 SQLs per 100 dials reach 1.96 SQLs a week: "at most 2 ... the target is 2" would hide it."""
    from salesmetrics_xl.core.metrics import Period, Range
    from salesmetrics_xl.core.ranges import RangeSet

    rows = [[w, name, "T", "SDR", 100, 120, 25, 4, 4, 2, 1, 1000] for w in WEEKS[1:9] for name in ("Ann", "Bo")]
    ranges = default_ranges()
    moved = {("Dials", Period.WEEK): Range(min=40, max=49), ("SQLs", Period.WEEK): Range(min=2)}
    ranges = RangeSet(rules=[r.model_copy(update={"range": moved.get((r.metric.name, r.period), r.range)})
                             for r in ranges.rules])
    (b,) = build_baseline(team(rows), ranges, weeks=8, today=TODAY)
    flag = next(f for f in b.unreachable if "SQLs a week" in f)
    assert flag == "Dials 40–49 reach at most 1.96 SQLs a week at the team's rates; the target is 2"


def test_one_deal_won_a_month_is_singular_in_what_the_target_takes():
    from salesmetrics_xl.core.metrics import Period, Range

    data = team(rep_weeks("Ann", 60, 15, 3) + rep_weeks("Bo", 70, 14, 2))
    rules = [r.model_copy(update={"range": Range(min=1)}) if r.metric.name == "Deals Won" and r.period is Period.MONTH
             else r for r in default_ranges().rules]
    from salesmetrics_xl.core.ranges import RangeSet

    (b,) = build_baseline(data, RangeSet(rules=rules), weeks=8, today=TODAY)
    won = next(t for t in by_metric(b)[("Dials", "week")].needed if t.outcome == "Deals Won"
               and t.period is Period.MONTH)
    assert won.sentence.startswith("1 Deal Won a month takes ") and "Deals Won" not in won.sentence
