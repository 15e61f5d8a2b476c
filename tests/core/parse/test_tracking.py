"""The Tracking sheet read under a title block, with aliases and extra columns (core/parse/tracking.py)."""

from salesmetrics_xl.core.parse import parse_tracking
from salesmetrics_xl.core.workbook import TRACKING


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
