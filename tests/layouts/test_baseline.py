"""salesmetrics baseline on real files: the Suggested Ranges sheet, and --apply changing only what it says."""

import datetime as dt
import itertools
import json
import re
import zipfile

import openpyxl
import pytest

from salesmetrics_xl.reader import read_workbook
from tests.conftest import EXAMPLE, RANGES_HEADER, ROOT, TRACKING_HEADER
from tests.helpers import run
from tests.libreoffice import convert, needs_libreoffice

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
    assert second.returncode == 1 and "range check: Dials 40–70 reach at most 1.97 SQLs a week at the team's " \
        "rates; the target is 2" in " ".join(second.stdout.split())
    lines = [line.rstrip() for line in second.stdout.splitlines()]
    alone = lines.index("Ranges left alone: 13 rows")
    assert lines[alone + 1:alone + 4] == ["  already the suggestion:", "    Dials: 40–70", "    Emails: 95–180"]
    assert "Ranges changed: 0 rows" in lines and "your Ranges table needed no change" in " ".join(lines)
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
    assert "    1 SQL a week: 22 / 36" in lines  # one SQL, singular
    readme = (ROOT / "docs" / "baseline.md").read_text().split("`COLUMNS=80`):\n\n```\n", 1)[1].split("\n```", 1)[0]
    assert [line.rstrip() for line in lines[:len(readme.splitlines())]] == readme.splitlines()


def test_dry_run_lists_every_change_and_writes_nothing(tmp_path):
    team = tmp_path / "team.xlsx"
    team.write_bytes(EXAMPLE.read_bytes())
    result = run("baseline", str(team), "--apply", "--dry-run", *AS_OF)
    assert result.returncode == 0, result.stderr
    assert team.read_bytes() == EXAMPLE.read_bytes() and not (tmp_path / "team.baseline.xlsx").exists()
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert "Ranges would change (--dry-run: nothing written): 13 rows" in lines
    assert "  Dials: 50–75 → 40–70" in lines and "  Win Rate: at least 20% → at least 37%" in lines
    assert "  Deals Won a month: at least 2 → at least 3" in lines and "Ranges left alone: 0 rows" in lines
    assert "wrote" not in result.stdout
    # --apply lists the same rows, and writes exactly those
    applied = run("baseline", str(team), "--apply", "--in-place", *AS_OF)
    done = [line.rstrip() for line in applied.stdout.splitlines()]
    listed = lines[lines.index("Ranges would change (--dry-run: nothing written): 13 rows") + 1:]
    assert done[done.index("Ranges changed: 13 rows") + 1:][:len(listed)] == listed
    record = json.loads(run("baseline", str(team), "--dry-run", "--json", *AS_OF).stdout)
    assert record["dry_run"] and all(c["after"] is None for c in record["changes"])  # applied: nothing left
    assert {c["why"] for c in record["changes"]} == {"already the suggestion"}


def _sdr_ae_book(make_book):
    weeks = [dt.date(2026, 11, 16) - dt.timedelta(weeks=k) for k in range(1, 9)]
    rows = [TRACKING_HEADER[:12]]
    for w in weeks:
        for k, name in enumerate(("Sid", "Sue", "Sal", "Sky")):
            rows.append([w, name, "East", "SDR", 70 + k, 150, 14, 5, 4 - k, 1, 0, 0])
        for k, name in enumerate(("Ava", "Abe", "Art", "Amy")):
            rows.append([w, name, "East", "AE", None, 40, 10, 6, None, 4, 2 - (k > 1), (2 - (k > 1)) * (1500 - k)])
    ranges = [RANGES_HEADER,
              ["SQLs", "outcome", None, "week", 2, None, None, "SDR", None],
              ["Deals Won", "outcome", None, "month", 3, None, None, "AE", None],
              ["New MRR", "outcome", None, "month", 3000, None, None, "AE", None],
              ["Dials", "activity", None, "week", 50, 75, None, None, None],
              ["Dials", "activity", None, "week", 60, 90, None, "SDR", None],
              ["Win Rate", "quality", None, "week", 0.2, None, None, "AE", None]]
    return make_book({"Tracking": rows, "Ranges": ranges})


