"""A team's own workbook, as a sales ops person keeps it, through every command: no template needed.

"Weekly Activity" with a title block above the header, headers under their aliases (Calls, Sales Qualified Leads,
Closed Won...), a Targets (or Goals) sheet naming metrics the same way, and a Total row of SUM formulas.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree

from tests.helpers import full_reps, run
from tests.libreoffice import needs_libreoffice
from tests.own_workbooks import GOALS, TARGETS, WEEKS, own_workbook, settings_workbook

JUDGED = ["Dials", "Emails", "Conversations", "Meetings Booked", "SQLs", "Deals Won", "Connect Rate"]


def opens_on(path: Path) -> str:
    """The sheet Excel shows first: bookViews' activeTab, which must also be the one selected tab (two selected
    tabs open as a group, and the next edit goes to both)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as zf:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheets = [(s.get("name"), "xl/" + targets[s.get(f"{rel}id")].removeprefix("/xl/"))
                  for s in workbook.iter(f"{main}sheet")]
        active = int(next(workbook.iter(f"{main}workbookView")).get("activeTab", 0))
        selected = [name for name, part in sheets
                    if any(v.get("tabSelected") in ("1", "true")
                           for v in ElementTree.fromstring(zf.read(part)).iter(f"{main}sheetView"))]
    assert selected == [sheets[active][0]], f"selected tabs {selected}, active tab {sheets[active][0]}"
    return sheets[active][0]


@pytest.mark.parametrize("targets", ["Targets", "Goals"])
def test_check_summary_baseline_and_batch_take_the_workbook_as_it_is(tmp_path, targets):
    source = own_workbook(tmp_path / "emea.xlsx", targets)
    before = source.read_bytes()

    check = run("check", "--json", str(source))
    record = json.loads(check.stdout)[0]
    assert check.returncode in (0, 1) and record["errors"] == 0, check.stdout
    assert record["reps"] == 3 and record["weeks"] == 4 and record["ranges"] == len(TARGETS) - 1
    codes = [p["code"] for p in record["problems"]]
    assert codes.count("totals-row") == 1 and "missing-sheet" not in codes and "bad-range" not in codes
    note = next(p for p in record["problems"] if p["code"] == "totals-row")
    assert note["severity"] == "note" and note["cell"] == "A17"

    summary = run("summary", "--json", str(source))
    assert summary.returncode in (0, 1), summary.stdout + summary.stderr
    result = json.loads(summary.stdout)
    judged = {m["name"]: m["range"] for m in result["summary"]["metrics"]}
    assert set(JUDGED) <= set(judged) and judged["Dials"] == "50–75" and judged["Connect Rate"] == "at least 15%"
    bo = next(r for r in full_reps(result["summary"]) if r["rep"] == "Bo Chen")
    assert bo["statuses"]["Dials"] == "BELOW" and bo["statuses"]["SQLs"] == "BELOW"
    output = Path(result["output"])
    assert opens_on(output) == "Weekly Summary"
    assert not any(p["severity"] == "error" for p in result["problems"])

    baseline = run("baseline", "--write", "--as-of", "2026-11-23", str(source))
    assert baseline.returncode in (0, 1), baseline.stdout + baseline.stderr
    assert "Deals Won" in baseline.stdout and "error" not in baseline.stderr

    batch = run("batch", "--json", "--out-dir", str(tmp_path / "out"), str(source))
    assert batch.returncode in (0, 1), batch.stdout + batch.stderr
    (done,) = json.loads(batch.stdout)["results"]
    assert done["status"] in ("ok", "warnings") and done["errors"] == 0 and done["reps"] == 3
    assert opens_on(Path(done["output"])) == "Weekly Summary"
    assert source.read_bytes() == before


def test_a_total_row_without_a_label_is_a_note_not_an_error(make_book):
    from salesmetrics_xl.reader import read_workbook

    rows = [["Week", "Rep", "Dials", "SQLs"], [WEEKS[0], "Ann", 60, 2], [WEEKS[0], "Bo", 50, 1], [None, None, 110, 3],
            [WEEKS[1], "Grand Total", 100, 3], ["Subtotal", None, 40, 1]]
    data = read_workbook(make_book({"Tracking": rows}), today=dt.date(2026, 11, 23))
    assert [p.code for p in data.problems if p.severity != "warning"] == ["totals-row"]
    (note,) = [p for p in data.problems if p.code == "totals-row"]
    assert note.message.startswith("3 totals rows (rows 4, 5, 6) skipped")
    assert sorted(data.tracking.frame["Rep"]) == ["Ann", "Bo"]


