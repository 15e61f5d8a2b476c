"""The Evaluation sheet's filled-down columns, written as Excel writes a fill-down: one shared formula per column
(a master cell with the formula and the range it covers, then cells that name it). Excel, LibreOffice, openpyxl
and our own reader must all read each cell as the plain formula it stands for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.formula.translate import Translator

from salesmetrics_xl.core.problems import Severity, column_letter, split_range
from salesmetrics_xl.core.summary import build_summary
from salesmetrics_xl.core.workbook import EVALUATION_SHEET
from salesmetrics_xl.layouts.sheet import Cell, Fill, SheetLayout, Style, WorkbookLayout
from salesmetrics_xl.layouts.summary import workbook_layout
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx import worksheet, write_workbook
from salesmetrics_xl.xlsx.styles import Styles
from salesmetrics_xl.xlsx.worksheet import EXCEL_EPOCH, EXCEL_EPOCH_1904, cell_tail, cell_xml, sheet_xml
from salesmetrics_xl.xlsx.xmltext import InvalidPartError
from tests.conftest import EXAMPLE
from tests.libreoffice import convert, needs_libreoffice

TODAY = dt.date(2026, 11, 22)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _layout(source: Path) -> WorkbookLayout:
    data = read_workbook(source, today=TODAY)
    summary = build_summary(data.tracking, data.ranges, data.problems, title=source.stem)
    return workbook_layout(summary, data.tracking, data.ranges, "native")


def _evaluation(layout: WorkbookLayout) -> SheetLayout:
    return next(s for s in layout.sheets if s.name == EVALUATION_SHEET)


def _plain(layout: WorkbookLayout) -> WorkbookLayout:
    """The same layout with every filled-down column written cell by cell, each cell's formula moved from the top
    one as Excel's fill-down moves it: what the sheet looked like without shared formulas."""
    sheets = []
    for sheet in layout.sheets:
        cells = dict(sheet.cells)
        for fill in sheet.fills:
            r1, c, r2, _ = split_range(fill.ref)
            move = Translator("=" + fill.formula, origin=f"{column_letter(c)}{r1}")
            for r in range(r1, r2 + 1):
                cells[(r, c)] = Cell(None, move.translate_formula(f"{column_letter(c)}{r}")[1:], fill.style)
        sheets.append(dataclasses.replace(sheet, writes=[(r, c, cell) for (r, c), cell in cells.items()], fills=[]))
    return dataclasses.replace(layout, sheets=sheets)


