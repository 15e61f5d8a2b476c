"""The Tracking sheet read under a title block, with aliases and extra columns (core/parse/tracking.py)."""

import datetime as dt

from salesmetrics_xl.core.parse import parse_tracking
from salesmetrics_xl.core.workbook import REP, TEAM, TRACKING


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


def test_tracking_spec_lists_required_columns():
    assert [c.name for c in TRACKING.columns if c.required] == ["Week", "Rep"]


def test_an_excel_error_in_a_metric_cell_is_a_warning_and_no_data():
    """#29: an error value in a metric cell names its cell and its error, as a warning; the value is unknown (NaN,
    NO DATA for that week), never 0 or blank. In Days Worked, where a blank means a full week, it stays an error."""
    rows = [
        ("Week", "Rep", "Dials", "Conversations", "SQLs", "Days Worked"),
        ("2026-W47", "Ann", "#DIV/0!", 12, "#GETTING_DATA", 5),
        ("2026-W47", "Bob", 40, "#N/A", 0, "#REF!"),
    ]
    data, problems = parse_tracking(rows, file="f.xlsx")
    assert data is not None and len(data.frame) == 2  # the rows are kept: only those cells are unknown
    ann, bob = data.frame.iloc[0], data.frame.iloc[1]
    assert ann["Dials"] != ann["Dials"] and ann["SQLs"] != ann["SQLs"]  # NaN, not 0
    assert ann["Conversations"] == 12 and bob["SQLs"] == 0 and bob["Conversations"] != bob["Conversations"]
    found = {(p.code, p.cell, p.severity): p.message for p in problems}
    assert found[("error-value", "C2", "warning")] == (
        "Dials: the cell shows the Excel error #DIV/0!; it is not counted (neither 0 nor blank), so what needs it "
        "shows NO DATA for this rep's week: fix the formula in Excel")
    assert "#GETTING_DATA" in found[("error-value", "E2", "warning")]
    assert "#N/A" in found[("error-value", "D3", "warning")]
    assert found[("bad-number", "F3", "error")] == "Days Worked: the cell shows the Excel error #REF!"
    assert not any(p.code == "bad-number" and p.cell != "F3" for p in problems)


def test_text_that_only_looks_like_an_error_is_still_bad():
    rows = [("Week", "Rep", "Dials"), ("2026-W47", "Ann", "#5 calls")]
    _, problems = parse_tracking(rows, file="f.xlsx")
    assert [(p.code, p.severity) for p in problems if p.cell == "C2"] == [("bad-number", "error")]


def test_a_name_cell_showing_an_excel_error_names_nobody():
    """#N/A from a lookup in Rep is never a rep called "#N/A": the row is skipped with its cell named; in Team it
    is read as blank, with a warning."""
    rows = [["Week", "Rep", "Team", "Dials"],
            [dt.date(2026, 11, 16), "#N/A", "East", 60],
            [dt.date(2026, 11, 16), "Ann", "#REF!", 55],
            [dt.date(2026, 11, 16), "Bo", "East", 50]]
    data, problems = parse_tracking(rows, file="t.xlsx")
    assert data is not None and sorted(data.frame[REP]) == ["Ann", "Bo"]
    (rep,) = [p for p in problems if p.code == "missing-rep"]
    assert rep.cell == "B2" and "#N/A" in rep.message and "skipped" in rep.message
    (team,) = [p for p in problems if p.code == "error-value"]
    assert team.cell == "C3" and team.severity == "warning" and "#REF!" in team.message
    assert data.frame.loc[data.frame[REP] == "Ann", TEAM].isna().all()
