"""The whole workbook: the missing counted columns judged once the ranges are known (core/parse/workbook.py)."""

import datetime as dt

from salesmetrics_xl.core.parse import parse_tracking, parse_workbook


def test_missing_columns_are_reworded_from_the_ranges_and_quote_the_whole_header_row():
    """A header that itself reads like our wording ("(headers found: ...") is quoted whole: the warning is
    reworded from what the Tracking sheet found, never by cutting its first sentence apart."""
    sheets = {"Tracking": [["Week", "Rep", "Dials", "Notes (headers found: x)"],
                           [dt.date(2026, 11, 16), "Ann", 3, "hi"]],
              "Ranges": [["Metric", "Period", "Min", "Max"], ["Dials", "week", 1, 2], ["Emails", "week", 1, 2]]}
    data = parse_workbook(list(sheets), lambda name: sheets[name], "team.xlsx", dt.date(2026, 11, 22))
    found = [(p.severity.value, p.sheet, p.cell, p.message) for p in data.problems if p.code == "missing-column"]
    quoted = " (headers found: Week, Rep, Dials, Notes (headers found: x))"
    assert found == [
        ("warning", "Tracking", "A1", f"no column for Emails, which a range needs; it shows NO DATA{quoted}"),
        ("note", "Tracking", "A1", "no column for Conversations, Meetings Booked, SQLs, Opportunities, Deals Won and "
                                   f"New MRR; no range uses them, so nothing is judged on them{quoted}")]
    # the Tracking sheet alone, before any range is known, says it once
    alone = [p.message for p in parse_tracking(sheets["Tracking"], file="team.xlsx")[1] if p.code == "missing-column"]
    assert alone == ["no column for Emails, Conversations, Meetings Booked, SQLs, Opportunities, Deals Won, New MRR; "
                     f"metrics that need them show NO DATA{quoted}"]
