"""Text that fastexcel reads as no value ("N/A", "null", "NaN"...) is read as text by every reader (null_text.py):
in a column of numbers or dates the parser names its cell, whichever reader read the sheet."""

import datetime as dt
import html
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from salesmetrics_xl.null_text import NULL_TEXT, null_text_columns
from salesmetrics_xl.reader import read_workbook
from tests.conftest import default_ranges_rows
from tests.helpers import GOOD, assert_identical
from tests.test_reader import TODAY, book, with_cell

WEEK, TEAM, DIALS = 0, 2, 4  # columns of GOOD: a date, a text, a number


def _shared_book(path: Path, rows: list[list[object]]) -> Path:
    """The book written as Excel writes text: each string once, in the shared strings (openpyxl writes them in the
    cells)."""
    wb = xlsxwriter.Workbook(str(path))
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for title, sheet_rows in (("Tracking", rows), ("Ranges", default_ranges_rows())):
        ws = wb.add_worksheet(title)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return path


@pytest.mark.parametrize("text", sorted(NULL_TEXT))
@pytest.mark.parametrize("col", [WEEK, DIALS, TEAM])
@pytest.mark.parametrize("shared", [False, True], ids=["in the cell", "shared"])
def test_every_reader_reads_fastexcels_null_text_as_text(make_book, tmp_path, columnar_reads, text, col, shared):
    rows = with_cell(GOOD, 3, col, text)
    path = _shared_book(tmp_path / "shared.xlsx", rows) if shared else book(make_book, tracking=rows)
    assert_identical(path)
    # among numbers or dates the columnar reader never takes fastexcel's blank (the guard may send the sheet
    # elsewhere first: text like '#N/A' spells an error)
    assert columnar_reads in ([], [col == TEAM])
    if col == DIALS:
        assert [p.cell for p in read_workbook(path, today=TODAY, engine="columnar").problems if p.cell] == ["E3"]


@pytest.mark.parametrize("shared", [False, True], ids=["in the cell", "shared"])
def test_null_text_in_a_column_of_text_keeps_the_columnar_read(make_book, tmp_path, columnar_reads, shared):
    rows = with_cell(GOOD, 3, TEAM, "N/A")
    path = _shared_book(tmp_path / "shared.xlsx", rows) if shared else book(make_book, tracking=rows)
    assert_identical(path)
    assert columnar_reads == [True]


