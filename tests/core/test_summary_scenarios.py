"""The judgment as a table of rep stories: each with the ranges a team has, the rep's weeks, and the verdict and
diagnosis a sales manager should read on Monday. The README's rule table states the same rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from salesmetrics_xl.core.diagnosis import DIAGNOSES
from salesmetrics_xl.core.parse import parse_ranges, parse_tracking
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import Status
from salesmetrics_xl.core.summary import WeeklySummary, build_summary
from tests.conftest import RANGES_HEADER, TRACKING_HEADER

# November 2026 has five Mondays (2, 9, 16, 23, 30): the week of the 16th is the third.
THIS = dt.date(2026, 11, 16)
WEEKS = [THIS - dt.timedelta(weeks=k) for k in (3, 2, 1, 0)]  # 26 Oct, 2, 9 and 16 Nov

DIALS = ["Dials", "activity", None, "week", 50, 75]
CONVERSATIONS = ["Conversations", "activity", None, "week", 10, 20]
CONNECT = ["Connect Rate", "quality", "Conversations / Dials", "week", 0.15, None]
QUALIFICATION = ["Qualification Rate", "quality", "SQLs / Conversations", "week", 0.08, None]
WIN = ["Win Rate", "quality", "Deals Won / Opportunities", "week", 0.2, None]
SQLS_MONTH = ["SQLs", "outcome", None, "month", 5, None]
SQLS_WEEK = ["SQLs", "outcome", None, "week", 1, None]
WON_MONTH = ["Deals Won", "outcome", None, "month", 2, None]

STARTER = [DIALS, SQLS_MONTH]  # the method's advice: start with a few ranges
BASIC = [DIALS, CONVERSATIONS, CONNECT, QUALIFICATION, SQLS_MONTH]


def ranges(rows: list[list[object]]) -> RangeSet:
    found, problems = parse_ranges([RANGES_HEADER, *rows], tracking_columns=TRACKING_HEADER)
    assert problems == [], problems
    return found


def week(when: dt.date, dials: float | None, conv: float | None, sqls: float | None, opps: float = 1,
         won: float = 0, role: str = "SDR", rep: str = "Rep", days: float | None = None,
         start: dt.date | None = None, fte: float | None = None) -> list[object]:
    return [when, rep, "East", role, dials, 150, conv, 4, sqls, opps, won, 0, days, start, fte]


def steady(dials: float, conv: float, sqls: float, **kw: object) -> list[list[object]]:
    """The same week four times over, ending this week."""
    return [week(w, dials, conv, sqls, **kw) for w in WEEKS]  # type: ignore[arg-type]


@dataclass
class Story:
    name: str
    ranges: list[list[object]]
    rows: list[list[object]]
    code: str
    says: tuple[str, ...] = ()  # words the rep's sentence must hold
    busy: bool = False
    rep: str = "Rep"
    team_says: tuple[str, ...] = ()
    others: list[list[object]] = field(default_factory=list)


STORIES = [
    Story("the efficient producer: 40 dials and 2 SQLs a week", STARTER, steady(40, 10, 2), "efficient",
          ("On track with less activity", "Dials 40 below 50–75, 4th week in a row", "Learn from how this rep works")),
    Story("efficient with good conversion", BASIC, steady(40, 12, 2), "efficient", ("Dials 40 below 50–75",)),
    Story("the busy non-producer, with quality ranges", BASIC, steady(70, 15, 0), "messaging",
          ("SQLs behind pace: 0 so far", "Qualification Rate 0% below at least 8%", "Review call recordings"),
          busy=True),
    Story("the busy non-producer, no quality range", STARTER, steady(70, 15, 0), "messaging",
          ("SQLs behind pace", "the effort is there but it is not converting"), busy=True),
    Story("volume at the expense of quality", BASIC, steady(120, 12, 0), "volume-over-quality",
          ("Dials 120 above 50–75", "Connect Rate 10% below at least 15%", "Slow down"), busy=True),
    Story("the low-effort non-producer", STARTER, steady(20, 4, 0), "effort",
          ("SQLs behind pace", "Dials 20 below 50–75, 4th week in a row", "Check time on task")),
    Story("on pace for the month with a bad week", [DIALS, SQLS_WEEK, SQLS_MONTH],
          [week(w, 60, 12, s) for w, s in zip(WEEKS, (3, 3, 3, 0), strict=True)], "on-track",
          ("SQLs on pace: 6 so far, on course for 10.5 of at least 5 a month (0 this week)",)),
    Story("behind pace with good weeks", [DIALS, SQLS_WEEK, SQLS_MONTH],
          [week(w, 60, 12, s) for w, s in zip(WEEKS, (0, 0, 1, 1), strict=True)], "messaging",
          ("SQLs behind pace: 2 so far, on course for 3 of at least 5 a month",), busy=True),
    Story("only activity ranges, in range", [DIALS, CONVERSATIONS], steady(60, 12, 0), "in-range",
          ("no outcome range applies",), team_says=("Outcomes are not judged: no outcome range is set.",)),
    Story("only activity ranges, below", [DIALS], steady(30, 6, 3), "activity-below",
          ("Dials 30 below 50–75", "outcomes are not judged")),
    Story("only outcome ranges, on pace", [SQLS_MONTH], steady(60, 12, 2), "on-track", ("outcomes are in range",)),
    Story("only outcome ranges, behind", [SQLS_MONTH], steady(60, 12, 0), "outcome-below",
          ("SQLs behind pace", "no activity or quality range says why")),
    Story("conversion fine, no activity range, behind", [CONNECT, SQLS_MONTH], steady(60, 12, 0), "volume",
          ("SQLs behind pace", "Compare activity with the top reps")),
    Story("effort and conversion fine, deals not closing: producing SQLs, so not busy", [DIALS, CONNECT, WON_MONTH],
          steady(60, 12, 2), "pipeline", ("Deals Won behind pace: 0 so far", "effort and conversion are in range",
                                          "Look at stalled opportunities")),
    Story("pipeline, with one rate below: busy, not converting", [DIALS, CONNECT, QUALIFICATION, WIN, WON_MONTH],
          steady(60, 12, 2, opps=2), "pipeline", ("Deals Won behind pace: 0 so far", "Win Rate 0% below at least 20%"),
          busy=True),
    Story("a role-specific range: an AE at 30 dials is in range", [*STARTER, ["Dials", "activity", None, "week", 20,
                                                                             40, None, "AE"]],
          steady(30, 8, 2, role="AE"), "on-track", ("outcomes are in range",)),
    Story("the same 30 dials for an SDR is less activity", [*STARTER, ["Dials", "activity", None, "week", 20, 40,
                                                                       None, "AE"]],
          steady(30, 8, 2), "efficient", ("Dials 30 below 50–75",)),
    Story("a rep with no row this week", STARTER, [week(w, 60, 12, 2) for w in WEEKS[:3]], "no-row",
          ("the last row is for the week of 2026-11-09",), others=steady(60, 12, 2, rep="Other"),
          team_says=("1 with no row this week (Rep)",)),
    Story("a new rep with two weeks of data", STARTER, [week(w, 60, 12, 2) for w in WEEKS[2:]], "on-track",
          ("outcomes are in range",)),
    Story("a blank row", STARTER, [week(THIS, None, None, None, opps=None)], "no-data",  # type: ignore[arg-type]
          ("Not enough data: numbers not entered yet (Dials, SQLs)", "Fill in this week's numbers")),
    Story("a blank row after weeks on pace is not on track", STARTER,
          [*(week(w, 60, 12, 2) for w in WEEKS[:3]), week(THIS, None, None, None, opps=None)],  # type: ignore[arg-type]
          "no-data", ("Not enough data: numbers not entered yet (Dials, SQLs)",), others=steady(60, 12, 2, rep="B"),
          team_says=("1 of 2 reps on track; 1 off track: 1 not enough data (Rep).",)),
    Story("activity entered, outcomes not yet", STARTER,
          [*(week(w, 60, 12, 2) for w in WEEKS[:3]), week(THIS, 60, 12, None)],  # type: ignore[arg-type]
          "no-data", ("Not enough data: numbers not entered yet (SQLs)",)),
    Story("activity below, outcomes not yet", STARTER,
          [*(week(w, 60, 12, 2) for w in WEEKS[:3]), week(THIS, 30, 12, None)],  # type: ignore[arg-type]
          "activity-below", ("Dials 30 below 50–75", "outcomes are not judged (SQLs not entered yet)")),
    Story("Win Rate below three weeks running, outcomes fine", [DIALS, WIN, SQLS_MONTH],
          steady(60, 12, 2, opps=2, won=0), "on-track",
          ("Watch: Win Rate 0% below at least 20%, 4th week in a row",)),
    Story("too busy but producing", STARTER, steady(90, 18, 2), "on-track", ("Watch: Dials 90 above 50–75",)),
    Story("weekly outcome range only: a pattern", [DIALS, QUALIFICATION, SQLS_WEEK], steady(60, 12, 0),
          "messaging", ("SQLs 0 below at least 1, 4th week in a row",), busy=True),
    Story("weekly outcome range only: one bad week", [DIALS, QUALIFICATION, SQLS_WEEK],
          [week(w, 60, 12, s) for w, s in zip(WEEKS, (2, 2, 2, 0), strict=True)], "messaging",
          ("SQLs 0 below at least 1;", "Qualification Rate 0% below at least 8%"), busy=True),
    Story("every rep on track", STARTER, steady(60, 12, 2), "on-track", team_says=("3 of 3 reps on track.",),
          others=[*steady(62, 12, 3, rep="B"), *steady(70, 14, 2, rep="C")]),
    # fair ranges (core/effective.py): a new rep, a short week, a part-timer, a week off
    Story("month 2 of the ramp: 30 dials against 50–75 is in range (25–37.5)", STARTER,
          steady(30, 8, 1, start=THIS - dt.timedelta(weeks=6)), "on-track",
          ("outcomes are in range",)),
    Story("2 of 5 days worked: 24 dials against 50–75 is in range (20–30)", STARTER,
          [*(week(w, 60, 12, 2) for w in WEEKS[:3]), week(THIS, 24, 5, 1, days=2)], "on-track",
          ("outcomes are in range",)),
    Story("a part-timer at 60 %: 33 dials is in range (30–45)", STARTER, steady(33, 8, 1.5, fte=0.6), "on-track",
          ("outcomes are in range",)),
    Story("a short week still short of its pro-rated range", STARTER,
          [*(week(w, 60, 12, 2) for w in WEEKS[:3]), week(THIS, 12, 3, 1, days=3)], "efficient",
          ("Dials 12 below 30–45 (3 of 5 days)",)),
    Story("a week off is not judged", STARTER,
          [*(week(w, 60, 12, 2) for w in WEEKS[:3]), week(THIS, 0, 0, 0, days=0)], "off",
          ("0 of 5 days worked", "not judged"), others=steady(60, 12, 2, rep="Other"),
          team_says=("1 of 1 reps on track; 1 off this week, not judged (Rep).",)),
    Story("a week off breaks no streak", STARTER,
          [week(WEEKS[0], 30, 8, 2), week(WEEKS[1], 30, 8, 2), week(WEEKS[2], 0, 0, 0, days=0),
           week(THIS, 30, 8, 2)], "efficient", ("Dials 30 below 50–75, 3rd week in a row",)),
    Story("every rep off track", STARTER, steady(60, 12, 0), "messaging",
          team_says=("0 of 3 reps on track; 3 off track: 2 messaging or lead targeting (B, Rep); "
                     "1 effort or capacity (C).",),
          others=[*steady(62, 12, 0, rep="B"), *steady(20, 4, 0, rep="C")], busy=True),
]


def summarise(story: Story) -> WeeklySummary:
    data, problems = parse_tracking([TRACKING_HEADER, *story.others, *story.rows], file="t.xlsx")
    assert not [p for p in problems if p.severity == "error"], problems
    return build_summary(data, ranges(story.ranges), week=THIS)


def test_the_table_has_the_stories_the_method_needs():
    assert len(STORIES) >= 20
    assert {s.code for s in STORIES} >= {d.code for d in DIAGNOSES}  # every diagnosis is told by some story


@pytest.mark.parametrize("story", STORIES, ids=[s.name for s in STORIES])
def test_story(story: Story):
    summary = summarise(story)
    rep = next(r for r in summary.reps if r.rep == story.rep)
    assert rep.diagnosis_code == story.code, rep.diagnosis
    assert rep.on_track == next(d.on_track for d in DIAGNOSES if d.code == story.code)
    assert rep.busy_not_producing == story.busy
    for words in story.says:
        assert words in rep.diagnosis, rep.diagnosis
    for words in story.team_says:
        assert words in summary.team_diagnosis, summary.team_diagnosis
    assert_consistent(summary)


def assert_consistent(summary: WeeklySummary) -> None:
    """What holds on every summary: the sentences agree with the cells beside them and the headline with the
    rows and the pacing block."""
    for rep in summary.reps:
        if rep.diagnosis_code == "no-row" or rep.off:
            continue
        for metric, value in rep.values.items():  # an empty cell is never coloured: no number, no verdict
            assert value is not None or rep.judged[metric] not in ("BELOW", "IN RANGE", "ABOVE"), (rep.rep, metric)
        for metric, status in rep.judged.items():  # every red cell is named in its row's sentence
            if status is Status.BELOW:
                assert metric in rep.diagnosis, (rep.rep, metric, rep.diagnosis)
        if rep.on_track:  # and an on-track sentence names every weekly miss too (a thin rate is not one)
            for metric, status in rep.statuses.items():
                if status is Status.BELOW and metric not in rep.thin:
                    assert metric in rep.diagnosis, (rep.rep, metric, rep.diagnosis)
            assert "work harder" not in rep.diagnosis and "Check time on task" not in rep.diagnosis
        for pace in (p for p in summary.monthly if p.rep == rep.rep):
            if next(m for m in summary.metrics if m.name == pace.metric).category == "outcome":
                assert rep.judged[pace.metric] is pace.status  # the verdict and the pacing block agree
    on = sum(r.on_track for r in summary.reps)
    away = sum(r.off for r in summary.reps)
    assert summary.team_diagnosis.startswith(f"{on} of {len(summary.reps) - away} reps on track") or \
        summary.team_diagnosis.startswith("Outcomes are not judged")
    off = [r for r in summary.reps if not r.on_track and r.diagnosis_code != "no-row" and not r.off]
    if off:
        assert f"; {len(off)} off track: " in summary.team_diagnosis
        counted = sum(int(n) for n in re.findall(r"(?:^|; )(\d+) [a-z]", summary.team_diagnosis.split(
            " off track: ", 1)[1]))
        missing = sum(r.diagnosis_code == "no-row" for r in summary.reps)
        assert counted == len(off) + missing


def test_range_review_names_the_top_producers_who_sit_below_an_activity_range():
    rows = [*steady(40, 10, 3, rep="Ann"), *steady(42, 10, 3, rep="Bo"), *steady(60, 12, 1, rep="Cy"),
            *steady(65, 13, 1, rep="Di"), *steady(70, 14, 1, rep="Ed"), *steady(60, 12, 1, rep="Fi"),
            *steady(62, 12, 1, rep="Gus"), *steady(66, 12, 0, rep="Hal")]
    data, _ = parse_tracking([TRACKING_HEADER, *rows], file="t.xlsx")
    summary = build_summary(data, ranges(STARTER), week=THIS)
    assert summary.range_review == [
        "Range check: the Dials range (50–75) may be set too high. 2 of the top 2 reps by outcomes over the last 4 "
        "weeks were below it in most of those weeks: Ann (4 of 4 weeks), Bo (4 of 4 weeks). Run salesmetrics "
        "baseline to see what they do in a typical week."]
    # one efficient rep among the top producers is a rep to learn from, not a range to change
    data, _ = parse_tracking([TRACKING_HEADER, *rows[:4], *steady(60, 12, 3, rep="Bo"), *rows[8:]], file="t.xlsx")
    assert build_summary(data, ranges(STARTER), week=THIS).range_review == []


def test_range_review_flags_a_max_the_top_producers_exceed():
    rows = [*steady(90, 18, 3, rep="Ann"), *steady(95, 18, 3, rep="Bo"), *steady(60, 12, 1, rep="Cy"),
            *steady(60, 12, 0, rep="Di"), *steady(60, 12, 1, rep="Ed"), *steady(60, 12, 1, rep="Fi")]
    data, _ = parse_tracking([TRACKING_HEADER, *rows], file="t.xlsx")
    (note,) = build_summary(data, ranges(STARTER), week=THIS).range_review
    assert note.startswith("Range check: the Dials range (50–75) may be set too low. 2 of the top 2 reps by "
                           "outcomes over the last 4 weeks were above it")
    # a single top producer above the Max is not a pattern: the team of four has one top rep
    data, _ = parse_tracking([TRACKING_HEADER, *rows[:4], *rows[8:20]], file="t.xlsx")
    assert build_summary(data, ranges(STARTER), week=THIS).range_review == []


# ---- the funnel's sentence against the verdict beside it (core/funnel.py) ------------------------------------

def _behind(rows: list[list[object]], rules: list[list[object]], rep: str = "Rep") -> tuple[WeeklySummary, str]:
    data, problems = parse_tracking([TRACKING_HEADER, *rows], file="t.xlsx")
    assert not [p for p in problems if p.severity == "error"], problems
    summary = build_summary(data, ranges(rules), week=THIS)
    return summary, next(r.diagnosis for r in summary.reps if r.rep == rep)


def test_a_part_timer_plans_for_the_target_the_pace_holds_her_to():
    # at 50 % FTE the month's 5 SQLs are 2.5; 1 SQL so far and about 0.5 more expected: behind
    rows = [week(w, 30, 10, s, fte=0.5) for w, s in zip(WEEKS, (1, 0, 1, 0), strict=True)]
    rows += steady(60, 12, 2, rep="Full")
    summary, said = _behind(rows, [DIALS, QUALIFICATION, SQLS_MONTH])
    assert "of at least 2.5 a month (50 % of the range" in said
    need = next(f for f in summary.funnels if f.rep == "Rep").needs[0]
    assert (need.target, need.share) == (2.5, 0.5)
    assert need.needed["Conversations"] == pytest.approx(2.5 * 12 / 52 / (2 / 40))
    assert "2.5 SQLs a month at Rep's 5% qualification" in said and " 5 SQLs a month" not in said


def test_a_weekly_outcome_target_is_the_reps_own_too():
    rows = [week(w, 30, 10, s, fte=0.5) for w, s in zip(WEEKS, (1, 1, 0, 0), strict=True)]
    summary, said = _behind(rows, [DIALS, SQLS_WEEK])
    need = next(f for f in summary.funnels if f.rep == "Rep").needs[0]
    assert need.period.value == "week" and need.target == 0.5 and need.projection is None
    assert "0.5 SQLs a week at Rep's" in said


def test_one_projection_per_outcome_the_paces():
    rows = [week(w, 60, 12, s) for w, s in zip(WEEKS, (0, 1, 0, 1), strict=True)]
    rows += steady(60, 12, 3, rep="Top")
    summary, said = _behind(rows, [DIALS, SQLS_MONTH])
    pace = next(p for p in summary.monthly if p.rep == "Rep" and p.metric == "SQLs")
    need = next(f for f in summary.funnels if f.rep == "Rep").needs[0]
    assert need.projection == pace.projection
    # one "on course for", the pace's; this week's 12 conversations at the pooled 2/48 would have said 2.5
    assert said.count("on course for") == 1 and f"on course for {pace.projection:g} " in said
    assert "over the last 8 weeks" in said  # the pooled rates say their window


def test_no_volume_gap_when_a_rate_is_below_its_range():
    # the whole team qualifies 5 % of conversations against a range of at least 8 %: the rep converts as well as
    # the top rep, so no stage leaks against them, but the gap is not volume
    rows = [week(w, 40, 10, s) for w, s in zip(WEEKS, (1, 0, 1, 0), strict=True)]  # 0 % this week
    for name in ("B", "C", "D"):
        rows += [week(w, 100, 20, 1, rep=name) for w in WEEKS]
    summary, said = _behind(rows, [DIALS, QUALIFICATION, SQLS_MONTH])
    assert "No stage converts below the top reps." in said and "volume" not in said
    assert next(f for f in summary.funnels if f.rep == "Rep").top_reps == ["B"]
    # with no quality range, the same rep's gap is volume
    _, said = _behind(rows, [DIALS, SQLS_MONTH])
    assert "No stage converts below the top reps; the gap is volume." in said


def test_the_only_rep_is_compared_with_no_one():
    rows = [week(w, 60, 20, s) for w, s in zip(WEEKS, (0, 1, 0, 0), strict=True)]
    _, said = _behind(rows, [DIALS, QUALIFICATION, SQLS_MONTH])
    assert "No top reps to compare with: Rep is the only SDR." in said
    assert "volume" not in said and "for the top reps" not in said


def test_an_off_week_is_not_a_week_of_zeros_and_top_reps_come_from_full_weeks():
    rows = [week(WEEKS[0], 60, 12, 1), week(WEEKS[1], 0, 0, 0, days=0), week(WEEKS[2], 60, 12, 0),
            week(WEEKS[3], 60, 12, 0)]
    # Part sells most a week but at 50 % FTE: the baseline leaves a part-time week out of the top choice
    rows += steady(30, 10, 4, rep="Part", fte=0.5) + steady(60, 15, 3, rep="Best") + steady(60, 12, 2, rep="Mid")
    summary, _ = _behind(rows, [DIALS, SQLS_MONTH])
    funnel = next(f for f in summary.funnels if f.rep == "Rep")
    assert funnel.weeks == 3 and funnel.needs[0].average["Dials"] == 60  # not 45 with the OFF week as 0
    assert funnel.top_reps == ["Best"]
    from salesmetrics_xl.core.baseline import build_baseline

    data, _ = parse_tracking([TRACKING_HEADER, *rows], file="t.xlsx")
    assert build_baseline(data, ranges([DIALS, SQLS_MONTH]), weeks=4, today=THIS + dt.timedelta(days=7)
                          )[0].top_reps == ["Best"]  # the same choice, made by the same function


def test_one_sql_and_one_deal_won_are_singular():
    rows = [week(w, 60, 20, 0, role="AE") for w in WEEKS]
    rows += steady(60, 12, 2, rep="Sdr")
    _, said = _behind(rows, [DIALS, ["SQLs", "outcome", None, "month", 1, None, None, "AE"], SQLS_MONTH])
    assert "1 SQL a month at Rep's" in said and "reaches 1 SQL at it" in said and "1 SQLs" not in said


def test_no_top_reps_when_no_one_of_the_role_worked_a_full_week():
    rows = [week(w, 30, 10, s, fte=0.5) for w, s in zip(WEEKS, (1, 0, 1, 0), strict=True)]
    rows += [week(w, 30, 10, 1, fte=0.5, rep="Other") for w in WEEKS]
    _, said = _behind(rows, [DIALS, SQLS_MONTH])
    assert "No top reps to compare with: no SDR had a full week in the window." in said
