"""The buttons through xlwings Lite's runtime on a book built from a real .xlsx, and parity with the file route."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
import xlwings.server as server

from salesmetrics_xl.core.summary import build_summary
from salesmetrics_xl.core.workbook import EVALUATION_SHEET, SUMMARY_SHEET
from salesmetrics_xl.excel import scripts
from salesmetrics_xl.excel.book import CHECKS_NAME
from salesmetrics_xl.excel.run import SalesMetricsError, weekly_summary
from salesmetrics_xl.layouts.sheet import OWNED_NAME
from salesmetrics_xl.layouts.summary import workbook_layout
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.xlsx import write_workbook
from tests.conftest import EXAMPLE
from tests.excel.payloads import book_payload

NOW = dt.datetime(2026, 11, 23, 8, 0)


def run_script(name: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    book = xw.Book(json=payload)
    asyncio.run(server.custom_scripts_call(scripts, name, typehint_to_value={xw.Book: book}))
    return book.json()["actions"]


def grids(actions: list[dict[str, Any]], sheet_names: list[str]) -> dict[str, dict[tuple[int, int], Any]]:
    """Apply the actions Excel would apply, as far as values go: sheet name -> (row, col) -> value."""
    names = list(sheet_names)
    out: dict[str, dict[tuple[int, int], Any]] = {}
    for action in actions:
        if action["func"] == "addSheet":
            index, name = action["args"]
            names.insert(index, name)
        elif action["func"] == "setValues":
            sheet = names[action["sheet_position"]]
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    out.setdefault(sheet, {})[(action["start_row"] + r + 1, action["start_column"] + c + 1)] = value
    return out


def _same(value: Any) -> Any:
    """What Excel shows: an apostrophe only marks text, blanks are blanks, 3.0 is 3."""
    if value in ("", None):
        return None
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def test_build_weekly_summary_adds_and_fills_both_sheets():
    actions = run_script("build_weekly_summary", book_payload(EXAMPLE))
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == [SUMMARY_SHEET, EVALUATION_SHEET]
    filled = grids(actions, ["How to use", "Tracking", "Ranges", "Ramp", "Settings"])
    assert str(filled[SUMMARY_SHEET][(1, 1)]).startswith("Weekly Summary: acme_sales_team, week 2026-W47")
    # the example declares Days Worked, Start Date and FTE: the add-in gets each row's scale (Q: activity, 0 = OFF)
    assert filled[EVALUATION_SHEET][(3, 3)] == \
        '=IF(Tracking!B2="","",METRIC_STATUS(Tracking!E2,Ranges!$E$2,Ranges!$F$2,"","",IF($Q3=0,0,$Q3)))'
    assert filled[EVALUATION_SHEET][(4, 3)] == \
        '=IF(Tracking!B3="","",METRIC_STATUS(Tracking!E3,Ranges!$E$2,Ranges!$F$2,"","",IF($Q4=0,0,$Q4)))'
    assert filled[EVALUATION_SHEET][(2, 17)] == "Activity scale"
    kinds = {a["func"] for a in actions}
    assert {"addChart", "addConditionalFormat", "freezePaneAtRange", "setDataValidationRule", "namesAdd"} <= kinds
    checks = [a for a in actions if a["func"] == "addConditionalFormat" and a["sheet_position"] == 1]
    assert checks and all("Ranges!" in a["args"][0]["formula"] for a in checks)  # Tracking, driven by Ranges


def test_parity_with_the_file_route(tmp_path):
    """The live book and the file writer put the same values in the same cells for the same workbook."""
    data = read_workbook(EXAMPLE)
    summary = build_summary(data.tracking, data.ranges, data.problems, now=NOW, title=EXAMPLE.stem)
    target = write_workbook(EXAMPLE, workbook_layout(summary, data.tracking, data.ranges, "udf"),
                            tmp_path / "file.xlsx")
    book = xw.Book(json=book_payload(EXAMPLE))
    weekly_summary(book, formulas="udf", now=NOW)
    live = grids(book.json()["actions"], ["How to use", "Tracking", "Ranges", "Ramp", "Settings"])
    written = openpyxl.load_workbook(target)
    for name in (SUMMARY_SHEET, EVALUATION_SHEET):
        ws = written[name]
        file_cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
        live_cells = {pos: v for pos, v in live[name].items() if _same(v) is not None}
        assert set(live_cells) == set(file_cells), name
        different = {pos: (_same(live_cells[pos]), _same(file_cells[pos])) for pos in file_cells
                     if _same(live_cells[pos]) != pytest.approx(_same(file_cells[pos]))
                     and _same(live_cells[pos]) != _same(file_cells[pos])}
        assert different == {}, name
        assert len(file_cells) > (200 if name == SUMMARY_SHEET else 3000)


def test_range_checks_are_added_once(tmp_path):
    payload = book_payload(EXAMPLE)
    first = run_script("build_weekly_summary", payload)
    assert sum(a["func"] == "namesAdd" and a["args"][0] == CHECKS_NAME for a in first) == 1
    payload["names"] = [{"name": CHECKS_NAME, "refers_to": "=Tracking!$A$1", "scope_sheet_name": None,
                         "scope_sheet_index": None, "book_scope": True}]
    second = run_script("build_weekly_summary", payload)
    assert not [a for a in second if a["func"] == "setDataValidationRule"
                or (a["func"] == "namesAdd" and a["args"][0] == CHECKS_NAME)]
    assert not [a for a in second if a["func"] == "addConditionalFormat" and a["sheet_position"] == 1]


def test_running_again_replaces_our_sheets_in_place(tmp_path):
    data = read_workbook(EXAMPLE)
    summary = build_summary(data.tracking, data.ranges, data.problems, now=NOW, title=EXAMPLE.stem)
    summarised = write_workbook(EXAMPLE, workbook_layout(summary, data.tracking, data.ranges, "udf"),
                                tmp_path / "s.xlsx")
    actions = run_script("build_weekly_summary", book_payload(summarised))
    assert not [a for a in actions if a["func"] in ("addSheet", "sheetDelete")]  # same sheets, same places
    cleared = [a["sheet_position"] for a in actions if a["func"] == "sheetClear"]
    assert sorted(cleared) == [5, 6]
    filled = grids(actions, ["How to use", "Tracking", "Ranges", "Ramp", "Settings", SUMMARY_SHEET, EVALUATION_SHEET])
    assert str(filled[SUMMARY_SHEET][(1, 1)]).startswith("Weekly Summary: s, week 2026-W47")  # the book is s.xlsx


def test_suggest_ranges_adds_the_sheet():
    actions = run_script("suggest_ranges", book_payload(EXAMPLE))
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == ["Suggested Ranges"]


def test_a_book_without_tracking_data_gets_a_clear_message(tmp_path):
    path = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "hello"
    wb.save(path)
    with pytest.raises(SalesMetricsError, match="no 'Tracking' sheet"):
        weekly_summary(xw.Book(json=book_payload(path)))


def test_only_the_scripts_are_exposed():
    public = {n for n in vars(scripts) if not n.startswith("_")}
    assert public == {"annotations", "xw", "build_weekly_summary", "suggest_ranges"}


def test_lite_main_reexports_the_functions_and_scripts():
    text = (Path(__file__).parents[2] / "lite" / "main.py").read_text()
    for name in ("metric_status", "metric_rate", "metric_score", "metric_diagnosis", "metric_range", "suggest_range",
                 "activity_needed", "funnel_leak", "build_weekly_summary", "suggest_ranges"):
        assert name in text


def test_the_live_book_escapes_text_inside_formulas_too(tmp_path):
    """A Role full of formula syntax reaches the live book's formulas, range checks and validation only as text."""
    from tests.layouts.books import HOSTILE_ROLE, hostile_book
    from tests.layouts.formulas import OURS, functions

    book = hostile_book(tmp_path / "hostile.xlsx", rows=40)
    wb = openpyxl.load_workbook(book)
    wb["Ranges"]["H2"] = 'x",HYPERLINK("http://evil"),"'  # Dials' general row becomes a role row too
    wb.save(book)
    actions = run_script("build_weekly_summary", book_payload(book))
    formulas = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row
                if isinstance(v, str) and v.startswith("=")]
    formulas += [a["args"][0]["formula"] for a in actions if a["func"] == "addConditionalFormat"]
    formulas += [a["args"][1] for a in actions if a["func"] == "namesAdd"]
    assert len(formulas) > 100
    for formula in formulas:
        assert functions(formula.removeprefix("=")) <= OURS, formula
    assert HOSTILE_ROLE == "Q\"A', =(x),!\nNew"
    role = "(\"Q\"\"A', =(x),!\"&CHAR(10)&\"New\")"  # the quote doubled, the line break as CHAR(10)
    assert any(role in f for f in formulas) and any('"x"",HYPERLINK(""http://evil""),"""' in f for f in formulas)


