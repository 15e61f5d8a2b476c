"""The lossless writer on a fidelity corpus: nothing the user made is lost, changed parts only gain."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import os
import re
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import xlwings
from isal import isal_zlib
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from salesmetrics_xl import xlsx_writer
from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.layouts.sheet import (
    Chart,
    ConditionalFormat,
    Fill,
    Highlight,
    Series,
    SheetEdit,
    SheetLayout,
    Style,
    Validation,
    WorkbookLayout,
)
from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx_writer import iter_parts, output_path, write_workbook
from tests.conftest import EXAMPLE
from tests.helpers import raw_entries
from tests.libreoffice import convert, needs_libreoffice

XLWINGS_XLSM = Path(xlwings.__file__).parent / "quickstart.xlsm"  # a real macro workbook saved by Excel
# The parts adding a sheet must touch; everything else stays byte-identical.
MAY_CHANGE = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}


def _png(path: Path) -> Path:
    """A real 8x8 PNG, written by hand so the test needs no imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def fidelity_book(folder: Path, name: str = "fidelity.xlsx", rows: int = 30) -> Path:
    """Everything a plain openpyxl load-and-save is known to lose or rename, in one workbook."""
    path = folder / name
    wb = xlsxwriter.Workbook(str(path))
    if name.endswith(".xlsm"):
        with zipfile.ZipFile(XLWINGS_XLSM) as zf:
            (folder / "vbaProject.bin").write_bytes(zf.read("xl/vbaProject.bin"))
        wb.add_vba_project(str(folder / "vbaProject.bin"))
    ws = wb.add_worksheet("Tracking")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"color": "red", "bold": True})
    header = ["Week", "Rep", "Dials", "SQLs"]
    data = [[dt.date(2026, 11, 16) - dt.timedelta(weeks=i // 3), f"Rep {i % 3}", 40 + i, i % 4] for i in range(rows)]
    ws.add_table(0, 0, rows, 3, {"name": "Tracking", "columns": [{"header": h} for h in header]})
    for r, rec in enumerate(data, start=1):
        ws.write_datetime(r, 0, dt.datetime.combine(rec[0], dt.time()), date)
        ws.write_string(r, 1, rec[1])
        ws.write_number(r, 2, rec[2])
        ws.write_number(r, 3, rec[3])
    ws.freeze_panes(1, 0)
    ws.conditional_format(1, 2, rows, 2, {"type": "data_bar", "data_bar_2010": True, "bar_solid": True})
    ws.add_sparkline(0, 6, {"range": f"Tracking!C2:C{rows + 1}"})
    ws.data_validation(1, 3, rows, 3, {"validate": "integer", "criteria": ">=", "value": 0})
    ws.write_comment(1, 1, "Top rep this month")
    ws.write_url(0, 8, "https://example.com/crm", string="CRM")
    ws.write_rich_string(2, 8, "Note: ", red, "check", " the numbers")
    ws.insert_image(4, 6, str(_png(folder / "logo.png")))
    ws.insert_textbox(10, 6, "A text box the manager drew", {"width": 200, "height": 60})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"=Tracking!$C$2:$C${rows + 1}", "name": "Dials"})
    ws.insert_chart(14, 6, chart)
    wb.define_name("TopRep", "=Tracking!$B$2")
    notes = wb.add_worksheet("Notes")
    notes.write(0, 0, "Shared strings stay numbered as they are", bold)
    wb.close()
    return path


def summary_layout(name: str = "Weekly Summary") -> WorkbookLayout:
    sheet = SheetLayout(name, freeze="A3", landscape=True, fit_width=True)
    head = Style(bold=True, fill="DDEBF7", border=True)
    sheet.put(1, 1, "Weekly summary", Style(bold=True, size=14))
    for c, h in enumerate(["Rep", "SQLs", "Win rate", "MRR"], start=1):
        sheet.put(2, c, h, head)
    reps = [("Ann", 3, 0.25, 1200.5), ("=HYPERLINK(\"http://evil\")", 1, 0.5, 0), ("+Bob", 2, None, 300),
            ("@Cy", 0, 0, 0), ("-Dee", 4, 1, 99), ("  Émile 🚀 עברית  ", 5, 0.125, 10)]
    for r, (rep, sqls, win, mrr) in enumerate(reps, start=3):
        sheet.put(r, 1, rep)
        sheet.put(r, 2, sqls)
        sheet.put(r, 3, win, Style(number_format="0%"))
        sheet.put(r, 4, mrr, Style(number_format='"$"#,##0'))
    total = len(reps) + 3
    sheet.put(total, 1, "Total", Style(bold=True))
    sheet.put(total, 2, None, Style(bold=True), formula=f"SUM(B3:B{total - 1})")
    sheet.put(total, 4, None, Style(number_format='"$"#,##0.00'), formula=f"SUM(D3:D{total - 1})")
    sheet.put(total + 1, 1, "Status")
    sheet.put(total + 1, 2, None, formula=f'IF(B{total}>=10,"IN RANGE","BELOW")')
    sheet.widths = {1: 24, 2: 8, 3: 10, 4: 12}
    sheet.conditional_formats.append(ConditionalFormat("B3:B8", "B3<1", Highlight(fill="F8CBAD", bold=True)))
    sheet.charts.append(Chart("SQLs by rep", "A3:A8", (Series("SQLs", "B3:B8"),), "F2"))
    edit = SheetEdit("Tracking", [ConditionalFormat("C2:C31", "C2>60", Highlight(fill="FFEB9C"))],
                     [Validation("C2:C31", "decimal", "0", "greaterThanOrEqual", "Counts are zero or more.")])
    return WorkbookLayout([sheet], [edit])


def _tracking_part(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        wb = zf.read("xl/workbook.xml").decode()
    rid = re.search(r'name="Tracking"[^>]*r:id="(\w+)"', wb)[1]
    return "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels)[1]


def _only_additions(before: str, after: str) -> list[str]:
    """What changed other than inserting text (count attributes may go up)."""
    strip = lambda s: re.sub(r'\bcount="\d+"', 'count=""', s)  # noqa: E731
    a, b = strip(before), strip(after)
    return [f"{op}: {a[i1:i2][:80]!r} -> {b[j1:j2][:80]!r}"
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
            if op not in ("equal", "insert")]


@pytest.mark.parametrize("deflate", ["isal", "zlib"])  # with and without the fast extra's compressor
@pytest.mark.parametrize("name", ["fidelity.xlsx", "fidelity.xlsm"])
def test_nothing_the_user_made_is_lost(tmp_path, monkeypatch, name, deflate):
    monkeypatch.setattr(xlsx_writer, "deflate", isal_zlib if deflate == "isal" else zlib)
    source = fidelity_book(tmp_path, name)
    target = write_workbook(source, summary_layout(), output_path(source, None, in_place=False))
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None  # every part's CRC and size hold
    assert target.name == f"fidelity.summary{source.suffix}"
    before, after = raw_entries(source), raw_entries(target)
    changed_allowed = MAY_CHANGE | {_tracking_part(source)}
    untouched = [n for n in before if n not in changed_allowed]
    assert untouched and all(after[n] == before[n] for n in untouched), \
        [n for n in untouched if after.get(n) != before[n]]
    for kind in ("xl/media/image", "xl/comments", "xl/drawings/vmlDrawing", "xl/tables/table", "xl/charts/chart",
                 "xl/drawings/drawing", "xl/sharedStrings.xml", "xl/theme/"):
        assert any(n.startswith(kind) for n in untouched), f"the corpus lacks {kind}"
    old, new = dict(iter_parts(source)), dict(iter_parts(target))
    for part in changed_allowed:
        assert _only_additions(old[part].decode(), new[part].decode()) == [], part
    added = set(new) - set(old)
    assert any(p.startswith("xl/charts/") for p in added) and any(p.startswith("xl/worksheets/sheet") for p in added)
    if name.endswith(".xlsm"):
        assert new["xl/vbaProject.bin"] == old["xl/vbaProject.bin"]
        assert b"macroEnabled.main+xml" in new["[Content_Types].xml"]


def test_existing_style_indices_never_move_and_identical_styles_are_reused(tmp_path):
    source = fidelity_book(tmp_path)
    first = write_workbook(source, summary_layout(), tmp_path / "first.xlsx")
    second = write_workbook(first, summary_layout(), tmp_path / "second.xlsx")
    a, b = dict(iter_parts(first)), dict(iter_parts(second))
    assert a == b, [n for n in set(a) | set(b) if a.get(n) != b.get(n)]  # a second run changes nothing
    book = openpyxl.load_workbook(second)
    assert book.sheetnames == ["Tracking", "Notes", "Weekly Summary"]  # replaced in place, not duplicated
    tracking = book["Tracking"]
    ours = [r for cf in tracking.conditional_formatting for r in cf.rules if "salesmetrics-xl" in str(r.formula)]
    assert len(ours) == 1
    assert sum(dv.errorTitle == "salesmetrics-xl" for dv in tracking.data_validations.dataValidation) == 1


def test_replacing_keeps_position_and_sheet_id(tmp_path):
    source = fidelity_book(tmp_path)
    first = write_workbook(source, summary_layout(), tmp_path / "first.xlsx")
    # the user moves our sheet to the front in Excel: a regenerated one stays where they put it
    with zipfile.ZipFile(first) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    wb = parts["xl/workbook.xml"].decode()
    ours = re.search(r'<sheet name="Weekly Summary"[^>]*/>', wb)[0]
    wb = wb.replace(ours, "").replace("<sheets>", "<sheets>" + ours)
    parts["xl/workbook.xml"] = wb.encode()
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in parts.items():
            zf.writestr(n, d)
    again = write_workbook(moved, summary_layout(), tmp_path / "again.xlsx")
    book = openpyxl.load_workbook(again)
    assert book.sheetnames == ["Weekly Summary", "Tracking", "Notes"]
    assert re.search(r'<sheet name="Weekly Summary" sheetId="(\d+)"', dict(iter_parts(again))["xl/workbook.xml"]
                     .decode())[1] == re.search(r'<sheet name="Weekly Summary" sheetId="(\d+)"', wb)[1]


def test_user_text_that_looks_like_a_formula_stays_text(tmp_path):
    target = write_workbook(fidelity_book(tmp_path), summary_layout(), tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(target)["Weekly Summary"]
    assert [ws.cell(r, 1).value for r in range(3, 9)] == [
        "Ann", '=HYPERLINK("http://evil")', "+Bob", "@Cy", "-Dee", "  Émile 🚀 עברית  "]
    assert all(ws.cell(r, 1).data_type == "s" for r in range(3, 9))
    assert ws["B9"].value == "=SUM(B3:B8)"  # our own formulas are formulas


def test_writes_into_a_real_excel_macro_workbook(tmp_path):
    source = tmp_path / "quickstart.xlsm"
    source.write_bytes(XLWINGS_XLSM.read_bytes())
    layout = summary_layout()
    layout.edits = []
    target = write_workbook(source, layout, tmp_path / "out.xlsm")
    old, new = raw_entries(source), raw_entries(target)
    assert all(new[n] == old[n] for n in old if n not in MAY_CHANGE)
    book = openpyxl.load_workbook(target, keep_vba=True)
    assert book.sheetnames[-1] == "Weekly Summary" and book["Weekly Summary"]["A3"].value == "Ann"


@needs_libreoffice
def test_libreoffice_opens_the_result_and_recalculates_our_formulas(tmp_path):
    targets = [write_workbook(fidelity_book(tmp_path, n), summary_layout(), tmp_path / f"out{Path(n).suffix}")
               for n in ("fidelity.xlsx", "fidelity.xlsm")]
    for converted in convert(targets, tmp_path / "lo"):
        book = openpyxl.load_workbook(converted, data_only=True)
        ws = book["Weekly Summary"]
        assert ws["A3"].value == "Ann" and ws["A4"].value == '=HYPERLINK("http://evil")'
        assert ws["B9"].value == 15  # recalculated: we wrote no cached value
        assert ws["D9"].value == pytest.approx(1609.5)
        assert ws["B10"].value == "IN RANGE"
        assert book["Tracking"]["B2"].value == "Rep 0" and book["Notes"]["A1"].value.startswith("Shared strings")


def test_refuses_in_place_while_excel_has_the_file_open(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    (tmp_path / "~$team.xlsx").write_bytes(b"owner")
    before = source.read_bytes()
    with pytest.raises(WorkbookError, match="open in Excel"):
        write_workbook(source, summary_layout(), source)
    assert source.read_bytes() == before


def test_in_place_when_asked(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    write_workbook(source, summary_layout(), output_path(source, None, in_place=True))
    assert "Weekly Summary" in openpyxl.load_workbook(source).sheetnames
    assert [p.name for p in tmp_path.iterdir() if "smxl" in p.name] == []


def test_a_failed_write_leaves_the_original_and_no_temporary(tmp_path, monkeypatch):
    source = fidelity_book(tmp_path, "team.xlsx")
    before = source.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(WorkbookError, match="No space left on device; the original is unchanged"):
        write_workbook(source, summary_layout(), source)
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["logo.png", "team.xlsx"]


def test_killing_the_writer_mid_write_leaves_the_original_intact(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx", rows=2000)
    before = source.read_bytes()
    signal_file = tmp_path / "mid-write"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import salesmetrics_xl.xlsx_writer as w
        from tests.test_xlsx_writer import summary_layout
        real = w._stream_edit
        def slow(src, dst, edit, styles, *rest):
            dst.write(src.read(4096))          # part of the new file is on disk ...
            Path({str(signal_file)!r}).touch()
            time.sleep(60)                     # ... when the writer is killed
        w._stream_edit = slow
        w.write_workbook(Path({str(source)!r}), summary_layout(), Path({str(source)!r}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    deadline = time.monotonic() + 600  # a hang guard only, generous for a loaded machine
    while not signal_file.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert signal_file.exists(), "the writer never reached the middle of its write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert source.read_bytes() == before
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".smxl-tmp")]
    assert len(leftovers) == 1  # the killed writer's partial file, never renamed over the original
    write_workbook(source, summary_layout(), source)  # the next run clears it
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".smxl-tmp")] == []
    assert "Weekly Summary" in openpyxl.load_workbook(source).sheetnames


# ---- namespace-prefixed parts (as the Open XML SDK and other non-Excel tools write them) --------------------

PREFIXABLE = ("xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")


def _prefixed(xml: bytes, prefix: str) -> bytes:
    """The same XML with its default namespace bound to ``prefix`` and every unprefixed element renamed to match:
    ``<styleSheet xmlns="...">`` becomes ``<x:styleSheet xmlns:x="...">``. Equivalent XML, different text."""
    text = xml.decode("utf-8")
    text = re.sub(r"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", rf"<\1{prefix}:\2", text)
    return re.sub(r'\bxmlns="', f'xmlns:{prefix}="', text).encode("utf-8")


def _rewrite(source: Path, target: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, parts.get(info.filename, src.read(info)))
    return target


def _namespaces_and_names(xml: bytes) -> list[tuple[str, dict[str, str | None]]]:
    """Each element as (namespace-qualified tag, attributes): what a reader sees, whatever the prefixes."""
    from defusedxml import ElementTree
    return [(e.tag, dict(e.attrib)) for e in ElementTree.fromstring(xml).iter()]


@pytest.mark.parametrize("parts", [[p] for p in PREFIXABLE] + [[*PREFIXABLE, "tracking sheet"]],
                         ids=[*PREFIXABLE, "all four and the sheet"])
def test_namespace_prefixed_parts_only_gain_entries(tmp_path, parts):
    plain = fidelity_book(tmp_path, "plain.xlsx")
    parts = [_tracking_part(plain) if p == "tracking sheet" else p for p in parts]
    with zipfile.ZipFile(plain) as zf:
        originals = {p: zf.read(p) for p in parts}
    source = _rewrite(plain, tmp_path / "prefixed.xlsx", {p: _prefixed(originals[p], "x") for p in parts})
    assert all(b"<x:" in zipfile.ZipFile(source).read(p) for p in parts)
    openpyxl.load_workbook(source)  # the prefixed input is itself a valid workbook
    expected = write_workbook(plain, summary_layout(), tmp_path / "plain.summary.xlsx")
    target = write_workbook(source, summary_layout(), tmp_path / "prefixed.summary.xlsx")

    before, after = raw_entries(source), raw_entries(target)
    untouched = [n for n in before if n not in MAY_CHANGE | {_tracking_part(plain)}]
    assert untouched and [n for n in untouched if after[n] != before[n]] == []  # copied byte for byte
    old, new, want = dict(iter_parts(source)), dict(iter_parts(target)), dict(iter_parts(expected))
    for part in MAY_CHANGE:
        assert _only_additions(old[part].decode(), new[part].decode()) == [], part
        # the same entries as when the part was unprefixed: prefixes change the text, never the meaning
        assert _namespaces_and_names(new[part]) == _namespaces_and_names(want[part]), part
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Tracking", "Notes", "Weekly Summary"]
    title = book["Weekly Summary"]["A1"].font
    assert (title.b, title.sz) == (True, 14)  # the style index we wrote points at the style we appended
    again = openpyxl.load_workbook(write_workbook(target, summary_layout(), tmp_path / "again.xlsx"))
    assert again.sheetnames == ["Tracking", "Notes", "Weekly Summary"]  # a second run replaces, never duplicates
    ours = [r for cf in again["Tracking"].conditional_formatting for r in cf.rules
            if "salesmetrics-xl" in str(r.formula)]
    assert len(ours) == 1


# ---- nothing damaged is published: every part we wrote is parsed before the rename ---------------------------

def _break_styles(monkeypatch):
    real = xlsx_writer.Styles.xml
    monkeypatch.setattr(xlsx_writer.Styles, "xml", lambda self: (real(self) or "") + "<broken")


def _break_generated_sheet(monkeypatch):
    real = xlsx_writer._cell_xml
    monkeypatch.setattr(xlsx_writer, "_cell_xml", lambda *a: real(*a).replace("</c>", "", 1))  # a cell never closes


def _break_generated_template(monkeypatch):
    real = xlsx_writer.text
    monkeypatch.setattr(xlsx_writer, "text", lambda value: real(value).replace("&lt;", "<"))  # escaping forgotten


def _filled_layout() -> WorkbookLayout:
    """A sheet whose formula is filled down 5,000 rows from one template, and nothing else with a '<' in it."""
    layout = summary_layout()
    layout.sheets[0].conditional_formats.clear()
    layout.sheets[0].fills.append(Fill("F3:F5002", 'IF(B3<1,"low","")'))
    return layout


def _break_edited_sheet(monkeypatch):
    real = xlsx_writer.edit_tail
    monkeypatch.setattr(xlsx_writer, "edit_tail", lambda *a: real(*a).replace("</conditionalFormatting>", "", 1))


@pytest.mark.parametrize(("breaker", "part", "layout"), [
    (_break_styles, "xl/styles.xml", summary_layout),
    (_break_generated_sheet, "xl/worksheets/sheet3.xml", summary_layout),
    (_break_generated_template, "xl/worksheets/sheet3.xml", _filled_layout),
    (_break_edited_sheet, "xl/worksheets/sheet1.xml", summary_layout)])
def test_a_damaged_part_is_caught_before_the_rename(tmp_path, monkeypatch, breaker, part, layout):
    source = fidelity_book(tmp_path, "team.xlsx")
    before = source.read_bytes()
    write_workbook(source, layout(), tmp_path / "unbroken.xlsx").unlink()  # the same layout, unbroken, is fine
    breaker(monkeypatch)
    with pytest.raises(WorkbookError) as caught:
        write_workbook(source, layout(), source)
    problem = caught.value.problem
    assert problem.code == "invalid-output"
    assert problem.message.startswith("could not write a valid workbook; the original is untouched")
    assert part in problem.message and "not well-formed" in problem.message
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["logo.png", "team.xlsx"]  # no temporary
    with pytest.raises(WorkbookError):
        write_workbook(source, layout(), tmp_path / "new.xlsx")
    assert not (tmp_path / "new.xlsx").exists()


_BROKEN_CLI = textwrap.dedent("""
    import sys
    import salesmetrics_xl.xlsx_writer as w
    real = w.Styles.xml
    w.Styles.xml = lambda self: (real(self) or "") + "<broken"   # a deliberately damaged styles.xml
    from salesmetrics_xl.cli import app
    app(sys.argv[1:], prog_name="salesmetrics")
""")


def test_summary_and_batch_refuse_to_publish_a_damaged_workbook(tmp_path):
    from tests.conftest import EXAMPLE
    book = tmp_path / "team.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    before = book.read_bytes()
    root = Path(__file__).parent.parent
    summary = subprocess.run([sys.executable, "-c", _BROKEN_CLI, "summary", str(book), "--in-place"],
                             capture_output=True, text=True, cwd=root, timeout=300)
    assert summary.returncode == 2, summary.stdout + summary.stderr
    assert "could not write a valid workbook; the original is untouched" in " ".join(summary.stderr.split())
    batch = subprocess.run([sys.executable, "-c", _BROKEN_CLI, "batch", str(book), "--in-place", "--jobs", "1",
                            "--json"], capture_output=True, text=True, cwd=root, timeout=300)
    assert batch.returncode == 2, batch.stdout + batch.stderr
    assert "could not write a valid workbook; the original is untouched" in batch.stdout
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx"]


# ---- sheets we own, and sheets we don't -------------------------------------------------------------------

def _example_with(tmp_path: Path, add: Callable[[openpyxl.Workbook], None], name: str = "team.xlsx") -> Path:
    """The example workbook with something of the user's added (through openpyxl: a test fixture only)."""
    book = openpyxl.load_workbook(EXAMPLE)
    add(book)
    path = tmp_path / name
    book.save(path)
    return path


def _users_evaluation_with_a_chart(book: openpyxl.Workbook) -> None:
    ws = book.create_sheet("Evaluation")
    ws["A1"] = "My own evaluation notes"
    for r, (rep, score) in enumerate([("Ann", 3), ("Bob", 5)], start=2):
        ws.cell(r, 1, rep), ws.cell(r, 2, score)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=3))
    ws.add_chart(chart, "D2")


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part, from the package itself."""
    parts = dict(iter_parts(path))
    rels = {m[1]: m[2] for m in re.finditer(r'Id="([^"]+)"[^>]*Target="([^"]+)"',
                                           parts["xl/_rels/workbook.xml.rels"].decode())}
    rels |= {m[2]: m[1] for m in re.finditer(r'Target="([^"]+)"[^>]*Id="([^"]+)"',
                                             parts["xl/_rels/workbook.xml.rels"].decode())}
    return {html.unescape(m[1]): "xl/" + rels[m[2]].lstrip("/").removeprefix("xl/")
            for m in re.finditer(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', parts["xl/workbook.xml"].decode())}


def test_a_users_sheet_named_like_ours_is_kept_with_its_chart_and_ours_gets_another_name(tmp_path):
    source = _example_with(tmp_path, _users_evaluation_with_a_chart)
    before = dict(iter_parts(source))
    user_part = _sheet_parts(source)["Evaluation"]
    run = summarise_workbook(source)
    kept = [p for p in run.problems if p.code == "sheet-kept"]
    assert [p.message for p in kept] == ["the sheet 'Evaluation' was not made by salesmetrics-xl, so it is kept as "
                                         "it is; ours is written as 'Evaluation (2)'"]
    after = dict(iter_parts(run.output))
    assert after[user_part] == before[user_part]  # the user's sheet, byte for byte
    assert [n for n in before if n.startswith(("xl/charts/", "xl/drawings/"))] and all(
        after[n] == before[n] for n in before if n.startswith(("xl/charts/", "xl/drawings/")))
    book = openpyxl.load_workbook(run.output)
    assert book["Evaluation"]["A1"].value == "My own evaluation notes" and len(book["Evaluation"]._charts) == 1
    assert book["Evaluation (2)"]["A2"].value == "Week"  # ours
    # running again on the result replaces our "Evaluation (2)", never the user's, and adds no "(3)"
    again = summarise_workbook(run.output, in_place=True)
    assert not [p for p in again.problems if p.code == "sheet-kept"]  # said once, when ours first went there
    book = openpyxl.load_workbook(again.output)
    assert [n for n in book.sheetnames if n.startswith(("Evaluation", "Weekly"))] == [
        "Evaluation", "Weekly Summary", "Evaluation (2)"]
    assert dict(iter_parts(again.output))[user_part] == before[user_part]


def test_a_users_chart_sheet_named_like_ours_is_kept_and_the_package_stays_valid(tmp_path):
    def chartsheet(book: openpyxl.Workbook) -> None:
        data = book.create_sheet("Data")
        for r in range(1, 4):
            data.cell(r, 1, r * 10)
        chart = BarChart()
        chart.add_data(Reference(data, min_col=1, min_row=1, max_row=3))
        book.create_chartsheet("Weekly Summary").add_chart(chart)

    source = _example_with(tmp_path, chartsheet)
    run = summarise_workbook(source)
    book = openpyxl.load_workbook(run.output)  # raised AttributeError when a worksheet was put in the chartsheet
    assert "Weekly Summary" in [c.title for c in book.chartsheets]
    assert book["Weekly Summary (2)"]["A1"].value.startswith("Weekly Summary: team, week 2026-W47")
    with zipfile.ZipFile(run.output) as zf:
        chartsheets = [n for n in zf.namelist() if n.startswith("xl/chartsheets/") and n.endswith(".xml")]
        assert chartsheets and all(b"<chartsheet" in zf.read(n) for n in chartsheets)
    assert any(p.code == "sheet-kept" for p in run.problems)


def test_we_record_our_sheets_and_recognise_those_an_earlier_version_wrote(tmp_path):
    source = tmp_path / "team.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    first = summarise_workbook(source).output
    workbook = dict(iter_parts(first))["xl/workbook.xml"].decode()
    ids = dict(re.findall(r'<sheet name="([^"]+)" sheetId="(\d+)"', workbook))
    record = re.search(r'<definedName name="salesmetrics_xl_sheets" hidden="1">([^<]*)</definedName>', workbook)
    assert record and html.unescape(record[1]) == \
        f'"{ids["Weekly Summary"]}:Weekly Summary/{ids["Evaluation"]}:Evaluation"'
    # The previous version wrote the same sheets without the record: strip it, as that version left them.
    legacy = tmp_path / "legacy.xlsx"
    with zipfile.ZipFile(first) as zf, zipfile.ZipFile(legacy, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<definedName name=\"salesmetrics_xl_sheets\"[^>]*>[^<]*</definedName>", b"", data)
            out.writestr(info, data)
    # ... and one the user saved since, in a program that turns our inline text into shared strings
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(legacy).save(resaved)
    for old in (legacy, resaved):
        assert b"salesmetrics_xl_sheets" not in dict(iter_parts(old))["xl/workbook.xml"]
        run = summarise_workbook(old, in_place=True)
        assert not [p for p in run.problems if p.code == "sheet-kept"], old.name
        names = openpyxl.load_workbook(old).sheetnames
        assert names.count("Weekly Summary") == names.count("Evaluation") == 1 and len(names) == 7, names
        assert b"salesmetrics_xl_sheets" in dict(iter_parts(old))["xl/workbook.xml"]


def test_a_same_named_sheet_without_our_signature_is_the_users_even_in_an_old_workbook(tmp_path):
    def notes(book: openpyxl.Workbook) -> None:
        book.create_sheet("Weekly Summary")["A1"] = "Monday meeting notes"

    run = summarise_workbook(_example_with(tmp_path, notes))
    book = openpyxl.load_workbook(run.output)
    assert book["Weekly Summary"]["A1"].value == "Monday meeting notes"
    assert book["Weekly Summary (2)"]["A2"].value.startswith("Generated ")


def test_dates_in_a_1904_workbook_are_counted_from_1904(tmp_path):
    source = tmp_path / "mac.xlsx"
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.title = "Tracking"
    book.active["A1"] = "Week"
    book.save(source)
    assert b'date1904="1"' in dict(iter_parts(source))["xl/workbook.xml"]
    sheet = SheetLayout("Weekly Summary")
    sheet.put(1, 1, dt.date(2026, 11, 16), Style(number_format="yyyy-mm-dd"))
    sheet.put(2, 1, dt.datetime(2026, 11, 23, 8, 30), Style(number_format="yyyy-mm-dd hh:mm"))
    target = write_workbook(source, WorkbookLayout([sheet]), tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(target)["Weekly Summary"]
    assert ws["A1"].value == dt.datetime(2026, 11, 16) and ws["A2"].value == dt.datetime(2026, 11, 23, 8, 30)
    plain = write_workbook(fidelity_book(tmp_path), WorkbookLayout([sheet]), tmp_path / "plain.xlsx")
    assert openpyxl.load_workbook(plain)["Weekly Summary"]["A1"].value == dt.datetime(2026, 11, 16)


def test_a_new_file_follows_the_umask_and_in_place_keeps_the_mode(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    old = os.umask(0o022)
    try:
        fresh = write_workbook(source, summary_layout(), tmp_path / "new.xlsx")
        assert fresh.stat().st_mode & 0o777 == 0o644  # readable by colleagues, as any new file here
        os.umask(0o027)
        assert write_workbook(source, summary_layout(), tmp_path / "new2.xlsx").stat().st_mode & 0o777 == 0o640
        source.chmod(0o660)
        write_workbook(source, summary_layout(), source)
        assert source.stat().st_mode & 0o777 == 0o660
    finally:
        os.umask(old)


def test_out_that_is_the_input_or_a_folder_is_refused(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    for same in (source, tmp_path / "." / "team.xlsx", Path(os.path.relpath(source))):
        with pytest.raises(WorkbookError, match="--in-place"):
            output_path(source, same, in_place=False)
    with pytest.raises(WorkbookError, match="is a folder"):
        output_path(source, tmp_path, in_place=False)
    with pytest.raises(WorkbookError, match="does not exist"):
        output_path(source, tmp_path / "nowhere" / "x.xlsx", in_place=False)


def test_an_output_keeps_its_sources_kind_of_workbook(tmp_path):
    """Excel refuses a macro-enabled package named .xlsx (and a plain one named .xlsm): such an --out is refused
    with the name to use, before anything is written."""
    macros = fidelity_book(tmp_path, "macros.xlsm")
    with pytest.raises(WorkbookError, match=r"an .xlsx cannot hold its macros\); name it out.xlsm"):
        output_path(macros, tmp_path / "out.xlsx", in_place=False)
    with pytest.raises(WorkbookError, match=r"name it out.xlsx"):
        output_path(EXAMPLE, tmp_path / "out.xlsm", in_place=False)
    assert output_path(macros, tmp_path / "out.XLSM", in_place=False) == tmp_path / "out.XLSM"
    assert output_path(macros, None, in_place=False).name == "macros.summary.xlsm"


def test_in_place_through_a_link_writes_the_workbook_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(EXAMPLE.read_bytes())
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    run = summarise_workbook(link, in_place=True)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert run.output == real and "Weekly Summary" in openpyxl.load_workbook(real).sheetnames
