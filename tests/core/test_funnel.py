"""The funnel: hand-computed rates, needs and leaks, the thin-data fallback, missing stages, roles, and the
properties the arithmetic must keep."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.funnel import (
    MIN_COUNT,
    Link,
    activity_needed,
    chain,
    funnel_links,
    funnel_sentence,
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
    assert ava.leak.sentence == ("Opportunity Rate 40% over the last 2 weeks vs 80% for the top reps: about 4.3 "
                                 "Deals Won a month lost at turning SQLs into opportunities")
    ben = hand()["Ben"].needs[0]
    # a win rate of 0 is where everything is lost: 100 x 0.5 x (0.5 x 1/12 x 0.12) = 0.25 a week
    assert ben.leak is not None and ben.leak.rate == "Win Rate"
    assert ben.leak.lost == pytest.approx(0.25 * 52 / 12)



def test_the_top_rep_is_never_compared_with_herself():
    chloe = hand()["Chloe"]  # the top quarter of three is Chloe alone
    assert chloe.top_reps == [] and chloe.peers == 3
    assert all(r.top is None for r in chloe.rates) and chloe.needs[0].leak is None
    chloe.behind_on = ["Deals Won"]
    assert funnel_sentence(chloe).startswith("No top reps to compare with: Chloe is the top SDR. 2 Deals Won")
    assert "volume" not in funnel_sentence(chloe)
    assert hand()["Ava"].top_reps == ["Chloe"]
    # a rep alone in the role
    solo = rep_funnels(frame(HAND[:2]), ranges(WON_MONTH), W2, [("Ava", "SDR")], window=2, min_count=1)["Ava"]
    solo.behind_on = ["Deals Won"]
    assert solo.top_reps == [] and funnel_sentence(solo).startswith("No top reps to compare with: Ava is the only SDR.")


def test_a_top_rep_among_several_is_compared_with_the_others_only():
    # eight reps: the top quarter is two, Top (3 SQLs a week at 30%) and Next (2 at 20%)
    rows = [[W2 - pd.Timedelta(weeks=k), rep, "SDR", 100, 10, sqls, 1, 0] for k in range(2)
            for rep, sqls in (("Top", 3), ("Next", 2), *((f"R{j}", 1) for j in range(6)))]
    found = rep_funnels(frame(rows), ranges(WON_MONTH), W2, [("Top", "SDR"), ("Next", "SDR"), ("R0", "SDR")],
                        window=2, min_count=1)
    qual = {rep: next(r for r in f.rates if r.rate == "Qualification Rate") for rep, f in found.items()}
    assert found["Top"].top_reps == ["Next"] and qual["Top"].top == pytest.approx(0.2)  # not her own 30%
    assert found["Next"].top_reps == ["Top"] and qual["Next"].top == pytest.approx(0.3)
    assert found["R0"].top_reps == ["Top", "Next"] and qual["R0"].top == pytest.approx(0.25)


def test_the_gap_is_volume_only_when_every_rate_is_fine_and_the_target_reachable():
    # Ava converts as well as the top rep everywhere but on volume: 50 dials a week to the top rep's 100
    rows = [[W2 - pd.Timedelta(weeks=k), rep, "SDR", dials, dials // 5, dials // 25, dials // 50, dials // 100]
            for k in range(2) for rep, dials in (("Top", 200), ("Ava", 100), ("B", 50), ("C", 50))]
    ava = rep_funnels(frame(rows), ranges(WON_MONTH), W2, [("Ava", "SDR")], window=2, min_count=1)["Ava"]
    ava.behind_on = ["Deals Won"]
    assert ava.needs[0].leak is None and ava.needs[0].compared
    assert funnel_sentence(ava).startswith("No stage converts below the top reps; the gap is volume. ")
    assert funnel_sentence(ava, rate_below=True).startswith("No stage converts below the top reps. 2 Deals Won")
def test_a_zero_rate_never_divides():
    ben = hand()["Ben"].needs[0]
    assert ben.needed == {"Opportunities": None, "SQLs": None, "Conversations": None, "Dials": None}
    assert "cannot be reached by more activity" in ben.sentence
    assert any("Win Rate is 0%" in n for n in ben.notes)


def test_the_projection_is_the_paces_and_the_sentence_gives_none_of_its_own():
    need = hand(month={("Ava", "Deals Won"): 1.5})["Ava"].needs[0]
    assert need.projection == 1.5  # the pace's, which judged the rep; never a second one from this week's dials
    assert "on course" not in need.sentence and "this month" not in need.sentence


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
    assert any("Lucky had 3 conversations over the last 8 weeks, too few" in n for n in need.notes)
    assert need.leak is None and need.compared == []  # no rate of Lucky's own to compare
    found.behind_on = ["SQLs"]
    assert funnel_sentence(found).startswith("Too few counts of the rep's own to say where the funnel leaks. 5 SQLs")


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
    # a role written " ae" on one row is the AE role, as the ranges match it: one team, one top set
    rows[-1][2] = " ae"
    again = rep_funnels(frame(rows), ranges(["SQLs", "outcome", None, "month", 13, None, None, "AE"]), W2,
                        [("Newbie", " ae")])["Newbie"]
    assert {r.rate: r for r in again.rates}["Qualification Rate"].used == pytest.approx(21 / 42)
    assert again.top_reps == ["Alex"] and again.needs[0].target == 13


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


def _one_rep_rates(plan, rep: str, role: str | None) -> list[tuple]:
    """A rep's rates worked out from the rep's own pooled sums alone, figure by figure in Python floats: what
    Funnels.rep gives from the rates it works out for every rep at once."""
    from salesmetrics_xl.core.funnel import differs
    from salesmetrics_xl.core.metrics import text_key

    i = plan.where[rep]
    g = plan.role_of.get(text_key(role), 0)
    is_top = rep in plan.top_sets[g]
    top_reps = [r for r in plan.top_reps[g] if r != rep]
    out = []
    for link in plan.links:
        num, den = (s[i] for s in plan.rep_sums[link.name])
        tnum, tden = (s[g] for s in plan.team_sums[link.name])
        team = float(tnum / tden) if tden >= plan.min_count and tden > 0 else None
        thin = bool(den < plan.min_count)
        mine = float(num / den) if den > 0 else None
        used, recent = team if thin else mine, False
        rnum, rden = (s[i] for s in plan.recent_sums[link.name])
        if not thin and mine is not None and rden > 0 and differs(rnum, rden, mine):
            used, recent = rnum / rden, True
        top_num, top_den = (s[g] for s in plan.top_sums[link.name])
        if is_top:
            top_num -= plan.own_top_sums[link.name][0][i]
            top_den -= plan.own_top_sums[link.name][1][i]
        top = (float(top_num / top_den) if top_den > 0 else None) if top_reps else None
        out.append((link.name, mine, float(den), team, top, used, thin, recent))
    return out


@settings(deadline=None, max_examples=40)
@given(counts=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 120), st.integers(0, 40),
                                 st.integers(0, 12), st.integers(0, 6), st.integers(0, 3)), min_size=1, max_size=40),
       min_count=st.sampled_from([1, 5, 20]))
# on the edge of "recent change wins": 2 of 8 lately against 20 of 40 pooled, exactly 2 fewer and exactly half
@example(counts=[(1, 0, 8, 2, 0, 0, 0), (1, 4, 32, 18, 0, 0, 0), (2, 0, 50, 10, 2, 1, 0)], min_count=1)
def test_every_reps_rates_at_once_are_each_reps_rates_alone(counts, min_count):
    """Funnels works each link's rates out for all reps at once: the same floats as one rep's sums alone give,
    thin, recent and top performers included (roles, weeks and counts drawn at random, zeros among them)."""
    from salesmetrics_xl.core.funnel import Funnels

    weeks = [W2 - pd.Timedelta(weeks=k) for k in range(6)]
    rows, seen = [], set()
    for rep, week, dials, conversations, sqls, opps, won in counts:
        if (rep, week) not in seen:  # one row per rep and week, as the summary gives the funnel
            seen.add((rep, week))
            rows.append([weeks[week], f"Rep {rep}", "SDR" if rep % 2 else "AE", dials, conversations, sqls, opps,
                         won])
    plan = Funnels(frame(rows), ranges(WON_MONTH), W2, window=6, min_count=min_count)
    people = {(r[1], r[2]) for r in rows}
    for rep, role in sorted(people):
        got = [(r.rate, r.rep, r.count, r.team, r.top, r.used, r.thin, r.recent) for r in plan.rep(rep, role).rates]
        assert got == _one_rep_rates(plan, rep, role), rep


def test_link_names_read_in_a_sentence():
    assert Link("Reply Rate", "Replies", "Emails").short == "reply"
    assert dt.date(2026, 11, 16) == W2.date()


# ---- on the bundled example: the summary, the layout, baseline, the CLI and the README -----------------------

def _example():
    from salesmetrics_xl.reader import read_workbook
    from tests.conftest import EXAMPLE

    return read_workbook(EXAMPLE)


def test_every_rep_behind_gets_a_leak_and_a_needed_weekly_activity():
    from salesmetrics_xl.core.funnel import focus
    from salesmetrics_xl.core.summary import build_summary

    data = _example()
    summary = build_summary(data.tracking, data.ranges)
    behind = [r for r in summary.reps if not r.on_track and r.row is not None and not r.off]
    assert {r.rep for r in behind} == {"Emma Rossi", "Jonas Weber", "Liam O'Connor", "Ben Carter"}  # Isabel ramps
    funnels = {f.rep: f for f in summary.funnels}
    for rep in behind:
        need = focus(funnels[rep.rep])
        assert need is not None and need.leak is not None, rep.rep
        assert f"Leak: {need.leak.sentence}." in rep.diagnosis and need.sentence in rep.diagnosis
        assert need.needed["Dials"] > 0 and " a week." in need.sentence
    for rep in summary.reps:  # on track: the sentence is the table's, with no funnel added
        if rep.on_track:
            assert "Leak:" not in rep.diagnosis and rep.rep not in funnels
    assert list(funnels) == [r.rep for r in behind]  # in the sheet's order
    ben = focus(funnels["Ben Carter"])
    assert ben.needed == pytest.approx({"Conversations": 5 * 12 / 52 / (3 / 114), "Dials": 5 * 12 / 52 / (3 / 574)})
    assert ben.leak.lost == pytest.approx(114 / 8 * (ben.leak.top - 3 / 114) * 52 / 12)
    # a longer window pools more weeks: Ben's 26 weeks, not 8
    longer = {f.rep: f for f in build_summary(data.tracking, data.ranges, window=26).funnels}
    assert next(r for r in longer["Ben Carter"].rates if r.rate == "Connect Rate").count > 574


def test_the_what_it_takes_block_lists_each_rep_behind():
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.layouts.summary import summary_sheet

    data = _example()
    summary = build_summary(data.tracking, data.ranges)
    sheet = summary_sheet(summary)
    title = next(r for (r, c), cell in sheet.cells.items() if str(cell.value).startswith("What it takes"))
    from salesmetrics_xl.layouts.summary import BLOCK

    header = [sheet.cells[(title + 1, c)].value for c in range(BLOCK, BLOCK + 12) if (title + 1, c) in sheet.cells]
    assert header[:7] == ["Behind on", "Dials needed a week", "Dials this week", "Conversations needed a week",
                          "Conversations this week", "Focus", "Costs the most"]
    behind = {r.rep for r in summary.reps if not r.on_track and r.row is not None and not r.off}
    rows = {sheet.cells[(title + 1 + n, 2)].value: [sheet.cells[(title + 1 + n, c)].value
                                                    for c in range(BLOCK, BLOCK + 11)]
            for n in range(1, len(behind) + 1)}
    assert set(rows) == behind
    ben = rows["Ben Carter"]
    assert ben[0] == "5 SQLs a month" and round(ben[1]) == 221 and ben[2] == 75
    # the block's focus and what costs the most are the row's own: one story
    assert ben[5] == "Messaging" == next(r.focus for r in summary.reps if r.rep == "Ben Carter")
    assert ben[6] == "Qualification Rate" and ben[7] == pytest.approx(0.026, abs=0.001)
    assert sheet.cells[(title + 1 + list(rows).index("Ben Carter") + 1, BLOCK + 2)].style.fill == "FFC7CE"  # red


def test_baseline_says_what_the_targets_take_and_flags_a_range_that_cannot_reach_one():
    from salesmetrics_xl.core.baseline import build_baseline
    from salesmetrics_xl.core.metrics import Range

    data = _example()
    today = dt.date(2026, 11, 22)
    found = build_baseline(data.tracking, data.ranges, today=today)[0]
    dials = next(m for m in found.metrics if m.metric == "Dials")
    sqls = next(t for t in dials.needed if t.outcome == "SQLs" and t.period is Period.MONTH)
    from salesmetrics_xl.core.baseline import _full_weeks

    window = data.tracking.frame[data.tracking.frame["Week"] >= pd.Timestamp(2026, 9, 21)]
    window, _ = _full_weeks(window[window["Week"] <= pd.Timestamp(2026, 11, 9)], data.ranges)  # as the method
    top = window[window["Rep"].isin(found.top_reps)]
    assert sqls.at_team == pytest.approx(5 * 12 / 52 / (window["SQLs"].sum() / window["Dials"].sum()))
    assert sqls.at_top == pytest.approx(5 * 12 / 52 / (top["SQLs"].sum() / top["Dials"].sum()))
    assert round(sqls.at_top) == 25 and round(sqls.at_team) == 41 and sqls.reachable
    assert found.unreachable == []  # Acme's own targets add up
    # the framework's 5 deals won a month does not, at the team's rates
    rules = [r.model_copy(update={"range": Range(min=5)}) if r.metric.name == "Deals Won" and r.period is Period.MONTH
             else r for r in data.ranges.rules]
    flagged = build_baseline(data.tracking, RangeSet(rules=rules), today=today)[0]
    assert flagged.unreachable[0] == ("Dials 50–75 reach at most 2.9 Deals Won a month at the team's rates; the "
                                      "target is 5")
    won = next(t for t in next(m for m in flagged.metrics if m.metric == "Dials").needed
               if t.outcome == "Deals Won")
    assert won.reach_at_max == pytest.approx(75 * 52 / 12 * window["Deals Won"].sum() / window["Dials"].sum())
    assert won.reachable is False


def test_cli_summary_and_baseline_json_carry_the_funnel(tmp_path):
    import json

    from tests.conftest import EXAMPLE
    from tests.helpers import run

    result = run("summary", str(EXAMPLE), "--out", str(tmp_path / "s.xlsx"), "--json", "--window", "6")
    summary = json.loads(result.stdout)["summary"]
    assert summary["window_weeks"] == 6
    from tests.helpers import full_reps

    ben = next(r["funnel"] for r in full_reps(summary) if r["rep"] == "Ben Carter")
    assert ben["behind_on"][0] == "SQLs"  # the first outcome behind is the one the sentence plans for
    need = next(n for n in ben["needs"] if n["period"] == "month")
    assert set(need) >= {"outcome", "period", "target", "needed", "this_week", "projection"}
    assert next(g for g in need["gains"] if not g.get("effort"))["metric"] == "Qualification Rate"  # the leak
    assert run("summary", str(EXAMPLE), "--out", str(tmp_path / "s.xlsx"), "--window", "0").returncode == 2
    result = run("baseline", str(EXAMPLE), "--as-of", "2026-11-22", "--window", "8", "--json")
    assert result.returncode == 0, result.stderr
    dials = next(m for m in json.loads(result.stdout)["baselines"][0]["metrics"] if m["metric"] == "Dials")
    assert {t["outcome"] for t in dials["needed"]} == {"SQLs", "Opportunities", "Deals Won", "New MRR"}
    # with the framework's 5 deals won a month, the activity ranges do not add up: said, and exit 1
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    ranges_sheet = book["Ranges"]
    header = [c.value for c in ranges_sheet[1]]
    for row in ranges_sheet.iter_rows(min_row=2):
        values = dict(zip(header, (c.value for c in row), strict=False))
        if values["Metric"] == "Deals Won" and values["Period"] == "month":
            row[header.index("Min")].value = 5
    book.save(tmp_path / "framework.xlsx")
    result = run("baseline", str(tmp_path / "framework.xlsx"), "--as-of", "2026-11-22")
    assert result.returncode == 1
    assert ("range check: Dials 50–75 reach at most 2.9 Deals Won a month at the team's rates; the target is 5"
            in " ".join(result.stdout.split()))


def test_the_docs_worked_example_is_what_the_tool_says():
    from salesmetrics_xl.core.summary import build_summary
    from tests.conftest import ROOT

    page = " ".join((ROOT / "docs" / "judgment.md").read_text().split())
    data = _example()
    summary = build_summary(data.tracking, data.ranges)
    reps = {r.rep: " ".join(r.diagnosis.split()) for r in summary.reps}
    quote = page.split("his detail ends: > ", 1)[1].split(" Ben had 114", 1)[0].replace(" > ", " ")
    assert reps["Ben Carter"].endswith(quote)
    # Jonas, off the first week of November: the plan is for the target his pace line holds him to
    assert "at least 1.6 a month (80 % of the range: days worked, FTE and ramp)" in reps["Jonas Weber"]
    jonas = {f.rep: f for f in summary.funnels}["Jonas Weber"]
    assert jonas.weeks == 7 and jonas.needs[0].average["Dials"] == 60
    assert jonas.top_reps == ["Chloe Nguyen", "Keisha Brown", "Ava Thompson"]  # by deals won (core/ranking.py)
    assert f"the top reps are {', '.join(jonas.top_reps[:-1])} and {jonas.top_reps[-1]}" in page
    assert activity_needed(5 * 12 / 52, [3 / 114, 114 / 574])[-1] == pytest.approx(220.77, abs=0.01)


def test_the_top_reps_are_the_baselines_and_the_projection_the_paces():
    from salesmetrics_xl.core.baseline import build_baseline
    from salesmetrics_xl.core.funnel import focus
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.layouts.summary import summary_sheet

    data = _example()
    summary = build_summary(data.tracking, data.ranges)
    # the same 8 weeks (W40 to W47): the baseline's top performers, from full weeks only (no OFF week of
    # Isabel's or Jonas's ranks anyone), are the ones every rep behind is compared with
    (base,) = build_baseline(data.tracking, data.ranges, today=dt.date(2026, 11, 23))
    assert base.top_reps == ["Chloe Nguyen", "Keisha Brown", "Ava Thompson"]  # by deals won a full week
    paces = {(p.rep, p.metric): p for p in summary.monthly}
    sheet = summary_sheet(summary)
    title = next(r for (r, c), cell in sheet.cells.items() if str(cell.value).startswith("What it takes"))
    header = {sheet.cells[(title + 1, c)].value: c for c in range(4, 20) if (title + 1, c) in sheet.cells}
    for n, funnel in enumerate(summary.funnels, start=1):
        assert funnel.top_reps == [r for r in base.top_reps if r != funnel.rep]
        need = focus(funnel)
        assert need is not None
        pace = paces[(funnel.rep, need.outcome)]
        assert need.projection == pace.projection  # Emma: 1.5, as the Monthly pacing block says, not 1.8
        assert sheet.cells[(title + 1 + n, header["Projected"])].value == pace.projection
        own = "1.6" if funnel.rep == "Jonas Weber" else pace.range.split()[-1]  # Jonas's 80 %, as his pace line
        assert sheet.cells[(title + 1 + n, header["Behind on"])].value == f"{own} {need.outcome} a month"
        assert "At this week's activity" not in next(r.diagnosis for r in summary.reps if r.rep == funnel.rep)


def test_a_columns_word_worked_out_once_is_the_word_worked_out_each_time():
    """Funnels names each column in the user's own word once (Words): the word lower(label(column)) gives."""
    from salesmetrics_xl.core.funnel import Words
    from salesmetrics_xl.core.text import lower

    def label(column: str) -> str:
        return {"Conversations": "Connects (Conversations)", "New MRR": "New MRR"}.get(column, column)

    words = Words(label)
    for column in ["Conversations", "Dials", "New MRR", "SQLs", "Conversations", "Dials"]:
        assert words[column] == lower(label(column))
    assert words["Dials"] == "dials" and words["New MRR"] == "new MRR"
