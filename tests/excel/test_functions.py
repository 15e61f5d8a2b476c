"""The UDFs as Excel calls them: directly, and through xlwings Lite's runtime (xlwings.server) with the exact
Office.js payload."""

import asyncio

import numpy as np
import pytest
import xlwings.server as server

from salesmetrics_xl.core.status import evaluate
from salesmetrics_xl.excel import functions
from tests.excel.payloads import function_payload

RANGES = [["Metric", "Category", "Formula", "Period", "Min", "Max", "Unit", "Role"],
          ["Dials", "activity", None, "week", 50, 75, None, None],
          ["Dials", "activity", None, "week", 20, 40, None, "AE"],
          ["SQLs", "outcome", None, "month", 5, None, None, None],
          ["Connect Rate", "quality", "Conversations / Dials", "week", 0.15, None, "rate", None]]


def call(name, *args):
    return asyncio.run(server.custom_functions_call(function_payload(name, *args), functions))


def test_metric_status_spills_a_whole_column_through_office_js():
    assert call("metric_status", [[40], [50], [75], [76], [None]], 50, 75) == [
        ["BELOW"], ["IN RANGE"], ["IN RANGE"], ["ABOVE"], ["NO DATA"]]
    assert call("metric_status", 60, None, None) == [["NO RANGE"]]
    assert call("metric_status", 6, 5, None) == [["IN RANGE"]]


def test_metric_status_looks_the_range_up_in_the_table_passed_in():
    assert call("metric_status", [[30], [60]], "Dials", RANGES) == [["BELOW"], ["IN RANGE"]]
    assert call("metric_status", 30, "dials", RANGES, "AE") == [["IN RANGE"]]
    assert call("metric_status", 4, "SQLs", RANGES, None, "month") == [["BELOW"]]
    assert call("metric_status", 0.12, "Connect Rate", RANGES) == [["BELOW"]]


def test_errors_are_short_sentences_not_tracebacks():
    assert call("metric_status", 60, "Dails", RANGES) == [["unknown metric 'Dails'; did you mean 'Dials'?"]]
    assert call("metric_status", "12 calls", 50, 75)[0][0].startswith("not a number")
    assert call("metric_rate", [[1], [2]], [[1]]) == [["numerator has 2 cells but denominator has 1"]]
    assert call("metric_diagnosis", "LOW", "BELOW", "BELOW")[0][0] == "'LOW' is not a status (BELOW, IN RANGE, " \
                                                                     "ABOVE, NO DATA)"


def test_companion_functions():
    # a blank result reaches Excel as an empty cell (""), never #DIV/0!
    assert call("metric_rate", [[3], [5], [None]], [[20], [0], [4]]) == [[0.15], [""], [""]]
    assert call("metric_score", [[50], [62.5], [75], [100]], 50, 75) == [[0.0], [0.5], [1.0], [2.0]]
    assert call("metric_score", 10, 5, None) == [[2.0]]
    assert call("metric_range", "Dials", RANGES, "AE") == [[20.0, 40.0]]
    assert call("metric_range", "Connect Rate", RANGES) == [[0.15, ""]]
    # the Weekly Summary's words: verdict, focus, next action (no counts to weigh: the rule table decides)
    assert call("metric_diagnosis", "IN RANGE", "BELOW", "BELOW")[0][0].startswith("Off track: Messaging. ")
    assert call("metric_diagnosis", "BELOW", "BELOW", "BELOW")[0][0].startswith("Off track: Effort or capacity. ")
    assert call("metric_diagnosis", "IN RANGE", "IN RANGE", "BELOW")[0][0].startswith("Off track: Closing. ")
    assert call("metric_diagnosis", "BELOW", "IN RANGE", "IN RANGE")[0][0].startswith("On track, less activity.")
    # no outcome range vs outcomes not entered yet (a blank is NO DATA): the summary's rule, not "on track"
    assert call("metric_diagnosis", "IN RANGE", "IN RANGE", "NO RANGE")[0][0] == (
        "On track. No outcome range applies, so results are not judged; add an SQLs range to judge them.")
    assert call("metric_diagnosis", "IN RANGE", "IN RANGE", None)[0][0].startswith("No data. Fill in")
    top = [[60], [62], [70], [71], [100], [110], [120], [130]]
    sqls = [[3], [3], [3], [3], [0], [0], [0], [0]]
    assert call("suggest_range", top, sqls, None, 0.5) == [[60.0, 75.0]]  # the top-outcome rows, not the busiest
    assert call("suggest_range", top, sqls, None, 0.5, "outcome") == [[60.0, ""]]