def _part(path: Path, sheet: str) -> bytes:
    """The XML of ``sheet`` in the package at ``path``."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet)
    wb.close()
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.findall(r'<sheet [^>]*r:id="(rId\d+)"', workbook)[index]
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
        return zf.read("xl/" + (target[1] or target[2]).lstrip("/").removeprefix("xl/"))


def test_each_filled_column_is_one_shared_formula_as_excel_writes_a_fill_down(tmp_path):
    """ECMA-376 18.3.1.40: the master cell holds the formula, ``ref`` the range it is shared over and ``si`` an index
    unique in the sheet; every other cell of the range carries only ``t="shared"`` and that ``si``. No array formula
    is shared."""
    layout = _layout(EXAMPLE)
    evaluation = _evaluation(layout)
    out = write_workbook(EXAMPLE, layout, tmp_path / "out.xlsx")
    root = ElementTree.fromstring(_part(out, EVALUATION_SHEET))
    formulas = {c.get("r"): c.find(f"{MAIN}f") for c in root.iter(f"{MAIN}c") if c.find(f"{MAIN}f") is not None}
    masters = {f.get("si"): (ref, f) for ref, f in formulas.items() if f.get("ref")}
    assert len(masters) == len(evaluation.fills) > 10  # Week, Rep, the fairness helpers and each metric
    assert not [f for f in formulas.values() if f.get("t") != "shared"]  # nothing else, and no array formula
    for fill in evaluation.fills:
        r1, c, r2, _ = split_range(fill.ref)
        letter = column_letter(c)
        si = next(si for si, (ref, _) in masters.items() if ref == f"{letter}{r1}")
        master = masters[si][1]
        assert master.get("ref") == f"{letter}{r1}:{letter}{r2}" and master.text == fill.formula
        for r in range(r1 + 1, r2 + 1):
            f = formulas[f"{letter}{r}"]
            assert (f.attrib, f.text) == ({"t": "shared", "si": si}, None)
    assert r2 - r1 + 1 == read_workbook(EXAMPLE, today=TODAY).tracking.frame.shape[0]  # one row per Tracking row


def test_openpyxl_reads_each_cell_as_its_plain_formula(tmp_path):
    """openpyxl expands a shared formula for each cell that names it: relative references move with the row, the
    absolute ones ($) stay. The Rep column is checked by hand, the rest against the plain version."""
    layout = _layout(EXAMPLE)
    shared = write_workbook(EXAMPLE, layout, tmp_path / "shared.xlsx")
    plain = write_workbook(EXAMPLE, _plain(layout), tmp_path / "plain.xlsx")
    ours, theirs = (openpyxl.load_workbook(p)[EVALUATION_SHEET] for p in (shared, plain))
    assert ours.max_row == theirs.max_row > 300
    last = ours.max_row
    for r in (3, 4, 150, last):
        assert ours[f"B{r}"].value == f'=IF(Tracking!B{r - 1}="","",Tracking!B{r - 1})'  # Tracking row r - 1
        for row_ours, row_theirs in zip(ours.iter_rows(min_row=r, max_row=r), theirs.iter_rows(min_row=r, max_row=r),
                                        strict=True):
            assert [c.value for c in row_ours] == [c.value for c in row_theirs]
    dials = ours[f"C{last}"].value  # Dials: Tracking column E, judged with the row's activity scale in column Q
    assert f"Tracking!E{last - 1}" in dials and f"$Q{last}" in dials  # moved with the row
    assert "Ranges!$E$2" in dials and "Ranges!$F$2" in dials and "Tracking!E2" not in dials  # the range stays put


def test_a_much_smaller_sheet_than_the_same_formulas_written_cell_by_cell(tmp_path):
    layout = _layout(EXAMPLE)
    shared = write_workbook(EXAMPLE, layout, tmp_path / "shared.xlsx")
    plain = write_workbook(EXAMPLE, _plain(layout), tmp_path / "plain.xlsx")
    ours, theirs = len(_part(shared, EVALUATION_SHEET)), len(_part(plain, EVALUATION_SHEET))
    assert ours * 8 < theirs, (ours, theirs)  # 318 rows: the shared sheet is an eighth of the plain one or less


@needs_libreoffice
def test_libreoffice_recalculates_the_shared_formulas_to_the_plain_formulas_values(tmp_path):
    layout = _layout(EXAMPLE)
    shared = write_workbook(EXAMPLE, layout, tmp_path / "shared.xlsx")
    plain = write_workbook(EXAMPLE, _plain(layout), tmp_path / "plain.xlsx")
    converted = convert([shared, plain], tmp_path / "lo")
    ours, theirs = ([list(r) for r in openpyxl.load_workbook(p, read_only=True, data_only=True)[EVALUATION_SHEET]
                     .iter_rows(min_row=3, values_only=True)] for p in converted)
    assert ours == theirs
    statuses = {v for row in ours for v in row[2:]}
    assert {"IN RANGE", "BELOW", "ABOVE"} <= statuses  # recalculated: no formula was left without a value
    assert len(ours) == read_workbook(EXAMPLE, today=TODAY).tracking.frame.shape[0]


def test_our_reader_reads_the_output_and_a_summary_of_it_replaces_our_sheets(tmp_path):
    first = summarise_workbook(EXAMPLE, out=tmp_path / "first.xlsx", today=TODAY).output
    data = read_workbook(first, today=TODAY)
    assert not [p for p in data.problems if p.severity is Severity.ERROR]
    again = summarise_workbook(first, out=tmp_path / "again.xlsx", today=TODAY)
    assert not [p for p in again.problems if p.severity is Severity.ERROR]
    names = openpyxl.load_workbook(again.output, read_only=True).sheetnames
    assert names == openpyxl.load_workbook(first, read_only=True).sheetnames  # replaced, no "Evaluation (2)"
    assert _part(again.output, EVALUATION_SHEET) == _part(first, EVALUATION_SHEET)


def test_rows_of_fills_that_start_and_end_apart_with_cells_and_heights_among_them():
    """Every row gets exactly its own cells and the filled-down formulas that cover it, in column order, whatever
    the fills' extents and wherever a cell or a row height of its own falls among them (and across the 5,000-row
    pieces the sheet is written in)."""
    sheet = SheetLayout("S")
    sheet.fills += [Fill("A3:A12003", "B3+1"), Fill("C5:C12", "$A5*2"), Fill("D7:D7", "1"), Fill("E5001:E5004", "A1")]
    sheet.put(2, 1, "head")
    sheet.put(8, 2, 7)  # between two filled columns, inside their ranges
    sheet.put(5002, 6, "late")
    sheet.heights |= {10: 30.0, 5000: 20.0}
    xml = b"".join(sheet_xml(sheet, Styles('<styleSheet xmlns="x"/>'), None)).decode()
    root = ElementTree.fromstring(xml.encode())
    rows = {int(r.get("r")): r for r in root.iter(f"{MAIN}row")}
    assert sorted(rows) == [2, *range(3, 12004)]
    si = {"A": "0", "C": "1", "D": "2", "E": "3"}
    starts = {"A": 3, "C": 5, "D": 7, "E": 5001}
    ends = {"A": 12003, "C": 12, "D": 7, "E": 5004}
    for r, row in rows.items():
        want = [c for c in "ABCDEF" if (c in starts and starts[c] <= r <= ends[c]) or (r, c) in {
            (2, "A"), (8, "B"), (5002, "F")}]
        cells = list(row.iter(f"{MAIN}c"))
        assert [c.get("r") for c in cells] == [f"{c}{r}" for c in want], r
        for c in cells:
            letter, f = c.get("r")[0], c.find(f"{MAIN}f")
            if letter in si and r > starts[letter]:
                assert (f.attrib, f.text) == ({"t": "shared", "si": si[letter]}, None)
            elif letter in si and r == starts[letter]:
                assert f.get("ref") == f"{letter}{r}:{letter}{ends[letter]}" and f.get("si") == si[letter]
        assert (row.get("ht") is not None) == (r in (10, 5000))


# ---- each distinct cell's XML made once: the same bytes as cell_xml makes for each cell --------------------

_VALUES = ["Ann", " padded ", "a&b<c>", "bell\x07", "=SUM(A1:A2)", "", 0, 1, -7, 2 ** 60, 2 ** 53 + 1, 1.0, -0.0,
           0.1, 1e300, float("nan"), float("inf"), True, False, None, dt.date(2026, 11, 2),
           dt.datetime(2026, 11, 2, 13, 30)]


def _plain_rows(sheet: SheetLayout, styles: Styles) -> str:
    """The sheet's rows as cell_xml writes them cell by cell, sorted: what the sheet was before the cache."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for (r, c), cell in sheet.cells.items():
        if xml := cell_xml(f"{column_letter(c)}{r}", cell, styles.cell_xf(cell.style)):
            rows.setdefault(r, []).append((c, xml))
    return "".join(f'<row r="{r}"' + (f' ht="{sheet.heights[r]}" customHeight="1"' if r in sheet.heights else "")
                   + ">" + "".join(x for _, x in sorted(rows.get(r, []))) + "</row>"
                   for r in sorted({*rows, *sheet.heights}))


