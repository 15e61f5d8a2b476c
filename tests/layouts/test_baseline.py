"""salesmetrics baseline on real files: the Suggested Ranges sheet, and --apply changing only what it says."""

import datetime as dt
import json
import re
import zipfile

import openpyxl

from salesmetrics_xl.reader import read_workbook
from tests.conftest import EXAMPLE, RANGES_HEADER, ROOT, TRACKING_HEADER
from tests.libreoffice import convert, needs_libreoffice
from tests.test_cli import run

AS_OF = ("--as-of", "2026-11-22")  # the example's last week (of the 16th) is not complete yet: eight weeks before it


def _ranges_part(path):
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet3.xml")


def test_write_adds_the_sheet_and_leaves_ranges_alone(tmp_path):
    out = tmp_path / "b.xlsx"
    result = run("baseline", str(EXAMPLE), "--write", "--out", str(out), *AS_OF)
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-1] == "Suggested Ranges"
    ws = book["Suggested Ranges"]
    header = [c.value for c in ws[4]]
    assert header[:8] == ["Role", "Metric", "Category", "Period", "Current Min", "Current Max", "Suggested Min",
                          "Suggested Max"]
    dials = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[1] == "Dials")
    assert (dials[4], dials[5], dials[6], dials[7]) == (50, 75, 40, 70)
    assert _ranges_part(out) == _ranges_part(EXAMPLE)  # never touched without --apply


def test_apply_updates_matching_rows_and_keeps_the_old_values_in_notes(tmp_path):
    out = tmp_path / "applied.xlsx"
    result = run("baseline", str(EXAMPLE), "--apply", "--out", str(out), "--json", *AS_OF)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert {(m["metric"], m["period"]) for m in record["not_applied"]} == {("Deals Won", "week"), ("New MRR", "week")}
    data = read_workbook(out)
    assert not [p for p in data.problems if p.sheet == "Ranges"]
    dials = data.ranges.lookup("Dials")
    assert (dials.min, dials.max) == (40, 70)
    win = data.ranges.lookup("Win Rate")
    assert win.min == 0.37 and win.max is None
    notes = {r.metric.name + r.period.value: r.notes for r in data.ranges.rules}
    assert re.match(r"Was 50–75 before \d{4}-\d{2}-\d{2} \(salesmetrics baseline\)\. The sales-metrics framework",
                    notes["Dialsweek"])
    assert EXAMPLE.read_bytes() != out.read_bytes()


@needs_libreoffice
def test_libreoffice_opens_the_applied_workbook(tmp_path):
    out = tmp_path / "applied.xlsx"
    assert run("baseline", str(EXAMPLE), "--apply", "--out", str(out), *AS_OF).returncode == 0
    (converted,) = convert([out], tmp_path / "lo")
    ranges = openpyxl.load_workbook(converted, data_only=True)["Ranges"]
    assert [ranges["E2"].value, ranges["F2"].value] == [40, 70]


def test_baseline_bad_input(tmp_path):
    assert run("baseline", str(EXAMPLE), "--top", "3").returncode == 2
    bad = tmp_path / "x.xlsx"
    bad.write_text("nope")
    result = run("baseline", str(bad), "--json")
    assert result.returncode == 2 and json.loads(result.stdout)["error"]["code"] == "not-a-workbook"


def test_apply_twice_adds_no_second_note_and_the_note_carries_the_as_of_date(tmp_path):
    team = tmp_path / "team.xlsx"
    team.write_bytes(EXAMPLE.read_bytes())
    assert run("baseline", str(team), "--apply", "--in-place", *AS_OF).returncode == 0
    first = {r.metric.name + r.period.value: r.notes for r in read_workbook(team).ranges.rules}
    assert first["Dialsweek"].startswith("Was 50–75 before 2026-11-22 (salesmetrics baseline). ")
    second = run("baseline", str(team), "--apply", "--in-place", *AS_OF)
    # exit 1: the applied top-performer ranges do not add up at the team's rates, and the range check says so
    assert second.returncode == 1 and "range check: Dials 40–70 reach at most 2.7 Deals Won a month at the team's " \
        "rates; the target is 4" in " ".join(second.stdout.split())
    again = {r.metric.name + r.period.value: r.notes for r in read_workbook(team).ranges.rules}
    assert again == first  # nothing changed, so nothing was noted
    assert again["Dialsweek"].count("Was ") == 1


