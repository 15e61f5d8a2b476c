"""Fair ranges: the rule for the effective range (core/effective.py), what declares it, and what check says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmetrics_xl.core.baseline import build_baseline
from salesmetrics_xl.core.effective import Fairness, RampStep, describe, ramp_shares, row_scales, tenure_month
from salesmetrics_xl.core.evaluate import evaluate_rows
from salesmetrics_xl.core.metrics import CATALOG, Range, Unit
from salesmetrics_xl.core.status import evaluate
from salesmetrics_xl.core.summary import build_summary
from salesmetrics_xl.core.workbook import DAYS_WORKED, FTE, START_DATE
from salesmetrics_xl.reader import read_workbook
from tests.conftest import RANGES_HEADER, TRACKING_HEADER, MakeBook, default_ranges_rows

TODAY = dt.date(2026, 11, 22)
THIS = dt.date(2026, 11, 16)
BY_NAME = {m.name: m for m in CATALOG}
PLAIN = TRACKING_HEADER[:TRACKING_HEADER.index(DAYS_WORKED)]


def test_the_done_criteria_of_the_rule():
    # month 2 of the default ramp (50 %): 30 dials against 50-75 is judged against 25-37.5
    assert tenure_month([dt.date(2026, 10, 5)], [THIS])[0] == 2
    assert list(evaluate([30, 24, 38], 50, 75, 0.5)) == ["IN RANGE", "BELOW", "ABOVE"]
    # 2 of 5 days: 24 dials against 50-75 is judged against 20-30
    assert list(evaluate([24, 19, 31], 50, 75, 2 / 5)) == ["IN RANGE", "BELOW", "ABOVE"]
    # a scale of 0 is a week off, whatever the value or range
    assert list(evaluate([0, None, 90], 50, 75, 0)) == ["OFF", "OFF", "OFF"]
    assert list(evaluate([0], None, None, 0)) == ["OFF"]


def test_the_bound_is_exact_not_floating_point_noise():
    scale = 1 / 5 * 1 * 0.75  # 1 of 5 days in month 3 of the ramp
    assert 200 * scale != 30  # 30.000000000000004: without the rounding, 30 emails would be BELOW 30
    assert list(evaluate([30, 29], 200, None, scale)) == ["IN RANGE", "BELOW"]
    assert list(evaluate([37.5, 37.6], 50, 75, 0.5)) == ["IN RANGE", "ABOVE"]  # 37.5 is not rounded to 38
    assert describe(Range(min=50, max=75), 0.5, Unit.COUNT) == "25–37.5"
    assert describe(Range(min=5), 1 / 3, Unit.COUNT) == "at least 1.7"  # display rounds, the comparison does not
    assert list(evaluate([1.66], 5, None, 1 / 3)) == ["BELOW"]


@pytest.mark.parametrize(("start", "week", "month"), [
    ("2026-11-16", "2026-11-16", 1),  # the first day
    ("2026-11-18", "2026-11-16", 1),  # starts during the week
    ("2026-10-16", "2026-11-16", 2),  # exactly one month
    ("2026-10-17", "2026-11-16", 1),  # a day short of a month
    ("2026-01-31", "2026-03-02", 2),  # month ends: complete months, as DATEDIF "m" counts them
    ("2025-11-16", "2026-11-16", 13),
])
def test_month_of_tenure(start, week, month):
    assert tenure_month([pd.Timestamp(start)], [pd.Timestamp(week)])[0] == month


def _tenure_by_pandas(start, week):
    """Month of tenure from pandas' year, month and day fields: the plain statement of the rule, a reference."""
    s = pd.DatetimeIndex(pd.to_datetime(pd.Series(start), errors="coerce")).normalize()
    w = pd.DatetimeIndex(pd.to_datetime(pd.Series(week), errors="coerce"))
    months = (w.year - s.year) * 12 + (w.month - s.month) - (w.day < s.day).astype(float)
    return np.where(s.isna() | w.isna(), np.nan, np.where(s > w, 0, months) + 1.0)


stamp = st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2080, 12, 31)))


