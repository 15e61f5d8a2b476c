"""User text inside formulas: one literal function and one sheet-reference function, and nothing can break out."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from salesmetrics_xl.core.metrics import text_key
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.core.workbook import EVALUATION_SHEET, SUMMARY_SHEET
from salesmetrics_xl.layouts.sheet import (
    MAX_LITERAL,
    Cell,
    SheetLayout,
    Style,
    formula_text,
    quote_sheet,
    same_text,
    sheet_ref,
)
from salesmetrics_xl.layouts.summary import workbook_layout
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx import chart_xml
from tests.conftest import RANGES_HEADER, TRACKING_HEADER
from tests.layouts.formulas import (
    OURS,
    assert_only_our_formulas,
    functions,
    sheets_referenced,
)
from tests.libreoffice import convert, needs_libreoffice

# ---- the two functions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "literal"), [
    ("AE", '"AE"'),
    ('a"b', '"a""b"'),
    ('x",HYPERLINK("http://evil"),"', '"x"",HYPERLINK(""http://evil""),"""'),
    ("", '""'),
    ("two\nlines", '("two"&CHAR(10)&"lines")'),
    ("\ttab\r\n", '(CHAR(9)&"tab"&CHAR(13)&CHAR(10))'),
])
def test_formula_text(value, literal):
    assert formula_text(value) == literal
    assert functions(f"IF(A1={literal},1,2)") <= {"IF", "CHAR"}


@pytest.mark.parametrize(("value", "why"), [("a\x07b", "U+0007"), ("a\x00", "U+0000"), ("\x7f", "U+007F"),
                                            ("x" * (MAX_LITERAL + 1), "256 characters long"),
                                            ("🚀" * 128, "256 characters long")])  # Excel counts UTF-16 units
def test_formula_text_refuses_what_no_formula_can_hold(value, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        formula_text(value)
    formula_text("x" * MAX_LITERAL)


@pytest.mark.parametrize(("sheet", "ref"), [("Tracking", "Tracking!A1"), ("It's", "'It''s'!A1"),
                                            ("Weekly Summary", "'Weekly Summary'!A1"), ("A1", "'A1'!A1"),
                                            ("R1C1", "'R1C1'!A1"), ("2026", "'2026'!A1"), ("Données", "'Données'!A1"),
                                            ("x!y", "'x!y'!A1"), ("'", "''''!A1")])
def test_sheet_ref(sheet, ref):
    assert sheet_ref(sheet, "A1") == ref
    assert sheets_referenced(ref) == {ref[:-3]}


@pytest.mark.parametrize("sheet", ["", "a[b]", "a:b", "a/b", "a\x01b"])
def test_sheet_names_excel_cannot_have_are_refused(sheet):
    with pytest.raises(ValueError, match="sheet name"):
        quote_sheet(sheet)


# ---- any text, through the whole pipeline ----------------------------------------------------------------------

# openpyxl cannot store these in a cell at all (Excel would write them as _x0001_ escapes); formula_text's refusal
# of them is tested above.
_CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    chr(c) for c in range(32) if chr(c) not in "\t\n\r"]), min_size=1, max_size=40)