@pytest.mark.parametrize("epoch", [EXCEL_EPOCH, EXCEL_EPOCH_1904])
def test_a_cells_tail_is_cell_xml_after_its_reference(epoch):
    bold = Style(bold=True)
    for value in _VALUES:
        for formula in (None, "A1+1"):
            for s in (0, 4):
                cell = Cell(value, formula, bold if s else None)
                plain = cell_xml("AB12", cell, s, epoch)
                assert (f'<c r="AB12{cell_tail(cell, s, epoch)}' if plain else "") == plain, (value, formula, s)


def test_a_sheet_is_the_same_bytes_as_its_cells_written_one_by_one():
    """Equal values of other types (1, 1.0, True, "1") in one look, the same value in two equal looks that are
    other objects, cells put out of column order, in rows visited twice, and rows with a height only."""
    sheet = SheetLayout("S")
    looks = [None, Style(bold=True), Style(bold=True), Style(number_format="0.0%", fill="FFC7CE")]
    for k, value in enumerate([*_VALUES, 1, 1.0, True, "1", "Ann"]):
        sheet.put(2 + k % 7, 9 - k % 9, value, looks[k % 4])  # columns right to left, rows revisited
        sheet.put(20, 1 + k, value, looks[(k + 1) % 4])  # in order
    sheet.put_row(21, 3, _VALUES, [looks[3]] * len(_VALUES))
    sheet.put(22, 2, ["not", "a", "cell value"], looks[1])  # type: ignore[arg-type]  # written as text, as before
    sheet.heights |= {3: 30.0, 40: 15.0}
    styles = Styles('<styleSheet xmlns="x"/>')
    xml = b"".join(sheet_xml(sheet, styles, None)).decode()
    assert xml[xml.index("<sheetData>") + 11:xml.index("</sheetData>")] == _plain_rows(sheet, styles)
    ElementTree.fromstring(xml.encode())