def test_sheets_named_on_the_command_line_or_by_defined_names(tmp_path):
    source = own_workbook(tmp_path / "odd.xlsx", targets="Q4 numbers")
    wb = openpyxl.load_workbook(source)
    wb["Weekly Activity"].title = "Sheet 7"
    wb.save(source)
    plain = json.loads(run("check", "--json", str(source)).stdout)[0]
    # the tracking sheet is still found by its header; the ranges sheet too, by Metric and Min/Max
    assert plain["reps"] == 3 and plain["ranges"] == len(TARGETS) - 1
    asked = json.loads(run("check", "--json", "--tracking-sheet", "sheet 7", "--ranges-sheet", "Q4 Numbers",
                           str(source)).stdout)[0]
    assert asked["reps"] == 3 and asked["ranges"] == len(TARGETS) - 1 and asked["errors"] == 0
    wrong = run("check", "--json", "--ranges-sheet", "Goals", str(source))
    problem = next(p for p in json.loads(wrong.stdout)[0]["problems"] if p["code"] == "missing-sheet")
    assert wrong.returncode == 2 and "no sheet named 'Goals'" in problem["message"]
    assert "sheets found: Sheet 7, Q4 numbers" in problem["message"]

    wb = openpyxl.load_workbook(source)
    wb.create_sheet("Ranges").append(["Metric", "Min"])  # a decoy the names below must win over
    wb.create_sheet("Ranges").append(["Calls", 999])
    wb.defined_names["salesmetrics_ranges"] = openpyxl.workbook.defined_name.DefinedName(
        "salesmetrics_ranges", attr_text="'Q4 numbers'!$A$1")
    wb.save(source)
    named = json.loads(run("check", "--json", str(source)).stdout)[0]
    assert named["ranges"] == len(TARGETS) - 1 and named["errors"] == 0


def test_no_ranges_sheet_lists_the_sheets_found_and_the_names_accepted(make_book):
    from salesmetrics_xl.reader import read_workbook

    rows = [["Week", "Rep", "Dials"], [WEEKS[0], "Ann", 60]]
    data = read_workbook(make_book({"Tracking": rows, "Notes": [["hello"]]}), today=dt.date(2026, 11, 23))
    (warning,) = [p for p in data.problems if p.code == "missing-sheet"]
    assert "sheets found: Tracking, Notes" in warning.message and "'Goals'" in warning.message
    assert "'Targets'" in warning.message and warning.setting == "ranges_sheet"  # the CLI adds --ranges-sheet
    assert warning.severity == "warning" and data.ranges.sheet is None


def test_a_missing_required_column_is_named_with_its_other_names_and_the_closest_header(make_book):
    from salesmetrics_xl.reader import read_workbook

    rows = [["Acme"], [], ["Week", "Notes", "Reps", "Calls"], [WEEKS[0], "", "Ann", 60]]
    data = read_workbook(make_book({"Tracking": rows}), today=dt.date(2026, 11, 23))
    (error,) = [p for p in data.problems if p.severity == "error"]
    assert error.message.startswith("no Rep column (it may be called Sales Rep, Rep Name, Name, Owner, Salesperson")
    assert "the closest header is 'Reps' in C3: rename it to Rep" in error.message
    assert "Week" in error.message.split("headers found in row 3:")[1]


def test_help_shows_plain_flags_and_the_choices():
    for command in ("check", "summary", "baseline", "batch"):
        text = run(command, "--help").stdout
        assert "<bool>" not in text and "<list[" not in text and "<str>" not in text and "<path>" not in text
        assert "--tracking-sheet NAME" in text and "--ranges-sheet NAME" in text
    assert "--formulas native|udf" in run("summary", "--help").stdout
    assert "--formulas native|udf" in run("batch", "--help").stdout


# ---- the workbook names its own sheets in its Settings sheet --------------------------------------------------

