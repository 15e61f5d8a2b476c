"""A dozen deliberately broken workbooks, each must name the right problem at the right cell."""

import copy
import datetime as dt
import random
import zipfile
from pathlib import Path

import fastexcel
import pandas as pd
import pytest

from salesmetrics_xl import reader
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.reader import read_workbook
from tests.conftest import EXAMPLE, TRACKING_HEADER, default_ranges_rows, encrypted_workbook, xls_workbook
from tests.helpers import GOOD, W2, assert_identical
from tests.hostile_files import READING_CASES, TRACKING_PART, edit, make_reading_case, read_parts, write_parts

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


def _untidy_sheet(seed: int) -> list[list[object]]:
    """Valid in every cell's kind (numbers where numbers go) but untidy: a title above the header, data from
    column B, blank and whitespace-only rows, a row with only a note, negatives, fractions, times of day,
    weeks on any weekday, blank cells, Unicode names, extra columns of numbers, of text and of dates."""
    rng = random.Random(seed)
    names = ["Ann", "Bob", "Zoë Ångström", "محمد", "李雷", "  Padded  "]
    rows: list[list[object]] = [[None, "Acme pipeline review"], [],
                                [None, *TRACKING_HEADER[:12], "Notes", "Inbound", "Next Call", *TRACKING_HEADER[12:]]]
    for _ in range(300):
        roll = rng.random()
        if roll < 0.03:
            rows.append([])
            continue
        if roll < 0.05:
            rows.append([None] * 13 + ["   "])  # spaces only: not data
            continue
        if roll < 0.07:
            rows.append([None] * 13 + ["call back Tuesday"])  # a note only: reported, no week, no rep
            continue
        if roll < 0.09:
            rows.append([None, None, "   "])  # a Rep of spaces only: reported as a row with no rep
            continue
        week = dt.datetime(2026, 9, 7) + dt.timedelta(days=rng.randrange(0, 77), hours=rng.choice([0, 0, 9.5]))
        counts = [rng.choice([None, -rng.randrange(1, 9), rng.randrange(0, 90), rng.randrange(0, 90) + 0.5])
                  for _ in range(8)]
        rows.append([None, week, rng.choice(names), rng.choice(["East", "West", None]),
                     rng.choice(["SDR", "AE", None]), *counts, rng.choice([None, "ok", "  "]),
                     rng.choice([None, rng.randrange(0, 20)]), rng.choice([None, week + dt.timedelta(days=3)]),
                     rng.choice([None, 0, 3, 5, 2.5]), rng.choice([None, week - dt.timedelta(days=40)]),
                     rng.choice([None, 1, 0.6])])  # Days Worked, Start Date, FTE
    return rows


@pytest.mark.parametrize("seed", range(4))
def test_the_columnar_reader_reads_an_untidy_sheet_like_the_row_readers(make_book, columnar_reads, seed):
    assert_identical(book(make_book, tracking=_untidy_sheet(seed)))
    assert columnar_reads == [True]  # it really read column by column


def _text_sheet(seed: int) -> list[list[object]]:
    """Every column typed as text, as a CSV pasted in as text leaves it: weeks as ISO weeks and text dates,
    counts as '60', '1,200', '$950', '-3' or 'n/a', start dates as text, names with odd spacing, a totals row,
    and an extra text column. The columnar reader hands such columns over as distinct values and codes."""
    rng = random.Random(seed)
    weeks = ["2026-W44", "2026-W45", " 2026-W46 ", "2026-11-16", "Nov 23, 2026", "someday", "   ", None]
    counts = ["60", "1,200", "$950", "-3", "n/a", "", "  ", "12.5", "0", None, "#5"]
    rows: list[list[object]] = [[*TRACKING_HEADER[:12], "Notes", *TRACKING_HEADER[12:]]]
    for _ in range(200):
        rows.append([rng.choice(weeks), rng.choice(["Ann", " Bob", "Cy\u3000", "  ", None, "Total"]),
                     rng.choice(["East", " West ", None]), rng.choice(["SDR", "AE ", None]),
                     *(rng.choice(counts) for _ in range(8)), rng.choice(["ok", " ", None]),
                     rng.choice(["5", "2.5", "x", None]), rng.choice(["2026-08-03", "03.08.2026", "soon", None]),
                     rng.choice(["1", "0.6", None])])
    rows.append(["", "", None, None, *["99"] * 8])  # numbers under the data with neither week nor rep
    return rows


@pytest.mark.parametrize("seed", range(3))
def test_the_columnar_reader_reads_columns_of_text_like_the_row_readers(make_book, columnar_reads, seed):
    """Columns of text are read once per distinct value (see Coded): the same data and problems, word for word."""
    assert_identical(book(make_book, tracking=_text_sheet(seed)))
    assert columnar_reads == [True]


def test_a_column_that_mixes_numbers_and_text_is_read_cell_by_cell(make_book, columnar_reads):
    path = book(make_book, tracking=with_cell(GOOD, 3, 4, "12 calls"))
    assert read_workbook(path, today=TODAY, engine="columnar").problems[0].cell == "E3"
    assert columnar_reads == [False]


