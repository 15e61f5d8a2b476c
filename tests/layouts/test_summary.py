"""The summary as written: LibreOffice (an independent engine) recalculates our formulas to the core's answers."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl.core.workbook import EVALUATION_SHEET, REP, SUMMARY_SHEET
from salesmetrics_xl.layouts.evaluation import ROSTER_HEADERS, SCALE_HEADERS
from salesmetrics_xl.layouts.summary import METRICS_FROM
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.summarise import summarise_workbook
from tests.conftest import EXAMPLE, RANGES_HEADER, TRACKING_HEADER
from tests.layouts.books import (
    COUNTED,
    HOSTILE_METRIC,
    HOSTILE_RATE,
    TODAY,
    hostile_book,
    python_statuses,
    random_book,
)
from tests.libreoffice import convert, needs_libreoffice

# Tracking columns left out, with Ranges rows that make each kind of missing column: both bounds blank (NO RANGE),
# a range for AEs only (NO DATA for AEs, NO RANGE for the rest), a general range (NO DATA), and the rates built on them
MISSING = ("Emails", "Meetings Booked", "Opportunities")






@needs_libreoffice
def test_libreoffice_agrees_with_python_on_every_status(tmp_path):
    # 10,000 rows with days worked, start dates and FTE (every status, OFF included, on scaled bounds), fewer
    # without them (the plain formulas) and with a Reps sheet (the look-ups): LibreOffice takes a while
    books = [EXAMPLE, random_book(tmp_path / "random.xlsx", 3_000),
             random_book(tmp_path / "fair.xlsx", 10_000, seed=8, fair=True),
             random_book(tmp_path / "roster.xlsx", 2_000, seed=9, fair=True, roster=True),
             random_book(tmp_path / "missing.xlsx", 1_000, seed=10, fair=True, missing=MISSING)]
    outputs = [summarise_workbook(b, out=tmp_path / f"{b.stem}.summary.xlsx", today=TODAY).output for b in books]
    for book, converted in zip(books, convert(outputs, tmp_path / "lo"), strict=True):
        expected = python_statuses(book)
        ws = openpyxl.load_workbook(converted, read_only=True, data_only=True)[EVALUATION_SHEET]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        header, body = rows[0], rows[1:]
        metrics = [h for h in header[2:] if h and h not in (*SCALE_HEADERS, *ROSTER_HEADERS)]
        compared = mismatches = 0
        seen = {"NO RANGE", "NO DATA", "BELOW", "IN RANGE", "ABOVE"}
        found = set()
        for offset, values in enumerate(body):
            tracking_row = 2 + offset
            if tracking_row not in expected:
                continue
            for metric, got in zip(metrics, values[2:], strict=False):
                want = expected[tracking_row][metric]
                compared += 1
                found.add(got)
                if got != want:
                    mismatches += 1
                    assert got == want, f"{book.name} Tracking row {tracking_row} {metric}: LibreOffice {got!r}, " \
                                        f"Python {want!r}"
        assert compared >= {"random.xlsx": 12 * 3_000, "fair.xlsx": 12 * 10_000, "roster.xlsx": 12 * 2_000,
                            "missing.xlsx": 12 * 1_000}.get(book.name, 12 * 280)
        assert mismatches == 0
        if book.name == "missing.xlsx":  # each kind of missing column occurred
            formulas = openpyxl.load_workbook(tmp_path / "missing.summary.xlsx")[EVALUATION_SHEET]
            assert formulas["D3"].value == ('=IF(Tracking!B2="","",IF($Q3=0,"OFF",IF(AND(NOT(ISNUMBER(Ranges!$E$4)),'
                                            'NOT(ISNUMBER(Ranges!$F$4))),"NO RANGE","NO DATA")))')  # Emails: no column
            by_metric = {m: {row[m] for row in expected.values()} for m in ("Emails", "Meetings Booked", "Win Rate")}
            assert by_metric["Emails"] == {"NO RANGE", "OFF"}
            assert by_metric["Meetings Booked"] == {"NO RANGE", "NO DATA", "OFF"}  # AEs have a range
            assert by_metric["Win Rate"] == {"NO DATA", "OFF"}
        if book.name != EXAMPLE.name:  # every status actually occurred, so the agreement means something
            assert found == seen | ({"OFF"} if book.name != "random.xlsx" else set())


def test_summary_sheets_and_range_checks_are_written(tmp_path):
    before = EXAMPLE.read_bytes()
    run = summarise_workbook(EXAMPLE, out=tmp_path / "acme.summary.xlsx", today=TODAY)
    assert EXAMPLE.read_bytes() == before
    book = openpyxl.load_workbook(run.output)
    assert book.sheetnames == ["How to use", "Tracking", "Ranges", "Ramp", "Settings", SUMMARY_SHEET, EVALUATION_SHEET]
    ws = book[SUMMARY_SHEET]
    assert ws["A1"].value.startswith("Weekly Summary: acme_sales_team, week 2026-W47")
    assert ws.freeze_panes == "C8"  # the rank and the rep stay in view
    # what a manager reads first, beside the rep: role, team, verdict, focus, next action; then the metrics
    assert [ws.cell(5, c).value for c in range(1, 8)] == ["#", "Rep", "Role", "Team", "Verdict", "Focus",
                                                          "Next action"]
    assert [ws.cell(6, c).value for c in range(METRICS_FROM, METRICS_FROM + 2)] == ["Dials", "Emails"]
    names = [ws.cell(r, 2).value for r in range(8, 8 + len(run.summary.reps))]
    reps = [name.split("\n")[0] for name in names]  # a pro-rated rep says why under the name
    assert reps == [r.rep for r in run.summary.reps]
    assert "Daniel Kim\n3 of 5 days" in names and "Isabel Martín\nramp 50 %" in names and "Mei Chen\n60 % FTE" in names
    daniel = 8 + reps.index("Daniel Kim")
    assert ws.cell(daniel, METRICS_FROM).value == "41\n30–45"  # the effective range under the pro-rated value
    for n, rep in enumerate(run.summary.reps):  # the one decision, in its own columns
        assert [ws.cell(8 + n, c).value for c in (3, 5, 6, 7)] == [rep.role, rep.verdict, rep.focus or None,
                                                                   rep.action]
    ben = 8 + reps.index("Ben Carter")
    assert ws.cell(ben, 5).value == "Off track" and ws.cell(ben, 6).value == "Messaging"
    # a thin weekly rate shows the pooled rate that judged it, under its value
    qualification = METRICS_FROM + [m.name for m in run.summary.metrics].index("Qualification Rate")
    emma = 8 + reps.index("Emma Rossi")
    assert ws.cell(emma, qualification).value == "7.7%\n8 wk: 11%"
    assert ws.cell(emma, qualification).fill.fgColor.rgb.endswith("C6EFCE")  # in range, as the 8 weeks judge it
    # the detail is out of the rows' way: a block of its own, one row per rep, wrapped across the sheet
    title = next(r for r in range(8, ws.max_row) if ws.cell(r, 2).value and
                 str(ws.cell(r, 2).value).startswith("Detail: pacing"))
    assert [ws.cell(title + 1 + n, 2).value for n in range(len(reps))] == reps
    assert ws.cell(title + 1 + reps.index("Ben Carter"), 3).value == run.summary.reps[reps.index("Ben Carter")].detail
    # print: landscape, at most 2 pages across, the header rows and the rep column on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 2
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$7" and ws.print_title_cols == "$A:$B"
    with zipfile.ZipFile(run.output) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 1 and "<c:v>Chloe Nguyen</c:v>" in charts[0] and "<c:v>SQLs</c:v>" in charts[0]
    assert '<c:tickLblSkip val="1"/>' in charts[0]  # every rep labelled, however many
    first, last = re.search(r"'Weekly Summary'!\$B\$(\d+):\$B\$(\d+)", charts[0]).groups()
    assert [ws.cell(r, 2).value for r in range(int(first), int(last) + 1)] == reps  # categories: the reps, in order
    tracking_rules = [r for cf in book["Tracking"].conditional_formatting for r in cf.rules]
    assert any("Ranges!$E$2" in str(r.formula) for r in tracking_rules)  # Dials checked against its Ranges cell
    validations = book["Ranges"].data_validations.dataValidation
    assert {dv.type for dv in validations if dv.errorTitle == "salesmetrics-xl"} == {"custom", "list"}
    evaluation = book[EVALUATION_SHEET]
    # the example declares Days Worked: the bound is the Ranges cell times the row's scale (Q), OFF at 0
    assert evaluation["C3"].value.startswith('=IF(Tracking!B2="","",IF($Q3=0,"OFF",IF(AND(NOT(ISNUMBER(IF(ISNUMBER('
                                             'Ranges!$E$2),ROUND(Ranges!$E$2*$Q3,9),""))')
    assert [evaluation.cell(2, c).value for c in range(15, 19)] == list(SCALE_HEADERS)
    # Deals Won and New MRR have monthly ranges only: no weekly range, nothing for a formula to decide
    assert [evaluation.cell(2, c).value for c in (13, 14)] == ["Deals Won", "New MRR"]
    assert evaluation["M3"].value == evaluation["N3"].value == '=IF(Tracking!B2="","",IF($Q3=0,"OFF","NO RANGE"))'
    assert any("Evaluation!$Q3" in str(r.formula) for r in tracking_rules)  # Tracking follows the same scale


def test_udf_formulas_when_the_add_in_is_used(tmp_path):
    run = summarise_workbook(EXAMPLE, out=tmp_path / "udf.xlsx", formulas="udf", today=TODAY)
    evaluation = openpyxl.load_workbook(run.output)[EVALUATION_SHEET]
    assert evaluation["C3"].value == \
        '=IF(Tracking!B2="","",METRIC_STATUS(Tracking!E2,Ranges!$E$2,Ranges!$F$2,"","",IF($Q3=0,0,$Q3)))'
    assert evaluation["G3"].value.startswith('=IF(Tracking!B2="","",METRIC_STATUS(METRIC_RATE(Tracking!G2,'
                                             'Tracking!E2)')
    assert evaluation["M3"].value == '=IF(Tracking!B2="","",IF($Q3=0,"OFF","NO RANGE"))'  # no weekly range


def test_regenerating_replaces_our_sheets_and_formats(tmp_path):
    first = summarise_workbook(EXAMPLE, out=tmp_path / "once.xlsx", today=TODAY).output
    again = summarise_workbook(first, out=tmp_path / "twice.xlsx", today=TODAY).output
    one, two = openpyxl.load_workbook(first), openpyxl.load_workbook(again)
    assert one.sheetnames == two.sheetnames
    count = lambda b: sum(len(cf.rules) for cf in b["Tracking"].conditional_formatting)  # noqa: E731
    assert count(one) == count(two) > 0
    assert len(one["Ranges"].data_validations.dataValidation) == len(two["Ranges"].data_validations.dataValidation)
    with zipfile.ZipFile(again) as zf:  # the rows repeated in print: replaced, never a second name
        assert zf.read("xl/workbook.xml").decode().count("_xlnm.Print_Titles") == 1
    assert two[SUMMARY_SHEET].print_title_rows == "$5:$7"


@pytest.mark.parametrize("week", ["2026-W40", "2026-10-01"])
def test_another_week(tmp_path, week):
    from salesmetrics_xl.core.parse import parse_week

    run = summarise_workbook(EXAMPLE, week=parse_week(week), out=tmp_path / "w.xlsx", today=TODAY)
    assert run.summary.week_label == "2026-W40"


def test_no_cell_in_ranges_gets_two_validations(tmp_path):
    """The template's validations are the summary's own, marked, so a run replaces them (overlaps make Excel
    offer to repair the file)."""
    from openpyxl.worksheet.cell_range import CellRange

    run = summarise_workbook(EXAMPLE, out=tmp_path / "s.xlsx", today=TODAY)
    again = summarise_workbook(run.output, out=tmp_path / "s2.xlsx", today=TODAY)
    for path in (EXAMPLE, run.output, again.output):
        cells: list[tuple[int, int]] = []
        for dv in openpyxl.load_workbook(path)["Ranges"].data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                r = CellRange(rng.coord)
                cells += [(row, col) for row in range(r.min_row, r.max_row + 1)
                          for col in range(r.min_col, r.max_col + 1)]
        assert cells and len(cells) == len(set(cells)), path.name


# ---- hostile text in Ranges: escaped inside every formula, and LibreOffice still agrees with the core ---------





def test_a_role_cannot_inject_a_function(tmp_path, make_book):
    from tests.layouts.formulas import assert_only_our_formulas, formulas_in, functions

    evil = 'x",HYPERLINK("http://evil"),"'
    book = make_book({"Tracking": [TRACKING_HEADER, [dt.date(2026, 11, 16), "Ann", "T", evil, 60]],
                      "Ranges": [RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75],
                                 ["Dials", "activity", None, "week", 20, 40, None, evil]]})
    for formulas in ("native", "udf"):
        out = summarise_workbook(book, out=tmp_path / f"{formulas}.xlsx", formulas=formulas, today=TODAY).output
        assert assert_only_our_formulas(out, {"Tracking", "Ranges", "Ramp", SUMMARY_SHEET, EVALUATION_SHEET}) > 0
        found = formulas_in(out)
        assert not any("HYPERLINK" in functions(f) for _, f in found)
        role_checks = [f for _, f in found if '"x"",HYPERLINK(""http://evil""),"""' in f]
        assert {p for p, f in found if f in role_checks} >= {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml"}
        ws = openpyxl.load_workbook(out)[EVALUATION_SHEET]  # the package loads: nothing for Excel to repair
        assert ws["C3"].value.startswith("=IF(")


@needs_libreoffice
def test_libreoffice_agrees_with_python_when_ranges_hold_formula_syntax(tmp_path):
    book = hostile_book(tmp_path / "hostile.xlsx")
    expected = python_statuses(book)
    assert {HOSTILE_METRIC, HOSTILE_RATE} <= set(next(iter(expected.values())))
    out = summarise_workbook(book, out=tmp_path / "hostile.summary.xlsx", today=TODAY).output
    (converted,) = convert([out], tmp_path / "lo")
    ws = openpyxl.load_workbook(converted, read_only=True, data_only=True)[EVALUATION_SHEET]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    metrics = [h for h in rows[0][2:] if h and h not in (*SCALE_HEADERS, *ROSTER_HEADERS)]
    assert {HOSTILE_METRIC, HOSTILE_RATE} <= set(metrics)
    compared, found = 0, set()
    for offset, values in enumerate(rows[1:]):
        for metric, got in zip(metrics, values[2:], strict=False):
            want = expected[2 + offset][metric]
            assert got == want, f"Tracking row {2 + offset} {metric!r}: LibreOffice {got!r}, Python {want!r}"
            compared += 1
            found.add((metric, got))
    assert compared == 600 * len(metrics)
    # the role-specific ranges were really used: the hostile metric's role range (4 to 4) and general (3 to 5)
    # give different statuses for 3 and 5, so both IN RANGE and BELOW/ABOVE occur for it
    assert {(HOSTILE_METRIC, s) for s in ("BELOW", "IN RANGE", "ABOVE")} <= found


def _on_tracking(formula: str, origin: str, target: str) -> str:
    """A conditional format's formula as a cell formula for ``target``: its relative references moved from the
    format's top-left cell, as Excel applies it, and its unqualified references pointed at Tracking."""
    from openpyxl.formula import Tokenizer
    from openpyxl.formula.translate import Translator

    moved = Translator(f"={formula}", origin=origin).translate_formula(target)
    return "=" + "".join(f"Tracking!{t.value}" if t.type == "OPERAND" and t.subtype == "RANGE" and "!" not in t.value
                   else t.value for t in Tokenizer(moved).items)


@needs_libreoffice
@pytest.mark.parametrize("fair", [False, True])
def test_libreoffice_colours_the_tracking_cells_as_python_judges_them(tmp_path, fair):
    """The range checks on the Tracking sheet (conditional formats, with days worked, FTE, ramp and a Reps sheet's
    roles) are the same rule as the core: each format's formula, recalculated by LibreOffice for every cell it
    covers, is true exactly where Python's status is BELOW (the red format) or ABOVE (the other one)."""
    book = random_book(tmp_path / "book.xlsx", 600, seed=11, fair=fair, roster=fair)
    run = summarise_workbook(book, out=tmp_path / "book.summary.xlsx", today=TODAY)
    wb = openpyxl.load_workbook(run.output)
    header = [c.value for c in wb["Tracking"][1]]
    expected = python_statuses(book)
    check = wb.create_sheet("Check")
    cells: list[tuple[int, str, str]] = []  # (Tracking row, metric, the status the format stands for)
    for cf in wb["Tracking"].conditional_formatting:
        origin = str(cf.sqref).split(":")[0]
        column = re.match(r"[A-Z]+", origin)[0]
        metric = header[openpyxl.utils.column_index_from_string(column) - 1]
        for rule in cf.rules:
            status = "BELOW" if "<" in rule.formula[0] else "ABOVE"
            for row in sorted(expected):
                cells.append((row, metric, status))
                check.cell(len(cells), 1, _on_tracking(rule.formula[0], origin, f"{column}{row}"))
    assert {m for _, m, _ in cells} == {*COUNTED} - {"Deals Won"}  # Deals Won has only a monthly range
    wb.save(tmp_path / "check.xlsx")
    [converted] = convert([tmp_path / "check.xlsx"], tmp_path / "lo")
    got = [r[0] for r in openpyxl.load_workbook(converted, data_only=True)["Check"].iter_rows(values_only=True)]
    assert len(got) == len(cells)
    coloured = {(row, metric, status) for (row, metric, status), on in zip(cells, got, strict=True) if on is True}
    want = {(row, metric, status) for row, metric, status in cells if expected[row][metric] == status}
    assert coloured == want
    assert {s for _, _, s in want} == {"BELOW", "ABOVE"} and len(want) > 300  # both colours, many cells


# ---- one rule for matching a Role (core/metrics.py: text_key) in the core and in the formulas ---------------------

# Each Role of Ranges gets a Dials range no other has, so the status of a row tells which range judged it.
ROLE_RANGES = {None: (50, 55), "SDR": (20, 40), "S D R": (41, 45), "Ventes": (56, 59), "Vèntes": (60, 65),
               "ÉQUIPE": (66, 70), "Продажи": (76, 80), "Маркетинг": (81, 85), "営業": (86, 90), "Straße": (91, 92),
               "FINANCE": (10, 12), "σοφος": (13, 15)}
ROLE_SPELLINGS = [None, "SDR", " sdr ", "S  D R", "S D R ", "S.D.R.", "sdr\t", "SDR\n", "Ventes", "Vèntes", "VÈNTES",
                  "Vàntes", "ÉQUIPE", "équipe", " Équipe  ", "ПРОДАЖИ", "продажи", "маркетинг", "Маркетинг ", "営業",
                  "営 業", "STRASSE", "STRAẞE", "straße", "ﬁnance", "Finance", "ΣΟΦΟΣ", "σοφοσ", "sales\u00a0rep"]


def role_book(path: Path, roster: bool = False) -> Path:
    """Every spelling of ROLE_SPELLINGS with a Dials value inside each range. ``roster``: the Roles come from a
    Reps sheet instead, whose Rep names Tracking spells with other spaces and case (and one is a wildcard)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append(TRACKING_HEADER[:5])
    values = [v for lo, hi in ROLE_RANGES.values() for v in (lo, hi + 1)] + [0]
    people = []
    for n, role in enumerate(ROLE_SPELLINGS):
        name = f"Rep {n}"
        people.append([name.upper() if n % 2 else f"  rep  {n} ", role])
        for k, dials in enumerate(values):
            week = dt.date(2026, 11, 16) - dt.timedelta(weeks=k)
            ws.append([week, name, "T", None if roster else role, dials])
    if roster:
        for k, dials in enumerate(values):  # "J*" is a rep of its own, not a wildcard that finds "Jo" first
            ws.append([dt.date(2026, 11, 16) - dt.timedelta(weeks=k), "J*", "T", None, dials])
        people[:0] = [["Jo", "SDR"], ["J*", "Ventes"]]
        reps = wb.create_sheet("Reps")
        reps.append(["Rep", "Start Date", "Role", "FTE"])
        for name, role in people:
            reps.append([name, None, role, None])
    rs = wb.create_sheet("Ranges")
    rs.append(RANGES_HEADER)
    for role, (lo, hi) in ROLE_RANGES.items():
        rs.append(["Dials", "activity", None, "week", lo, hi, None, role])
    wb.save(path)
    return path


@needs_libreoffice
def test_libreoffice_matches_roles_as_the_core_does(tmp_path):
    books = [role_book(tmp_path / "roles.xlsx"), role_book(tmp_path / "roster.xlsx", roster=True)]
    outputs = [summarise_workbook(b, out=tmp_path / f"{b.stem}.summary.xlsx", today=TODAY).output for b in books]
    for book, converted in zip(books, convert(outputs, tmp_path / "lo"), strict=True):
        expected = python_statuses(book)
        data = read_workbook(book, today=TODAY)
        ws = openpyxl.load_workbook(converted, read_only=True, data_only=True)[EVALUATION_SHEET]
        rows = list(ws.iter_rows(min_row=3, values_only=True))
        assert len(rows) == len(expected)
        for offset, values in enumerate(rows):
            assert values[2] == expected[2 + offset]["Dials"], (
                f"{book.name} Tracking row {2 + offset} (Role {data.tracking.frame.iloc[offset]['Role']!r}): "
                f"LibreOffice {values[2]!r}, Python {expected[2 + offset]['Dials']!r}")
        # the rule itself: which range judged each spelling (IN RANGE at exactly one range's Min)
        judged = {}
        for (_, rec), status in zip(data.tracking.frame.iterrows(), (r[2] for r in rows), strict=True):
            if status == "IN RANGE" and rec["Dials"] in {lo for lo, _ in ROLE_RANGES.values()}:
                spelling = rec[REP] if rec[REP] == "J*" else ROLE_SPELLINGS[int(rec[REP].split()[1])]
                judged[spelling] = next(role for role, (lo, _) in ROLE_RANGES.items() if lo == rec["Dials"])
        expect = {
            None: None, "SDR": "SDR", " sdr ": "SDR", "S  D R": "S D R", "S D R ": "S D R", "S.D.R.": None,
            "sdr\t": None, "SDR\n": None, "Ventes": "Ventes", "Vèntes": "Vèntes", "VÈNTES": "Vèntes", "Vàntes": None,
            "ÉQUIPE": "ÉQUIPE", "équipe": "ÉQUIPE", " Équipe  ": "ÉQUIPE", "ПРОДАЖИ": "Продажи", "продажи": "Продажи",
            "маркетинг": "Маркетинг", "Маркетинг ": "Маркетинг", "営業": "営業", "営 業": None, "STRASSE": None,
            "STRAẞE": "Straße", "straße": "Straße", "ﬁnance": "FINANCE", "Finance": "FINANCE", "ΣΟΦΟΣ": "σοφος",
            "σοφοσ": "σοφος", "sales\u00a0rep": None}
        if book.stem == "roster":  # the Reps sheet's Role reached every rep Tracking spells otherwise
            expect["J*"] = "Ventes"  # "J*" found its own row, not "Jo" as a wildcard would
        assert judged == expect


def test_monthly_pacing_shows_each_roles_own_range():
    """SDRs held to 5 SQLs a month and AEs to 1: the header says "by role" and each row its own range, so an AE's
    "behind" never sits under an SDR's bound."""
    from salesmetrics_xl.core.parse import parse_ranges, parse_tracking
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.layouts.summary import summary_sheet

    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    rows = [[w, rep, "East", role, 60, 150, 12, 4, sqls, 1, 0, 0] for w in weeks
            for rep, role, sqls in (("Sam", "SDR", 2), ("Ada", "AE", 0))]
    tracking, problems = parse_tracking([TRACKING_HEADER[:12], *rows], file="t.xlsx")
    assert not problems, problems
    ranges, problems = parse_ranges([RANGES_HEADER, ["SQLs", "outcome", None, "month", 5, None, None, "SDR"],
                                     ["SQLs", "outcome", None, "month", 1, None, None, "AE"]],
                                    tracking_columns=TRACKING_HEADER)
    assert not problems, problems
    sheet = summary_sheet(build_summary(tracking, ranges, week=weeks[-1]))
    at = {cell.value: key for key, cell in sheet.cells.items() if isinstance(cell.value, str)}
    row, col = at["SQLs so far"]
    assert sheet.cells[(row, col + 2)].value == "Range: by role"
    verdicts = {sheet.cells[(r, 2)].value: sheet.cells[(r, col + 2)].value for r in (row + 1, row + 2)}
    assert verdicts == {"Sam": "on pace\n≥ 5", "Ada": "behind\n≥ 1"}


def test_a_row_not_entered_yet_is_grey_and_not_on_pace():
    """Ann's row this week has only Week and Rep: her cells are grey (never green from the month's pace), the
    pacing block says "not entered yet" with no projection, and the diagnosis says so."""
    from salesmetrics_xl.core.parse import parse_ranges, parse_tracking
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.layouts.styles import NO_DATA_FILL
    from salesmetrics_xl.layouts.summary import METRICS_FROM, summary_sheet

    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    rows = [[w, rep, "East", "SDR", *([None] * 8 if rep == "Ann" and w == weeks[-1] else [60, 150, 12, 4, 2, 1, 0, 0])]
            for w in weeks for rep in ("Ann", "Bob")]
    tracking, problems = parse_tracking([TRACKING_HEADER[:12], *rows], file="t.xlsx")
    assert not [p for p in problems if p.severity == "error"], problems
    ranges, _ = parse_ranges([RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75],
                              ["SQLs", "outcome", None, "month", 5, None]], tracking_columns=TRACKING_HEADER)
    summary = build_summary(tracking, ranges, week=weeks[-1])
    ann = next(r for r in summary.reps if r.rep == "Ann")
    assert not ann.on_track and (ann.verdict, ann.focus) == ("No data", "")
    assert ann.action == "Fill in this week's numbers (Dials, SQLs)." and "Numbers not entered yet" in ann.detail
    sheet = summary_sheet(summary)
    row = next(r for (r, c), cell in sheet.cells.items() if c == 2 and cell.value == "Ann")
    for i, metric in enumerate(summary.metrics):
        cell = sheet.cells[(row, METRICS_FROM + i)]
        assert cell.value is None and cell.style.fill == NO_DATA_FILL, metric.name
    head = next(key for key, cell in sheet.cells.items() if cell.value == "SQLs so far")
    pacing = next(r for (r, c), cell in sheet.cells.items() if c == 2 and cell.value == "Ann" and r > head[0])
    assert sheet.cells[(pacing, head[1] + 1)].value is None
    assert sheet.cells[(pacing, head[1] + 2)].value == "not entered yet"
    assert sheet.cells[(pacing, head[1] + 2)].style.fill == NO_DATA_FILL
