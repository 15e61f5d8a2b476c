"""salesmetrics batch: many workbooks, one bad one recorded, reports, rollup, and a clean Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl.batch import OutputClashError, find_workbooks, plan_outputs, rollup, run_batch
from tests.conftest import EXAMPLE, ROOT
from tests.helpers import run


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
    same = [str(folder / "team0.xlsx"), str(folder / "sub" / ".." / "team0.xlsx")]  # one file, two spellings
    assert len(find_workbooks(same)) == 1


def test_one_bad_workbook_never_stops_the_batch(tmp_path):
    folder = team_folder(tmp_path / "in")
    (folder / "broken.xlsx").write_bytes(EXAMPLE.read_bytes()[:3000])
    results = run_batch(find_workbooks([str(folder)]), out_dir=tmp_path / "out", jobs=2)
    by_name = {Path(r.file).name: r for r in results}
    broken = by_name["broken.xlsx"]
    assert broken.status == "unreadable" and "damaged or truncated" in broken.problems[0]
    for name in ("team0.xlsx", "team1.xlsx"):
        r = by_name[name]
        assert r.status == "warnings" and r.week == "2026-W47" and r.reps == 13 and r.needs_attention == 4
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
    assert {r["status"] for r in rows} == {"warnings", "unreadable"}
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
    assert {t.team for t in teams} == {"East", "West"} and sum(t.reps for t in teams) == 13
    east = next(t for t in teams if t.team == "East")
    # no one's activity is above its range, so no one is "busy, not producing" (Ben's 75 dials is inside 50-75);
    # the rollup's "where most break" is the focus the reps' own rows give
    assert east.busy_not_producing == 0 and east.main_break == "Messaging"
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


def _ctrl_c_default() -> None:
    """The batch as a terminal starts it: a test run started in the background (a CI runner, `pytest &`) inherits an
    ignored SIGINT, and Python keeps an ignored SIGINT ignored, so Ctrl-C would never reach the batch."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_cleanly_and_reports_what_finished(tmp_path):
    folder = team_folder(tmp_path / "in", copies=200)  # far more than can finish while Ctrl-C is on its way
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "salesmetrics_xl", "batch", str(folder), "--out-dir", str(out),
                             "--jobs", "2", "--report", str(report)], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_default)
    deadline = time.monotonic() + 600  # a hang guard only: a loaded machine may take long to start the batch
    while time.monotonic() < deadline and (not out.exists() or len(list(out.glob("*.summary.xlsx"))) < 3):
        time.sleep(0.05)
    assert len(list(out.glob("*.summary.xlsx"))) >= 3, "the batch never got going"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stdout and "Traceback" not in stdout + stderr
    finished = json.loads(report.read_text())
    outputs = sorted(out.iterdir())
    assert 3 <= len(finished) < 200
    counts = re.findall(r"(\d+)/200", stderr)  # the progress bar's last state: the count the last line gives
    assert counts and int(counts[-1]) == len(finished), stderr[-500:]
    assert not [p for p in outputs if not p.name.endswith(".summary.xlsx")]  # no temporaries left
    assert {Path(r["output"]).name for r in finished} == {p.name for p in outputs}
    for path in outputs:  # every output is whole
        assert "Weekly Summary" in openpyxl.load_workbook(path, read_only=True).sheetnames


