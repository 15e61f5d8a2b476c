import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesmetrics_xl.core.parse import default_ranges, parse_ranges, parse_tracking
from salesmetrics_xl.core.summary import build_summary
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.template import EXAMPLE_STORIES
from tests.conftest import EXAMPLE, RANGES_HEADER, TRACKING_HEADER

W = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]


def tracking(rows):
    data, problems = parse_tracking([TRACKING_HEADER, *rows], file="t.xlsx")
    assert not [p for p in problems if p.severity == "error"], problems
    return data


def row(week, rep, dials, conv, sqls, opps=0, won=0, mrr=0, emails=150, meetings=4, role="SDR", team="East"):
    return [week, rep, team, role, dials, emails, conv, meetings, sqls, opps, won, mrr]


@pytest.fixture(scope="module")
def example():
    data = read_workbook(EXAMPLE, today=dt.date(2026, 11, 22))
    return build_summary(data.tracking, data.ranges, data.problems, title="Acme")


def test_example_tells_its_planted_stories(example):
    reps = {r.rep: r for r in example.reps}
    order = [r.rep for r in example.reps]
    busy = reps[EXAMPLE_STORIES["busy_not_converting"]]
    # 75 dials is inside 50-75: not "busy, not producing" (that flag is for activity above its range), but the
    # story is still there: off track, and the focus is the messaging that loses his SQLs
    assert busy.diagnosis_code == "messaging" and not busy.busy_not_producing
    assert (busy.verdict, busy.focus) == ("Off track", "Messaging") and busy.action.startswith("Qualifying: 2.6%")
    quiet = EXAMPLE_STORIES["low_activity_high_outcome"]
    assert reps[quiet].statuses["Dials"] == "BELOW" and order.index(quiet) < order.index(busy.rep)
    assert reps[EXAMPLE_STORIES["above_dials_max"]].statuses["Dials"] == "ABOVE"
    ramping, _ = EXAMPLE_STORIES["ramping"]
    assert reps[ramping].changes["Dials"] is not None
    assert example.week_label == "2026-W47" and example.teams == ["East", "West"]
    assert [p.code for p in example.problems] == []  # Emma's missing week is October, not this week
    assert "4 off track: 4 messaging (" in example.team_diagnosis


def test_outcomes_first_never_activity():
    data = tracking([row(W[2], "Dialer", 400, 80, 0, 0), row(W[2], "Closer", 30, 8, 3, 2, 1, 900),
                     row(W[2], "Middle", 60, 12, 1, 1, 0)])
    summary = build_summary(data, default_ranges())
    assert [r.rep for r in summary.reps] == ["Closer", "Middle", "Dialer"]
    dialer = summary.reps[-1]
    assert dialer.statuses["Dials"] == "ABOVE" and dialer.busy_not_producing
    assert dialer.diagnosis_code == "volume-over-quality"


def test_trend_and_weeks_in_a_row_out_of_range():
    data = tracking([row(W[0], "Ann", 40, 10, 1), row(W[1], "Ann", 45, 10, 1), row(W[2], "Ann", 44, 10, 1),
                     row(W[0], "Bob", 40, 10, 1), row(W[2], "Bob", 44, 10, 1)])  # Bob misses a week
    summary = build_summary(data, default_ranges())
    reps = {r.rep: r for r in summary.reps}
    assert reps["Ann"].changes["Dials"] == -1 and reps["Ann"].streaks["Dials"] == 3
    assert reps["Bob"].changes["Dials"] is None and reps["Bob"].streaks["Dials"] == 1
    assert reps["Ann"].changes["Connect Rate"] == pytest.approx(10 / 44 - 10 / 45)


def test_no_change_from_a_week_off():
    """Back from a week off, +60 dials is not a jump: the change against an OFF week is blank."""
    days = TRACKING_HEADER.index("Days Worked")
    rows = [row(W[0], "Ann", 55, 10, 1), row(W[1], "Ann", 0, 0, 0), row(W[2], "Ann", 60, 12, 2),
            row(W[1], "Bob", 50, 10, 1), row(W[2], "Bob", 58, 12, 2)]
    for r in rows:
        r += [None] * (len(TRACKING_HEADER) - len(r))
    rows[1][days] = 0
    summary = build_summary(tracking(rows), default_ranges())
    reps = {r.rep: r for r in summary.reps}
    assert set(reps["Ann"].changes.values()) == {None}
    assert reps["Bob"].changes["Dials"] == 8  # a worked week still compares