@settings(deadline=None)
@given(pairs=st.lists(st.tuples(stamp, stamp), max_size=40))
def test_month_of_tenure_counts_as_the_calendar_does(pairs):
    """Any start and week (times of day, month ends, before 1970, blanks): the same month as the calendar's
    fields give, from numpy dates and from plain objects alike."""
    start = np.array([s for s, _ in pairs], dtype="datetime64[ns]")
    week = np.array([w for _, w in pairs], dtype="datetime64[ns]")
    expected = _tenure_by_pandas(start, week)
    assert np.array_equal(tenure_month(start, week), expected, equal_nan=True)
    assert np.array_equal(tenure_month(np.array([s for s, _ in pairs], dtype=object), week), expected, equal_nan=True)


def test_ramp_share_by_month_and_role():
    fairness = Fairness(ramp=(RampStep(month=1, share=0.25), RampStep(month=2, share=0.5),
                              RampStep(month=1, share=0.6, role="AE")))
    months = np.array([1, 2, 3, np.nan, 1, 2])
    roles = pd.Series(["SDR", "SDR", "SDR", "SDR", "ae", "AE"])
    # months not listed are 100 %; a role's own rows replace the general ones (an AE in month 2: 100 %)
    assert list(ramp_shares(months, roles, fairness)) == [0.25, 0.5, 1, 1, 0.6, 1]


def test_each_kind_of_range_has_its_scale():
    frame = pd.DataFrame({"Week": pd.to_datetime([THIS] * 4), "Role": [None] * 4,
                          DAYS_WORKED: [3, np.nan, 0, 9], FTE: [1, 0.5, 1, 1.5],
                          START_DATE: pd.to_datetime([None, "2026-10-05", None, None])})
    scales = row_scales(frame, Fairness())
    assert scales is not None
    assert list(scales.for_metric(BY_NAME["Dials"])) == [0.6, 0.25, 0, 1]  # 9 of 5 days and FTE 1.5: read as 1
    assert list(scales.for_metric(BY_NAME["SQLs"])) == [1, 0.25, 0, 1]  # outcomes: FTE x ramp, not the days
    assert list(scales.for_metric(BY_NAME["Connect Rate"])) == [1, 1, 0, 1]  # rates: never, except OFF
    assert [scales.note(i, 5) for i in range(4)] == ["3 of 5 days", "50 % FTE, ramp 50 %", "OFF", None]
    assert row_scales(frame.drop(columns=[DAYS_WORKED, FTE, START_DATE]), Fairness()) is None


def _book(path: Path, rows: int, declared: bool) -> Path:
    """A team's weeks with every kind of value; ``declared``: the same with blank Days Worked, Start Date and FTE
    columns and the template's Ramp and Settings sheets."""
    from tests.layouts.books import random_book

    random_book(path, rows, seed=11)
    if declared:
        wb = openpyxl.load_workbook(path)
        ws = wb["Tracking"]
        for col, name in enumerate(("Working Days", "Hire Date", "FTE"), start=len(PLAIN) + 1):
            ws.cell(1, col, name)
        ramp = wb.create_sheet("Ramp")
        for row in (["Month", "Share"], [1, 0.25], [2, 0.5], [3, 0.75]):
            ramp.append(row)
        settings = wb.create_sheet("Settings")
        for row in (["Setting", "Value"], ["Working Week", 5]):
            settings.append(row)
        wb.save(path)
    return path


def test_a_workbook_that_declares_nothing_is_judged_as_before(tmp_path):
    """Blank Days Worked, Start Date and FTE, and default Ramp and Settings sheets, give every summary value of the
    same workbook without them; without them nothing is even scaled (the code path of before). The same values
    as before this change were also checked against the previous release's code (see the issue's report)."""
    plain = read_workbook(_book(tmp_path / "plain.xlsx", 1500, False), today=TODAY)
    declared = read_workbook(_book(tmp_path / "declared.xlsx", 1500, True), today=TODAY)
    assert row_scales(plain.tracking.frame, plain.ranges.fairness) is None
    assert {DAYS_WORKED, START_DATE, FTE} <= set(declared.tracking.frame)  # matched by their aliases
    for week in plain.tracking.weeks[-6:]:
        a = build_summary(plain.tracking, plain.ranges, week=week.date(), now=dt.datetime(2026, 11, 22))
        b = build_summary(declared.tracking, declared.ranges, week=week.date(), now=dt.datetime(2026, 11, 22))
        assert a.model_dump(exclude={"source", "title", "problems"}) == b.model_dump(
            exclude={"source", "title", "problems"})
        assert all(not r.effective and r.judged_on is None and not r.off for r in a.reps)
    one = build_baseline(plain.tracking, plain.ranges, today=TODAY)
    two = build_baseline(declared.tracking, declared.ranges, today=TODAY)
    assert [b.model_dump() for b in one] == [b.model_dump() for b in two]