def test_a_damaged_cell_is_caught_however_often_it_repeats(monkeypatch):
    """The check parses each distinct cell once: one that would break the XML is found, even if 1,000 cells
    share it, and even in a row that repeats cells seen before."""
    sheet = SheetLayout("S")
    for r in range(1, 1001):
        sheet.put_row(r, 1, ["ok", r % 7, "<bad>" if r == 1000 else "fine"])
    real = worksheet.text
    monkeypatch.setattr(worksheet, "text", lambda value: value if value == "<bad>" else real(value))
    with pytest.raises(InvalidPartError):
        b"".join(sheet_xml(sheet, Styles('<styleSheet xmlns="x"/>'), None))


# ---- the cells read as they were put -------------------------------------------------------------------------

_LOOKS = [None, Style(bold=True), Style(wrap=True), Style(number_format="0.0%")]
_ANY_VALUE = st.one_of(st.none(), st.sampled_from(["Ann", " pad ", "", "=SUM(A1)"]), st.integers(-3, 3),
                    st.sampled_from([1.0, 0.25, float("nan")]), st.booleans(), st.just(dt.date(2026, 11, 2)))
_PUT = st.tuples(st.integers(1, 6), st.integers(1, 8), st.lists(st.tuples(_ANY_VALUE, st.sampled_from(_LOOKS)),
                                                                 max_size=5), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(_PUT, max_size=25), st.booleans())
def test_a_sheet_read_from_its_writes_is_the_sheet_read_cell_by_cell(puts, in_order):
    """OwnCells reads a layout's writes as put, a row of cells at a time, when each starts right of all before it
    in its row; else cell by cell from the cells by position. Either way: the same sheet XML and styles, byte for
    byte, as reading cell by cell always."""
    if in_order:  # rows put left to right, as a table is: the writes themselves are read
        puts = sorted(puts, key=lambda p: (p[0], p[1]))
        kept, reach = [], {}
        for r, c, cells, single in puts:
            if c > reach.get(r, 0):
                kept.append((r, c, cells, single))
                reach[r] = c + max(len(cells), 1) - 1
        puts = kept
    sheet = SheetLayout("S")
    for r, c, cells, single in puts:
        if single or not cells:
            value, style = cells[0] if cells else (None, None)
            sheet.put(r, c, value, style)
        else:
            sheet.put_row(r, c, [v for v, _ in cells], [s for _, s in cells])

    def written(fast: bool) -> tuple[bytes, str | None]:
        styles = Styles('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
        original = worksheet.OwnCells._from_writes
        if not fast:
            worksheet.OwnCells._from_writes = lambda self: False  # type: ignore[method-assign]
        try:
            return b"".join(sheet_xml(sheet, styles, None)), styles.xml()
        finally:
            worksheet.OwnCells._from_writes = original  # type: ignore[method-assign]

    if in_order:  # the writes themselves are read: the cells by position are never made
        assert worksheet.OwnCells(sheet, Styles("<styleSheet/>"), EXCEL_EPOCH) and sheet._replayed == 0
    assert written(True) == written(False)
