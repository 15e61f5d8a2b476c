"""salesmetrics batch: many workbooks, one bad one recorded, reports, rollup, and a clean Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl

from salesmetrics_xl.batch import find_workbooks, rollup, run_batch
from tests.conftest import EXAMPLE, ROOT
from tests.test_cli import run


def team_folder(folder: Path, copies: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        (folder / f"team{n}.xlsx").write_bytes(EXAMPLE.read_bytes())
    return folder


def test_finding_workbooks_skips_lock_files_and_our_outputs(tmp_path):
    folder = team_folder(tmp_path / "drive")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.xlsm").write_bytes(b"x")
    for name in ("~$team0.xlsx", "team0.summary.xlsx", "team0.baseline.xlsx", "notes.txt"):
        (folder / name).write_bytes(b"x")
    found = {p.relative_to(folder).as_posix() for p in find_workbooks([str(folder)])}
    assert found == {"team0.xlsx", "team1.xlsx", "sub/deep.xlsm"}
    assert [p.name for p in find_workbooks([str(folder / "team*.xlsx")])] == ["team0.xlsx", "team1.xlsx"]


def test_one_bad_workbook_never_stops_the_batch(tmp_path):
    folder = team_folder(tmp_path / "in")
    (folder / "broken.xlsx").write_bytes(EXAMPLE.read_bytes()[:3000])
    results = run_batch(find_workbooks([str(folder)]), out_dir=tmp_path / "out", jobs=2)
    by_name = {Path(r.file).name: r for r in results}
    assert by_name["broken.xlsx"].status == "failed" and "damaged or truncated" in by_name["broken.xlsx"].problems[0]
    for name in ("team0.xlsx", "team1.xlsx"):
        r = by_name[name]
        assert r.status == "warnings" and r.week == "2026-W47" and r.reps == 12 and r.needs_attention == 5
        assert "Weekly Summary" in openpyxl.load_workbook(r.output).sheetnames
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["team0.summary.xlsx", "team1.summary.xlsx"]


def test_cli_reports_and_exit_codes(tmp_path):
    folder = team_folder(tmp_path / "in")
    (folder / "junk.xlsx").write_text("not a workbook")
    report = tmp_path / "report.csv"
    result = run("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--report", str(report), "--json")
    assert result.returncode == 2  # some files failed
    record = json.loads(result.stdout)
    assert record["files"] == record["finished"] == 3 and not record["interrupted"]
    rows = list(csv.DictReader(report.open()))
    assert {r["status"] for r in rows} == {"warnings", "failed"}
    assert set(rows[0]) == {"file", "status", "output", "week", "reps", "activity_in_range", "quality_in_range",
                            "outcome_in_range", "needs_attention", "warnings", "errors", "seconds", "problems"}
    (folder / "junk.xlsx").unlink()
    clean = run("batch", str(folder), "--out-dir", str(tmp_path / "out2"), "--report", str(tmp_path / "r.json"))
    assert clean.returncode == 1  # warnings and reps needing attention, nothing failed
    assert len(json.loads((tmp_path / "r.json").read_text())) == 2
    assert run("batch", str(tmp_path / "empty-nowhere")).returncode == 2


def test_rollup_one_row_per_team_outcomes_first(tmp_path):
    folder = team_folder(tmp_path / "in", copies=1)
    results = run_batch(find_workbooks([str(folder)]), out_dir=tmp_path / "out", jobs=1)
    teams = rollup(results)
    assert [t.team for t in teams] == sorted([t.team for t in teams], key=lambda n: -next(
        t.outcomes["SQLs"] for t in teams if t.team == n))
    assert {t.team for t in teams} == {"East", "West"} and sum(t.reps for t in teams) == 12
    east = next(t for t in teams if t.team == "East")
    assert east.busy_not_producing == 2  # Ben Carter and Emma Rossi: busy, not converting
    assert east.on_track + east.needs_attention == east.reps
    out = tmp_path / "rollup.xlsx"
    assert run("batch", str(folder), "--out-dir", str(tmp_path / "o2"), "--rollup", str(out),
               "--rollup-reps").returncode == 1
    ws = openpyxl.load_workbook(out)["Rollup"]
    assert ws["A4"].value == "Team" and {ws["A5"].value, ws["A6"].value} == {"East", "West"}
    assert ws.cell(5, 3).value >= ws.cell(6, 3).value  # SQLs, descending
    reps = [c.value for c in ws["B"] if c.value and c.row > 27]
    assert "Ben Carter" in reps and "Chloe Nguyen" in reps
    with zipfile.ZipFile(out) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())


def test_ctrl_c_stops_cleanly_and_reports_what_finished(tmp_path):
    folder = team_folder(tmp_path / "in", copies=40)
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "salesmetrics_xl", "batch", str(folder), "--out-dir", str(out),
                             "--jobs", "2", "--report", str(report)], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or len(list(out.glob("*.summary.xlsx"))) < 3):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stdout and "Traceback" not in stdout + stderr
    finished = json.loads(report.read_text())
    outputs = sorted(out.iterdir())
    assert 3 <= len(finished) < 40
    assert not [p for p in outputs if not p.name.endswith(".summary.xlsx")]  # no temporaries left
    assert {Path(r["output"]).name for r in finished} == {p.name for p in outputs}
    for path in outputs:  # every output is whole
        assert "Weekly Summary" in openpyxl.load_workbook(path, read_only=True).sheetnames