# Goals differ from the template's Ranges (Dials 50-75) where it shows: Ann's 62 calls are BELOW 65-80 only here.
def test_check_summary_baseline_and_batch_read_the_sheets_settings_names(tmp_path):
    source = settings_workbook(tmp_path / "team.xlsx")
    before = source.read_bytes()

    check = run("check", "--json", str(source))
    record = json.loads(check.stdout)[0]
    assert check.returncode == 1 and record["errors"] == 0, check.stdout
    assert record["reps"] == 3 and record["weeks"] == 4 and record["ranges"] == len(GOALS) - 1
    assert {p["sheet"] for p in record["problems"] if p["sheet"]} == {"Weekly Activity"}

    summary = run("summary", "--json", str(source))
    assert summary.returncode == 1, summary.stdout + summary.stderr
    result = json.loads(summary.stdout)
    judged = {m["name"]: m["range"] for m in result["summary"]["metrics"]}
    assert judged["Dials"] == "65–80" and judged["Opportunities"] == judged["Win Rate"] == "no range"
    statuses = {r["rep"]: r["statuses"]["Dials"] for r in full_reps(result["summary"])}
    assert statuses == {"Ann Lee": "BELOW", "Bo Chen": "BELOW", "Cy Diaz": "IN RANGE"}
    assert opens_on(Path(result["output"])) == "Weekly Summary"

    baseline = run("baseline", "--json", "--as-of", "2026-11-23", str(source))
    assert baseline.returncode in (0, 1), baseline.stdout + baseline.stderr
    (team,) = json.loads(baseline.stdout)["baselines"]
    current = {m["metric"]: m["current"] for m in team["metrics"] if m["period"] == "week"}
    assert len(team["reps"]) == 3 and current["Dials"] == {"min": 65, "max": 80} and current["Opportunities"] is None

    batch = run("batch", "--json", "--out-dir", str(tmp_path / "out"), str(source))
    assert batch.returncode == 1, batch.stdout + batch.stderr
    (done,) = json.loads(batch.stdout)["results"]
    assert done["status"] == "warnings" and done["errors"] == 0 and done["reps"] == 3
    assert source.read_bytes() == before


def test_a_settings_value_that_names_no_sheet_is_an_error_with_its_cell(tmp_path):
    source = settings_workbook(tmp_path / "team.xlsx", tracking="Weekly Activty")
    for command in ("check", "summary", "baseline", "batch"):
        args = ["--out-dir", str(tmp_path / "out")] if command == "batch" else []
        result = run(command, *args, str(source))
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        said = " ".join((result.stdout + result.stderr).split())
        assert "Settings!B3" in said and "no sheet named 'Weekly Activty'" in said, (command, said)
    (record,) = json.loads(run("check", "--json", str(source)).stdout)
    (error,) = [p for p in record["problems"] if p["severity"] == "error"]
    assert (record["file"], error["sheet"], error["cell"], error["code"]) == (str(source), "Settings", "B3",
                                                                           "bad-setting")
    assert error["message"] == ("Tracking Sheet: no sheet named 'Weekly Activty'; sheets found: How to use, "
                                "Tracking, Ranges, Ramp, Settings, Weekly Activity, Goals; did you mean "
                                "'Weekly Activity'?")


def test_one_precedence_option_then_defined_name_then_settings_then_the_recognised_names(tmp_path):
    from salesmetrics_xl.reader import read_workbook

    def log(rep: str) -> list[list[object]]:
        return [["Week", "Rep", "Dials"], [WEEKS[0], rep, 60]]

    wb = openpyxl.Workbook()
    wb.active.title = "Tracking"
    wb.active.append(["Week", "Rep", "Dials"])
    wb.active.append([WEEKS[0], "by name", 60])
    for title, rows in (("Log A", log("by option")), ("Log B", log("by defined name")), ("Log C", log("by Settings")),
                        ("Settings", [["Setting", "Value"], ["Working Week", 5], ["tracking sheet", "log c"]])):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.defined_names["salesmetrics_tracking"] = openpyxl.workbook.defined_name.DefinedName(
        "salesmetrics_tracking", attr_text="'Log B'!$A$1")
    source = tmp_path / "logs.xlsx"
    wb.save(source)

    def rep(**options: str) -> str:
        data = read_workbook(source, today=dt.date(2026, 11, 23), **options)
        assert not [p for p in data.problems if p.severity == "error"], data.problems
        return data.tracking.frame["Rep"].iloc[0]

    assert rep(tracking_sheet="Log A") == "by option"
    assert rep() == "by defined name"
    del wb.defined_names["salesmetrics_tracking"]
    wb.save(source)
    assert rep() == "by Settings"
    wb["Settings"]["B3"] = "  "  # blank: not set
    wb.save(source)
    assert rep() == "by name"