def run_wide(*args: str) -> subprocess.CompletedProcess:
    """The command line with a console wide enough that no message is folded inside a long temporary path."""
    return subprocess.run([sys.executable, "-m", "salesmetrics_xl", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": "1000"})


def min_gt_max(path: Path) -> Path:
    """The example with its Dials range upside down (Min 100 > Max 75): readable, with one error at Ranges!E2."""
    book = openpyxl.load_workbook(EXAMPLE)
    assert book["Ranges"]["A2"].value == "Dials"
    book["Ranges"]["E2"] = 100
    book.save(path)
    return path


def test_out_dir_mirrors_each_inputs_folder_so_two_teams_never_share_an_output(tmp_path):
    shared = tmp_path / "shared" / "sales"
    for region in ("emea", "amer"):  # the same file name in each region, each with its own reps
        (shared / region).mkdir(parents=True)
        book = openpyxl.load_workbook(EXAMPLE)
        for cell in book["Tracking"]["B"]:
            if cell.value == "Ben Carter":
                cell.value = f"Ben Carter ({region})"
        book.save(shared / region / "team.xlsx")
    out, report = tmp_path / "summaries", tmp_path / "report.json"
    result = run("batch", str(shared / "**" / "*.xlsx"), "--out-dir", str(out), "--report", str(report))
    assert result.returncode == 1, result.stderr
    outputs = sorted(r["output"] for r in json.loads(report.read_text()))
    assert outputs == [str(out / "amer" / "team.summary.xlsx"), str(out / "emea" / "team.summary.xlsx")]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx")) == [
        "amer/team.summary.xlsx", "emea/team.summary.xlsx"]
    for region, other in (("emea", "amer"), ("amer", "emea")):  # each output is its own team's
        ws = openpyxl.load_workbook(out / region / "team.summary.xlsx")["Weekly Summary"]
        reps = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert f"Ben Carter ({region})" in reps and f"Ben Carter ({other})" not in reps


def test_two_inputs_that_would_share_an_output_are_refused_before_anything_is_written(tmp_path):
    folder = team_folder(tmp_path / "in", copies=1)
    (folder / "Team0.xlsx").write_bytes(EXAMPLE.read_bytes())  # same name but for case: one file on a shared drive
    files = find_workbooks([str(folder)])
    with pytest.raises(OutputClashError, match="would both be written to"):
        plan_outputs(files, tmp_path / "out", in_place=False)
    result = run("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"))
    assert result.returncode == 2 and "would both be written to" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.json").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["Team0.xlsx", "team0.xlsx"]  # nothing beside them either
    # an output that would overwrite another input is refused too
    (folder / "Team0.xlsx").unlink()
    (folder / "team0.summary.xlsx").write_bytes(EXAMPLE.read_bytes())
    with pytest.raises(OutputClashError, match="overwrite the input"):
        plan_outputs([folder / "team0.xlsx", folder / "team0.summary.xlsx"], None, in_place=False)


def test_each_status_means_one_thing_in_the_console_the_report_and_the_rollup(tmp_path):
    folder = team_folder(tmp_path / "in", copies=1)
    min_gt_max(folder / "min_gt_max.xlsx")
    (folder / "junk.xlsx").write_bytes(b"PK\x03\x04 truncated")
    report, rollup_path = tmp_path / "report.csv", tmp_path / "rollup.xlsx"
    result = run_wide("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--report", str(report),
                      "--rollup", str(rollup_path))
    assert result.returncode == 2, result.stderr
    statuses = {Path(r["file"]).name: r for r in csv.DictReader(report.open())}
    assert {n: r["status"] for n, r in statuses.items()} == {
        "team0.xlsx": "warnings", "min_gt_max.xlsx": "errors", "junk.xlsx": "unreadable"}
    assert statuses["min_gt_max.xlsx"]["output"].endswith("min_gt_max.summary.xlsx")  # written, with the error
    first_problem = statuses["min_gt_max.xlsx"]["problems"].split(" | ")[0]
    assert "Ranges!E2" in first_problem  # the error first, then the warnings
    assert statuses["junk.xlsx"]["output"] == ""
    out = " ".join(result.stdout.split())
    assert "3 of 3 workbooks: 0 ok, 1 with warnings or reps needing attention, 1 with errors (written, bad cells " \
           "shown as NO DATA), 1 unreadable (nothing written)" in out
    error_line = out.split(" errors: ", 1)[1].split(" unreadable: ")[0]
    assert "Ranges!E2" in error_line and "has no row" not in error_line  # the error, not the first warning
    assert "junk.xlsx" in out.split(" unreadable: ", 1)[1]
    ws = openpyxl.load_workbook(rollup_path)["Rollup"]
    listed = {name for row in ws.iter_rows(min_row=5, values_only=True) if row[-1] for name in row[-1].split(", ")}
    assert listed == {"team0.xlsx", "min_gt_max.xlsx"}
    missing = 3 - len(listed)
    assert f"({missing} could not be read; 1 with errors" in ws["A2"].value