@pytest.mark.parametrize("seed", range(5))
def test_weeks_in_a_row_match_a_week_by_week_walk(seed):
    """Random reps with gaps, duplicates and future weeks against the definition: walk back from this week
    while the rep has a row for the week before and that row is out of range."""
    rng = random.Random(seed)
    weeks = [W[2] - dt.timedelta(weeks=k) for k in range(12)] + [W[2] + dt.timedelta(weeks=1)]
    rows = [row(week, f"Rep {r}", rng.choice([40, 60, 90]), rng.choice([0, 10]), rng.choice([0, 1, 9]))
            for r in range(15) for week in weeks if rng.random() < 0.8]
    rows += [rng.choice(rows) for _ in range(5)]  # duplicates: the last row of a rep's week counts
    data = tracking(rows)
    summary = build_summary(data, default_ranges(), week=W[2])
    last = {(r[1], r[0]): r for r in rows}
    for rep in summary.reps:
        for metric in ("Dials", "Connect Rate", "SQLs"):
            expected, week = 0, W[2]
            while (rep.rep, week) in last:
                one = build_summary(tracking([last[(rep.rep, week)]]), default_ranges())
                if one.reps[0].statuses[metric] not in ("BELOW", "ABOVE"):
                    break
                expected, week = expected + 1, week - dt.timedelta(weeks=1)
            assert rep.streaks[metric] == expected, (rep.rep, metric)


def test_monthly_pacing_projects_in_a_straight_line():
    # November 2026 has five Mondays (2, 9, 16, 23, 30); three have passed by the week of the 16th.
    data = tracking([row(W[0], "Ann", 60, 12, 1, 1, 1, 1000), row(W[1], "Ann", 60, 12, 2, 1, 1, 1000),
                     row(W[2], "Ann", 60, 12, 0, 1, 2, 500)])
    summary = build_summary(data, default_ranges())
    pace = {p.metric: p for p in summary.monthly}
    assert (pace["SQLs"].month_to_date, pace["SQLs"].weeks_elapsed, pace["SQLs"].weeks_in_month) == (3, 3, 5)
    assert pace["SQLs"].projection == pytest.approx(5) and pace["SQLs"].on_pace  # at least 5 a month
    assert pace["Deals Won"].projection == pytest.approx(4 / 3 * 5) and pace["Deals Won"].on_pace
    assert pace["New MRR"].projection == pytest.approx(2500 / 3 * 5) and not pace["New MRR"].on_pace
    assert summary.month == "November 2026"


def test_team_block_pools_rates_and_counts_reps_in_range():
    data = tracking([row(W[2], "Ann", 60, 12, 1), row(W[2], "Bob", 40, 4, 1), row(W[2], "Cy", 80, 20, 2)])
    summary = build_summary(data, default_ranges())
    team = {t.metric: t for t in summary.team}
    assert team["Dials"].total == 180 and team["Dials"].average == 60
    assert (team["Dials"].in_range, team["Dials"].judged) == (1, 3)
    assert team["Connect Rate"].total == pytest.approx(36 / 180)  # pooled, not an average of ratios
    assert team["Deals Won"].judged == 3  # judged by the month's pace, as its cells are coloured


def test_role_specific_ranges_win_over_the_general_one():
    rows = [RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75], ["Dials", "activity", None, "week", 20, 40,
                                                                          None, "AE"]]
    ranges, problems = parse_ranges(rows, tracking_columns=[])
    assert problems == []
    data = tracking([row(W[2], "Sam", 30, 6, 1, role="AE"), row(W[2], "Sid", 30, 6, 1, role="SDR")])
    summary = build_summary(data, ranges)
    statuses = {r.rep: r.statuses["Dials"] for r in summary.reps}
    assert statuses == {"Sam": "IN RANGE", "Sid": "BELOW"}
    assert summary.metrics[0].range == "by role"