@pytest.mark.parametrize(("value", "said"), [
    ("Weekly Activty", "Tracking Sheet: no sheet named 'Weekly Activty'; sheets found: How to use, Tracking, Ranges, "
                       "Ramp, Settings, Weekly Activity, Goals; did you mean 'Weekly Activity'?"),
    ("Sales numbers", "Tracking Sheet: no sheet named 'Sales numbers'; sheets found: How to use, Tracking, Ranges, "
                      "Ramp, Settings, Weekly Activity, Goals"),
    (42, "Tracking Sheet: 42 is a number, not a sheet name; sheets found: "),
    (True, "Tracking Sheet: TRUE/FALSE is not a sheet name; type the sheet's name; sheets found: "),
    (dt.date(2026, 11, 16), "Tracking Sheet: a date is not a sheet name; type the sheet's name; sheets found: "),
    ("=1/0", "Tracking Sheet: the cell shows the Excel error #DIV/0!; type the sheet's name; sheets found: "),
    ("=Goals!Z1", "Tracking Sheet: the formula here has no saved result"),
])
def test_a_settings_value_that_cannot_name_a_sheet_is_an_error_in_its_cell(tmp_path, value, said):
    from salesmetrics_xl.reader import read_workbook
    from tests.hostile_files import edit, read_parts, write_parts

    source = settings_workbook(tmp_path / "team.xlsx", tracking=value)
    if value == "=1/0":  # as Excel saves it: the formula with its result, the error
        part = "xl/worksheets/sheet5.xml"
        write_parts(source, edit(read_parts(source), part, lambda d: re.sub(
            rb'<c r="B3"[^>]*>.*?</c>', b'<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>', d, count=1)))
    data = read_workbook(source, today=dt.date(2026, 11, 23))
    (error,) = [p for p in data.problems if p.severity == "error"]
    assert (error.sheet, error.cell, error.code) == ("Settings", "B3", "bad-setting")
    assert error.message.startswith(said) and data.tracking is None  # never a silent search elsewhere
    assert data.ranges.sheet == "Goals"


def test_a_number_that_is_a_sheets_name_names_it(tmp_path):
    from salesmetrics_xl.reader import read_workbook

    source = settings_workbook(tmp_path / "team.xlsx")
    wb = openpyxl.load_workbook(source)
    wb["Weekly Activity"].title, wb["Settings"]["B3"] = "2026", 2026
    wb.save(source)
    data = read_workbook(source, today=dt.date(2026, 11, 23))
    assert data.tracking.sheet == "2026" and not [p for p in data.problems if p.severity == "error"]


def test_a_bad_settings_value_that_a_higher_name_overrides_is_a_warning(tmp_path):
    from salesmetrics_xl.reader import read_workbook

    source = settings_workbook(tmp_path / "team.xlsx", ranges="Gaols")
    data = read_workbook(source, today=dt.date(2026, 11, 23), ranges_sheet="Goals")
    (bad,) = [p for p in data.problems if p.code == "bad-setting"]
    assert bad.severity == "warning" and (bad.sheet, bad.cell) == ("Settings", "B4")
    assert bad.message.startswith("Ranges Sheet: no sheet named 'Gaols' (not used: --ranges-sheet names the ranges "
                                  "sheet); sheets found: ")
    assert bad.message.endswith("did you mean 'Goals'?") and data.ranges.sheet == "Goals"
    assert not [p for p in data.problems if p.severity == "error"]


def test_a_misspelt_setting_is_a_warning_in_its_cell_not_ignored_without_a_word(tmp_path):
    from salesmetrics_xl.reader import read_workbook

    source = settings_workbook(tmp_path / "team.xlsx")
    wb = openpyxl.load_workbook(source)
    wb["Settings"]["A3"], wb["Settings"]["A5"], wb["Settings"]["B5"] = "Trackng Sheet", "Currency", "EUR"
    wb.save(source)
    data = read_workbook(source, today=dt.date(2026, 11, 23))
    (warning,) = [p for p in data.problems if p.code == "unknown-setting"]  # Currency is no near miss: no word
    assert (warning.severity, warning.sheet, warning.cell) == ("warning", "Settings", "A3")
    assert warning.message == "unknown setting 'Trackng Sheet', so it is ignored; did you mean 'Tracking Sheet'?"
    assert data.tracking.sheet == "Tracking" and data.ranges.sheet == "Goals"


