"""The sheet guard's quick path (sheet_guard.plain and the byte scans) against the XML parser, on the spellings its
faster searches must still see: a needle found by a rare byte after that byte was met more than RARE_HITS times,
'=' at the very end, and row tags spelled in every way the row scan must tell apart."""

from __future__ import annotations

import pytest

from salesmetrics_xl.core.parse import UncachedFormula
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.sheet_guard import RARE_HITS, _parse, plain, repeated_rows, scan_sheet

HEAD = b'<?xml version="1.0"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _sheet(rows: list[bytes]) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def _conclusion(scan) -> tuple[object, ...]:
    e = scan.extent
    return e.rows, e.columns, e.cells, scan.special, scan.placed, scan.repeated


def _errors(count: int) -> list[bytes]:
    """``count`` rows, each with an error cell (#DIV/0!: a '!' in a value) and a text holding 'f'."""
    return [b'<row r="%d"><c r="A%d" t="e"><v>#DIV/0!</v></c><c r="B%d" t="inlineStr"><is><t>of</t></is></c></row>'
            % (n, n, n) for n in range(1, count + 1)]


def test_a_comment_after_many_exclamation_marks_is_still_seen():
    """'<!' is found by its '!'; past RARE_HITS of them the guard searches for '<!' itself, and still finds it."""
    many = _errors(RARE_HITS + 50)
    clean = _sheet(many)
    assert clean.count(b"!") > RARE_HITS and plain(clean)
    commented = _sheet([*many, b'<!-- <row r="9"><c r="XFD9"/></row> -->'])
    assert not plain(commented)
    scan = scan_sheet(commented, "team.xlsx", "Tracking")
    assert scan.exact and scan.extent.rows == RARE_HITS + 50 and scan.extent.columns == 2


def test_a_formula_without_a_saved_result_after_many_fs_is_still_found():
    """A cell formula (<f>) found by its 'f' after more than RARE_HITS other 'f's: its cell is remembered as blank
    to the readers, exactly as the XML parser remembers it."""
    rows = _errors(RARE_HITS + 10)
    last = RARE_HITS + 11
    rows.append(b'<row r="%d"><c r="C%d"><f>SUM(A1:A2)</f></c></row>' % (last, last))
    data = _sheet(rows)
    assert data.count(b"f") > RARE_HITS and plain(data)
    quick = scan_sheet(data, "team.xlsx", "Tracking")
    assert isinstance(quick.special[(last, 3)], UncachedFormula)
    assert quick.special[(1, 1)] == "#DIV/0!"
    assert _conclusion(quick) == _conclusion(_parse(data, "team.xlsx", "Tracking"))


@pytest.mark.parametrize("spelling", [b"x='1'", b'x = "1"', b'x ="1"', b'x= "1"'])
def test_an_equals_sign_not_followed_by_a_double_quote_is_not_plain(spelling):
    """An attribute in single quotes or with spaces around '=' is not plain (found by one pass over every '='):
    the parser reads that sheet, and reads it alike."""
    data = _sheet([b'<row r="1"><c r="A1" ' + spelling + b"><v>1</v></c></row>"])
    assert not plain(data)
    assert scan_sheet(data, "team.xlsx", "Tracking").exact


def test_an_error_cell_typed_with_a_space_before_the_equals_sign_is_seen():
    """``t ="e"`` is legal XML for an error cell; the byte scans look for ``t="e"``, so the sheet goes to the parser,
    which remembers the error value the readers would show as blank."""
    data = _sheet([b'<row r="1"><c r="A1" t ="e"><v>#N/A</v></c><c r="B1" t="inlineStr"><is><t>a = 1</t></is></c>'
                   b"</row>"])
    assert not plain(data)
    assert scan_sheet(data, "team.xlsx", "Tracking").special == {(1, 1): "#N/A"}


def test_an_equals_sign_in_a_text_keeps_the_sheet_plain():
    """'Blank = 1' in a cell's text is no attribute: the quick path still takes the sheet."""
    assert plain(_sheet([b'<row r="1"><c r="A1" t="inlineStr"><is><t>Blank = 1</t></is></c></row>']))


@pytest.mark.parametrize("row", [b"<row>", b"<row/>", b'<row r="0">', b'<row  r="2">', b'<row s="1" r="2">',
                                 b"<row r='2'>", b'<row r="02">'])
def test_a_row_tag_not_spelled_plainly_sends_the_sheet_to_the_parser(row):
    """Each of these is a row the quick scans could misnumber: the sheet is not plain, and the parser checks it."""
    body = b'<row r="1"><c r="A1"><v>1</v></c></row>' + row + (b"" if row.endswith(b"/>") else b"</row>")
    data = _sheet([body])
    assert not plain(data)
    try:
        assert scan_sheet(data, "team.xlsx", "Tracking").exact
    except WorkbookError as exc:  # r="0" is no row Excel can have: refused by the parser with a sentence
        assert exc.problem.code == "damaged" and "row number" in exc.problem.message


def test_rows_out_of_order_and_stored_twice_agree_with_the_parser():
    """The row numbers listed by the row scan give the same order and repeats as the parser, and the warning names
    the rows stored twice."""
    rows = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in (1, 2, 5, 3, 5, 4, 2)]
    data = _sheet(rows)
    assert plain(data)
    quick = scan_sheet(data, "team.xlsx", "Tracking")
    assert not quick.exact and not quick.placed and quick.repeated == [2, 5]
    assert _conclusion(quick) == _conclusion(_parse(data, "team.xlsx", "Tracking"))
    assert "rows 2, 5 are stored twice" in repeated_rows(quick, "team.xlsx", "Tracking")[0].message


def test_a_row_number_beyond_the_grid_is_refused_before_it_is_counted():
    """A plain row numbered past Excel's last row (20 digits: more than a 64-bit number) gets a sentence, not an
    overflow."""
    data = _sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="99999999999999999999"></row>'])
    with pytest.raises(WorkbookError) as caught:
        scan_sheet(data, "team.xlsx", "Tracking")
    assert caught.value.problem.code == "damaged" and "Excel" in caught.value.problem.message


@pytest.mark.parametrize("size", [1, 2, 5, 64])
def test_the_equals_check_gives_one_answer_whatever_its_slice(monkeypatch, size):
    """The '=' check looks at the bytes in slices: an '=' on the edge of a slice is judged like any other."""
    from salesmetrics_xl import sheet_guard

    good = _sheet([b'<row r="1"><c r="A1" t="inlineStr"><is><t>Blank = 1</t></is></c><c r="B1"><v>2</v></c></row>'])
    spaced = good.replace(b'<c r="B1">', b'<c r="B1" t ="e">')
    monkeypatch.setattr(sheet_guard, "EQUALS_SLICE", size)
    assert plain(good) and not plain(spaced)