def test_when_the_columnar_reader_fails_the_rows_are_read_one_by_one(make_book, monkeypatch):
    class Broken:
        def load_sheet(self, name, **options):
            raise RuntimeError("a reader bug")

    monkeypatch.setattr(fastexcel, "read_excel", lambda path: Broken())
    path = book(make_book, tracking=_untidy_sheet(7))
    fallen_back = read_workbook(path, today=TODAY, engine="columnar")
    plain = read_workbook(path, today=TODAY, engine="openpyxl")
    pd.testing.assert_frame_equal(fallen_back.tracking.frame, plain.tracking.frame)
    assert fallen_back.problems == plain.problems


def test_only_a_big_tracking_sheet_is_read_column_by_column(make_book, columnar_reads, monkeypatch):
    path = book(make_book)
    read_workbook(path, today=TODAY)
    assert columnar_reads == []  # small: setting up the columnar reader would cost more than it saves
    monkeypatch.setattr(reader, "COLUMNAR_MIN_BYTES", 0)
    assert read_workbook(path, today=TODAY).problems == []
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
    from tests.hostile_files import CASE_NAMES, READING_CASES, make_case, make_reading_case, read_parts

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


# ---- fastexcel in a thread: started only on a sheet the guard has bounded, its result used only when the guard
# lets the sheet be read column by column ----------------------------------------------------------------------

@pytest.fixture
def timeline(monkeypatch) -> list[str]:
    """The order in which the guard's full scan ended and fastexcel started, read after read."""
    events: list[str] = []
    scan, load = reader.scan_sheet, reader._ColumnarBook._load

    def scanned(data, file, sheet, cells=None):
        try:
            return scan(data, file, sheet, cells)
        finally:
            events.append(f"scanned {sheet}")

    def loading(self, name, skip):
        events.append(f"fastexcel {name}")
        return load(self, name, skip)

    monkeypatch.setattr(reader, "scan_sheet", scanned)
    monkeypatch.setattr(reader._ColumnarBook, "_load", loading)
    return events


def test_fastexcel_starts_beside_the_guard_on_a_sound_sheet(make_book, timeline, columnar_reads):
    path = book(make_book)
    columnar = read_workbook(path, today=TODAY, engine="columnar")
    assert timeline.index("fastexcel Tracking") < timeline.index("scanned Tracking") and columnar_reads == [True]
    plain = read_workbook(path, today=TODAY, engine="openpyxl")
    pd.testing.assert_frame_equal(columnar.tracking.frame, plain.tracking.frame)
    assert columnar.problems == plain.problems


@pytest.mark.parametrize("name", ["cell-newline-far", "cell-single-quote-far", "cell-charref-far", "prefixed-far",
                                  "wide-1500-single-quotes"])
def test_a_cell_far_beyond_the_data_is_refused_before_fastexcel_runs(tmp_path, timeline, name):
    """A cell at XFD1048576, spelled as a parser reads it but a byte scan may not: no head start, and the guard's
    sentence, as before."""
    path = make_reading_case(name, tmp_path / f"{name}.xlsx")
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, today=TODAY, engine="columnar")
    assert caught.value.problem.code == READING_CASES[name][3]
    assert not [e for e in timeline if e.startswith("fastexcel")]


def test_a_plainly_spelled_far_cell_is_refused_before_fastexcel_runs(tmp_path, timeline):
    path = make_reading_case("cell-newline-far", tmp_path / "far.xlsx")
    parts = read_parts(path)
    path = write_parts(tmp_path / "plain-far.xlsx", edit(parts, TRACKING_PART, lambda d: d.replace(
        b'<c\n r="XFD1048576"', b'<c r="XFD1048576"')))
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, today=TODAY, engine="columnar")
    assert caught.value.problem.code == "too-wide" and timeline == ["scanned Tracking"]


def test_a_sheet_over_the_cell_limit_is_refused_before_fastexcel_runs(make_book, timeline, monkeypatch):
    """The quick scans bound where cells may be, not how many there are: a sheet over the cell limit gets no head
    start, and the guard's refusal comes before any native read, as it did."""
    monkeypatch.setenv("SALESMETRICS_MAX_CELLS", "20")
    with pytest.raises(WorkbookError) as caught:
        read_workbook(book(make_book), today=TODAY, engine="columnar")
    assert caught.value.problem.code == "too-large" and timeline == ["scanned Tracking"]


@pytest.mark.parametrize("twin", ["xl/worksheets/SHEET1.xml", "xl/worksheets/\u017fheet1.xml"])  # ſ folds to s
def test_two_parts_whose_names_differ_only_in_case_and_hold_different_sheets_are_refused(tmp_path, twin):
    """Excel reads part names without regard to case. Two such parts with different contents (a harmless copy
    first, the sheet a reader takes after it) could have the guard check one sheet and a native reader read the
    other: refused, naming both. (Alike in bytes, either reads the same: test_strict reads such a package.)"""
    parts = read_parts(EXAMPLE)
    harmless = next(d for n, d in parts if n == TRACKING_PART)
    far = harmless.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    path = write_parts(tmp_path / "twins.xlsx", [(twin, harmless)] + [(n, far if n == TRACKING_PART else d)
                                                                        for n, d in parts])
    for engine in ("columnar", "calamine", "openpyxl"):
        with pytest.raises(WorkbookError) as caught:
            read_workbook(path, today=TODAY, engine=engine)
        assert "two parts share the name" in caught.value.problem.message and twin in caught.value.problem.message


