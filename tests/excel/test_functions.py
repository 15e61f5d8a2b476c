"""The UDFs as Excel calls them: directly, and through xlwings Server/Lite with the exact Office.js payload."""

import asyncio

import numpy as np
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
    assert call("metric_diagnosis", "IN RANGE", "BELOW", "BELOW")[0][0].startswith("Messaging or lead targeting")
    top = [[60], [62], [70], [71], [100], [110], [120], [130]]
    sqls = [[3], [3], [3], [3], [0], [0], [0], [0]]
    assert call("suggest_range", top, sqls, None, 0.5) == [[60.0, 75.0]]  # the top-outcome rows, not the busiest
    assert call("suggest_range", top, sqls, None, 0.5, "outcome") == [[60.0, ""]]


def test_function_wizard_metadata_for_every_udf():
    meta = {f["name"]: f for f in server.custom_functions_meta(functions)["functions"]}
    assert set(meta) == {"METRIC_STATUS", "METRIC_RATE", "METRIC_SCORE", "METRIC_DIAGNOSIS", "METRIC_RANGE",
                         "SUGGEST_RANGE", "METRIC_SCALE"}
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