def _rewrite(path: Path, part: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = {i: zf.read(i) for i in zf.namelist()}
    text = parts[part].decode()
    assert re.search(old, text), (old, text[:400])
    parts[part] = re.sub(old, new, text, count=1).encode()
    out = path.with_name("rewritten.xlsx")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


E3 = ("xl/worksheets/sheet1.xml", r'<c r="E3"[^>]*>.*?</c>')  # the Dials cell of row 3, replaced whole
CELLS = {  # the Dials cell of row 3 holding N/A, each way a sheet may spell it
    "inline string": '<c r="E3" t="inlineStr"><is><t>N/A</t></is></c>',
    "formula text": '<c r="E3" t="str"><f>"N/A"</f><v>N/A</v></c>',
    "inline string escaped": '<c r="E3" t="inlineStr"><is><t>&lt;NA&gt;</t></is></c>',
    "inline string with a bare >": '<c r="E3" t="inlineStr"><is><t>&lt;NA></t></is></c>',
    "inline string spaced between tags": '<c r="E3" t="inlineStr"><is> <t>N/A</t ></is ></c>',
    "inline string prefixed": '<c r="E3" t="inlineStr"><is><x:t xmlns:x="http://schemas.openxmlformats.org/'
                              'spreadsheetml/2006/main">N/A</x:t></is></c>',
    "inline string in runs": '<c r="E3" t="inlineStr"><is><r><t>N</t></r><r><t>/A</t></r></is></c>',
    "formula text kept spaced": '<c r="E3" t="str"><f>"N/A"</f><v xml:space="preserve">N/A</v></c>',
}
SPELLINGS = {name: (*E3, cell) for name, cell in CELLS.items()} | {  # and the shared string's own spellings
    "shared string in runs": ("xl/sharedStrings.xml", r"<si><t>N/A</t></si>",
                              "<si><r><t>N</t></r><r><t>/A</t></r></si>"),
    "shared string by character reference": ("xl/sharedStrings.xml", r"<si><t>N/A</t></si>", "<si><t>&#78;/A</t></si>"),
    "shared string index with a leading zero": ("xl/worksheets/sheet1.xml", r'(<c r="E3" t="s"><v>)(\d+)(</v>)',
                                                r"\g<1>0\g<2>\g<3>"),
}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
def test_null_text_is_found_however_it_is_spelt(tmp_path, columnar_reads, spelling):
    path = _rewrite(_shared_book(tmp_path / "book.xlsx", with_cell(GOOD, 3, DIALS, "N/A")), *SPELLINGS[spelling])
    assert_identical(path)
    assert columnar_reads in ([], [False])  # declined (or the guard sent the sheet to openpyxl first)
    assert [p.cell for p in read_workbook(path, today=TODAY, engine="columnar").problems if p.cell] == ["E3"]


def test_the_columns_holding_null_text_are_named():
    sheet = (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2" t="s"><v>1</v></c>'
             b'<c r="C1"><v>1</v></c><c r="AB1" t="inlineStr"><is><t>null</t></is></c>'
             b'<c r="D1" t="str"><f>X</f><v>NaN</v></c><c r="E1" t="inlineStr"><is><t>nulls</t></is></c>'
             b"</row></sheetData></worksheet>")
    shared = b"<sst><si><t>Ann</t></si><si><t>N/A</t></si></sst>"
    assert null_text_columns(sheet, lambda: shared, lambda: ["Ann", "N/A"]) == {2, 4, 28}
    # the shared strings are read only when their bytes may hold such a text
    assert null_text_columns(sheet, lambda: b"<sst><si><t>Ann</t></si></sst>", lambda: pytest.fail("read")) == {
        4, 28}
    assert null_text_columns(b"<worksheet/>", lambda: None, list) == set()
    assert null_text_columns(sheet, lambda: 1 / 0, list) == {0}  # cannot be told: the row reader reads it
    many = b"<sst>" + b"<si><t>N/A</t></si>" * 60 + b"</sst>"  # a shared string per cell, as streaming writers do
    assert null_text_columns(sheet, lambda: many, lambda: ["N/A"] * 60) == {0}


def _inline_sheet(text: str, after: str = "") -> bytes:
    """A row of inline strings as streaming writers save them, with ``text`` in column B."""
    cells = [f'<c r="{c}1" t="inlineStr"><is><t>{t}</t>{after if c == "B" else ""}</is></c>'
             for c, t in zip("ABC", ["Ann Lee", html.escape(text, quote=False), "East"], strict=True)]
    return f'<worksheet><sheetData><row r="1">{"".join(cells)}</row></sheetData></worksheet>'.encode()


@pytest.mark.parametrize("text", sorted(NULL_TEXT))
def test_every_text_is_found_in_the_usual_inline_string(text):
    """The scan passes over the usual shape at once, by the text's first byte: none of the texts is passed over."""
    for spelt in (text, f" {text}", f"{text} ", f"\t{text}\n"):
        assert null_text_columns(_inline_sheet(spelt), lambda: None, list) == {2}, spelt
    for other in (f"{text}s", f"x{text}", f"{text}.{text}"):  # text that starts alike is text
        assert null_text_columns(_inline_sheet(other), lambda: None, list) == set(), other
    assert null_text_columns(_inline_sheet("Nathan", f"<r><t>{text}</t></r>"), lambda: None, list) == {0}  # runs
