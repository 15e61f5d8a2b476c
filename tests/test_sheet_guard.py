"""The sheet guard's quick path (sheet_guard.plain and the byte scans) against the XML parser, on the spellings its
faster searches must still see: a needle found by a rare byte after that byte was met more than RARE_HITS times,
'=' at the very end, and row tags spelled in every way the row scan must tell apart."""

from __future__ import annotations

import pytest

from salesmetrics_xl import sheet_bounds, sheet_guard
from salesmetrics_xl.core.parse import UncachedFormula
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.package import _may_be_odd
from salesmetrics_xl.sheet_guard import RARE_HITS, _parse, bounded, plain, repeated_rows, scan_sheet

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


@pytest.mark.parametrize("instruction", [b'<?x <row r="9"><c r="XFD9" t="e"><v>#DIV/0!</v></c></row> ?>',
                                         b"<?x t=\"str\"" + b" <v" * 1_000 + b"?>"])
def test_a_processing_instruction_is_text_as_the_parser_reads_it(instruction):
    """A processing instruction (after the XML declaration) may hold what looks like cells: not plain, so the parser
    decides and reads it as text; its declaration alone is not one."""
    rows = _errors(3)
    assert plain(_sheet(rows))  # HEAD starts with the declaration, <?xml ...?>
    data = _sheet([*rows, instruction])
    assert not plain(data)
    scan = scan_sheet(data, "team.xlsx", "Tracking")
    assert scan.exact and _conclusion(scan) == _conclusion(scan_sheet(_sheet(rows), "team.xlsx", "Tracking"))


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

    good = _sheet([b'<row r="1"><c r="A1" t="inlineStr"><is><t>Blank = 1</t></is></c><c r="B1"><v>2</v></c></row>'])
    spaced = good.replace(b'<c r="B1">', b'<c r="B1" t ="e">')
    monkeypatch.setattr(sheet_guard, "EQUALS_SLICE", size)
    assert plain(good) and not plain(spaced)


# ---- bounded: the scans that let a native reader start while the guard judges the sheet -------------------------

def _cells(rows: int, columns: int = 3) -> list[bytes]:
    return [b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (bytes([64 + c]), r, r)
                                            for c in range(1, columns + 1)) + b"</row>" for r in range(1, rows + 1)]


def test_a_plain_sheet_is_bounded_and_its_count_of_cells_is_the_guards():
    data = _sheet(_cells(150))
    bounds = bounded(data)
    assert (bounds.cells, bounds.rows) == (data.count(b"<c "), 150) and data.count(b"<c ") == 450


def test_bounded_skips_no_conclusion_of_the_guard():
    """With bounded's count the guard skips the scans bounded made: the same conclusions, on sheets of every kind
    the quick path takes (errors, formulas, rows out of order, a row twice)."""
    rows = _cells(3)
    sheets = [_sheet(_cells(150)), _sheet(_errors(40)), _sheet([*rows[:2], b'<row r="2"><c r="A2"><v>1</v></c></row>',
                                                                 rows[2]]),
              _sheet([rows[1], rows[0], rows[2]]),
              _sheet([b'<row r="1"><c r="A1"><f>SUM(B1)</f></c><c r="B1"><v>2</v></c></row>'])]
    for data in sheets:
        bounds = bounded(data)
        assert bounds is not None
        assert _conclusion(scan_sheet(data, "f", "s", bounds)) == _conclusion(scan_sheet(data, "f", "s"))


@pytest.mark.parametrize("change", [
    (b'<c r="B2"', b'<c\nr="B2"'),  # a line break where a space goes
    (b'<c r="B2"', b'<c\tr="B2"'),
    (b'<c r="B2"', b"<c r='B2'"),  # single quotes
    (b'<c r="B2"', b'<c r = "B2"'),
    (b'<c r="B2"', b'<c r="B2" r="XFD2"'),  # a second r: a reader might take it
    (b'<c r="B2"', b'<c r="B2" x:r="XFD2"'),
    (b'<c r="B2"', b'<x:c r="B2"'),  # a prefixed cell
    (b'<c r="B2"><v>2</v></c>', b'<c><v>2</v></c>'),  # no reference: placed by counting
    (b'<c r="B2"><v>2</v></c>', b'<c/>'),
    (b'<c r="B2"', b'<c t="n" r="B2"'),  # r not first
    (b'<c r="B2"', b'<c r="&#66;2"'),  # a character reference
    (b'<c r="B1500"', b'<c r="Z1500"'),  # a column further right than the first and last rows reach
    (b'<c r="B1500"', b'<c r="B999999"'),  # a row further down than the last cell
    (b'<c r="B1500"', b'<c r="B1048577"'),
    (b'<c r="B2"', b'<c r="b2"'),
])
@pytest.mark.parametrize("grid", [None, 9_000])  # 9,000: rows each bounded by the last cell's, not by their digits
def test_any_doubt_is_not_bounded(change, grid, monkeypatch):
    if grid:
        monkeypatch.setattr(sheet_bounds, "MAX_GRID", grid)
    data = _sheet(_cells(3000))  # over 128 KB: its middle is neither its head nor its tail
    assert change[0] in data and bounded(data)
    assert bounded(data.replace(change[0], change[1], 1)) is None


def test_a_row_further_down_than_the_last_cell_is_not_bounded_when_its_digits_do_not_bound_the_grid(monkeypatch):
    data = _sheet(_cells(3000)).replace(b'<c r="B1500"', b'<c r="B3001"', 1)
    assert bounded(data)  # four digits: the grid is at most 9,999 rows of 3 columns
    monkeypatch.setattr(sheet_bounds, "MAX_GRID", 9_000)
    assert bounded(data) is None


def test_a_sheet_wider_or_longer_than_the_limits_is_not_bounded():
    assert bounded(_sheet([b'<row r="1"><c r="XFD1"><v>1</v></c></row>'])) is None  # over MAX_COLUMNS
    assert bounded(_sheet([b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>'])) is None
    assert bounded(_sheet([b'<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'])) is None  # a 26M-cell grid
    assert bounded(_sheet([])) is None


def test_a_number_no_cell_can_hold_is_found_among_references_like_e100():
    """E100 looks like an exponent to the quick look for one; a sheet of references like it is still checked for
    1e400, inf and nan in its values, and only then."""
    rows = _cells(150, columns=5)
    data = _sheet(rows)
    assert b'r="E100"' in data and not _may_be_odd(data)
    for odd in (b"1e400", b"iNf", b"-1E+999"):
        bad = data.replace(b'<c r="E120"><v>120</v>', b'<c r="E120"><v>' + odd + b"</v>", 1)
        with pytest.raises(WorkbookError) as caught:
            scan_sheet(bad, "team.xlsx", "Tracking")
        assert caught.value.problem.code == "damaged" and caught.value.problem.cell == "E120"