def test_columns_no_range_needs_are_one_note_and_an_alias_keeps_the_managers_word(make_book, tmp_path):
    """Week, Rep, Calls, SQLs against Dials and SQLs ranges: the six columns nothing needs are one note (exit 0),
    a column a range needs stays a warning naming what needs it, and "Calls" is shown as "Calls (Dials)"."""
    rows = [["Week", "Rep", "Calls", "SQLs"]] + [[week, rep, calls + i, 2] for i, week in enumerate(WEEKS)
                                                  for rep, calls in (("Ann", 60), ("Bo", 55))]
    ranges = [["Metric", "Period", "Min", "Max"], ["Dials", "week", 50, 75], ["SQLs", "week", 1, None]]
    book = make_book({"Tracking": rows, "Ranges": ranges}, name="lean.xlsx")
    check = run("check", "--json", str(book))
    (record,) = json.loads(check.stdout)
    assert check.returncode == 0, check.stdout
    (note,) = [p for p in record["problems"] if p["code"] == "missing-column"]
    assert note["severity"] == "note" and note["cell"] == "A1"
    assert note["message"].startswith("no column for Emails, Conversations, Meetings Booked, Opportunities, Deals "
                                      "Won and New MRR; no range uses them, so nothing is judged on them")
    summary = run("summary", "--json", "--out", str(tmp_path / "lean.summary.xlsx"), str(book))
    assert summary.returncode == 0, summary.stdout + summary.stderr
    labels = {m["name"]: m["label"] for m in json.loads(summary.stdout)["summary"]["metrics"]}
    assert labels["Dials"] == "Calls (Dials)" and labels["SQLs"] == "SQLs" and labels["Connect Rate"] == "Connect Rate"
    ws = openpyxl.load_workbook(tmp_path / "lean.summary.xlsx")["Weekly Summary"]
    headings = {c.value for row in ws.iter_rows(max_row=12) for c in row}
    assert "Calls (Dials)" in headings and "Dials" not in headings
    evaluation = openpyxl.load_workbook(tmp_path / "lean.summary.xlsx")["Evaluation"]
    assert [c.value for c in evaluation[2]][:4] == ["Week", "Rep", "Calls (Dials)", "Emails"]

    ranges += [["Connect Rate", "week", 0.15, None]]  # a range that needs Conversations: that one warns
    rows[-1][2] = 80  # and Bo's calls above the range: the warning names the manager's own column
    book = make_book({"Tracking": rows, "Ranges": ranges}, name="lean.xlsx")
    check = run("check", "--json", str(book))
    (record,) = json.loads(check.stdout)
    assert check.returncode == 1
    missing = {p["severity"]: p["message"] for p in record["problems"] if p["code"] == "missing-column"}
    assert missing["warning"].startswith("no column for Conversations (for Connect Rate), which a range needs; it "
                                         "shows NO DATA (headers found: Week, Rep, Calls, SQLs)")
    assert missing["note"].startswith("no column for Emails, Meetings Booked, Opportunities, Deals Won and New MRR;")
    assert any(p["message"] == "Bo: Calls (Dials) 80 is above its range of 50–75 (week of 2026-11-16)"
               for p in record["problems"])


# ---- a stranger's own workbook on the first run (issue #24) -----------------------------------------------------

LOG_HEADER = ["Week Ending", "Sales Rep", "Calls", "Connects", "Meetings Set", "SQLs", "Opps", "Closed Won", "MRR ($)"]
LOG_REPS = {"Ann Lee": (62, 13, 4, 2, 2, 1, 1200), "Bo Chen": (40, 5, 1, 0, 0, 0, 0),
            "Cy Diaz": (70, 15, 5, 2, 1, 1, 900), "Di Park": (55, 11, 3, 1, 1, 0, 0),
            "Ed Ruiz": (66, 14, 4, 2, 1, 1, 1500)}
FRIDAYS = [dt.date(2026, 10, 30) + dt.timedelta(weeks=i) for i in range(4)]
OURS = {"Calls": "Dials", "Connects": "Conversations", "Meetings Set": "Meetings Booked", "Opps": "Opportunities",
        "Closed Won": "Deals Won", "MRR ($)": "New MRR"}


def activity_log(path: Path, targets: list[list[object]] | None = None, header: list[str] = LOG_HEADER,
                 numbers: dict[str, tuple] = LOG_REPS) -> Path:
    """As the issue found it: "Activity Log" under a three-row merged title, week-ending Fridays (the second week's
    typed as text for every other rep), a blank row, trailing spaces, a totals row of SUMs; a "Targets" sheet with
    no Period column whose metrics read "Calls per week" and "SQLs per month"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Activity Log"
    rows: list[list[object]] = [["Acme RevOps: weekly activity log"], [], [], header]
    for k, friday in enumerate(FRIDAYS):
        for n, (rep, values) in enumerate(numbers.items()):
            week = friday.strftime("%b %d, %Y") if k == 1 and n % 2 else friday
            rows.append([week, rep + ("  " if n == 2 else ""), *values])
        if k == 1:
            rows.append([])
    last = len(rows)
    rows.append([None, "Total", *[f"=SUM({c}5:{c}{last})" for c in "CDEFGHI"]])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    ws.merge_cells("A1:I3")
    goals = wb.create_sheet("Targets")
    for row in targets or [["Metric", "Min", "Max"], ["Calls per week", 50, 75], ["Connects per week", 10, 20],
                           ["Meetings Set", 3, 6], ["SQLs per month", 6, None], ["Deals per month", 2, None]]:
        goals.append(row)
    wb.save(path)
    return path


def in_our_words(text: str) -> list[str]:
    """Our name for a column the user calls otherwise, said without the user's own word beside it."""
    return [ours for theirs, ours in OURS.items()
            if re.search(rf"(?<!\(){re.escape(ours)}(?!\))", text.replace(f"{theirs} ({ours})", ""))]