def test_week_selection():
    data = tracking([row(W[0], "Ann", 60, 12, 1), row(W[2], "Ann", 60, 12, 1)])
    assert build_summary(data, default_ranges()).week == W[2]
    assert build_summary(data, default_ranges(), week=dt.date(2026, 11, 5)).week == W[0]
    with pytest.raises(ValueError, match="no Tracking rows for the week of 2026-11-09"):
        build_summary(data, default_ranges(), week=W[1])
    assert isinstance(build_summary(data, default_ranges()).generated_at, dt.datetime)
    assert pd.Timestamp(W[2]) in data.weeks


def test_example_judgment_reads_as_one_story(example):
    from tests.core.consistency import assert_consistent

    assert_consistent(example)
    top_third = example.reps[: len(example.reps) // 3]  # the sheet's order: outcomes first
    for rep in top_third:
        assert rep.on_track and rep.diagnosis_code not in ("effort", "activity-below"), rep.diagnosis
    quiet = next(r for r in example.reps if r.rep == EXAMPLE_STORIES["low_activity_high_outcome"])
    assert quiet.diagnosis_code == "efficient" and quiet.statuses["Dials"] == "BELOW"
    assert "1 with less activity than the range: Chloe Nguyen" in example.team_diagnosis


@pytest.mark.parametrize("week", [None, dt.date(2026, 11, 2), dt.date(2026, 10, 12), dt.date(2026, 9, 28)])
def test_starting_simple_gives_every_rep_with_numbers_an_answer(week):
    """The method's advice: start with a few ranges. Dials 50-75 a week and SQLs at least 5 a month are enough."""
    data = read_workbook(EXAMPLE, today=dt.date(2026, 11, 22))
    starter, problems = parse_ranges([RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75],
                                      ["SQLs", "outcome", None, "month", 5, None]], tracking_columns=[])
    assert problems == []
    summary = build_summary(data.tracking, starter, week=week)
    for rep in summary.reps:
        assert rep.diagnosis_code not in ("no-data",), rep.diagnosis
        assert rep.categories["outcome"] != "NO DATA" or rep.diagnosis_code == "no-row"
    assert any(r.on_track for r in summary.reps) and not summary.team_diagnosis.startswith("0 of")


def test_a_rate_change_is_in_percentage_points_on_the_sheet(example):
    from salesmetrics_xl.layouts.summary import summary_sheet

    sheet = summary_sheet(example)
    rep = example.reps[0]
    change = rep.changes["Connect Rate"]
    row = next(r for (r, c), cell in sheet.cells.items() if c == 2 and cell.value == rep.rep
               and any(v.value == "Change from last week" for (rr, cc), v in sheet.cells.items() if rr < r and cc == 2))
    from salesmetrics_xl.layouts.summary import METRICS_FROM

    col = METRICS_FROM + [m.name for m in example.metrics].index("Connect Rate")
    cell = sheet.cells[(row, col)]
    assert cell.value == pytest.approx(change * 100) and cell.style.number_format.startswith('+0.0" pp"')


def test_a_shortfall_never_reads_as_the_bound_itself():
    """$4,999.70 on course against at least $5,000 a month, $999.60 against at least $1,000 a week: rounding
    to whole dollars would print the bound twice, once as the value that falls short of it."""
    from salesmetrics_xl.core.evaluate import latest_week_findings

    data = tracking([row(W[0], "Ann", 60, 12, 2, 1, 1, 1000), row(W[1], "Ann", 60, 12, 2, 1, 1, 1000),
                     row(W[2], "Ann", 60, 12, 2, 1, 1, 999.82)])
    summary = build_summary(data, default_ranges())
    (ann,) = summary.reps
    assert "New MRR behind pace: $3,000 so far, on course for $4,999.70 of at least $5,000 a month" in ann.diagnosis
    rows = [RANGES_HEADER, ["New MRR", "outcome", None, "week", 1000, None]]
    ranges, problems = parse_ranges(rows, tracking_columns=[])
    assert problems == []
    data = tracking([row(W[2], "Ann", 60, 12, 2, 1, 1, 999.6)])
    (finding,) = latest_week_findings(data, ranges)
    assert "Ann: New MRR $999.60 is below its range of at least $1,000" in finding.message
    assert "New MRR $999.60 below at least $1,000" in build_summary(data, ranges).reps[0].diagnosis