def test_function_wizard_metadata_for_every_udf():
    meta = {f["name"]: f for f in server.custom_functions_meta(functions)["functions"]}
    assert set(meta) == {"METRIC_STATUS", "METRIC_RATE", "METRIC_SCORE", "METRIC_DIAGNOSIS", "METRIC_RANGE",
                         "SUGGEST_RANGE", "ACTIVITY_NEEDED", "FUNNEL_LEAK",
                         "METRIC_SCALE"}
    needed = meta["ACTIVITY_NEEDED"]
    assert needed["description"].startswith("The weekly activity an outcome target takes")
    assert [(p["name"], p.get("repeating", False)) for p in needed["parameters"]] == [("target", False),
                                                                                    ("rates", True)]
    assert [p.get("optional", False) for p in meta["FUNNEL_LEAK"]["parameters"]] == [False, False, False, True,
                                                                                      True]
    status = meta["METRIC_STATUS"]
    assert status["description"].startswith("Status of a value against its range")
    assert [p["name"] for p in status["parameters"]] == ["value", "min_or_metric", "max_or_ranges", "role",
                                                          "period", "scale"]
    assert all(p["description"] for f in meta.values() for p in f["parameters"])
    assert [p.get("optional", False) for p in status["parameters"]] == [False, True, True, True, True, True]
    assert [p["name"] for p in meta["METRIC_SCALE"]["parameters"]] == ["days", "week", "fte", "start", "week_of",
                                                                        "ramp", "role"]


def test_one_call_over_100k_values_matches_the_core():
    rng = np.random.default_rng(1)
    column = [[float(v)] if v >= 0 else [None] for v in rng.integers(-5, 100, 100_000)]
    result = functions.metric_status(column, 50, 75)
    assert [r[0] for r in result] == list(evaluate([c[0] for c in column], 50, 75))
    # its speed (one call against 100,000 single-cell calls) is measured in benchmarks/udf.py, not here


def test_activity_needed_and_funnel_leak_by_hand():
    # 5 SQLs a month is 15/13 a week; at 7% and 19%: 15/13 / 0.07 / 0.19
    assert call("activity_needed", 5, 0.07, 0.19, "month")[0][0] == pytest.approx(15 / 13 / 0.07 / 0.19)
    assert call("activity_needed", 2, [[0.5], [0.25]]) == [[16.0]]  # rates as one range; weekly by default
    assert call("activity_needed", 5, 0, 0.19) == [["rate 1 is 0%: at that rate no amount of activity reaches "
                                                    "the target"]]
    assert call("activity_needed", 5, "lots")[0][0].startswith("the last argument may be the target's period")
    stages = [["Connect Rate", "Qualification Rate"]]
    # 75 dials x (22% - 12%) x 10% = 0.75 SQLs a week, 3.25 a month
    assert call("funnel_leak", stages, [[0.12, 0.1]], [[0.22, 0.1]], 75, "month") == [["Connect Rate", 3.25]]
    assert call("funnel_leak", stages, [[0.12, 0.1]], [[0.22, None]]) == [["Connect Rate", ""]]
    assert call("funnel_leak", stages, [[0.3, 0.2]], [[0.22, 0.1]], 75) == [["none below the top reps", 0.0]]
    assert call("funnel_leak", stages, [[0.3]], [[0.22, 0.1]])[0][0].startswith("stages, rep_rates and top_rates")


def test_the_functions_give_the_summarys_numbers_for_the_same_rep():
    from salesmetrics_xl.core.funnel import focus
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.reader import read_workbook
    from tests.conftest import EXAMPLE

    data = read_workbook(EXAMPLE)
    summary = build_summary(data.tracking, data.ranges)
    behind = [f for f in summary.funnels if focus(f) is not None]
    assert {f.rep for f in behind} == {r.rep for r in summary.reps if not r.on_track and r.row is not None}
    for funnel in behind:
        need = focus(funnel)
        rates = {r.rate: r for r in funnel.rates}
        used = [rates[name].used for name in need.rates]
        for k, stage in enumerate(need.needed):  # each stage back up the chain, as the summary shows it
            got = call("activity_needed", need.target, [[u] for u in used[: k + 1]], need.period.value)
            assert got[0][0] == pytest.approx(need.needed[stage]), (funnel.rep, stage)
        tops = [None if rates[name].thin else rates[name].top for name in need.rates]
        leak = call("funnel_leak", [need.rates], [used], [tops], need.average[need.activity], need.period.value)
        assert need.leak is not None
        assert leak[0][0] == need.leak.rate and leak[0][1] == pytest.approx(need.leak.lost), funnel.rep


