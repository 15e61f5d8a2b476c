"""Every package Excel can save is read and written: Strict Open XML, part names in any case, minimal or missing
styles, macro and dialog sheets, UTF-16 parts, relationship ids past rId10000, a library that prints.

For each shape (tests/package_shapes.py): every reader gives the sound book's answer (or all refuse with one
sentence); the writer keeps every part it need not edit byte for byte, completes what is missing, writes in the
book's own namespaces and never holds two part names equal but for case; LibreOffice opens the result.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree

from salesmetrics_xl import ooxml
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.layouts.sheet import WorkbookLayout
from salesmetrics_xl.reader import _installed, _sheet_part, read_workbook
from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx import write_workbook
from tests.helpers import raw_entries
from tests.hostile_files import read_parts, write_parts
from tests.libreoffice import convert, needs_libreoffice
from tests.package_shapes import SHAPES, SUFFIX, TODAY, TRANSITIONAL_ONLY, make_shape, tracking_book
from tests.xlsx.books import summary_layout

READERS = [r for r in ("columnar", "calamine", "openpyxl") if _installed(r)]
PYTHON_WORDS = re.compile(r"\b\w*(Error|Exception)\b|substring not found|is not in list|StopIteration|Traceback")


def _answer(path: Path, reader: str) -> tuple[object, ...]:
    """What a user is told: the tracking rows and every problem (not the note that another reader was used), or
    the refusal."""
    try:
        data = read_workbook(path, today=TODAY, engine=reader)
    except WorkbookError as exc:
        return ("refused", exc.problem.message)
    rows = data.tracking.frame.to_csv(index=False) if data.tracking is not None else None
    problems = [(p.severity.value, p.code, p.sheet, p.cell, p.message) for p in data.problems
                if p.code != "other-reader"]
    return (rows, problems)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("shapes")
    made = {name: make_shape(name, folder) for name in SHAPES}
    made["sound"] = folder / "sound.xlsx"
    made["ten-thousand-relationship-ids"] = _many_relationship_ids(made["sound"], folder / "rids.xlsx")
    return made


def _many_relationship_ids(source: Path, target: Path) -> Path:
    """The workbook's relationships take every id from rId1 to rId10000 (most of them web links)."""
    parts = read_parts(source)
    rels = dict(parts)["xl/_rels/workbook.xml.rels"].decode()
    ids = re.findall(r'Id="(rId\d+)"', rels)
    links = "".join(f'<Relationship Id="rId{n}" Type="{ooxml.TRANSITIONAL.rel}/hyperlink" '
                    f'Target="https://example.com/{n}" TargetMode="External"/>'
                    for n in range(1, 10_001) if f"rId{n}" not in ids)
    rels = rels.replace("</Relationships>", links + "</Relationships>")
    return write_parts(target, [(n, rels.encode() if n == "xl/_rels/workbook.xml.rels" else d) for n, d in parts])


ALL_SHAPES = [*SHAPES, "ten-thousand-relationship-ids"]


# ---- reading ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_every_reader_reads_the_shape_as_it_reads_the_sound_book(books, shape):
    sound = _answer(books["sound"], READERS[0])
    assert sound[0] not in (None, "refused") and "Rep 3" in sound[0]  # the sound book is read, 24 rows
    answers = {reader: _answer(books[shape], reader) for reader in READERS}
    assert answers == {reader: sound for reader in READERS}


def test_a_reader_that_cannot_read_a_package_hands_it_to_another_and_says_so_in_a_note(books):
    data = read_workbook(books["macro-and-dialog-sheets"], today=TODAY, engine="calamine")
    notes = [p for p in data.problems if p.code == "other-reader"]
    assert [p.severity.value for p in notes] == ["note"]
    assert notes[0].message == ("the fast reader (python-calamine) could not read this workbook, so it was read "
                                "with openpyxl; the results are the same")
    strict = read_workbook(books["strict"], today=TODAY, engine="openpyxl")  # given to it in Transitional words
    assert strict.problems == [] and len(strict.tracking.frame) == 24
    assert not [p for p in read_workbook(books["sound"], today=TODAY).problems if p.code == "other-reader"]