@pytest.mark.parametrize("name", ["stray-number-m500000", "rows-reversed", "no-references"])
def test_a_sheet_the_guard_sends_elsewhere_never_meets_fastexcel(tmp_path, timeline, name):
    path = make_reading_case(name, tmp_path / f"{name}.xlsx")
    columnar = read_workbook(path, today=TODAY, engine="columnar")
    assert not [e for e in timeline if e.startswith("fastexcel")]
    plain = read_workbook(path, today=TODAY, engine="openpyxl")
    pd.testing.assert_frame_equal(columnar.tracking.frame, plain.tracking.frame)


def test_a_head_start_the_guard_then_redirects_is_dropped(tmp_path, timeline, columnar_reads):
    """Error cells (#GETTING_DATA...) pass the bounds, so fastexcel starts; the guard then sends the sheet to the
    row reader, which reads it exactly as it did before."""
    path = make_reading_case("errors-seven-kinds", tmp_path / "errors.xlsx")
    columnar = read_workbook(path, today=TODAY, engine="columnar")
    assert "fastexcel Tracking" in timeline and columnar_reads == []
    plain = read_workbook(path, today=TODAY, engine="openpyxl")
    pd.testing.assert_frame_equal(columnar.tracking.frame, plain.tracking.frame)
    assert columnar.problems == plain.problems


class PanicException(BaseException):
    """What pyo3 raises for a Rust panic: not an Exception (see package.is_panic)."""


@pytest.mark.parametrize("failure", [RuntimeError("the columnar reader failed"), PanicException("boom")])
def test_a_fastexcel_failure_in_its_thread_falls_back_to_the_row_reader(make_book, monkeypatch, failure):
    def fails(self, name, skip):
        raise failure

    path = book(make_book)
    expected = read_workbook(path, today=TODAY, engine="calamine")
    monkeypatch.setattr(reader._ColumnarBook, "_load", fails)
    columnar = read_workbook(path, today=TODAY, engine="columnar")
    pd.testing.assert_frame_equal(columnar.tracking.frame, expected.tracking.frame)
    assert columnar.problems == expected.problems


def test_fastexcel_starts_before_openpyxl_opens_the_book(make_book, timeline, columnar_reads, monkeypatch):
    """The header guess is read from the sheet's XML (sheet_head): openpyxl, which gives the parser its header
    rows, opens only after fastexcel has started, in the time the main thread would wait for it."""
    started, opened = reader._Load, reader._OpenpyxlBook.__init__

    class Load(started):  # type: ignore[misc, valid-type]
        def __init__(self, read, skip):
            timeline.append(f"fastexcel under row {skip}")
            super().__init__(read, skip)

    def opening(self, path):
        timeline.append("openpyxl opened")
        opened(self, path)

    monkeypatch.setattr(reader, "_Load", Load)
    monkeypatch.setattr(reader._OpenpyxlBook, "__init__", opening)
    path = book(make_book, tracking=[["Weekly activity"], [], *GOOD])
    data = read_workbook(path, today=TODAY, engine="columnar")
    assert timeline.index("fastexcel under row 3") < timeline.index("openpyxl opened") and columnar_reads == [True]
    assert timeline.count("fastexcel under row 3") == 1 and data.tracking.header_row == 3


def test_a_header_guess_that_misses_costs_a_second_read_not_a_wrong_answer(make_book, timeline, columnar_reads,
                                                                          monkeypatch):
    """The guess from the sheet's XML only picks where fastexcel starts; the parser finds the header in the rows
    it is given, and when that is another row the columns are read again under it."""
    path = book(make_book, tracking=[["Weekly activity"], [], *GOOD])
    monkeypatch.setattr(reader, "head_rows", lambda data, strings: [tuple(TRACKING_HEADER)])
    data = read_workbook(path, today=TODAY, engine="columnar")
    assert timeline.count("fastexcel Tracking") == 2 and columnar_reads == [True]
    assert data.tracking.header_row == 3
    plain = read_workbook(path, today=TODAY, engine="openpyxl")
    pd.testing.assert_frame_equal(data.tracking.frame, plain.tracking.frame)


def test_a_header_lower_than_the_one_guessed_is_read_as_asked(make_book, timeline, columnar_reads):
    """The head start reads under the header its first rows show; the parser finds the same one (a title above
    it included), so the columns are used."""
    path = book(make_book, tracking=[["Weekly activity"], [], *GOOD])
    data = read_workbook(path, today=TODAY, engine="columnar")
    assert columnar_reads == [True] and timeline.count("fastexcel Tracking") == 1
    assert data.tracking.header_row == 3


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