def test_a_rep_with_no_outcome_is_never_among_the_teams_best():
    """23 of 28 SDRs have no outcome at all: none of them is a top performer (the funnel compares them with the 5
    who close) or "among the team's best by outcomes" (the top third of 28 is 10 reps, the first 5 of them by name
    would be Low 00 to Low 04): they are told what costs them, as every rep with the same numbers is."""
    from tests.core.teams import GOOD, LOW, TEAM_WEEKS, few_closers

    data, ranges = few_closers()
    summary = build_summary(data, ranges, week=TEAM_WEEKS[-1])
    reps = {r.rep: r for r in summary.reps}
    assert [r.rep for r in summary.reps] == [*GOOD, *LOW]  # the order by outcomes is unchanged
    assert not [r.rep for r in summary.reps if "among the team's best" in r.action]
    low = {(reps[name].verdict, reps[name].focus, reps[name].action, reps[name].detail) for name in LOW}
    assert len(low) == 1  # Low 00 reads as Low 22: the same numbers, the same decision
    (verdict, focus, action, _), = low
    assert (verdict, focus) == ("Off track", "Effort or capacity")
    assert action.startswith("Dials: 10 a week vs at least 50")
    funnels = {f.rep: f for f in summary.funnels}
    assert all(funnels[name].top_reps == GOOD for name in LOW)  # compared with the reps who close
    assert funnels["Good 00"].top_reps == GOOD[1:] and not funnels["Good 00"].no_top
    # the target check rests on the 5 who close, never on a rep projecting 0
    check = next(x for x in summary.range_review if "Deals Won target" in x)
    assert "Good 00 4, Good 01 4, Good 02 4 and 2 more, none higher a month" in check and "Low" not in check


def test_with_no_top_performers_the_funnel_says_why():
    """The only reps who close have 1 full week of 3 (left out of the ranking): no SDR ranked closed anything, so
    there are no top performers, and the rep is not told they are "the top SDR"."""
    from salesmetrics_xl.core.funnel import no_top_reps
    from tests.core.teams import TEAM_WEEKS, few_closers

    data, ranges = few_closers(low_weeks=[dt.date(2026, 11, 2), *TEAM_WEEKS], good_weeks=TEAM_WEEKS[1:])
    summary = build_summary(data, ranges)
    funnel = next(f for f in summary.funnels if f.rep == "Low 00")
    assert funnel.top_reps == [] and funnel.peers == 28
    assert no_top_reps(funnel) == "no SDR ranked had any Deals Won in the window"
    assert not [r.rep for r in summary.reps if "among the team's best" in r.action]


def test_the_cycle_collector_is_left_as_it_was():
    """build_summary pauses Python's cycle collector while it builds (for speed) and restores it as it found it,
    even when the build fails."""
    import gc

    data = tracking([row(W[2], "Ann", 60, 12, 2)])
    assert gc.isenabled()
    build_summary(data, default_ranges())
    assert gc.isenabled()
    gc.disable()
    try:
        build_summary(data, default_ranges())
        assert not gc.isenabled()  # a caller who paused it keeps it paused
    finally:
        gc.enable()
    with pytest.raises(ValueError):
        build_summary(data, default_ranges(), week=dt.date(2020, 1, 6))  # no rows that week
    assert gc.isenabled()


