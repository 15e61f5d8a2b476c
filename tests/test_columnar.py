"""The columnar reader (columnar.py): a big Tracking sheet read column by column by fastexcel, on a thread that
starts beside the sheet guard, giving the same data and problems as the row readers, word for word."""

import datetime as dt
import random

import fastexcel
import pandas as pd
import pytest

from salesmetrics_xl import columnar as columnar_module
from salesmetrics_xl import reader, row_books
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.reader import read_workbook
from tests.conftest import EXAMPLE, TRACKING_HEADER
from tests.helpers import GOOD, assert_identical
from tests.hostile_files import READING_CASES, TRACKING_PART, edit, make_reading_case, read_parts, write_parts
from tests.test_reader import TODAY, book, with_cell


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
    monkeypatch.setattr(columnar_module, "COLUMNAR_MIN_BYTES", 0)
    assert read_workbook(path, today=TODAY).problems == []
    assert columnar_reads == [True]


# ---- fastexcel in a thread: started only on a sheet the guard has bounded, its result used only when the guard
# lets the sheet be read column by column ----------------------------------------------------------------------

@pytest.fixture
def timeline(monkeypatch) -> list[str]:
    """The order in which the guard's full scan ended and fastexcel started, read after read."""
    events: list[str] = []
    scan, load = reader.scan_sheet, columnar_module.ColumnarBook._load

    def scanned(data, file, sheet, cells=None):
        try:
            return scan(data, file, sheet, cells)
        finally:
            events.append(f"scanned {sheet}")

    def loading(self, name, skip):
        events.append(f"fastexcel {name}")
        return load(self, name, skip)

    monkeypatch.setattr(reader, "scan_sheet", scanned)
    monkeypatch.setattr(columnar_module.ColumnarBook, "_load", loading)
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
    monkeypatch.setattr(columnar_module.ColumnarBook, "_load", fails)
    columnar = read_workbook(path, today=TODAY, engine="columnar")
    pd.testing.assert_frame_equal(columnar.tracking.frame, expected.tracking.frame)
    assert columnar.problems == expected.problems


def test_fastexcel_starts_before_openpyxl_opens_the_book(make_book, timeline, columnar_reads, monkeypatch):
    """The header guess is read from the sheet's XML (sheet_head): openpyxl, which gives the parser its header
    rows, opens only after fastexcel has started, in the time the main thread would wait for it."""
    started, opened = columnar_module._Load, row_books.OpenpyxlBook.__init__

    class Load(started):  # type: ignore[misc, valid-type]
        def __init__(self, read, skip):
            timeline.append(f"fastexcel under row {skip}")
            super().__init__(read, skip)

    def opening(self, path):
        timeline.append("openpyxl opened")
        opened(self, path)

    monkeypatch.setattr(columnar_module, "_Load", Load)
    monkeypatch.setattr(row_books.OpenpyxlBook, "__init__", opening)
    path = book(make_book, tracking=[["Weekly activity"], [], *GOOD])
    data = read_workbook(path, today=TODAY, engine="columnar")
    assert timeline.index("fastexcel under row 3") < timeline.index("openpyxl opened") and columnar_reads == [True]
    assert timeline.count("fastexcel under row 3") == 1 and data.tracking.header_row == 3


def test_a_header_guess_that_misses_costs_a_second_read_not_a_wrong_answer(make_book, timeline, columnar_reads,
                                                                          monkeypatch):
    """The guess from the sheet's XML only picks where fastexcel starts; the parser finds the header in the rows
    it is given, and when that is another row the columns are read again under it."""
    path = book(make_book, tracking=[["Weekly activity"], [], *GOOD])
    monkeypatch.setattr(columnar_module, "head_rows", lambda data, strings: [tuple(TRACKING_HEADER)])
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