def test_in_place_with_an_error_reports_errors_not_failed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    book = min_gt_max(folder / "min_gt_max.xlsx")
    result = run("batch", str(folder), "--in-place", "--json")
    record = json.loads(result.stdout)["results"][0]
    assert result.returncode == 2 and record["status"] == "errors" and record["output"] == str(book)
    assert "Weekly Summary" in openpyxl.load_workbook(book).sheetnames  # it was written, and says so


def test_bad_batch_arguments_are_refused_with_one_sentence(tmp_path):
    folder = team_folder(tmp_path / "in", copies=1)
    for args, says in ((["--report", str(tmp_path / "report.txt")], ".json or .csv"),
                       (["--rollup", str(tmp_path / "rollup.csv")], "rollup.xlsx"),
                       (["--jobs", "0"], "--jobs"), (["--jobs", "-2"], "--jobs"),
                       (["--report", str(tmp_path / "nowhere" / "r.json")], "does not exist"),
                       (["--report", str(tmp_path)], "is a folder"),
                       (["--out-dir", str(folder / "team0.xlsx")], "is a file")):
        result = run("batch", str(folder), *args)
        assert result.returncode == 2, args
        assert says in " ".join(result.stderr.split()) and "Traceback" not in result.stderr, (args, result.stderr)
    assert sorted(p.name for p in folder.iterdir()) == ["team0.xlsx"]  # nothing was written
    assert not (tmp_path / "report.txt").exists()
    with pytest.raises(ValueError, match="at least 1"):
        run_batch([folder / "team0.xlsx"], jobs=0)


def test_the_lock_file_message_suggests_what_batch_can_do(tmp_path):
    folder = team_folder(tmp_path / "in", copies=1)
    (folder / "~$team0.xlsx").write_bytes(b"owner")
    result = run_wide("batch", str(folder), "--in-place")
    assert result.returncode == 2
    assert "open in Excel" in result.stdout and "without --in-place" in result.stdout
    assert "--out" not in result.stdout


def test_a_rep_off_this_week_is_not_counted_as_needing_attention(make_book):
    from tests.conftest import TRACKING_HEADER, default_ranges_rows

    header = [*TRACKING_HEADER[:TRACKING_HEADER.index("Days Worked")], "Days Worked"]
    rows = [header]
    for k, week in enumerate(("2026-11-02", "2026-11-09", "2026-11-16")):
        rows.append([week, "Ann", "East", "SDR", 60, 150, 12, 4, 2, 1, 1, 900, 5])
        rows.append([week, "Bo", "East", "SDR", *((0,) * 8 if k == 2 else (60, 150, 12, 4, 2, 1, 1, 900)),
                     0 if k == 2 else 5])  # Bo is on holiday in the last week
    book = make_book({"Tracking": rows, "Ranges": default_ranges_rows()}, name="team.xlsx")
    (result,) = run_batch([book], out_dir=book.parent / "out", jobs=1)
    bo = next(line for line in result.lines if line.rep == "Bo")
    assert bo.diagnosis_code == "off" and not bo.on_track
    (east,) = rollup([result])
    assert east.reps == 2 and east.needs_attention == result.needs_attention == 0


