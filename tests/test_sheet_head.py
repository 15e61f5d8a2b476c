"""The header guess read from a sheet's XML (sheet_head) sees the text openpyxl sees in the top rows, and finds the
header openpyxl's rows show, whatever wrote the workbook: the guess lets fastexcel start before openpyxl opens the
book, and a miss would cost a second fastexcel read of a big sheet."""

from __future__ import annotations

import datetime as dt
import zipfile
from itertools import islice
from pathlib import Path

import pytest
import xlsxwriter

from salesmetrics_xl.core.parse import HEADER_SEARCH_ROWS, find_header
from salesmetrics_xl.core.workbook import REP, TRACKING, WEEK
from salesmetrics_xl.row_books import CalamineBook, OpenpyxlBook
from salesmetrics_xl.sheet_head import STRINGS_GUESSED, first_strings, head_rows
from salesmetrics_xl.sheet_parts import SheetParts
from tests.conftest import TRACKING_HEADER, default_ranges_rows
from tests.hostile_files import TRACKING_PART, edit, read_parts, small_book, write_parts
from tests.package_shapes import SHAPES, make_shape


def _texts(rows: list[tuple[object, ...]]) -> list[list[str | None]]:
    """The text cells of rows, stripped, without trailing blanks or trailing blank rows: what a header is made of."""
    out = []
    for row in rows:
        cells = [v.strip() if isinstance(v, str) and v.strip() else None for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def _guessed_and_read(path: Path, sheet: str = "Tracking") -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    parts = SheetParts(path)
    guessed = head_rows(parts.xml(sheet), parts.strings)
    try:  # the rows the parser gets (columnar.ColumnarBook.header_first): openpyxl's, else calamine's
        book: OpenpyxlBook | CalamineBook = OpenpyxlBook(path)
    except Exception:
        book = CalamineBook(path)
    try:
        read = [tuple(r) for r in islice(book.rows(sheet), HEADER_SEARCH_ROWS)]
    finally:
        book.close()
    return guessed, read


def assert_same_head(path: Path, row: int | None = 1, sheet: str = "Tracking") -> None:
    guessed, read = _guessed_and_read(path, sheet)
    assert _texts(guessed) == _texts(read)
    found = [find_header(rows, TRACKING, (WEEK, REP)) for rows in (guessed, read)]
    assert [h.row if h else None for h in found] == [row, row]
    if found[0]:
        assert found[0].columns == found[1].columns


@pytest.mark.filterwarnings("ignore:Workbook contains no stylesheet")  # openpyxl on the empty-stylesheet shape
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_guess_sees_the_header_openpyxl_sees_in_every_package_shape(tmp_path, shape):
    """Strict namespaces, part names in another case, UTF-16 parts...: the same header row and columns."""
    assert_same_head(make_shape(shape, tmp_path))


def test_a_header_below_a_title_and_a_blank_row_and_right_of_column_a(make_book):
    rows = [["Acme pipeline review", None, 2026], [], [None, None, "note"],
            [None, *TRACKING_HEADER], [None, dt.date(2026, 11, 16), "Ann", "East", "SDR", 1, 2, 3]]
    assert_same_head(make_book({"Tracking": rows, "Ranges": default_ranges_rows()}), row=4)


def test_rich_text_formula_text_and_numbers_in_the_top_rows(tmp_path):
    """A header cell in rich text (runs), a formula's text, numbers and dates above it: read as openpyxl reads
    them, by reference (a gap in the row stays a gap)."""
    path = tmp_path / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Tracking")
    bold = wb.add_format({"bold": True})
    ws.write_formula(0, 0, '="Team "&"East"', None, "Team East")
    ws.write_number(0, 3, 12.5)
    ws.write_datetime(1, 1, dt.datetime(2026, 11, 16), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_rich_string(2, 0, bold, "We", "ek")
    ws.write_row(2, 1, TRACKING_HEADER[1:])
    ws.write_row(3, 0, [46342, "Ann & Bo <East>", "East", "SDR", 1])
    wb.add_worksheet("Ranges")
    wb.close()
    assert_same_head(path, row=3)
    guessed, _ = _guessed_and_read(path)
    assert guessed[0][0] == "Team East" and guessed[2][0] == "Week" and guessed[3][1] == "Ann & Bo <East>"


def test_inline_strings_with_prefixed_text_and_no_row_references(tmp_path):
    """Inline strings (what openpyxl and our writer store), their text elements under a prefix, rows without
    an r: each cell placed by its own reference."""
    path = small_book(tmp_path / "inline.xlsx")
    parts = edit(read_parts(path), TRACKING_PART, lambda d: d.replace(
        b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1)
        .replace(b"<is><t>Week</t></is>", b"<x:is><x:t>We</x:t><x:r><x:t>ek</x:t></x:r></x:is>")
        .replace(b'<row r="1">', b"<row>"))
    path = write_parts(tmp_path / "prefixed.xlsx", parts)
    assert b"<x:t>We</x:t>" in zipfile.ZipFile(path).read(TRACKING_PART)
    assert_same_head(path)


def test_only_the_first_rows_are_read(tmp_path):
    """The guess stops at the first cell below the rows a header may be in: what follows is never parsed (here,
    bytes no parser could read)."""
    path = small_book(tmp_path / "book.xlsx", rows=40)
    data = SheetParts(path).xml("Tracking")
    cut = data.index(b'<row r="%d"' % (HEADER_SEARCH_ROWS + 2))
    rows = head_rows(data[:cut] + b'<row r="99"><c r="A99"><v>1</v></c></row><<<not xml', lambda n: [])
    assert len(rows) == HEADER_SEARCH_ROWS and rows[0][0] == "Week"


def test_shared_strings_are_read_only_as_far_as_the_header_needs(tmp_path):
    """A header names the first few shared strings: the part is streamed and left after them (here, damaged
    XML after the third string is never reached); a string the part does not hold reads as nothing."""
    path = tmp_path / "sst.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><si><t>Week</t></si><si><r><t>R</t></r><r><t>ep</t></r><rPh><t>reppu</t></rPh></si>'
                    b"<si><t>Dials</t></si><si><t>broken</si></sst>")
    with zipfile.ZipFile(path) as zf:
        assert first_strings(zf, "xl/sharedStrings.xml", 3) == ["Week", "Rep", "Dials"]
        assert first_strings(zf, None, 3) == []
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>7</v></c><c r="C1" t="s">'
             b"<v>%d</v></c></row></sheetData></worksheet>" % STRINGS_GUESSED)
    asked: list[int] = []
    assert head_rows(sheet, lambda n: asked.append(n) or ["Week", "Rep"]) == [("Week",)]
    assert asked == [8]  # the far index (a hostile one) is not looked for at all
