"""A dozen deliberately broken workbooks, each must name the right problem at the right cell."""

import copy
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.reader import read_workbook
from tests.conftest import EXAMPLE, default_ranges_rows, encrypted_workbook, xls_workbook
from tests.helpers import GOOD, W2, assert_identical
from tests.hostile_files import READING_CASES, make_reading_case, read_parts

TODAY = dt.date(2026, 11, 22)


def book(make_book, tracking=GOOD, ranges=None):
    sheets = {"Tracking": tracking}
    if ranges is not False:
        sheets["Ranges"] = ranges if ranges is not None else default_ranges_rows()
    return make_book(sheets)


def with_cell(rows, row, col, value):
    rows = copy.deepcopy(rows)
    rows[row - 1][col] = value
    return rows


def test_a_clean_workbook_has_no_problems(make_book):
    data = read_workbook(book(make_book), today=TODAY)
    assert data.problems == []
    assert len(data.tracking.frame) == 4 and len(data.ranges.rules) == 13


RANGES = default_ranges_rows()  # row 2 is Dials (Min in E, Max in F)
CASES = {
    "text in a count": (dict(tracking=with_cell(GOOD, 3, 4, "12 calls")), "error", "bad-number", "Tracking", "E3"),
    "negative count": (dict(tracking=with_cell(GOOD, 4, 5, -5)), "error", "bad-number", "Tracking", "F4"),
    "cached #DIV/0!": (dict(tracking=with_cell(GOOD, 2, 6, "#DIV/0!")), "warning", "error-value", "Tracking",
                       "G2"),
    "formula with no saved result": (dict(tracking=with_cell(GOOD, 3, 6, "=E3/5")), "error", "bad-number",
                                     "Tracking", "G3"),
    "unparseable week": (dict(tracking=with_cell(GOOD, 5, 0, "sometime")), "error", "bad-week", "Tracking", "A5"),
    "no rep name": (dict(tracking=with_cell(GOOD, 2, 1, None)), "error", "missing-rep", "Tracking", "B2"),
    "duplicate rep and week": (dict(tracking=[*GOOD, [W2, "Ann", "East", "SDR", 1, 1, 1, 1, 1, 1, 1, 1]]),
                               "warning", "duplicate-row", "Tracking", "B6"),
    "more SQLs than conversations": (dict(tracking=with_cell(GOOD, 3, 8, 40)), "warning", "impossible-funnel",
                                     "Tracking", "I3"),
    "more deals won than opportunities": (dict(tracking=with_cell(GOOD, 5, 10, 3)), "warning",
                                          "impossible-funnel", "Tracking", "K5"),
    "a week in the future": (dict(tracking=with_cell(GOOD, 5, 0, dt.date(2027, 1, 4))), "warning", "future-week",
                             "Tracking", "A5"),
    "a missing week": (dict(tracking=[*GOOD, [W2, "Cy", "East", "SDR", 50, 100, 10, 3, 1, 1, 0, 0],
                                        [dt.date(2026, 11, 2), "Cy", "East", "SDR", 50, 100, 10, 3, 1, 1, 0, 0]]),
                       "warning", "missing-week", "Tracking", "B6"),
    "min above max": (dict(ranges=with_cell(RANGES, 2, 4, 80)), "error", "bad-range", "Ranges", "E2"),
    "text in Min": (dict(ranges=with_cell(RANGES, 2, 4, "fifty")), "error", "bad-range", "Ranges", "E2"),
    "rate above 100%": (dict(ranges=with_cell(RANGES, 6, 4, 15)), "error", "bad-range", "Ranges", "E6"),
    "unknown metric": (dict(ranges=with_cell(RANGES, 3, 0, "Emials")), "error", "bad-range", "Ranges", "A3"),
    "unknown formula column": (dict(ranges=[*RANGES, ["Reply Rate", "quality", "Replies / Emails", "week", 0.1]]),
                               "error", "bad-range", "Ranges", "C15"),
    "duplicate range": (dict(ranges=[*RANGES, ["Dials", "activity", None, "week", 40, 60]]), "error", "bad-range",
                        "Ranges", "A15"),
    "no Rep column": (dict(tracking=[[c for c in r if c not in ("Rep", "Ann", "Bob")] for r in GOOD]), "error",
                      "missing-column", "Tracking", "A1"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_broken_workbook_names_its_problem_and_cell(make_book, case):
    kwargs, severity, code, sheet, cell = CASES[case]
    data = read_workbook(book(make_book, **kwargs), today=TODAY)
    assert [(p.severity.value, p.code, p.sheet, p.cell) for p in data.problems] == [(severity, code, sheet, cell)], \
        [str(p) for p in data.problems]
    assert data.problems[0].file.endswith("book.xlsx")


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_reader_returns_identical_data(make_book, case):
    assert_identical(book(make_book, **CASES[case][0]))


def test_every_reader_agrees_on_the_example(columnar_reads):
    assert_identical(EXAMPLE)
    assert columnar_reads == [True]


def test_no_tracking_sheet_says_what_it_found(make_book):
    data = read_workbook(make_book({"Sheet1": [["hello"]], "Ranges": default_ranges_rows()}), today=TODAY)
    (problem,) = data.problems
    assert problem.code == "missing-sheet" and "sheets found: Sheet1, Ranges" in problem.message
    assert data.tracking is None


def test_a_missing_ranges_sheet_falls_back_to_the_defaults(make_book):
    data = read_workbook(book(make_book, ranges=False), today=TODAY)
    assert [p.code for p in data.problems] == ["missing-sheet"] and data.problems[0].severity == "warning"
    assert data.ranges.lookup("Dials").max == 75


def test_the_example_reports_only_its_planted_warning():
    data = read_workbook(EXAMPLE, today=TODAY)
    assert [(p.code, p.message) for p in data.problems] == [
        ("missing-week", "Emma Rossi has no row for the week of 2026-10-12")]


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path






HOSTILE = {
    "not a zip": (lambda p: (p.write_bytes(b"hello, world" * 10), p)[1], "not-a-workbook", "not an Excel workbook"),
    "truncated": (lambda p: (p.write_bytes(EXAMPLE.read_bytes()[:5000]), p)[1], "damaged", "damaged or truncated"),
    "zip, not a workbook": (lambda p: _zip(p, {"readme.txt": b"hi"}), "not-a-workbook", "not an Excel workbook"),
    "old .xls renamed": (xls_workbook, "old-format", "Excel 97-2003"),
    "ods": (lambda p: _zip(p, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "not-a-workbook",
            ".ods"),
    "encrypted": (encrypted_workbook, "encrypted", "password-protected"),
    "csv": (lambda p: (p.with_suffix(".csv").write_text("Week,Rep\n2026-W47,Ann\n"), p.with_suffix(".csv"))[1],
            "not-a-workbook", "CSV"),
    "csv renamed .xlsx": (lambda p: (p.write_text("Week,Rep,Dials\n2026-W47,Ann,50\n"), p)[1], "not-a-workbook",
                          "this is a text/CSV file, not an Excel workbook"),
    "utf-16 text export renamed .xlsx": (lambda p: (p.write_text("Week\tRep\n", encoding="utf-16"), p)[1],
                                         "not-a-workbook", "text/CSV file"),
    "empty": (lambda p: (p.write_bytes(b""), p)[1], "empty", "this is an empty file (0 bytes)"),
    "binary junk": (lambda p: (p.write_bytes(bytes(range(256))), p)[1], "not-a-workbook",
                    "this is not an Excel workbook"),
    "a folder": (lambda p: (p.mkdir(), p)[1], "is-a-folder", "this is a folder, not a workbook"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_files_fail_cleanly(tmp_path, case):
    make, code, words = HOSTILE[case]
    path = make(tmp_path / "team.xlsx")
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, today=TODAY)
    assert caught.value.problem.code == code and words in caught.value.problem.message
    assert caught.value.problem.file == str(path)
    assert (path.read_bytes() if path.is_file() else None) == before


def test_an_unknown_reader_setting_is_a_clean_error(make_book, monkeypatch):
    monkeypatch.setenv("SALESMETRICS_READER", "fastest")
    with pytest.raises(WorkbookError) as caught:
        read_workbook(book(make_book), today=TODAY)
    assert caught.value.problem.code == "bad-setting" and "columnar, calamine or openpyxl" in str(caught.value)


# ---- the guard (sheet_guard.py): the quick byte scans and the XML parser come to the same conclusions ----------

def _conclusion(scan) -> object:
    from salesmetrics_xl.sheet_guard import SheetScan

    if not isinstance(scan, SheetScan):
        return scan
    e = scan.extent
    return (e.rows, e.columns, e.cells, scan.special, scan.placed, scan.repeated)


def _both(data: bytes) -> tuple[object, object]:
    from salesmetrics_xl.sheet_guard import _parse, scan_sheet

    out = []
    for scan in (lambda: scan_sheet(data, "f", "s"), lambda: _parse(data, "f", "s")):
        try:
            out.append(_conclusion(scan()))
        except WorkbookError as exc:
            out.append(exc.problem.code)
    return out[0], out[1]


def test_the_quick_guard_and_the_parser_agree_on_every_plain_sheet(tmp_path):
    """Every sheet of the damage and reading corpora that the quick path takes (plain) gets the same extent,
    special cells, order and verdict from the XML parser: the byte scans read what the parser reads."""
    from salesmetrics_xl.sheet_guard import plain
    from tests.hostile_files import CASE_NAMES, make_case

    books = [make_case(n, tmp_path / f"{n}.xlsx") for n in CASE_NAMES if n not in ("nested-xml",)]
    books += [make_reading_case(n, tmp_path / f"r-{n}.xlsx") for n, case in READING_CASES.items() if not case[4]]
    compared = 0
    for book in [EXAMPLE, *books]:
        try:
            parts = read_parts(book)
        except (zipfile.BadZipFile, NotImplementedError, EOFError):  # the zip layer is damaged: no sheet to scan
            continue
        for name, data in parts:
            if not name.startswith("xl/worksheets/") or not name.endswith(".xml") or not plain(data):
                continue
            quick, exact = _both(data)
            if exact == "damaged" and quick != "damaged":
                continue  # XML the parser refuses (cut short, flipped bytes): the readers refuse it too
            assert quick == exact, (book.name, name)
            compared += 1
    assert compared > 60


@pytest.mark.parametrize("spelling", [b'<c\n r="XFD1048576"', b"<c r='XFD1048576'", b'<c r = "XFD1048576"',
                                      b'<c\tr="XFD1048576"', b'<c r="&#88;FD1048576"', b'<c r="XF&#68;1"'])
def test_every_spelling_of_a_far_cell_is_seen(spelling):
    from salesmetrics_xl.sheet_guard import plain, scan_sheet

    data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1"><v>1</v></c>' + spelling + b"><v>2</v></c></row></sheetData></worksheet>")
    assert not plain(data)
    with pytest.raises(WorkbookError) as caught:
        scan_sheet(data, "team.xlsx", "Tracking")
    assert caught.value.problem.code == "too-wide" and "SALESMETRICS_MAX_COLUMNS" in caught.value.problem.message


def test_a_big_part_inflates_to_zipfiles_bytes_and_a_damaged_one_fails_in_zipfiles_words(tmp_path):
    """package.part_bytes inflates a big sheet with python-isal; the bytes, and any error, are zipfile's."""
    from salesmetrics_xl.package import FAST_INFLATE_BYTES, part_bytes
    from tests.hostile_files import _patch_crc

    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r * 7919 % 1000) for r in range(1, 90_000))
    sheet = b'<?xml version="1.0"?><worksheet><sheetData>' + rows + b"</sheetData></worksheet>"
    assert len(sheet) > FAST_INFLATE_BYTES
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    with zipfile.ZipFile(path) as zf:
        assert part_bytes(zf, "xl/worksheets/sheet1.xml") == sheet
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(_patch_crc(bytearray(path.read_bytes()), b"xl/worksheets/sheet1.xml")))
    with zipfile.ZipFile(damaged) as zf:
        with pytest.raises(zipfile.BadZipFile) as ours:
            part_bytes(zf, "xl/worksheets/sheet1.xml")
        with pytest.raises(zipfile.BadZipFile) as theirs:
            zf.read("xl/worksheets/sheet1.xml")
    assert str(ours.value) == str(theirs.value)


def test_the_package_checks_keep_the_sheets_they_inflate_for_the_guard(make_book):
    from salesmetrics_xl.package import check_package

    path = book(make_book, tracking=[*GOOD] * 400)
    kept: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        sheets = check_package(zf, str(path), kept)
        assert set(kept) <= {s.part for s in sheets} and kept
        assert all(kept[part] == zf.read(part) for part in kept)
