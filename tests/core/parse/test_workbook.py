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


def test_the_ranges_are_heard_with_the_tracking_header_before_its_rows_are_read():
    """``early`` hears the Tracking sheet's shape and the parsed Ranges once the header is found, before the rows
    under it are read (while a columnar reader loads them); the Ranges are parsed once, and the result is the one
    heard. The shape is a guess: its last row is the header's, the rows decide (a totals row is not data)."""
    sheets = {"Tracking": [["Notes"], ["Week", "Rep", "Role", "Dials"],
                           [dt.date(2026, 11, 16), "Ann", "SDR", 3], [dt.date(2026, 11, 16), "Bo", "sdr", 4],
                           ["Total", None, None, 7]],
              "Ranges": [["Metric", "Period", "Min", "Max", "Role"], ["Dials", "week", 1, 2, None],
                         ["Dials", "week", 2, 5, "SDR"]]}
    read: list[str] = []
    heard = []

    def rows(name):
        read.append(name)
        return sheets[name]

    def columns(name, header):
        read.append(f"{name} rows")
        return None  # read row by row, as without a columnar reader

    data = parse_workbook(list(sheets), rows, "team.xlsx", dt.date(2026, 11, 22), columns,
                          early=lambda shape, ranges: heard.append((ranges(), list(read), shape)))
    [(ranges, before, shape)] = heard
    assert before == ["Tracking", "Ranges"]  # the header found, the Ranges parsed, the rows not yet read
    assert read.count("Ranges") == 1  # parsed once
    assert shape.letters == data.tracking.letters and shape.headers == data.tracking.headers
    assert shape.sheet == "Tracking" and shape.header_row == 2 and shape.frame.empty
    assert shape.last_row == 2 and data.tracking.last_row == 4  # the rows decide it
    assert ranges.rules == data.ranges.rules and ranges.sheet == data.ranges.sheet == "Ranges"
    assert list(data.tracking.frame["Role"]) == ["SDR", "SDR"]  # respelled after it was heard


def test_the_ranges_are_parsed_early_only_when_asked():
    sheets = {"Tracking": [["Week", "Rep", "Dials"], [dt.date(2026, 11, 16), "Ann", 3]],
              "Ranges": [["Metric", "Period", "Min", "Max"], ["Dials", "week", 1, 2]]}
    read: list[str] = []
    shapes = []

    def rows(name):
        read.append(name)
        return sheets[name]

    data = parse_workbook(list(sheets), rows, "team.xlsx", dt.date(2026, 11, 22),
                          early=lambda shape, ranges: shapes.append((shape, list(read))))
    assert [r for _, r in shapes] == [["Tracking"]] and read == ["Tracking", "Ranges"]  # in the usual order
    assert data.ranges.sheet == "Ranges"


def test_without_a_ranges_sheet_the_default_ranges_are_heard():
    sheets = {"Tracking": [["Week", "Rep", "Dials"], [dt.date(2026, 11, 16), "Ann", 3]]}
    heard = []
    data = parse_workbook(list(sheets), lambda name: sheets[name], "team.xlsx", dt.date(2026, 11, 22),
                          early=lambda shape, ranges: heard.append(ranges()))
    assert [r.rules for r in heard] == [data.ranges.rules] and data.ranges.sheet is None
    assert any(p.code == "missing-sheet" for p in data.problems)  # the default ranges, said as before