def test_a_package_no_reader_can_read_gets_one_sentence_from_every_reader_in_words(books, tmp_path):
    parts = read_parts(books["sound"])
    broken = write_parts(tmp_path / "broken.xlsx", [  # the Tracking sheet's XML ends in the middle of a cell
        (n, d[: len(d) // 2] if n == "xl/worksheets/sheet1.xml" else d) for n, d in parts])
    answers = {reader: _answer(broken, reader) for reader in READERS}
    assert len(set(answers.values())) == 1, answers
    refused, sentence = answers[READERS[0]]
    assert refused == "refused" and sentence.startswith("the file is damaged") and not PYTHON_WORDS.search(sentence)


@pytest.mark.parametrize("command", ["check", "summary", "baseline"])
def test_json_is_alone_on_stdout_when_a_library_prints(books, command, tmp_path):
    env = {**os.environ, "SALESMETRICS_READER": "openpyxl"}
    out = ["--out", str(tmp_path / "out.xlsx")] if command == "summary" else []
    result = subprocess.run([sys.executable, "-m", "salesmetrics_xl", command, "--json", *out,
                             str(books["chatty-style-index"])], capture_output=True, text=True, env=env, timeout=300)
    assert "0 is out of range" in result.stderr  # openpyxl did print: the shape tests what it claims
    json.loads(result.stdout)  # and stdout is our JSON alone
    assert result.returncode in (0, 1), result.stderr[-2000:]


# ---- writing ---------------------------------------------------------------------------------------------------

def _may_change(path: Path) -> set[str]:
    """The parts a summary edits: the package's lists, the styles, and the Tracking and Ranges sheets."""
    with zipfile.ZipFile(path) as zf:
        names = ooxml.PartNames(zf.namelist())
        sheets = {_sheet_part(zf, "Tracking"), _sheet_part(zf, "Ranges")}
    found = {names.find(n) for n in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                     "xl/styles.xml")}
    return {n for n in found | sheets if n}


def _content_type(types: bytes, part: str) -> str | None:
    """A part's content type as Excel finds it: its Override, else the Default for its extension (any case)."""
    root = ElementTree.fromstring(types)
    for e in root:
        if e.tag.endswith("Override") and (e.get("PartName") or "").casefold() == "/" + part.casefold():
            return e.get("ContentType")
    ext = part.rsplit(".", 1)[-1].casefold()
    return next((e.get("ContentType") for e in root if e.tag.endswith("Default")
                 and (e.get("Extension") or "").casefold() == ext), None)


@pytest.fixture(scope="module")
def written(books, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("written")
    return {shape: summarise_workbook(books[shape], today=TODAY,
                                      out=folder / f"{shape}.summary{SUFFIX.get(shape, '.xlsx')}").output
            for shape in ALL_SHAPES}


@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_the_writer_keeps_every_part_it_need_not_edit_and_completes_the_package(books, written, shape):
    source, target = books[shape], written[shape]
    before, after = raw_entries(source), raw_entries(target)
    kept = [n for n in before if n not in _may_change(source)]
    assert kept and [n for n in kept if after.get(n) != before[n]] == []  # byte for byte, same spelling
    assert set(before) <= set(after)
    folded: dict[str, str] = {}
    assert [n for n in after if folded.setdefault(n.casefold(), n) != n] == []  # no name twice in any case
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None
        types = zf.read("[Content_Types].xml")
        assert [n for n in zf.namelist() if not n.endswith("/") and n != "[Content_Types].xml"
                and _content_type(types, n) is None] == []
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        sheets = ooxml.sheets_of(workbook)
        ids = [s.get("sheetId") for s in sheets]
        assert len(ids) == len(set(ids))  # no sheetId twice
        rel_ids = re.findall(rb'\bId="([^"]+)"', zf.read(_names(zf).find("xl/_rels/workbook.xml.rels")))
        assert len(rel_ids) == len(set(rel_ids))
        names = [s.get("name") for s in sheets]
        assert "Weekly Summary" in names and "Evaluation" in names
        for name in _may_change(source) | set(after) - set(before):
            data = zf.read(_names(zf).find(name))
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(data)  # well-formed, in the encoding it declares
                assert ooxml.encoding_of(data[:4]) == "utf-8" or name in kept
    assert _answer(target, READERS[0])[0] == _answer(source, READERS[0])[0]  # the user's rows read as before


def _names(zf: zipfile.ZipFile) -> ooxml.PartNames:
    return ooxml.PartNames(zf.namelist())


def test_a_strict_book_gets_our_parts_in_strict_namespaces_and_its_range_checks(books, written):
    with zipfile.ZipFile(books["strict"]) as src, zipfile.ZipFile(written["strict"]) as out:
        ours = [n for n in out.namelist() if n not in src.namelist()] + sorted(_may_change(books["strict"]))
        for name in ours:
            text = out.read(name).decode("utf-8")
            assert not [uri for uri in TRANSITIONAL_ONLY if uri in text], name  # not one Transitional word
        workbook = out.read("xl/workbook.xml").decode()
        assert 'conformance="strict"' in workbook and ooxml.STRICT.main in workbook
        tracking = out.read(_sheet_part(out, "Tracking")).decode()
        assert "salesmetrics-xl" in tracking  # the range checks reached the Strict Tracking sheet
    assert read_workbook(written["strict"], today=TODAY, engine=READERS[0]).tracking is not None


def test_the_users_chart_stays_linked_when_the_sheet_part_and_its_relationships_differ_in_case(books, written):
    with zipfile.ZipFile(written["sheet-part-capitalised"]) as zf:
        names = zf.namelist()
        assert "xl/worksheets/Sheet1.xml" in names and "xl/worksheets/_rels/sheet1.xml.rels" in names
        assert "xl/worksheets/sheet1.xml" not in names  # ours went elsewhere
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing1.xml" in rels  # the user's sheet still points at the user's chart (LibreOffice shows it)


def test_new_parts_join_their_folder_as_the_package_spells_it(written):
    with zipfile.ZipFile(written["folders-capitalised"]) as zf:
        folders = {n.rsplit("/", 1)[0] for n in zf.namelist() if n.casefold().startswith("xl/worksheets/")}
    assert folders == {"xl/Worksheets", "xl/Worksheets/_rels"}


def test_an_empty_or_missing_styles_part_is_completed_with_what_excel_needs(written):
    for shape in ("empty-stylesheet", "no-styles-part"):
        with zipfile.ZipFile(written[shape]) as zf:
            styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
        main = ooxml.TRANSITIONAL.main
        counts = {tag: len(styles.find(f"{{{main}}}{tag}")) for tag in ("fonts", "fills", "borders", "cellXfs")}
        assert counts["fonts"] >= 2 and counts["fills"] >= 3 and counts["borders"] >= 1, counts
        first_fills = [f[0].get("patternType") for f in styles.find(f"{{{main}}}fills")][:2]
        assert first_fills == ["none", "gray125"], shape  # the two fills Excel reserves
        title = openpyxl.load_workbook(written[shape])["Weekly Summary"]["A1"].font
        assert title.b, shape  # the style index we wrote points at the style we added


def test_a_utf16_tracking_sheet_is_edited_and_written_back_as_utf8(books, written):
    for shape in ("utf16-with-bom", "utf16-without-bom", "utf16-big-endian"):
        with zipfile.ZipFile(books[shape]) as src:
            assert ooxml.is_utf16(src.read("xl/worksheets/sheet1.xml")[:4])
        with zipfile.ZipFile(written[shape]) as zf:
            data = zf.read("xl/worksheets/sheet1.xml")
        assert data.startswith(b"<?xml") and b'encoding="UTF-8"' in data[:100]
        assert b"salesmetrics-xl" in data and b"Rep 0" not in data  # range checks added, shared strings kept


def test_free_ids_are_found_by_checking_the_set():
    assert ooxml.free_id([f"rId{n}" for n in range(1, 10_001)]) == "rId10001"
    assert ooxml.free_id(["rId2", "rId3", "R1"]) == "rId1"


def test_baseline_write_on_a_strict_book_gives_every_sheet_its_own_id(books, tmp_path):
    out = tmp_path / "strict.baseline.xlsx"
    result = subprocess.run([sys.executable, "-m", "salesmetrics_xl", "baseline", str(books["strict"]), "--write",
                             "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    with zipfile.ZipFile(out) as zf:
        sheets = ooxml.sheets_of(ElementTree.fromstring(zf.read("xl/workbook.xml")))
    ids = [s.get("sheetId") for s in sheets]
    assert len(ids) == len(set(ids)) and "Suggested Ranges" in [s.get("name") for s in sheets]


def test_a_refusal_names_the_part_in_words(tmp_path):
    source = tracking_book(tmp_path / "team.xlsx")
    parts = read_parts(source)
    broken = write_parts(tmp_path / "odd.xlsx", [(n, b'<?xml version="1.0"?><notStyles/>' if n == "xl/styles.xml"
                                                  else d) for n, d in parts])
    with pytest.raises(WorkbookError) as caught:
        summarise_workbook(broken, today=TODAY, out=tmp_path / "odd.summary.xlsx")
    sentence = caught.value.problem.message
    assert "xl/styles.xml" in sentence and not PYTHON_WORDS.search(sentence), sentence


# ---- LibreOffice -----------------------------------------------------------------------------------------------

@needs_libreoffice
def test_libreoffice_opens_every_output(books, written, tmp_path):
    shapes = sorted(written)
    strict_input = convert([books["strict"]], tmp_path / "lo-input")[0]  # the Strict book we craft is one LibreOffice
    assert openpyxl.load_workbook(strict_input)["Tracking"]["B2"].value == "Rep 0"  # reads as Excel's Strict files
    outputs = convert([written[s] for s in shapes], tmp_path / "lo")  # asserts each one opened
    for shape, converted in zip(shapes, outputs, strict=True):
        book = openpyxl.load_workbook(converted, data_only=True)
        assert {"Tracking", "Ranges", "Weekly Summary", "Evaluation"} <= set(book.sheetnames), shape
        tracking = book["Tracking"]
        assert (tracking["B2"].value, tracking.max_row) == ("Rep 0", 25), shape  # the user's data, all of it
        assert len(tracking._charts) == 1, shape  # and the user's chart, still on the Tracking sheet
        assert book["Weekly Summary"]["A1"].value, shape
        assert len(book["Weekly Summary"]._charts) >= 1, shape  # our chart, in the book's own namespaces


# ---- the project's own corpus ----------------------------------------------------------------------------------

_CORPUS_RUN = """
import json, shutil, sys, zipfile
from pathlib import Path
from tests.conftest import EXAMPLE
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.summarise import summarise_workbook
from tests.hostile_files import CASE_NAMES, make_case
from tests.package_shapes import SHAPES, SUFFIX, TODAY, make_shape
from tests.xlsx.books import fidelity_book

folder = Path(sys.argv[1])
books = {name: make_shape(name, folder) for name in SHAPES}
books.update({f"hostile-{name}": make_case(name, folder / f"hostile-{name}.xlsx") for name in CASE_NAMES
              if not name.startswith(("wide", "nested"))})  # the slow ones: test_hostile.py runs them
books.update({name: fidelity_book(folder, f"{name}.{kind}") for name, kind in (("fidelity", "xlsx"),
                                                                             ("fidelity-macros", "xlsm"))})
books["example"] = Path(shutil.copy(EXAMPLE, folder / "example.xlsx"))
report = {}
for name, book in books.items():
    outputs = []
    try:
        first = summarise_workbook(book, today=TODAY, out=folder / f"out-{name}{book.suffix}").output
        second = summarise_workbook(first, today=TODAY, out=folder / f"again-{name}{book.suffix}").output
        outputs = [first, second]
    except WorkbookError as exc:
        report[name] = {"refused": exc.problem.message}
        continue
    twice = []
    for out in outputs:
        seen = {}
        twice += [n for n in zipfile.ZipFile(out).namelist() if seen.setdefault(n.casefold(), n) != n]
    report[name] = {"written": len(outputs), "same-but-for-case": twice}
print(json.dumps(report))
"""


def test_no_output_of_the_corpus_holds_two_part_names_equal_but_for_case(tmp_path):
    """Every book the tests build (the package shapes, the hostile corpus, the fidelity books), summarised and then
    summarised again: no output holds a part name twice in any case. A child process, as a hostile book could
    still take a reader down."""
    result = subprocess.run([sys.executable, "-c", _CORPUS_RUN, str(tmp_path)], capture_output=True, text=True,
                            timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    written = {name: r for name, r in report.items() if "written" in r}
    assert len(written) >= len(SHAPES) + 3 + 8, report  # enough of the corpus is writable for the test to test
    assert {name: r["same-but-for-case"] for name, r in written.items() if r["same-but-for-case"]} == {}
    for name, r in report.items():
        if "refused" in r:
            assert not PYTHON_WORDS.search(r["refused"]), (name, r["refused"])


def test_a_new_part_never_takes_a_name_any_part_or_left_over_relationships_hold_in_any_case(books, tmp_path):
    parts = read_parts(books["sound"])
    leftover = ("xl/worksheets/_rels/SHEET3.xml.rels", b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships '
                b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
    taken = ("xl/worksheets/Sheet4.xml", b"not a part anything points at")
    source = write_parts(tmp_path / "team.xlsx", [*parts, leftover, taken])
    target = summarise_workbook(source, today=TODAY, out=tmp_path / "team.summary.xlsx").output
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        assert zf.read(leftover[0]) == leftover[1] and zf.read(taken[0]) == taken[1]
    keys = [n.casefold() for n in names]
    assert len(keys) == len(set(keys))
    ours = sorted(n for n in names if n.casefold().startswith("xl/worksheets/sheet") and n not in dict(parts)
                  and n != taken[0])
    assert ours == ["xl/worksheets/sheet5.xml", "xl/worksheets/sheet6.xml"]  # 3 and 4 are held, in other cases


@needs_libreoffice
def test_a_workbook_part_outside_xl_is_found_through_the_packages_relationships(tmp_path):
    """A minimal package as some libraries write it: the workbook at the package root, named by _rels/.rels."""
    main, rel = ooxml.TRANSITIONAL.main, ooxml.TRANSITIONAL.rel
    parts = [
        ("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/book.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/data.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        ("_rels/.rels", f'<Relationships xmlns="{ooxml.PACKAGE_RELS}"><Relationship Id="rId1" '
         f'Type="{rel}/officeDocument" Target="book.xml"/></Relationships>'),
        ("book.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Notes" sheetId="1" '
         'r:id="rId1"/></sheets></workbook>'),
        ("_rels/book.xml.rels", f'<Relationships xmlns="{ooxml.PACKAGE_RELS}"><Relationship Id="rId1" '
         f'Type="{rel}/worksheet" Target="data.xml"/></Relationships>'),
        ("data.xml", f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>kept</t>'
         "</is></c></row></sheetData></worksheet>"),
    ]
    source = write_parts(tmp_path / "minimal.xlsx", [(n, d.encode()) for n, d in parts])
    layout = summary_layout()
    target = write_workbook(source, WorkbookLayout(layout.sheets, []), tmp_path / "minimal.summary.xlsx")
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        assert zf.read("data.xml") == dict(parts)["data.xml"].encode()
        assert "styles.xml" in names and "worksheets/sheet1.xml" in names  # completed, beside the workbook
        assert not [n for n in names if n.startswith(("/", "./", "xl/"))]
    book = openpyxl.load_workbook(convert([target], tmp_path / "lo")[0])
    assert book.sheetnames == ["Notes", "Weekly Summary"] and book["Notes"]["A1"].value == "kept"


def test_a_package_holding_one_name_in_two_cases_is_read_but_never_written(books, tmp_path):
    parts = read_parts(books["sound"])
    twice = write_parts(tmp_path / "twice.xlsx", [*parts, ("xl/worksheets/Sheet2.xml", dict(parts)[
        "xl/worksheets/sheet2.xml"])])
    assert _answer(twice, READERS[0]) == _answer(books["sound"], READERS[0])
    with pytest.raises(WorkbookError) as caught:
        summarise_workbook(twice, today=TODAY, out=tmp_path / "twice.summary.xlsx")
    assert caught.value.problem.message == (
        "the file is damaged: it cannot be written to: xl/worksheets/Sheet2.xml and xl/worksheets/sheet2.xml are "
        "one part to Excel, which compares part names without regard to case; open it in Excel and save it again "
        "(File > Save As, Excel Workbook)")
    assert not (tmp_path / "twice.summary.xlsx").exists()


_STRICT_STRAY = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
from pathlib import Path
from salesmetrics_xl.reader import read_workbook
from tests.package_shapes import TODAY
data = read_workbook(Path(sys.argv[1]), today=TODAY, engine=sys.argv[2])
print(len(data.tracking.frame), sorted((p.code, p.cell) for p in data.problems if p.code != "other-reader"))
"""


@pytest.mark.parametrize("reader", READERS)
def test_a_strict_sheet_with_a_stray_cell_far_away_is_read_row_by_row_by_every_reader(books, reader, tmp_path):
    """A stray value in ALL1000000 of a Strict Tracking sheet: a native reader would size a grid of a billion
    cells, so the sheet goes to openpyxl (in Transitional words) row by row, under a 3 GiB cap, for every choice."""
    stray = b'<row r="1000000"><c r="ALL1000000"><v>1</v></c></row></sheetData>'
    parts = [(n, d.replace(b"</sheetData>", stray) if n == "xl/worksheets/sheet1.xml" else d)
             for n, d in read_parts(books["strict"])]
    book = write_parts(tmp_path / "stray.xlsx", parts)
    result = subprocess.run([sys.executable, "-c", _STRICT_STRAY, str(book), reader], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("24 ")
