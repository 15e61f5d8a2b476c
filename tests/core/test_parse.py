import datetime as dt

import pytest

from salesmetrics_xl.core.parse import parse_number, parse_ranges, parse_tracking, parse_week
from salesmetrics_xl.core.workbook import TRACKING

MONDAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 11, 16), dt.date(2026, 11, 18), "2026-W47", "2026-w47", "2026W47", "2026-11-16",
    "16.11.2026", "11/16/2026", "16/11/2026", "Nov 16, 2026", "16 Nov 2026", 46342,
])
def test_weeks_as_people_write_them_land_on_the_monday(value):
    assert parse_week(value) == MONDAY


@pytest.mark.parametrize("value", ["next week", "2026-W54", "13/13/2026", 12, True])
def test_unparseable_weeks_say_why(value):
    with pytest.raises(ValueError):
        parse_week(value)


def test_numbers_written_as_text():
    assert parse_number("1,200") == 1200
    assert parse_number("$950") == 950
    assert parse_number("15%") == 0.15
    for bad in ("12 calls", "#DIV/0!", "n/a"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_header_aliases_title_block_and_extra_columns():
    rows = [
        ("Acme weekly tracker",), (), ("Q4",),
        ("week of", "SALES REP", "Calls", "Connects", "Sales Qualified Leads", "Won", "MRR", "Replies"),
        ("2026-W47", "Ann", 60, 12, 2, 1, 900, 7),
    ]
    data, problems = parse_tracking(rows, file="f.xlsx")
    assert data is not None
    assert data.letters["Dials"] == "C" and data.letters["Replies"] == "H"
    rec = data.frame.iloc[0]
    assert (rec["Dials"], rec["Conversations"], rec["SQLs"], rec["Deals Won"], rec["New MRR"]) == (60, 12, 2, 1, 900)
    assert rec["Replies"] == 7 and rec["_row"] == 5
    missing = [p for p in problems if p.code == "missing-column"]
    assert len(missing) == 1 and "Emails" in missing[0].message and missing[0].severity == "warning"


def test_user_defined_ratio_metric_and_its_errors():
    header = ("Metric", "Category", "Formula", "Period", "Min", "Max")
    rows = [header, ("Reply Rate", "quality", "Replies / Emails", "week", "5%", None),
            ("Bad Rate", "quality", "Replies / Emials", "week", 0.1, None),
            ("Dails", None, None, "week", 50, 75)]
    ranges, problems = parse_ranges(rows, tracking_columns=["Emails", "Replies"], file="f.xlsx")
    reply = ranges.rules[0]
    assert (reply.metric.numerator, reply.metric.denominator, reply.range.min) == ("Replies", "Emails", 0.05)
    messages = {p.cell: p.message for p in problems}
    assert "did you mean 'Emails'" in messages["C3"]
    assert "unknown metric 'Dails'; did you mean 'Dials'" in messages["A4"]


def test_tracking_spec_lists_required_columns():
    assert [c.name for c in TRACKING.columns if c.required] == ["Week", "Rep"]
