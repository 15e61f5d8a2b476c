"""The live book reads the sheets a workbook names itself, as the file reader does."""

from __future__ import annotations

import openpyxl
import xlwings as xw

from salesmetrics_xl.excel.book import read_book
from tests.excel.payloads import book_payload
from tests.own_workbooks import TARGETS, own_workbook


def test_the_button_reads_the_sheets_the_defined_names_point_at(tmp_path):
    source = own_workbook(tmp_path / "odd.xlsx", targets="Q4 numbers")
    wb = openpyxl.load_workbook(source)
    wb.create_sheet("Ranges").append(["Metric", "Min"])  # a decoy the defined name must win over
    wb["Ranges"].append(["Calls", 999])
    wb.save(source)
    payload = book_payload(source)
    plain = read_book(xw.Book(json=payload))
    assert [r.range.min for r in plain.ranges.rules] == [999]

    payload["names"] = [{"name": "salesmetrics_ranges", "book_scope": True, "scope_sheet_name": None,
                         "refers_to": "='Q4 numbers'!$A$1", "sheet_index": 1, "address": "A1"},
                        {"name": "salesmetrics_tracking", "book_scope": True, "scope_sheet_name": None,
                         "refers_to": '="Weekly Activity"', "sheet_index": None, "address": None}]
    named = read_book(xw.Book(json=payload))
    assert named.ranges.sheet == "Q4 numbers" and len(named.ranges.rules) == len(TARGETS) - 1
    assert named.tracking is not None and named.tracking.sheet == "Weekly Activity"
    assert not [p for p in named.problems if p.severity == "error"]


def test_the_button_leaves_the_weekly_summary_on_screen(tmp_path):
    import asyncio

    import xlwings.server as server

    from salesmetrics_xl.excel import scripts
    from tests.conftest import EXAMPLE

    payload = book_payload(EXAMPLE)
    book = xw.Book(json=payload)
    asyncio.run(server.custom_scripts_call(scripts, "build_weekly_summary", typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    names = [s["name"] for s in payload["sheets"]] + added
    (shown,) = [a["args"][0] for a in actions if a["func"] == "activateSheet"]
    assert names[shown] == "Weekly Summary" and actions[-1]["func"] == "activateSheet"


def test_the_button_reads_the_sheets_the_settings_sheet_names(tmp_path):
    import asyncio

    import xlwings.server as server

    from salesmetrics_xl.excel import scripts
    from tests.own_workbooks import settings_workbook

    payload = book_payload(settings_workbook(tmp_path / "team.xlsx"))
    data = read_book(xw.Book(json=payload))
    assert data.tracking is not None and data.tracking.sheet == "Weekly Activity" and data.ranges.sheet == "Goals"
    assert len(data.tracking.frame) == 12 and not [p for p in data.problems if p.severity == "error"]

    book = xw.Book(json=payload)
    asyncio.run(server.custom_scripts_call(scripts, "build_weekly_summary", typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert "65–80" in written and "Ann Lee" in written  # Dials judged against Goals, the reps from Weekly Activity
    formulas = [v for v in written if isinstance(v, str) and v.startswith("=")]
    assert any("'Weekly Activity'!" in f and "Goals!" in f for f in formulas)

    # the defined name wins over Settings, as on the command line
    payload["names"] = [{"name": "salesmetrics_ranges", "book_scope": True, "scope_sheet_name": None,
                         "refers_to": "=Ranges!$A$1", "sheet_index": 2, "address": "A1"}]
    assert read_book(xw.Book(json=payload)).ranges.sheet == "Ranges"


def test_the_button_says_which_settings_cell_names_no_sheet(tmp_path):
    import pytest

    from salesmetrics_xl.excel.run import SalesMetricsError, weekly_summary
    from tests.own_workbooks import settings_workbook

    payload = book_payload(settings_workbook(tmp_path / "team.xlsx"))
    settings = next(s for s in payload["sheets"] if s["name"] == "Settings")
    settings["values"][2][1] = "#REF!"  # what Office.js sends for a cell showing an error
    with pytest.raises(SalesMetricsError, match=r"^Settings!B3: Tracking Sheet: the cell shows the Excel error "
                                                r"#REF!; type the sheet's name; sheets found: How to use, Tracking"):
        weekly_summary(xw.Book(json=payload))
    settings["values"][2][1] = "Weekly Activty"
    with pytest.raises(SalesMetricsError, match=r"did you mean 'Weekly Activity'\?$"):
        weekly_summary(xw.Book(json=payload))