def test_a_strangers_workbook_goes_through_every_command_on_the_first_run(tmp_path):
    source = activity_log(tmp_path / "team.xlsx")
    before = source.read_bytes()

    check = run("check", "--json", str(source))
    (record,) = json.loads(check.stdout)
    assert check.returncode in (0, 1) and record["errors"] == 0, check.stdout
    assert (record["reps"], record["weeks"], record["ranges"]) == (5, 4, 5)
    by_code = {p["code"]: p for p in record["problems"]}
    assert by_code["week-ending"]["cell"] == "A4" and by_code["week-ending"]["severity"] == "note"
    assert "Fri 2026-10-30 is the week of Mon 2026-10-26" in by_code["week-ending"]["message"]
    assert by_code["period-assumed"]["message"].startswith("there is no Period column, so these ranges are read as a "
                                                           "week's: Meetings Set (row 4).")
    assert by_code["totals-row"]["cell"] == "A26"
    for p in record["problems"]:
        assert not in_our_words(p["message"]), p

    summary = run("summary", "--json", str(source))
    assert summary.returncode in (0, 1), summary.stdout + summary.stderr
    result = json.loads(summary.stdout)["summary"]
    ranges = {m["name"]: m["range"] for m in result["metrics"]}
    assert ranges["SQLs"] == "at least 6 a month" and ranges["Deals Won"] == "at least 2 a month"  # judged monthly
    assert ranges["Dials"] == "50–75" and ranges["Meetings Booked"] == "3–6"
    reps = full_reps(result)
    paced = {(r["rep"], m): p["range"] for r in reps for m, p in r["monthly"].items()}
    assert paced[("Bo Chen", "SQLs")] == "at least 6"
    pace = {(r["rep"], m): p["status"] for r in reps for m, p in r["monthly"].items()}
    for r in reps:  # SQLs judged by the month's pace, never by an invented week's target
        assert r["statuses"]["SQLs"] == pace[(r["rep"], "SQLs")], r
    for rep in reps:
        words = " ".join((rep["verdict"], rep.get("focus", ""), rep.get("action", ""), rep.get("detail", "")))
        assert not in_our_words(words), words
    bo = next(r for r in reps if r["rep"] == "Bo Chen")
    assert "Calls (Dials) 40 below 50–75" in bo["detail"]
    text = run("summary", "--force", str(source))
    assert "warning: Targets!A4: there is no Period column" in " ".join(text.stdout.split())

    baseline = run("baseline", "--as-of", "2026-11-23", str(source))
    assert baseline.returncode in (0, 1), baseline.stdout + baseline.stderr
    assert "Calls (Dials), a week: suggested" in baseline.stdout and "error" not in baseline.stderr
    assert "Calls (Dials) in a typical full week" in " ".join(baseline.stdout.split())  # the why, in their words

    batch = run("batch", "--json", "--out-dir", str(tmp_path / "out"), "--rollup", str(tmp_path / "rollup.xlsx"),
                str(source))
    assert batch.returncode in (0, 1), batch.stdout + batch.stderr
    (done,) = json.loads(batch.stdout)["results"]
    assert done["status"] in ("ok", "warnings") and done["errors"] == 0 and done["reps"] == 5
    rollup = openpyxl.load_workbook(tmp_path / "rollup.xlsx").worksheets[0]
    assert [c.value for c in rollup[4]][2:6] == ["SQLs", "Opps (Opportunities)", "Closed Won (Deals Won)",
                                                 "MRR ($) (New MRR)"]
    assert source.read_bytes() == before


@pytest.mark.parametrize("header", ["Week Ending", "Week Ended", "Week End", "W/E", "Week Ending Date", "week-ending",
                                    "W/E Date", "WK ENDING"])