def test_sdrs_and_aes_name_their_own_basis_and_apply_to_their_own_rows(make_book):
    book = _sdr_ae_book(make_book)
    result = run("baseline", str(book), "--apply", "--dry-run", *AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert ("Top performers: Ava: the top 1 of 4 AEs by Deals Won a full week, New MRR breaking ties, pooled over 8 "
            "weeks.") in text
    assert "Top performers: Sid: the top 1 of 4 SDRs by SQLs a full week, pooled over 8 weeks." in text
    assert "by SQLs" not in text.split("role SDR")[0]  # the AE block never speaks of SQLs as its basis
    assert "Emails a week (AE): 35–45" in text and "Emails a week (SDR): 140–160" in text
    assert " – " not in result.stdout and "– / –" not in result.stdout
    assert "Dials: 50–75, left alone: it applies to every role, and each role has its own suggestion" in text
    assert "Dials (SDR): 60–90 → " in text
    # an SDR deal target the SDRs never reach: none here; the AE deals minimum stays above 0
    record = json.loads(run("baseline", str(book), "--json", *AS_OF).stdout)
    for b in record["baselines"]:
        for m in b["metrics"]:
            if m["category"] != "activity" and m["suggested"]:
                assert m["suggested"]["min"] > 0


def test_apply_never_writes_an_outcome_minimum_of_0(make_book):
    """SDRs who never close, under a team-wide Deals Won target: --apply leaves the target as it is and says why."""
    weeks = [dt.date(2026, 11, 16) - dt.timedelta(weeks=k) for k in range(1, 9)]
    rows = [TRACKING_HEADER[:12], *([w, name, "East", "SDR", 60 + k, 120, 12, 4, 2 + k % 2, 1, 0, 0]
                                    for w in weeks for k, name in enumerate(("Ann", "Bo", "Cy", "Di")))]
    book = make_book({"Tracking": rows, "Ranges": [RANGES_HEADER,
                                                   ["Deals Won", "outcome", None, "month", 2, None, None, None, None],
                                                   ["New MRR", "outcome", None, "month", 3000, None, None, None,
                                                    None]]})
    result = run("baseline", str(book), "--apply", "--in-place", *AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "Deals Won a month: at least 2, left alone: already the suggestion" in text
    assert "the current minimum (2) is kept: a minimum of 0 judges nothing" in text
    ranges = {r.metric.name: r.range for r in read_workbook(book).ranges.rules}
    assert ranges["Deals Won"].min == 2 and ranges["New MRR"].min == 3000


def test_the_suggested_ranges_sheet_wraps_its_why_and_prints_on_landscape_pages(tmp_path):
    out = tmp_path / "b.xlsx"
    assert run("baseline", str(EXAMPLE), "--write", "--out", str(out), *AS_OF).returncode == 0
    ws = openpyxl.load_workbook(out)["Suggested Ranges"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    why = [ws.cell(row, 14) for row in range(5, ws.max_row + 1) if ws.cell(row, 14).value]
    assert why and all(c.alignment.wrap_text for c in why)
    assert ws.column_dimensions["N"].width <= 75
    for c in why:  # each row tall enough for its wrapped text
        assert ws.row_dimensions[c.row].height >= 15 * (len(c.value) // 75)
    assert "Top performers: Chloe Nguyen, Keisha Brown and Ava Thompson: the top 3 of 11 SDRs by Deals Won" in \
        ws["A2"].value


@needs_libreoffice
def test_libreoffice_prints_the_suggested_ranges_sheet_on_readable_pages(tmp_path):
    """LibreOffice lays the sheet out for print: landscape pages, every column (Why included) across one page."""
    import shutil
    import subprocess

    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.skip("poppler's pdfinfo and pdftotext are not installed")
    out = tmp_path / "b.xlsx"
    assert run("baseline", str(EXAMPLE), "--write", "--out", str(out), *AS_OF).returncode == 0
    book = openpyxl.load_workbook(out)
    for name in book.sheetnames:
        if name != "Suggested Ranges":
            del book[name]
    only = tmp_path / "suggested.xlsx"
    book.save(only)
    (pdf,) = convert([only], tmp_path / "lo", to="pdf")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes and all(float(w) > float(h) for w, h in sizes), info  # landscape, every page
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                           text=True).stdout
    # fit to width: the first page holds the Metric column and the Why column, and the Why text in full lines
    assert "Dials" in first and "Why" in first and "the top 3 SDRs by Deals Won had" in first


def test_an_as_of_sweep_over_4_weeks_names_every_change_in_the_top_set():
    """The example, --as-of four consecutive Sundays: where the top set moves, the pooled ranking moved (a rep who
    left now ranks below one who joined, on the figures printed), and the output names who joined and who left."""
    runs = []
    for day in ("2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22"):
        result = run("baseline", str(EXAMPLE), "--as-of", day, "--json")
        assert result.returncode == 0, result.stderr
        runs.append(json.loads(result.stdout)["baselines"][0])
    assert [r["weeks"][-1] for r in runs] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]
    for before, after in itertools.pairwise(runs):
        joined = [r for r in after["top_reps"] if r not in before["top_reps"]]
        left = [r for r in before["top_reps"] if r not in after["top_reps"]]
        if not joined:
            assert after["changed"] == "the same top performers"
            continue
        per_week = after["ranking"]["per_week"]
        assert all(per_week[j] >= per_week[x] for j in joined for x in left if x in per_week)
        for name in joined:
            assert f"{name} joined" in after["changed"]
        for name in left:
            assert f"{name} left" in after["changed"]
    # ranked by deals won (New MRR breaking ties), the example's top set holds over the four weeks
    assert {frozenset(r["top_reps"]) for r in runs} == {frozenset({"Chloe Nguyen", "Keisha Brown", "Ava Thompson"})}
    assert all(r["changed"] == "the same top performers" for r in runs)


@pytest.mark.parametrize("note, cut", [
    pytest.param("a" * 32_000, False, id="32,000 characters: room for the new note, nothing cut"),
    pytest.param("📈" * 750 + "a" * 31_250, True, id="32,000 characters that fill a cell as Excel counts them"),
    pytest.param("a" * 32_750, True, id="a full cell"),
])
def test_apply_keeps_a_long_note_within_a_cell_and_says_when_it_was_cut(tmp_path, note, cut):
    """--apply puts the old range in front of the user's note: the cell never grows past the 32,767 characters
    (UTF-16 units) Excel holds, and a note that had to be cut says so at its end. Applied again, it stays bounded
    and says it once."""
    from salesmetrics_xl.core.text import CELL_LIMIT, units

    book = openpyxl.load_workbook(EXAMPLE)
    ranges = book["Ranges"]
    header = [c.value for c in ranges[1]]
    cell = ranges.cell(2, header.index("Notes") + 1)
    assert ranges.cell(2, 1).value == "Dials" and units(note) <= CELL_LIMIT  # a note Excel itself could hold
    cell.value = "Kept for the audit: " + note[20:]
    team = tmp_path / "team.xlsx"
    book.save(team)
    first = run("baseline", str(team), "--apply", "--in-place", *AS_OF)
    assert first.returncode == 0, first.stdout + first.stderr
    written = openpyxl.load_workbook(team)["Ranges"].cell(2, header.index("Notes") + 1).value
    assert units(written) <= CELL_LIMIT
    assert written.startswith("Was 50–75 before 2026-11-22 (salesmetrics baseline). Kept for the audit: ")
    if cut:
        assert re.search(r"… \(cut: the full text has 32,\d{3} characters, more than a cell holds\)$", written)
    else:
        assert written.endswith(note[-100:]) and "(cut:" not in written
    assert read_workbook(team).ranges.lookup("Dials").max == 70  # the new range itself is whole

    # a later apply (a different week's suggestion) adds its note in front: still one cell, one word about the cut
    again = openpyxl.load_workbook(team)
    again["Ranges"]["E2"], again["Ranges"]["F2"] = 55, 80
    again.save(team)
    assert run("baseline", str(team), "--apply", "--in-place", *AS_OF).returncode in (0, 1)
    second = openpyxl.load_workbook(team)["Ranges"].cell(2, header.index("Notes") + 1).value
    assert units(second) <= CELL_LIMIT and second.startswith("Was 55–80 before 2026-11-22")
    assert second.count("(cut:") == (1 if units(written) + 60 > CELL_LIMIT else 0)