def test_the_rollup_never_replaces_a_workbook_that_is_not_a_rollup(tmp_path):
    """--rollup naming an input, an output of the run, or any other existing file is refused before anything is
    written; an earlier rollup is replaced, and a rollup saved among the inputs is not taken for a team's file."""
    folder = team_folder(tmp_path / "teams", copies=2)
    inputs = sorted(folder.iterdir())
    before = {p: p.read_bytes() for p in inputs}
    other = tmp_path / "plan.xlsx"
    other.write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    for target, said in ((inputs[0], "an input of this run"), (out / f"{inputs[1].stem}.summary.xlsx", "an output"),
                         (other, "is not a rollup written by salesmetrics-xl")):
        result = run("batch", str(folder), "--out-dir", str(out), "--rollup", str(target))
        assert result.returncode == 2 and said in " ".join(result.stderr.split()), result.stderr
        assert "Traceback" not in result.stderr and not any(out.iterdir())
    assert {p: p.read_bytes() for p in inputs} == before and other.read_bytes() == EXAMPLE.read_bytes()
    rollup_file = folder / "rollup.xlsx"
    for _ in range(2):  # the second run replaces its own rollup, and does not read it as a team's workbook
        result = run("batch", str(folder), "--out-dir", str(out), "--rollup", str(rollup_file), "--json")
        assert result.returncode in (0, 1), result.stderr
        assert json.loads(result.stdout)["files"] == len(inputs)
    assert openpyxl.load_workbook(rollup_file).sheetnames == ["Rollup"]


def test_a_report_never_replaces_a_file_that_is_not_a_report(tmp_path):
    folder = team_folder(tmp_path / "teams", copies=1)
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("rep,quota\nAna,5000\n")
    result = run("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--report", str(quotas))
    assert result.returncode == 2 and "is not a report written by salesmetrics-xl" in " ".join(result.stderr.split())
    assert quotas.read_text() == "rep,quota\nAna,5000\n" and not (tmp_path / "out").exists()
    for name in ("report.csv", "report.json"):  # an earlier report is replaced on the next run
        for _ in range(2):
            assert run("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--report",
                       str(tmp_path / name)).returncode in (0, 1)
    assert run("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--report", str(quotas),
               "--force").returncode in (0, 1)
    assert quotas.read_text().startswith("file,")


def test_teams_of_the_same_name_in_two_workbooks_stay_two_teams(tmp_path):
    """emea/acme.xlsx and us/acme.xlsx both have East and West: four teams, each named with its file below the
    inputs' common root, the same in the console, --json and the rollup sheet."""
    shared = tmp_path / "shared"
    for region in ("emea", "us"):
        (shared / region).mkdir(parents=True)
        book = openpyxl.load_workbook(EXAMPLE)
        for cell in book["Tracking"]["B"]:
            if cell.value == "Ben Carter" and region == "us":
                cell.value = "Ben Carter (us)"
        book.save(shared / region / "acme.xlsx")
    results = run_batch(find_workbooks([str(shared)]), out_dir=tmp_path / "out", jobs=2)
    teams = rollup(results)
    assert sorted((t.file, t.team) for t in teams) == [("emea/acme.xlsx", "East"), ("emea/acme.xlsx", "West"),
                                                     ("us/acme.xlsx", "East"), ("us/acme.xlsx", "West")]
    assert all(t.reps in (6, 7) for t in teams) and sum(t.reps for t in teams) == 26  # never merged: 13 a file
    out = tmp_path / "rollup.xlsx"
    args = ("batch", str(shared), "--out-dir", str(tmp_path / "o2"), "--rollup", str(out), "--rollup-reps")
    printed = run_wide(*args)
    assert printed.returncode == 1, printed.stderr
    listed = json.loads(run_wide(*args, "--json").stdout)["teams"]
    ws = openpyxl.load_workbook(out)["Rollup"]
    header = [c.value for c in ws[4]]
    assert header[0] == "Team" and header[-1] == "File"
    sheet = [(row[0], row[-1], row[1], row[header.index("SQLs")]) for row in ws.iter_rows(min_row=5, max_row=8,
                                                                                            values_only=True)]
    assert sheet == [(t["team"], t["file"], t["reps"], t["outcomes"]["SQLs"]) for t in listed]
    console = [line.split("│")[1:5] for line in printed.stdout.splitlines() if line.startswith("│")]
    assert [(c[0].strip(), c[1].strip(), int(c[2]), int(c[3])) for c in console] == [
        (t["team"], t["file"], t["reps"], t["on_track"]) for t in listed]
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == "Team" and row[1] == "Rep")
    where = rows[start].index("File")
    reps = {row[1]: row[where] for row in rows[start + 1:]}
    assert reps["Ben Carter"] == "emea/acme.xlsx" and reps["Ben Carter (us)"] == "us/acme.xlsx"


