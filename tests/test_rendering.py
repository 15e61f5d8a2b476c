"""What the written sheets look like: cells a reader can see, rows that do not cut or hide their text.

Checked on the files as written (openpyxl reads back the styles); the pictures were looked at through
LibreOffice (`python docs/render_summary.py`).
"""

from __future__ import annotations

import datetime as dt
import math

import openpyxl

from salesmetrics_xl.core.baseline import build_baseline
from salesmetrics_xl.core.parse import default_ranges, parse_tracking
from salesmetrics_xl.layouts.summary import SUMMARY_SHEET
from salesmetrics_xl.summarise import summarise_workbook
from tests.conftest import ROOT, TRACKING_HEADER, default_ranges_rows

WEEK = dt.date(2026, 11, 16)
#            Week  Rep    Team    Role  Dials Emails Conv Meet SQL Opp Won MRR
ROWS = [TRACKING_HEADER,
        [WEEK, "Ann", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900],
        [WEEK, "Bob", "East", "SDR", 30, 50, 2, 0, 0, None, None, None]]  # Win Rate and New MRR: NO DATA


def _summary_sheet(make_book, tmp_path):
    source = make_book({"Tracking": ROWS, "Ranges": default_ranges_rows()})
    run = summarise_workbook(source, out=tmp_path / "out.xlsx", today=dt.date(2026, 11, 23))
    return openpyxl.load_workbook(run.output)[SUMMARY_SHEET]


def _fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type == "solid" else "none"


def test_no_data_cells_are_grey_like_the_legend(make_book, tmp_path):
    ws = _summary_sheet(make_book, tmp_path)
    legend = next(c for c in ws[3] if c.value == "no data/range")
    header = {c.value: c.column for c in ws[6] if c.value}
    bob = next(r for r in range(8, 12) if ws.cell(r, 2).value == "Bob")
    no_data = ws.cell(bob, header["Win Rate"])
    assert no_data.value is None and _fill(no_data) == _fill(legend) != "none"
    assert _fill(ws.cell(bob, header["Dials"])) not in (_fill(legend), "none")  # BELOW keeps its red


def test_rep_rows_are_centred_vertically_beside_their_wrapped_text(make_book, tmp_path):
    ws = _summary_sheet(make_book, tmp_path)
    bob = next(r for r in range(8, 12) if ws.cell(r, 2).value == "Bob")
    assert ws.row_dimensions[bob].height > 15  # his out-of-range list wraps
    for cell in ws[bob][:ws.max_column]:
        if cell.value is not None or cell.fill.fill_type == "solid":
            assert cell.alignment.vertical == "center", cell.coordinate


def test_how_to_use_title_is_whole_and_rows_are_tall_enough_for_their_text():
    ws = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")["How to use"]
    assert not ws["A1"].alignment.wrap_text and ws["B1"].value is None  # one line, free to run across
    assert "A3:E3" in {str(m) for m in ws.merged_cells.ranges}
    widths = {c: ws.column_dimensions[c].width for c in "ABCDE"}
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if cell.value is None or cell.column_letter not in widths:
                continue
            lines = math.ceil(len(str(cell.value)) / widths[cell.column_letter])
            assert (ws.row_dimensions[cell.row].height or 15) >= 15 * lines, cell.coordinate
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_baseline_shows_money_as_money_and_one_deal_as_one_deal():
    rows = [TRACKING_HEADER] + [[WEEK - dt.timedelta(weeks=w), rep, "T", "SDR", 60, 120, 12, 4, 2, 1, won, mrr]
                                for w in range(1, 5) for rep, won, mrr in (("Ann", 1, 810), ("Bob", 0, 0))]
    data, _ = parse_tracking(rows)
    (b,) = build_baseline(data, default_ranges(), weeks=4, today=dt.date(2026, 11, 22))
    metrics = {(m.metric, m.period.value): m for m in b.metrics}
    mrr = metrics[("New MRR", "month")]
    assert mrr.current.describe(mrr.unit) == "at least $5,000"
    assert "$" in mrr.suggested.describe(mrr.unit)
    assert "had 1 Deal Won in a typical full week" in metrics[("Deals Won", "week")].why