def test_check_reports_impossible_values_with_their_cells(make_book: MakeBook):
    start = dt.date(2026, 11, 25)
    book = make_book({
        "Tracking": [[*PLAIN, "Days Worked", "Start Date", "FTE"],
                     [THIS, "Ann", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900, 6, None, 1],
                     [THIS, "Bo", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900, -1, None, 1.5],
                     [THIS, "Cy", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900, 5, start, 1],
                     [THIS, "Di", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900, 5, None, None]],
        "Ranges": default_ranges_rows(),
        "Settings": [["Setting", "Value"], ["Working Week", 5]],
        "Reps": [["Rep", "Start Date", "Role", "FTE"], ["Di", dt.date(2026, 12, 1), "AE", 2]]})
    data = read_workbook(book, today=TODAY)
    found = {(p.code, p.sheet, p.cell): p.message for p in data.problems if p.severity == "error"}
    assert found[("impossible-days", "Tracking", "M2")].startswith("Ann: Days Worked 6 is more than the 5-day "
                                                                   "working week")
    assert "negative" in found[("bad-number", "Tracking", "M3")]
    assert found[("impossible-fte", "Tracking", "O3")].startswith("Bo: FTE 1.5 is outside 0 to 1")
    assert found[("start-after-week", "Tracking", "N4")].startswith("Cy: Start Date 2026-11-25 is after the week of "
                                                                    "2026-11-16")
    assert found[("start-after-week", "Reps", "B2")].startswith("Di: Start Date 2026-12-01 is after the week")
    assert found[("impossible-fte", "Reps", "D2")].startswith("FTE 2 is outside 0 to 1")
    assert all(p.file == str(book) for p in data.problems)
    # impossible days and FTE are read as blank: Ann and Bo are judged on a full week at full time; a start after
    # the week is month 1 of the ramp (25 %: 12.5-18.75), until the date is fixed
    frame = data.tracking.frame
    statuses = evaluate_rows(frame, data.ranges, metrics=[BY_NAME["Dials"]])["Dials"][1]
    assert list(statuses) == ["IN RANGE", "IN RANGE", "ABOVE", "ABOVE"]
    assert frame.loc[frame["Rep"] == "Di", "Role"].tolist() == ["SDR"]  # the row's own Role wins over Reps


def test_settings_and_ramp_are_read_and_checked(make_book: MakeBook):
    book = make_book({
        "Tracking": [[*PLAIN, "Days", "Ramp Start"],
                     [THIS, "Ann", "East", "SDR", 30, 60, 6, 2, 1, 1, 0, 0, 4, dt.date(2026, 10, 1)]],
        "Ranges": [RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75]],
        "Ramp": [["Month of Tenure", "% of Range", "Role"], [1, "40%"], [2, 0.6], [2, 0.7], [0, 0.1], [3, 80]],
        "Settings": [["Setting", "Value"], ["Working Week", 4]]})
    data = read_workbook(book, today=TODAY)
    errors = {(p.sheet, p.cell): p.message for p in data.problems if p.severity == "error"}
    assert errors[("Ramp", "A4")] == "month 2 already has a share in row 3"
    assert errors[("Ramp", "A5")].startswith("Month: 0 is not a month of tenure")
    assert errors[("Ramp", "B6")].startswith("Share for month 3: 80 is above 100%; write 80%")
    fairness = data.ranges.fairness
    assert fairness.working_week == 4 and fairness.week_cell == "B2"
    assert [(s.month, s.share) for s in fairness.ramp] == [(1, 0.4), (2, 0.6)]
    # 4 of 4 days, month 2 (October 1 to November 16): 60 % of 50-75 is 30-45
    assert list(evaluate_rows(data.tracking.frame, data.ranges)["Dials"][1]) == ["IN RANGE"]