def test_activity_above_its_range_is_not_counted_in_range(tmp_path, make_book):
    """The report and rollup count what the sheet shows: activity above its range is amber, not in range; outcomes
    above theirs are good and count."""
    import datetime as dt

    from salesmetrics_xl.core.metrics import Category

    week = dt.date(2026, 11, 16)
    book = make_book({"Tracking": [["Week", "Rep", "Dials", "SQLs"], [week, "Ann", 100, 3], [week, "Bo", 60, 1]],
                      "Ranges": [["Metric", "Period", "Min", "Max"], ["Dials", "week", 50, 75],
                                 ["SQLs", "week", 1, 2]]})
    (result,) = run_batch([book], out_dir=tmp_path / "out", jobs=1)
    assert result.in_range[Category.ACTIVITY] == 1  # Bo; Ann's 100 dials are above 50-75
    assert result.in_range[Category.OUTCOME] == 2  # Ann's 3 SQLs above 1-2 count, as does Bo's 1


def test_files_that_finish_after_ctrl_c_are_counted_as_they_are_reported(tmp_path, monkeypatch):
    """Ctrl-C while files are running: they finish and are reported, so the progress bar counts them too."""
    import salesmetrics_xl.batch as batch
    from salesmetrics_xl.batch import BatchInterruptedError

    files = sorted(team_folder(tmp_path / "in", copies=4).iterdir())
    real, calls = batch.wait, []

    def ctrl_c_on_the_second_wait(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "wait", ctrl_c_on_the_second_wait)
    done = []
    with pytest.raises(BatchInterruptedError) as stop:
        run_batch(files, out_dir=tmp_path / "out", jobs=1, on_done=done.append)
    assert 2 <= len(stop.value.finished) < 4 and done == stop.value.finished


# ---- the pool: workers as many as the cores and files, big files first, results in the order given ----------------

def test_big_files_start_first_and_the_results_keep_the_order_given(tmp_path):
    from tests.hostile_files import small_book

    folder = tmp_path / "teams"
    folder.mkdir()
    small = small_book(folder / "a_small.xlsx", rows=3)
    big = small_book(folder / "b_big.xlsx", rows=1000)
    middle = folder / "c_example.xlsx"
    middle.write_bytes(EXAMPLE.read_bytes())
    files = [small, middle, big]
    assert small.stat().st_size < middle.stat().st_size < big.stat().st_size, [f.stat().st_size for f in files]
    started, done, workers = [], [], []

    def finished(result):
        import multiprocessing

        done.append(result)
        workers.append(len(multiprocessing.active_children()))

    results = run_batch(files, out_dir=tmp_path / "out", jobs=1, on_start=started.append, on_done=finished)
    assert [Path(p).name for p in started] == ["b_big.xlsx", "c_example.xlsx", "a_small.xlsx"]  # largest first
    assert [Path(r.file).name for r in done] == [Path(p).name for p in started]  # as they finished
    assert [Path(r.file).name for r in results] == ["a_small.xlsx", "c_example.xlsx", "b_big.xlsx"]  # as given
    assert all(r.status in ("ok", "warnings") for r in results), [r.problems for r in results]
    assert max(workers) == 1

    workers.clear()
    results = run_batch(files[:2], out_dir=tmp_path / "out2", jobs=8, on_done=finished)
    assert len(results) == 2 and max(workers) <= 2  # --jobs 8 for two files: two workers, not eight