def hostile_book(path: Path, role: str, metric: str, unit: str) -> Path:
    """A tracking workbook whose Ranges carry ``role``, ``metric`` (an extra Tracking column) and ``unit``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append([*TRACKING_HEADER, metric])
    for week in range(3):
        for n, who in enumerate((role, "SDR", None)):
            values = [40 + 7 * n + week, 120, 12, 3, 1, 1, 0, 900]
            ws.append([f"2026-11-{2 + 7 * week:02d}", f"Rep {n}", "T", who, *values, 5 + n])
    rs = wb.create_sheet("Ranges")
    rs.append(RANGES_HEADER)
    rows = [["Dials", "activity", None, "week", 50, 75, None, None],
            ["Dials", "activity", None, "week", 30, 45, unit, role],
            [metric, "activity", None, "week", 4, 6, unit, None],
            [metric, "activity", None, "week", 5, 5, unit, role],
            ["Connect Rate", "quality", None, "week", 0.1, None, unit, role]]
    for r in rows:
        rs.append(r + [None] * (len(RANGES_HEADER) - len(r)))
    for sheet in wb.worksheets:  # a user's text such as '=#' is text in their cell, not a formula openpyxl invents
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.save(path)
    return path


@settings(deadline=None, max_examples=40)
@given(role=_CELL_TEXT, metric=_CELL_TEXT, unit=_CELL_TEXT)
@example(role='a"b', metric='m"(x)!', unit='u"')  # the two reported cases, always tried
@example(role='x",HYPERLINK("http://evil"),"', metric='x",WEBSERVICE("http://evil"),"', unit="'")
def test_any_role_metric_or_unit_gives_well_formed_formulas(role, metric, unit):
    with tempfile.TemporaryDirectory() as folder:
        _check_hostile_book(Path(folder), role, metric, unit)


def _check_hostile_book(folder: Path, role: str, metric: str, unit: str) -> None:
    try:
        book = hostile_book(folder / "team.xlsx", role, metric, unit)
    except IllegalCharacterError:
        return
    try:
        run = summarise_workbook(book, out=folder / "out.xlsx")
    except WorkbookError as exc:  # refused with its cell named, never written half-right
        problem = exc.problem
        assert problem.code in ("bad-range", "no-data", "bad-week"), problem
        if problem.code == "bad-range":
            # the cell of a Role that holds it (rows 3, 5 and 6 carry the role)
            assert (problem.sheet, problem.cell) in {("Ranges", "H3"), ("Ranges", "H5"), ("Ranges", "H6")}
            assert problem.message.startswith("the Role holds the control character") or "characters long" in \
                problem.message
        assert not (folder / "out.xlsx").exists()
        return
    # the Tracking checks read each row's fair-range scale from the Evaluation sheet
    assert assert_only_our_formulas(run.output, {"Tracking", "Ranges", SUMMARY_SHEET, EVALUATION_SHEET}) > 0
    openpyxl.load_workbook(run.output)  # the package itself loads


@settings(deadline=None, max_examples=60)
@given(tracking=st.text(min_size=1, max_size=31), ranges=st.text(min_size=1, max_size=31), role=_CELL_TEXT)
def test_any_sheet_name_gives_well_formed_references(tracking, ranges, role):
    data = _sample()
    rules = [r.model_copy(update={"role": role}) if r.role else r for r in data.ranges.rules]
    range_set = data.ranges.model_copy(update={"sheet": ranges, "rules": rules})
    tracking_data = dataclasses.replace(data.tracking, sheet=tracking)
    try:
        layout = workbook_layout(_SUMMARY[0], tracking_data, range_set)
    except WorkbookError as exc:
        assert exc.problem.code in ("bad-sheet-name", "bad-range")
        if exc.problem.code == "bad-sheet-name":
            assert exc.problem.sheet in (tracking, ranges) and "rename the sheet" in exc.problem.message
        return
    formulas = [f.formula for s in layout.sheets for f in s.fills]
    formulas += [c.formula for s in layout.sheets for c in s.cells.values() if c.formula]
    formulas += [cf.formula for s in [*layout.sheets, *layout.edits] for cf in s.conditional_formats]
    formulas += [v.formula for s in [*layout.sheets, *layout.edits] for v in s.validations]
    fair = range_set.fairness  # the example's Ramp and Settings sheets, and our Evaluation (the row's scale)
    ours = {quote_sheet(s) for s in (fair.ramp_sheet, fair.settings_sheet, EVALUATION_SHEET) if s}
    for formula in formulas:
        assert functions(formula) <= OURS, formula
        assert sheets_referenced(formula) <= {quote_sheet(tracking), quote_sheet(ranges), *ours}, formula
    assert any(quote_sheet(tracking) + "!" in f for f in formulas)
    assert any(quote_sheet(ranges) + "!" in f for f in formulas)
    chart_sheet = dataclasses.replace(layout.sheets[0], name=tracking)
    for chart in chart_sheet.charts:
        root = ElementTree.fromstring(chart_xml(chart_sheet, chart).encode())
        refs = [e.text for e in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/chart}f")]
        assert refs and all(sheets_referenced(r) == {quote_sheet(tracking)} for r in refs)


_SUMMARY: list = []


def _sample():
    """The example's data and summary, read once: the sheet-name property varies only names."""
    from salesmetrics_xl.core.summary import build_summary
    from tests.conftest import EXAMPLE
    if not _SUMMARY:
        data = read_workbook(EXAMPLE)
        _SUMMARY.extend([build_summary(data.tracking, data.ranges, data.problems, title="x"), data])
    return _SUMMARY[1]


@pytest.mark.parametrize("name", ["\r", "a\nb", "tab\there"])
def test_a_sheet_name_with_a_line_break_or_tab_is_refused(name):
    with pytest.raises(ValueError, match="rename the sheet"):
        quote_sheet(name)