def test_a_week_ending_date_counts_for_the_week_that_contains_it(make_book, header):
    from salesmetrics_xl.reader import read_workbook

    rows = [["Team log"], [], [header, "Rep", "Dials"], [dt.date(2026, 11, 6), "Ann", 60],  # a Friday
            [dt.date(2026, 11, 15), "Ann", 61], ["2026-11-20", "Ann", 62]]  # a Sunday, a Friday as text
    data = read_workbook(make_book({"Tracking": rows}), today=dt.date(2026, 11, 23))
    assert [f"{w:%Y-%m-%d}" for w in data.tracking.frame["Week"]] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    (note,) = [p for p in data.problems if p.code == "week-ending"]
    assert (note.severity, note.cell) == ("note", "A3")
    assert note.message == (f"'{header}' is read as the day a week ends: each date counts for the week (Monday to "
                            "Sunday) that contains it: Fri 2026-11-06 is the week of Mon 2026-11-02; weeks are named "
                            "by their Monday")
    plain = read_workbook(make_book({"Tracking": [["Week", *rows[2][1:]], *rows[3:]]}, name="plain.xlsx"),
                          today=dt.date(2026, 11, 23))
    assert not [p for p in plain.problems if p.code == "week-ending"]  # a Week column: nothing to explain


def test_a_header_message_points_at_the_headers_own_row(make_book):
    from salesmetrics_xl.reader import read_workbook

    rows = [["Acme"], ["kept by RevOps"], [], ["Week Of", "Salesperzon", "Calls"], [WEEKS[0], "Ann", 60]]
    ranges = [["Title"], [], ["Metrik", "Min"], ["Calls", 50]]
    data = read_workbook(make_book({"Activity Log": rows, "Targets": ranges}), today=dt.date(2026, 11, 23),
                         ranges_sheet="Targets")
    cells = {p.sheet: p.cell for p in data.problems if p.code == "missing-column"}
    assert cells == {"Activity Log": "A4", "Targets": "A3"}


def test_summary_baseline_and_batch_print_the_first_errors_and_point_at_check(tmp_path):
    numbers = dict(LOG_REPS)
    numbers["Bo Chen"] = (-5, *LOG_REPS["Bo Chen"][1:])  # a negative count, four weeks running
    targets = [["Metric", "Period", "Min", "Max"], ["Calls", "week", 80, 50], ["SQLs", "month", 6, None],
               ["Connects", "week", 30, 20]]
    source = activity_log(tmp_path / "team.xlsx", targets=targets, numbers=numbers)
    check = json.loads(run("check", "--json", str(source)).stdout)[0]
    errors = [f"{p['sheet']}!{p['cell']}: {p['message']}" for p in check["problems"] if p["severity"] == "error"]
    assert len(errors) == 6
    assert "Activity Log!C6: Calls (Dials): -5 is negative; counts cannot be below zero" in errors
    assert "Targets!C2: Calls: Min 80 is greater than Max 50" in errors

    summary = run("summary", str(source))
    baseline = run("baseline", "--as-of", "2026-11-23", str(source))
    for result in (summary, baseline):
        said = " ".join(result.stdout.split())  # the console folds long lines
        assert said.count("error: ") == 5 and all(f"error: {e}" in said for e in errors[:5]), said
        assert f"... and 1 more error(s): run salesmetrics check {source} for all of them" in said
    assert summary.returncode == 2

    assert baseline.returncode == 2  # written anyway, but the data has errors: as summary says it

    batch = " ".join(run("batch", "--out-dir", str(tmp_path / "out"), str(source)).stdout.split())
    assert batch.count("errors: ") == 5 and all(f"errors: {source}: {e}" in batch for e in errors[:5]), batch
    assert f"... and 1 more error(s) in {source}: run salesmetrics check {source} for all of them" in batch


def test_the_users_column_names_in_the_evaluation_sheet_on_a_row_tall_enough(tmp_path):
    from salesmetrics_xl.layouts.sheet import LINE_POINTS, wrapped_lines

    source = activity_log(tmp_path / "team.xlsx")
    out = tmp_path / "team.summary.xlsx"
    assert run("summary", "--out", str(out), str(source)).returncode in (0, 1)
    ws = openpyxl.load_workbook(out)["Evaluation"]
    headers = [c.value for c in ws[2] if c.value]
    assert headers[:6] == ["Week Ending (Week)", "Sales Rep (Rep)", "Calls (Dials)", "Emails",
                           "Connects (Conversations)", "Meetings Set (Meetings Booked)"]
    assert ws[2][0].alignment.wrap_text
    assert ws.max_row == 23 and "Total" not in [c.value for c in ws["B"]]  # rows 3-23: 20 of data, 1 blank
    for cell in ws[2]:
        if cell.value:
            width = ws.column_dimensions[cell.column_letter].width
            assert max(len(w) for w in cell.value.split()) * 1.2 <= width, cell.value  # no word broken
            assert ws.row_dimensions[2].height >= LINE_POINTS * wrapped_lines(cell.value, width), cell.value