def test_a_users_suggested_ranges_sheet_is_kept(tmp_path):
    book = openpyxl.load_workbook(EXAMPLE)
    book.create_sheet("Suggested Ranges")["A1"] = "Ideas from the offsite"
    team = tmp_path / "team.xlsx"
    book.save(team)
    result = run("baseline", str(team), "--write", *AS_OF)
    assert result.returncode == 0, result.stderr
    assert "the sheet 'Suggested Ranges' was not made by salesmetrics-xl" in " ".join(result.stdout.split())
    out = openpyxl.load_workbook(tmp_path / "team.baseline.xlsx")
    assert out["Suggested Ranges"]["A1"].value == "Ideas from the offsite"
    assert out["Suggested Ranges (2)"]["A1"].value == "Suggested ranges from your top performers"


def test_notes_alone_leave_the_exit_code_at_0(make_book):
    """"A team of one" is a caveat about the suggestion, not a finding: exit 0, the note printed."""
    weeks = [dt.date(2026, 11, 16) - dt.timedelta(weeks=k) for k in range(1, 9)]
    book = make_book({"Tracking": [TRACKING_HEADER[:12], *([w, "Solo", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900]
                                                           for w in weeks)],
                      "Ranges": [RANGES_HEADER, ["Dials", "activity", None, "week", 50, 75]]})
    result = run("baseline", str(book), *AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a team of one" in result.stdout


def test_apply_to_a_ranges_table_without_notes_keeps_the_old_ranges_in_a_new_notes_column(tmp_path):
    book = openpyxl.load_workbook(EXAMPLE)
    ranges = book["Ranges"]
    notes = next(c.column for c in ranges[1] if c.value == "Notes")
    ranges.delete_cols(notes)
    for table in list(ranges.tables):  # the example's Ranges is a Table; this team keeps a plain range
        del ranges.tables[table]
    team = tmp_path / "team.xlsx"
    book.save(team)
    assert run("baseline", str(team), "--apply", "--in-place", *AS_OF).returncode == 0
    rules = read_workbook(team).ranges.rules
    dials = next(r for r in rules if r.metric.name == "Dials" and r.period.value == "week" and r.role is None)
    assert dials.notes.startswith("Was 50–75 before 2026-11-22 (salesmetrics baseline).")
    header = [c.value for c in openpyxl.load_workbook(team)["Ranges"][1] if c.value]
    assert header[-1] == "Notes" and header.count("Notes") == 1


def test_baseline_reads_in_an_80_column_terminal():
    """One block per metric: no line wider than the terminal, and every metric and period still there."""
    import os
    import subprocess
    import sys

    def baseline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "salesmetrics_xl", "baseline", str(EXAMPLE), *AS_OF, *args],
                              capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "80"})

    result = baseline()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    metrics = json.loads(baseline("--json").stdout)["baselines"][0]["metrics"]
    assert len(metrics) == 15  # 12 metrics a week, and SQLs, Deals Won and New MRR a month
    for m in metrics:  # each metric's own line, with its suggestion and the range it has now
        suggested = [line for line in lines if line.startswith(f"{m['metric']}, a {m['period']}: suggested ")]
        assert len(suggested) == 1, m["metric"]
    assert "    5 SQLs a month: 25 / 41" in lines  # what the target takes, at the top / the team's rates
    readme = (ROOT / "README.md").read_text().split("`COLUMNS=80`):\n\n```\n", 1)[1].split("\n```", 1)[0]
    start = lines.index("Dials, a week: suggested 40–70 (current 50–75)")
    assert [line.rstrip() for line in lines[start:start + len(readme.splitlines())]] == readme.splitlines()