def _sheet(name: str, values: list[list[Any]]) -> dict[str, Any]:
    return {"name": name, "values": values, "pictures": [], "tables": [], "charts": [], "shapes": [],
            "pivot_tables": [], "visibility": "Visible"}


def test_a_users_sheet_named_like_ours_is_kept_in_the_live_book():
    payload = book_payload(EXAMPLE)
    payload["sheets"].append(_sheet("Evaluation", [["My own evaluation notes"]]))
    user = len(payload["sheets"]) - 1  # the user's own Evaluation sheet, after the example's five
    actions = run_script("build_weekly_summary", payload)
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == [SUMMARY_SHEET, "Evaluation (2)"]
    assert user not in [a["sheet_position"] for a in actions if a["func"].startswith("sheet")]  # never cleared
    assert not [a for a in actions if a.get("sheet_position") == user]  # nothing at all written to the user's sheet
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alerts == ["The sheet 'Evaluation' was not made by salesmetrics-xl, so it is kept as it is; ours is "
                      "written as 'Evaluation (2)'."]
    record = next(a["args"] for a in actions if a["func"] == "namesAdd" and a["args"][0] == OWNED_NAME)
    assert record[1] == '="Weekly Summary/Evaluation (2)"'
    # the next run finds its own sheets by the record and refills them in place; the user's is left alone
    payload["sheets"] += [_sheet(SUMMARY_SHEET, [["Weekly Summary: old"]]), _sheet("Evaluation (2)", [["old"]])]
    payload["names"] = [{"name": OWNED_NAME, "refers_to": record[1], "sheet_index": None, "address": None,
                         "scope_sheet_name": None, "scope_sheet_index": None, "book_scope": True}]
    again = run_script("build_weekly_summary", payload)
    assert not [a for a in again if a["func"] in ("addSheet", "alert")]
    assert sorted(a["sheet_position"] for a in again if a["func"] == "sheetClear") == [user + 1, user + 2]
    assert not [a for a in again if a.get("sheet_position") == user]