RAMP = [["Month", "Share", "Role"], [1, 0.25, None], [2, 0.5, None], [3, 0.75, None], [1, 0.5, "AE"]]


def test_a_fair_range_through_office_js():
    """METRIC_SCALE computes the scale (the core's rule) and METRIC_STATUS's scale moves the bounds."""
    # month 2 of the default ramp (started 6 weeks before): 50 %, so 30 dials is in range against 50-75
    (ramp,), = call("metric_scale", None, 5, None, "2026-10-05", "2026-11-16")
    assert ramp == 0.5
    assert call("metric_status", 30, 50, 75, None, None, ramp) == [["IN RANGE"]]
    assert call("metric_status", 30, 50, 75) == [["BELOW"]]  # without the scale, as before
    # 2 of 5 days worked: 24 dials against 50-75 is judged against 20-30
    days = call("metric_scale", [[2], [5], [None], [0], [3]], 5, [[1], [1], [0.6], [1], [1]], None,
                [["2026-11-16"]] * 5)
    assert days == [[0.4], [1.0], [0.6], [0.0], [0.6]]
    assert call("metric_status", [[24], [24], [24], [24], [30]], 50, 75, None, None, days) == [
        ["IN RANGE"], ["BELOW"], ["BELOW"], ["OFF"], ["IN RANGE"]]
    # the Ramp table passed in, with a role's own ramp; a date as Excel's serial number
    assert call("metric_scale", None, 5, None, 46300, 46342, RAMP, "AE") == [[1.0]]  # month 2: AEs have no row
    assert call("metric_scale", None, 5, None, "2026-11-10", "2026-11-16", RAMP, "AE") == [[0.5]]
    assert call("metric_status", 30, "Dials", RANGES, None, None, 0.5) == [["IN RANGE"]]
    assert call("metric_status", 9, "Dials", RANGES, "AE", None, 0.5) == [["BELOW"]]  # 10-20


def test_metric_scale_errors_are_sentences():
    assert call("metric_scale", 2, 0, None, None, "2026-11-16")[0][0].startswith("week 0 must be")
    assert call("metric_scale", [[1], [2]], 5, [[1], [1], [1]], None, "2026-11-16")[0][0].startswith(
        "days has 2 cells but the longest argument has 3")
    assert call("metric_status", [[1], [2]], 50, 75, None, None, [[1], [1], [1]]) == [
        ["scale has 3 cells but value has 2"]]


def test_suggest_range_follows_the_baselines_rules():
    """=SUGGEST_RANGE through Office.js: with the four outcome columns (SQLs to New MRR) side by side, Dev (3
    opportunities a week, no deal in 12 weeks) is never the top rep; a range never has zero width and an outcome
    minimum is never 0."""
    reps = [["Dev"]] * 12 + [["Ann"]] * 12 + [["Bo"]] * 12
    outcomes = ([[3, 3, 0, 0]] * 12 + [[2, 2, 1, 1000], [2, 2, 0, 0]] * 6
                + [[2, 2, 0, 0], [2, 2, 0, 0], [2, 2, 1, 900]] * 4)
    meetings = [[9]] * 12 + [[5]] * 12 + [[4]] * 12
    assert call("suggest_range", meetings, outcomes, reps) == [[4.0, 6.0]]  # Ann's 5 a week, not 5-5
    won = [[row[2]] for row in outcomes]
    assert call("suggest_range", won, outcomes, reps, 0.25, "outcome") == [[1.0, ""]]  # 25th percentile 0: not 0
    assert call("suggest_range", meetings, [[row[1]] for row in outcomes], reps) == [[8.0, 10.0]]  # one column
    never = [[3, 3, 0, 0]] * 12
    assert call("suggest_range", [[9]] * 12, never, [["Dev"]] * 12)[0][0].startswith(
        "no top performers: every rep was left out (Dev: off track: no Deals Won from 36 Opportunities")