def test_the_baseline_leaves_out_weeks_that_are_not_full(make_book: MakeBook):
    weeks = [THIS - dt.timedelta(weeks=k) for k in range(1, 5)]
    rows = [[*PLAIN, DAYS_WORKED, START_DATE, FTE]]
    for w in weeks:
        rows += [[w, "Ann", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900, 5, None, None],
                 [w, "Bo", "East", "SDR", 10, 20, 2, 1, 0, 0, 0, 0, 1, None, None],  # one day a week
                 [w, "Cy", "East", "SDR", 20, 30, 4, 1, 0, 0, 0, 0, None, w, None]]  # new
    rows.append([weeks[0], "Ann", "East", "SDR", 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None])  # a week off (kept last)
    data = read_workbook(make_book({"Tracking": rows, "Ranges": default_ranges_rows()}), today=TODAY)
    (baseline,) = build_baseline(data.tracking, data.ranges, today=TODAY)
    assert baseline.reps == ["Ann"] and not any("left out" in n for n in baseline.notes)  # information only
    assert baseline.left_out.startswith("left out 9 rep-weeks that were not a full week at full time and full ramp "
                                        "(1 OFF, 4 ramping, 4 short; reps: Ann, Bo, Cy)")
    dials = next(m for m in baseline.metrics if m.metric == "Dials")
    assert dials.top is not None and dials.top.p25 == 60  # Ann's worked weeks, not her week off


def test_a_paced_outcome_shows_the_months_range_it_was_judged_by(make_book: MakeBook):
    """A part-timer's SQLs are judged by the month's pace against 60 % of the monthly range: the cell's range and
    the sentence both say that month range, never a weekly one the verdict did not use."""
    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), THIS]
    book = make_book({
        "Tracking": [[*PLAIN, FTE], *([w, "Mei", "West", "SDR", 40, 80, 8, 2, 0, 0, 0, 0, 0.6] for w in weeks)],
        "Ranges": [RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75],
                   ["SQLs", "outcome", None, "week", 1, None], ["SQLs", "outcome", None, "month", 5, None]]})
    data = read_workbook(book, today=TODAY)
    mei = build_summary(data.tracking, data.ranges, week=THIS).reps[0]
    assert mei.paced == ["SQLs"] and mei.judged["SQLs"] == "BELOW"
    assert mei.effective == {"Dials": "30–45", "SQLs": "at least 3 a month"}
    assert "of at least 3 a month (60 % of the range" in mei.diagnosis


def test_an_effective_bound_never_reads_as_a_whole_number_it_is_not():
    """5–7 meetings at 28 % is 1.4–1.96: "1.4–2" would show 2 meetings as in range while the rule says above."""
    from salesmetrics_xl.core.metrics import Range, Unit

    assert describe(Range(min=5, max=7), 0.28, Unit.COUNT) == "1.4–1.96"
    assert describe(Range(min=50, max=75), 0.6, Unit.COUNT) == "30–45"
    assert describe(Range(min=3, max=6), 0.6, Unit.COUNT) == "1.8–3.6"
    assert describe(Range(min=3), 0.45, Unit.COUNT) == "at least 1.4"  # 1.35: one decimal is enough


def test_the_left_out_note_names_a_few_reps_not_every_part_timer(make_book: MakeBook):
    """300 part-timers are counted and a few named, never all listed in one sentence."""
    weeks = [THIS - dt.timedelta(weeks=k) for k in range(1, 3)]
    rows = [[*PLAIN, DAYS_WORKED, START_DATE, FTE]]
    for w in weeks:
        rows += [[w, "Ann", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900, None, None, None]]
        rows += [[w, f"Part-timer {i:03}", "East", "SDR", 30, 60, 6, 2, 1, 0, 0, 0, None, None, 0.5]
                 for i in range(300)]
    data = read_workbook(make_book({"Tracking": rows, "Ranges": default_ranges_rows()}), today=TODAY)
    (baseline,) = build_baseline(data.tracking, data.ranges, today=TODAY)
    assert "(600 part-time; reps: Part-timer 000, Part-timer 001" in baseline.left_out
    assert "and 290 more)" in baseline.left_out and len(baseline.left_out) < 800
