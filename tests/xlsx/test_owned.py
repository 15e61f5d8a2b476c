"""Sheets we own and sheets we don't: a user's sheet with one of our names is kept, ours recognised by the
workbook's record or, in an older workbook, by our signature."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference

from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx import (
    iter_parts,
)
from tests.conftest import EXAMPLE


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
