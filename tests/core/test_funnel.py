"""The funnel: hand-computed rates, needs and leaks, the thin-data fallback, missing stages, roles, and the
properties the arithmetic must keep."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.funnel import (
    MIN_COUNT,
    Link,
    activity_needed,
    chain,
    funnel_links,
    outcomes_lost,
    rep_funnels,
)
from salesmetrics_xl.core.metrics import Period
from salesmetrics_xl.core.parse import parse_ranges
from salesmetrics_xl.core.ranges import RangeSet
from tests.conftest import RANGES_HEADER

W1, W2 = pd.Timestamp(2026, 11, 9), pd.Timestamp(2026, 11, 16)
COLUMNS = ["Week", "Rep", "Role", "Dials", "Conversations", "SQLs", "Opportunities", "Deals Won"]
WON_MONTH = ["Deals Won", "outcome", None, "month", 2, None, None, None]


def ranges(*rows: list[object], columns: list[str] = COLUMNS) -> RangeSet:
    found, problems = parse_ranges([RANGES_HEADER, *rows], tracking_columns=columns)
    assert [p for p in problems if p.severity == "error"] == [], problems
    return found


def frame(rows: list[list[object]], columns: list[str] = COLUMNS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


# Three reps, two weeks, four stages (Dials -> Conversations -> SQLs -> Opportunities -> Deals Won).
#          sums over the two weeks: Dials, Conversations, SQLs, Opportunities, Deals Won
# Ava:    200, 50, 10, 4, 2 -> connect 25%, qualification 20%, SQL-to-opportunity 40%, win 50%
# Ben:    200, 24,  2, 1, 0 -> connect 12%, qualification 1/12, 50%, win 0%
# Chloe:  100, 40, 10, 8, 4 -> connect 40%, qualification 25%, 80%, win 50%: the top rep (ties Ava on SQLs a
#                              week, wins on deals won)
HAND = [
    [W1, "Ava", "SDR", 100, 20, 4, 2, 1], [W2, "Ava", "SDR", 100, 30, 6, 2, 1],
    [W1, "Ben", "SDR", 80, 10, 1, 1, 0], [W2, "Ben", "SDR", 120, 14, 1, 0, 0],
    [W1, "Chloe", "SDR", 50, 20, 5, 4, 2], [W2, "Chloe", "SDR", 50, 20, 5, 4, 2],
]
PEOPLE = [("Ava", "SDR"), ("Ben", "SDR"), ("Chloe", "SDR")]


def hand(**kw: object) -> dict:
    return rep_funnels(frame(HAND), ranges(WON_MONTH), W2, PEOPLE, window=2, min_count=1, **kw)  # type: ignore[arg-type]


def test_rates_are_pooled_from_counts_per_rep_team_and_top():
    ava = {r.rate: r for r in hand()["Ava"].rates}
    assert set(ava) == {"Connect Rate", "Qualification Rate", "Win Rate", "Opportunity Rate"}  # no Meetings column
    assert ava["Connect Rate"].rep == pytest.approx(0.25)  # 50 / 200, while the weekly ratios average 0.25 too
    assert ava["Qualification Rate"].rep == pytest.approx(0.2)  # 10 / 50; the weekly ratios average 0.2
    assert ava["Opportunity Rate"].rep == pytest.approx(0.4)
    assert ava["Win Rate"].rep == pytest.approx(0.5)
    assert ava["Connect Rate"].team == pytest.approx(114 / 500)
    assert ava["Qualification Rate"].top == pytest.approx(0.25)  # Chloe alone is the top quarter of three
    ben = {r.rate: r for r in hand()["Ben"].rates}
    assert ben["Qualification Rate"].rep == pytest.approx(2 / 24)  # not (1/10 + 1/14) / 2
    assert ben["Win Rate"].rep == 0.0


def test_needed_activity_for_a_monthly_target_to_the_unit():
    need = hand()["Ava"].needs[0]
    assert (need.outcome, need.period, need.target) == ("Deals Won", Period.MONTH, 2)
    assert need.rates == ["Win Rate", "Opportunity Rate", "Qualification Rate", "Connect Rate"]
    # 2 a month is 6/13 a week; / 50% win / 40% / 20% / 25%
    assert need.target_per_week == pytest.approx(6 / 13)
    assert need.needed == pytest.approx({"Opportunities": 12 / 13, "SQLs": 30 / 13, "Conversations": 150 / 13,
                                         "Dials": 600 / 13})
    assert {k: round(v) for k, v in need.needed.items()} == {"Opportunities": 1, "SQLs": 2, "Conversations": 12,
                                                             "Dials": 46}
    assert need.this_week == {"Opportunities": 2, "SQLs": 6, "Conversations": 30, "Dials": 100}
    assert need.activity == "Dials"
    assert "takes about 12 conversations, or about 46 dials, a week. Ava did 30 and 100." in need.sentence


def test_the_leak_is_the_link_that_costs_most_against_the_top_rep():
    ava = hand()["Ava"].needs[0]
    # at Ava's 100 dials a week: win 0; SQL-to-opportunity 100 x (0.8-0.4) x 0.5 x 0.2 x 0.25 = 1.0;
    # qualification 100 x 0.05 x 0.5 x 0.4 x 0.25 = 0.25; connect 100 x 0.15 x 0.5 x 0.4 x 0.2 = 0.6 a week
    assert ava.leak is not None and ava.leak.rate == "Opportunity Rate"
    assert ava.leak.lost == pytest.approx(1.0 * 52 / 12)  # a monthly target: lost a month
    assert ava.leak.sentence == ("Opportunity Rate 40% vs 80% for the top reps: about 4.3 Deals Won a month lost "
                                 "at turning SQLs into opportunities")
    ben = hand()["Ben"].needs[0]
    # a win rate of 0 is where everything is lost: 100 x 0.5 x (0.5 x 1/12 x 0.12) = 0.25 a week
    assert ben.leak is not None and ben.leak.rate == "Win Rate"
    assert ben.leak.lost == pytest.approx(0.25 * 52 / 12)
    assert hand()["Chloe"].needs[0].leak is None  # the top rep leaks nowhere against herself


def test_a_zero_rate_never_divides():
    ben = hand()["Ben"].needs[0]
    assert ben.needed == {"Opportunities": None, "SQLs": None, "Conversations": None, "Dials": None}
    assert "cannot be reached by more activity" in ben.sentence
    assert any("Win Rate is 0%" in n for n in ben.notes)


def test_projection_from_this_weeks_activity_and_the_month_so_far():
    # Ava: 100 dials this week x 25% x 20% x 40% x 50% = 1 deal a week; 1 so far + 2 weeks left = 3
    need = hand(month={("Ava", "Deals Won"): (1.0, 2)})["Ava"].needs[0]
    assert need.projection == pytest.approx(3.0)
    assert "on course for 3 Deals Won this month" in need.sentence


def test_a_thin_rate_falls_back_to_the_teams_and_says_so():
    rows = [[W2 - pd.Timedelta(weeks=k), "Team", "SDR", 100, 20, 2, 1, 0] for k in range(8)]
    rows += [[W2, "Lucky", "SDR", 5, 3, 3, 1, 0]]  # one lucky week: 3 SQLs from 3 conversations
    found = rep_funnels(frame(rows), ranges(["SQLs", "outcome", None, "month", 5, None, None, None]), W2,
                        [("Lucky", "SDR")])["Lucky"]
    qual = next(r for r in found.rates if r.rate == "Qualification Rate")
    assert qual.thin and qual.rep == 1.0 and qual.count == 3
    assert qual.used == pytest.approx(qual.team) and qual.team == pytest.approx(19 / 163)
    need = found.needs[0]
    # the team's 19/163 qualification and 163/805 connect rates, not Lucky's 100% and 60%
    assert need.needed["Dials"] == pytest.approx(5 * 12 / 52 / (19 / 163) / (163 / 805))
    assert need.sentence == ("5 SQLs a month at the team's 12% qualification and 20% connect rates (too few of "
                             "Lucky's own) takes about 9.9 conversations, or about 49 dials, a week. Lucky did 3 "
                             "and 5.")
    assert any("Lucky had 3 conversations in the window, too few" in n for n in need.notes)
    assert need.leak is None  # no rate of Lucky's own to compare


def test_when_the_team_is_thin_too_the_chain_stops():
    rows = [[W2, "New", "SDR", 10, 2, 1, 0, 0]]
    need = rep_funnels(frame(rows), ranges(["SQLs", "outcome", None, "week", 1, None, None, None]), W2,
                       [("New", "SDR")])["New"].needs[0]
    assert need.needed == {} and need.sentence == ""
    assert "even for the team" in need.notes[0]


def test_a_missing_stage_stops_the_chain():
    columns = ["Week", "Rep", "Role", "Dials", "SQLs", "Opportunities", "Deals Won"]  # no Conversations
    rows = [[W2, "Ava", "SDR", 100, 10, 5, 2]]
    found = rep_funnels(frame(rows, columns), ranges(WON_MONTH, columns=columns), W2, [("Ava", "SDR")],
                        min_count=1)["Ava"]
    assert {r.rate for r in found.rates} == {"Win Rate", "Opportunity Rate"}
    need = found.needs[0]
    assert need.rates == ["Win Rate", "Opportunity Rate"] and set(need.needed) == {"Opportunities", "SQLs"}
    assert need.activity == "SQLs"  # never a dials figure from a connect rate nobody tracked


def test_role_specific_outcome_ranges_and_team_rates():
    rows = [[W2 - pd.Timedelta(weeks=k), rep, role, 100, conv, sqls, 1, 0]
            for k in range(4) for rep, role, conv, sqls in (("Sam", "SDR", 20, 2), ("Alex", "AE", 10, 5))]
    rows += [[W2, "Newbie", "AE", 10, 2, 1, 0, 0]]
    found = rep_funnels(frame(rows), ranges(["SQLs", "outcome", None, "month", 5, None, None, None],
                                            ["SQLs", "outcome", None, "month", 13, None, None, "AE"]),
                        W2, [("Sam", "SDR"), ("Alex", "AE"), ("Newbie", "AE")])
    assert found["Sam"].needs[0].target == 5 and found["Alex"].needs[0].target == 13
    assert found["Alex"].needs[0].needed["Conversations"] == pytest.approx(13 * 12 / 52 / 0.5)
    newbie = {r.rate: r for r in found["Newbie"].rates}
    assert newbie["Qualification Rate"].used == pytest.approx(21 / 42)  # the AE team's, not the SDRs'


def test_the_funnel_is_declared_by_the_rate_metrics():
    links = funnel_links()
    assert [(x.name, x.source, x.stage) for x in links] == [
        ("Connect Rate", "Dials", "Conversations"), ("Meeting Rate", "Conversations", "Meetings Booked"),
        ("Qualification Rate", "Conversations", "SQLs"), ("Win Rate", "Opportunities", "Deals Won"),
        ("Opportunity Rate", "SQLs", "Opportunities"), ("Average Deal Size", "Deals Won", "New MRR")]
    assert [x.name for x in chain("New MRR", links)] == ["Average Deal Size", "Win Rate", "Opportunity Rate",
                                                          "Qualification Rate", "Connect Rate"]
    # a team's own rate makes its own stage; with no Conversations column its SQLs come from Replies
    columns = ["Week", "Rep", "Dials", "Emails", "Replies", "SQLs"]
    own = ranges(["Reply Rate", "quality", "Replies / Emails", "week", 0.05, None, "rate", None],
                 ["SQL Rate", "quality", "SQLs / Replies", "week", 0.1, None, "rate", None], columns=columns)
    mine = funnel_links(own, columns)
    assert [x.name for x in chain("SQLs", mine)] == ["SQL Rate", "Reply Rate"]
    assert mine[0].short == "reply"


def test_outcomes_lost_and_needed_by_hand():
    assert activity_needed(2, [0.5, 0.25]) == [4, 16]
    assert activity_needed(2, [0.5, 0.0, 0.25]) == [4, None, None]
    assert outcomes_lost([0.5, 0.2], [0.5, 0.4], 100) == pytest.approx([0.0, 10.0])
    assert outcomes_lost([0.0, 0.2], [0.5, None], 100) == pytest.approx([10.0, None])


rates = st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5)


@settings(deadline=None)
@given(target=st.floats(0.1, 1000), more=st.floats(0.01, 1000), chosen=rates, which=st.integers(0, 4),
       factor=st.floats(1.0, 10.0))
def test_needed_activity_is_monotone_in_the_target_and_in_each_rate(target, more, chosen, which, factor):
    base = activity_needed(target, chosen)
    assert all(a <= b for a, b in zip(base, activity_needed(target + more, chosen), strict=True))
    better = list(chosen)
    k = which % len(chosen)
    better[k] = min(1.0, better[k] * factor)
    assert all(b <= a * (1 + 1e-12) for a, b in zip(base, activity_needed(target, better), strict=True))
    assert base[-1] == pytest.approx(target / math.prod(chosen))


@settings(deadline=None, max_examples=50)
@given(weeks=st.lists(st.tuples(st.integers(1, 300), st.integers(0, 60)), min_size=1, max_size=8))
def test_a_reps_rate_is_pooled_not_averaged(weeks):
    rows = [[W2 - pd.Timedelta(weeks=k), "Rep", "SDR", dials, min(conv, dials), 0, 0, 0]
            for k, (dials, conv) in enumerate(weeks)]
    found = rep_funnels(frame(rows), ranges(), W2, [("Rep", "SDR")], window=8)["Rep"]
    connect = next(r for r in found.rates if r.rate == "Connect Rate")
    dials = sum(d for d, _ in weeks)
    assert connect.rep == pytest.approx(sum(min(c, d) for d, c in weeks) / dials)
    assert connect.count == dials and connect.thin is (dials < MIN_COUNT)


def test_link_names_read_in_a_sentence():
    assert Link("Reply Rate", "Replies", "Emails").short == "reply"
    assert dt.date(2026, 11, 16) == W2.date()