# ---- same_text(): the core's text_key() rule as a formula ------------------------------------------------------

# The alphabets README promises agree: Latin-1, Latin Extended-A, modern Greek, Cyrillic U+0400-U+0481, Armenian.
AGREED = [*range(0x41, 0x5B), *range(0xC0, 0x180), *range(0x386, 0x3CF), *range(0x400, 0x482), *range(0x531, 0x588)]


@needs_libreoffice
def test_libreoffice_says_same_text_where_the_core_does(tmp_path):
    pairs = sorted({(chr(c), other) for c in AGREED for other in (chr(c).upper(), chr(c).lower(), chr(c).casefold())
                    if other != chr(c)})
    pairs += [("ß", "SS"), ("ß", "ss"), ("ß", "ẞ"), ("Straße", "STRASSE"), ("ﬁnance", "FINANCE"), (" S  D R ", "s d r"),
              ("SDR\t", "SDR"), ("\u00a0SDR", "SDR"), ("sdr", "S\nDR"), ("S.D.R.", "SDR"), ("Ventes", "Vèntes"),
              ("営業", "営 業"), ("x", 'x",HYPERLINK("y'), ('a"b', 'A"B')]
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, (cell, text) in enumerate(pairs, start=1):
        ws.cell(row, 1, cell)
        ws.cell(row, 2, "=" + same_text(f"A{row}", text))
    wb.save(tmp_path / "same.xlsx")
    (converted,) = convert([tmp_path / "same.xlsx"], tmp_path / "lo")
    got = [r[1] for r in openpyxl.load_workbook(converted, data_only=True).active.iter_rows(values_only=True)]
    want = [text_key(cell) == text_key(text) for cell, text in pairs]
    assert len(pairs) > 500 and sum(want) > 450 and not all(want), (len(pairs), sum(want))
    assert [(p, g) for p, g, w in zip(pairs, got, want, strict=True) if g is not w] == []


# ---- a row of cells in one call --------------------------------------------------------------------------------

def test_put_row_puts_what_put_puts_cell_by_cell():
    """The same cells in the same order, long text cut the same way, a cell put over another replaced in place."""
    long = "x" * 40_000
    values = ["Ann", long, None, 3, 2.5, True, "🙂" * 20_000]
    looks = [Style(bold=True), None, Style(wrap=True), None, Style(bold=True), None, None]
    one, row = SheetLayout("S"), SheetLayout("S")
    for sheet in (one, row):
        sheet.put(4, 5, "before")
    for k, (value, look) in enumerate(zip(values, looks, strict=True)):
        one.put(4, 3 + k, value, look)
    for k, value in enumerate(values):
        one.put(5, 3 + k, value)
    row.put_row(4, 3, values, looks)
    row.put_row(5, 3, values)
    assert list(row.cells.items()) == list(one.cells.items())
    assert row.cells[(4, 4)].value.endswith("more than a cell holds)") and len(row.cells[(4, 4)].value) < 32_768
    with pytest.raises(ValueError, match="2 values but 1 styles"):
        row.put_row(6, 1, [1, 2], [None])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 6), st.lists(st.sampled_from([None, "a", 2, 2.0, True]),
                                                                         max_size=4), st.booleans()), max_size=20),
       st.integers(0, 20))
def test_cells_by_position_are_the_writes_replayed_in_order(puts, read_at):
    """A sheet keeps its cells as put (a row of them as one write); by position they are the writes replayed in
    order, a later put of a cell replacing it where it stood, read at any time; one cell reads the same."""
    sheet, plain = SheetLayout("S"), {}
    for k, (r, c, values, single) in enumerate(puts):
        if k == read_at:
            assert sheet.cells == plain  # read halfway: only the writes after it are replayed later
        looks = [Style(bold=True) if isinstance(v, str) else None for v in values]
        if single:
            sheet.put(r, c, values[0] if values else None, looks[0] if looks else None)
            plain[(r, c)] = Cell(values[0] if values else None, None, looks[0] if looks else None)
        else:
            sheet.put_row(r, c, values, looks)
            plain.update({(r, c + j): Cell(v, None, s) for j, (v, s) in enumerate(zip(values, looks, strict=True))})
    assert list(sheet.cells.items()) == list(plain.items())
    for r in range(0, 6):
        for c in range(0, 12):
            assert sheet.cell(r, c) == plain.get((r, c), Cell())
