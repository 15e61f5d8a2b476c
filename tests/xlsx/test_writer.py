"""The lossless writer on a fidelity corpus: nothing the user made is lost, changed parts only gain."""

from __future__ import annotations

import datetime as dt
import re
import threading
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from isal import isal_zlib
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.layouts.sheet import (
    ConditionalFormat,
    Fill,
    Highlight,
    SheetLayout,
    Style,
    WorkbookLayout,
)
from salesmetrics_xl.xlsx import (
    iter_parts,
    output_path,
    worksheet,
    write_workbook,
    zipcopy,
)
from salesmetrics_xl.xlsx import writer as writer_module
from salesmetrics_xl.xlsx.writer import begin_workbook
from tests.helpers import raw_entries
from tests.libreoffice import convert, needs_libreoffice
from tests.xlsx.books import MAY_CHANGE, XLWINGS_XLSM, fidelity_book, only_additions, summary_layout, tracking_part


@pytest.mark.parametrize("deflate", ["isal", "zlib"])  # with and without the fast extra's compressor
@pytest.mark.parametrize("name", ["fidelity.xlsx", "fidelity.xlsm"])
def test_nothing_the_user_made_is_lost(tmp_path, monkeypatch, name, deflate):
    monkeypatch.setattr(zipcopy, "deflate", isal_zlib if deflate == "isal" else zlib)
    source = fidelity_book(tmp_path, name)
    target = write_workbook(source, summary_layout(), output_path(source, None, in_place=False))
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None  # every part's CRC and size hold
    assert target.name == f"fidelity.summary{source.suffix}"
    before, after = raw_entries(source), raw_entries(target)
    changed_allowed = MAY_CHANGE | {tracking_part(source)}
    untouched = [n for n in before if n not in changed_allowed]
    assert untouched and all(after[n] == before[n] for n in untouched), \
        [n for n in untouched if after.get(n) != before[n]]
    for kind in ("xl/media/image", "xl/comments", "xl/drawings/vmlDrawing", "xl/tables/table", "xl/charts/chart",
                 "xl/drawings/drawing", "xl/sharedStrings.xml", "xl/theme/"):
        assert any(n.startswith(kind) for n in untouched), f"the corpus lacks {kind}"
    old, new = dict(iter_parts(source)), dict(iter_parts(target))
    for part in changed_allowed:
        assert only_additions(old[part].decode(), new[part].decode()) == [], part
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


# ---- in two steps: the parts no judging decides first, the sheet the workbook opens on later -------------------

def _two_sheets() -> tuple[SheetLayout, WorkbookLayout]:
    """A summary sheet (opened on, with a chart) and a filled-down sheet after it, each with a look of its own."""
    layout = summary_layout()
    first = layout.sheets[0]
    first.put(20, 1, "only the summary's look", Style(italic=True, color="7030A0"))
    second = SheetLayout("Evaluation", freeze="C3")
    second.put(1, 1, "only the evaluation's look", Style(bold=True, fill="E2EFDA"))
    second.fills.append(Fill("A3:A3002", 'IF(Tracking!B2<0,"",Tracking!B2)', Style(number_format="0.000")))
    second.conditional_formats.append(ConditionalFormat("A3:A3002", 'A3="x"', Highlight(fill="C6EFCE")))
    return first, WorkbookLayout([first, second], layout.edits, active=first.name)


@pytest.mark.parametrize("threaded", [False, True], ids=["in-turn", "threaded"])
def test_two_steps_write_the_package_one_step_writes(tmp_path, monkeypatch, threaded):
    if threaded:  # as for a big workbook: the early parts prepared on worker threads while the caller works
        monkeypatch.setattr(writer_module, "THREADED", 0)
    source = fidelity_book(tmp_path, "team.xlsx")
    first, layout = _two_sheets()
    one_step = write_workbook(source, layout, tmp_path / "one.xlsx").read_bytes()
    early = WorkbookLayout([SheetLayout(first.name), *layout.sheets[1:]], layout.edits, active=first.name)
    begun = begin_workbook(source, early, later=[first.name])
    if threaded:
        assert begun.ready  # already being prepared, before the summary sheet exists
    target = write_workbook(source, WorkbookLayout([first]), tmp_path / "two.xlsx", begun=begun)
    assert target.read_bytes() == one_step
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[-2:] == ["Weekly Summary", "Evaluation"] and book.active.title == "Weekly Summary"
    # the early sheet's and the edits' styles are registered first, the later sheet's after them
    styles = dict(iter_parts(target))["xl/styles.xml"].decode()
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", styles.split("<cellXfs", 1)[1])
    fills = re.findall(r"<fill>.*?</fill>", styles)
    fonts = re.findall(r"<font>.*?</font>", styles)
    evaluation_fill = next(i for i, f in enumerate(fills) if "E2EFDA" in f)
    summary_font = next(i for i, f in enumerate(fonts) if "7030A0" in f)
    evaluation_xf = next(i for i, x in enumerate(xfs) if f'fillId="{evaluation_fill}"' in x)
    summary_xf = next(i for i, x in enumerate(xfs) if f'fontId="{summary_font}"' in x)
    assert evaluation_xf < summary_xf


def test_two_steps_say_which_sheets_come_later(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    first, layout = _two_sheets()
    begun = begin_workbook(source, layout, later=[first.name])
    with pytest.raises(ValueError, match=r"the sheets \['Weekly Summary'\] come later, not \['Evaluation'\]"):
        write_workbook(source, WorkbookLayout([layout.sheets[1]]), tmp_path / "wrong.xlsx", begun=begun)
    assert not (tmp_path / "wrong.xlsx").exists()


def test_a_damaged_early_part_is_named_and_nothing_is_published(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "THREADED", 0)  # prepared on a worker thread from the first step
    real = worksheet.text
    monkeypatch.setattr(worksheet, "text", lambda value: real(value).replace("B2&lt;0", "B2<0"))  # the fill's
    source = fidelity_book(tmp_path, "team.xlsx")
    before = source.read_bytes()
    first, layout = _two_sheets()
    begun = begin_workbook(source, layout, later=[first.name])
    with pytest.raises(WorkbookError) as caught:
        write_workbook(source, WorkbookLayout([first]), source, begun=begun)
    problem = caught.value.problem
    assert problem.code == "invalid-output" and "xl/worksheets/sheet4.xml" in problem.message  # the Evaluation
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["logo.png", "team.xlsx"]  # no temporary


def test_a_begun_writer_closed_unwritten_stops_its_threads(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "THREADED", 0)
    source = fidelity_book(tmp_path, "team.xlsx")
    before = threading.active_count()
    first, layout = _two_sheets()
    begun = begin_workbook(source, layout, later=[first.name])
    begun.close()  # the job failed after the first step (a bad week, a refused --out)
    assert threading.active_count() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["logo.png", "team.xlsx"]