def test_batch_says_could_not_write_apart_from_unreadable(tmp_path):
    source = activity_log(tmp_path / "team.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    (tmp_path / "out" / "team.summary.xlsx").mkdir(parents=True)  # the output's name is taken by a folder
    result = run("batch", "--json", "--out-dir", str(tmp_path / "out"), str(source), str(broken))
    records = {Path(r["file"]).name: r for r in json.loads(result.stdout)["results"]}
    assert result.returncode == 2
    assert records["team.xlsx"]["status"] == "could not write" and records["broken.xlsx"]["status"] == "unreadable"
    assert "is a folder, not a file name" in records["team.xlsx"]["problems"][0]
    text = " ".join(run("batch", "--out-dir", str(tmp_path / "out"), str(source), str(broken)).stdout.split())
    assert "1 could not be written (read, but the output failed), 1 unreadable (nothing written)" in text
    assert "could not write: " in text and "is a folder" in text


def test_the_help_says_what_each_command_does():
    check = " ".join(run("check", "--help").stdout.split())
    assert "JSON array" in check and "one JSON object per file" not in check
    summary = " ".join(run("summary", "--help").stdout.split())
    assert "never touches" not in summary and "--in-place" in summary and "NAME.summary.xlsx" in summary
    assert "could not write" in " ".join(run("batch", "--help").stdout.split())


def test_a_monthly_target_renamed_without_its_period_is_said_to_be_read_as_a_weeks(tmp_path):
    """The issue's second run: "SQLs per month" renamed "SQLs", as the old message told; 6 a month must not be
    judged as 6 a week without a word."""
    targets = [["Metric", "Min", "Max"], ["Calls", 50, 75], ["SQLs", 6, None]]
    source = activity_log(tmp_path / "team.xlsx", targets=targets)
    (record,) = json.loads(run("check", "--json", str(source)).stdout)
    found = {p["code"]: p for p in record["problems"] if p["sheet"] == "Targets"}
    assert found["period-assumed"]["message"].startswith("there is no Period column, so these ranges are read as a "
                                                         "week's: Calls (row 2), SQLs (row 3).")
    assert (found["looks-monthly"]["severity"], found["looks-monthly"]["cell"]) == ("warning", "B3")
    assert found["looks-monthly"]["message"].startswith("SQLs: Min 6 is read as a week's target (no period given), "
                                                        "but it is 4.3 times the team's best week (1.4 per rep")
    said = " ".join(run("summary", str(source)).stdout.split())
    assert "warning: Targets!B3: SQLs: Min 6 is read as a week's target" in said


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_evaluation_header_reads_whole_below_row_1_in_libreoffice(tmp_path):
    """Printed by LibreOffice, as the issue saw it: "Connects (Conversations)" on its own lines, under the note of
    row 1, never over it, and no header word cut in two."""
    from tests.libreoffice import convert

    source = activity_log(tmp_path / "team.xlsx")
    out = tmp_path / "team.summary.xlsx"
    assert run("summary", "--out", str(out), str(source)).returncode in (0, 1)
    wb = openpyxl.load_workbook(out)
    for name in wb.sheetnames:
        if name != "Evaluation":
            del wb[name]  # the Evaluation sheet alone: its formulas show as errors, its header as written
    wb.save(tmp_path / "evaluation.xlsx")
    (pdf,) = convert([tmp_path / "evaluation.xlsx"], tmp_path / "pdf", to="pdf")
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    below: dict[str, bool] = {}
    for page in boxes.split("<page ")[1:]:  # the sheet prints across pages; row 1's note tops each of them
        words = [(m[3], float(m[1]), float(m[2])) for m in re.finditer(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', page)]
        if not words:
            continue
        top = min(y for _, y, _ in words)
        note_bottom = max(bottom for _, y, bottom in words if y == top)  # the note's line in row 1
        below.update({word: y >= note_bottom for word, y, _ in words if y != top})
    for word in ("Ending", "Calls", "(Dials)", "Connects", "(Conversations)", "Set", "(Meetings", "Booked)"):
        assert below.get(word), (word, below.get(word), sorted(below))  # whole, and under row 1's text