def test_text_and_date_columns_in_pandas_own_types_judge_alike():
    """A reader may hand over names in pandas' text type (a blank is NaN, not None) and dates in microseconds:
    the summary is the same, blanks included (no team, no role)."""
    data = tracking([row(W[0], "Ann", 60, 12, 2), row(W[1], "Ann", 40, 8, 0, team=None, role=None),
                     row(W[2], "Ann", 55, 11, 1), row(W[1], "Bob", 70, 9, 1, role="AE"),
                     row(W[2], "Bob", 20, 3, 0, team=None), row(W[2], "Cy", 65, 13, 2, role=None)])
    ranges = default_ranges()
    now = dt.datetime(2026, 11, 20)
    expected = build_summary(data, ranges, now=now).model_dump()
    frame = data.frame.copy()
    for column in ("Rep", "Team", "Role"):
        frame[column] = frame[column].astype("str" if pd.__version__ >= "3" else "string")
    frame["Week"] = frame["Week"].astype("datetime64[us]")
    data.frame = frame
    assert frame["Team"].isna().any() and frame["Role"].isna().any()
    assert build_summary(data, ranges, now=now).model_dump() == expected


@given(st.lists(st.tuples(st.sampled_from(["Ann", "Bo", "Cy", "ann"]), st.integers(0, 7)), max_size=30),
       st.integers(0, 8))
def test_one_row_per_rep_and_week_and_the_reps_missing_this_week_as_pandas_picks_them(rows, this):
    """The last row of a rep's week (a second one replaces the first), and the reps with a row in the 4 weeks
    before but none this week (each at its last row, in sheet order): as drop_duplicates and isin pick them."""
    from salesmetrics_xl.core.evaluate import week_stamps
    from salesmetrics_xl.core.summary import RECENT_WEEKS, _missing, _one_row_per_week

    start = pd.Timestamp(W[0]) - pd.Timedelta(weeks=8)
    frame = pd.DataFrame({"Week": [start + pd.Timedelta(weeks=w) for _, w in rows], "Rep": [r for r, _ in rows],
                          "Dials": np.arange(len(rows), dtype=float)}, index=np.arange(len(rows)) * 2 + 5)
    frame["Week"] = frame["Week"].astype("datetime64[ns]")
    kept, codes = _one_row_per_week(frame)
    pd.testing.assert_frame_equal(kept, frame.drop_duplicates(["Rep", "Week"], keep="last").reset_index(drop=True))
    assert codes.tolist() == pd.factorize(kept["Rep"].to_numpy())[0].tolist()  # the reps' codes, found once
    week = start + pd.Timedelta(weeks=this)
    here = kept[kept["Week"] == week]
    recent = kept[(kept["Week"] < week) & (kept["Week"] >= week - pd.Timedelta(weeks=RECENT_WEEKS))]
    expected = recent[~recent["Rep"].isin(set(here["Rep"]))].drop_duplicates("Rep", keep="last").index.tolist()
    rows_here = np.flatnonzero((kept["Week"] == week).to_numpy())
    assert _missing(codes, week_stamps(kept), rows_here, week).tolist() == expected


@pytest.mark.parametrize("week", [None, 40, 44])
def test_each_reps_categories_and_diagnosis_are_the_rules_own(week):
    """The summary works each combination of statuses out once (a category's, the three categories' diagnosis,
    busy-not-producing): every rep's is what the rule gives for that rep alone."""
    from salesmetrics_xl.core.diagnosis import busy_not_producing, category_status, diagnose
    from salesmetrics_xl.core.metrics import Category

    data = read_workbook(EXAMPLE, today=dt.date(2026, 11, 22))
    chosen = None if week is None else dt.date.fromisocalendar(2026, week, 1)
    summary = build_summary(data.tracking, data.ranges, data.problems, week=chosen)
    by_category = {c: [m.name for m in summary.metrics if m.category is c] for c in Category}
    judged = [r for r in summary.reps if r.row is not None and not r.off]
    assert len(judged) > 5
    for rep in judged:
        assert rep.categories == {c: category_status([rep.judged[m] for m in names])
                                  for c, names in by_category.items()}, rep.rep
        found = diagnose(*(rep.categories[c] for c in (Category.ACTIVITY, Category.QUALITY, Category.OUTCOME)))
        assert rep.diagnosis_code == found.code and rep.diagnosis_headline == found.headline, rep.rep
        assert rep.busy_not_producing == busy_not_producing(
            rep.categories[Category.ACTIVITY], [rep.judged[m] for m in by_category[Category.QUALITY]],
            [rep.judged[m] for m in by_category[Category.OUTCOME]]), rep.rep