def test_workers_follow_the_cores_the_process_may_use(tmp_path):
    """taskset (the affinity) and a container's CPU quota both bound the default number of workers."""
    from salesmetrics_xl.batch import _cpu_quota, cores

    code = ("import os; from salesmetrics_xl.batch import cores; os.sched_setaffinity(0, {0}); print(cores())")
    one = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert one.returncode == 0 and one.stdout.strip() == "1", one.stderr
    assert 1 <= cores() <= (os.cpu_count() or 1)

    v2, v1, free = tmp_path / "v2", tmp_path / "v1", tmp_path / "free"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")  # docker --cpus=1.5
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("400000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    free.mkdir()
    (free / "cpu.max").write_text("max 100000\n")
    assert (_cpu_quota(v2), _cpu_quota(v1), _cpu_quota(free), _cpu_quota(tmp_path / "none")) == (2, 4, None, None)


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_the_batch_runs_however_the_platform_starts_workers(tmp_path, method):
    """fork is Linux's default before Python 3.14, a fork server after it, spawn on Windows and macOS: each
    summarises the files (the job must not rely on a fork of the parent)."""
    folder = team_folder(tmp_path / "teams", copies=3)
    code = ("import multiprocessing\n"
            "from pathlib import Path\n"
            "from salesmetrics_xl.batch import find_workbooks, run_batch\n"
            "if __name__ == '__main__':\n"
            f"    multiprocessing.set_start_method({method!r})\n"
            f"    results = run_batch(find_workbooks([{str(folder)!r}]), out_dir=Path({str(tmp_path / 'out')!r}), "
            "jobs=2)\n"
            "    print([r.status for r in results])\n")
    script = tmp_path / "start.py"
    script.write_text(code)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "['warnings', 'warnings', 'warnings']"
    assert len(list((tmp_path / "out").glob("*.summary.xlsx"))) == 3


def test_finding_workbooks_never_inflates_a_huge_workbook_part(tmp_path):
    """Telling a rollup from a team's workbook runs in the batch's own process, before any worker: a workbook.xml
    that inflates to 256 MB is not read there (a crash there would cost the whole batch); its worker
    judges the file."""
    folder = team_folder(tmp_path / "teams", copies=1)
    bomb = folder / "bomb.xlsx"
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info)
            with dst.open(info.filename, "w") as fh:
                if info.filename == "xl/workbook.xml":  # 256 MB of whitespace inside the root element
                    head, tail = data.split(b"<sheets>", 1)
                    fh.write(head)
                    for _ in range(256):
                        fh.write(b" " * (1 << 20))
                    data = b"<sheets>" + tail
                fh.write(data)
    assert zipfile.ZipFile(bomb).getinfo("xl/workbook.xml").file_size > 256 << 20
    code = ("import resource\n"
            "from salesmetrics_xl.batch import find_workbooks\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            f"found = find_workbooks([{str(folder)!r}])\n"
            "grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
            "print(sorted(p.name for p in found), grew // 1024)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    names, grew_mb = result.stdout.rsplit(" ", 1)
    assert names == "['bomb.xlsx', 'team0.xlsx']"
    assert int(grew_mb) < 100, f"finding the workbooks took {grew_mb} MB more"


def test_a_rollup_is_known_by_its_record_in_any_case_and_a_team_workbook_is_not(tmp_path):
    """A batch over a folder asks each workbook whether it is a rollup (a team's workbook is parsed only when it
    names our record at all). Excel compares defined names without regard to case: a rollup whose record was
    re-saved in capitals is still a rollup, and is left out of the teams."""
    from salesmetrics_xl.batch import is_rollup, write_rollup

    (tmp_path / "teams").mkdir()
    ours = write_rollup(tmp_path / "teams" / "rollup.xlsx", [], [], with_reps=False)
    assert is_rollup(ours)
    shouted = tmp_path / "teams" / "shouted.xlsx"
    with zipfile.ZipFile(ours) as src, zipfile.ZipFile(shouted, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                assert b'name="salesmetrics_xl_sheets"' in data
                data = data.replace(b'name="salesmetrics_xl_sheets"', b'name="SALESMETRICS_XL_SHEETS"')
            dst.writestr(info, data)
    assert is_rollup(shouted)
    team = tmp_path / "teams" / "team.xlsx"
    team.write_bytes(EXAMPLE.read_bytes())
    assert not is_rollup(team) and not is_rollup(tmp_path / "missing.xlsx")
    assert [p.name for p in find_workbooks([str(tmp_path / "teams")])] == ["team.xlsx"]
