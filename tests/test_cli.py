"""The command line as a user runs it: real files, exit codes and output. Most commands run in this process
through Typer's runner (the same parsing, printing and exit codes); a few run as real processes, for what only a
process shows: `python -m salesmetrics_xl`, the `salesmetrics` script, the exit code a shell sees."""

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl import __version__
from tests.conftest import EXAMPLE, default_ranges_rows
from tests.helpers import GOOD, full_reps, invoke, run

# ---- real processes ---------------------------------------------------------------------------------------------


def test_check_the_example_exits_1_with_its_warnings_and_leaves_the_file_alone():
    before = EXAMPLE.read_bytes()
    result = run("check", str(EXAMPLE))
    assert result.returncode == 1, result.stderr
    assert "Emma Rossi has no row for the week of 2026-10-12" in result.stdout
    assert "Grace Okafor: Dials 92 is above its range of 50–75" in result.stdout
    assert EXAMPLE.read_bytes() == before


def test_a_process_exits_2_on_bad_input_and_json_still_prints_the_error(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    result = run("summary", str(bad), "--json")
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    record = json.loads(result.stdout)
    assert record["exit_code"] == 2 and record["file"] == str(bad) and record["error"]["code"] == "not-a-workbook"
    assert run("summary", str(EXAMPLE), "--formulas", "vba").returncode == 2  # a bad option: exit 2 too


def test_the_salesmetrics_script_and_python_m_start_the_same_command_line():
    script = Path(sys.executable).with_name("salesmetrics")
    if not script.exists():
        pytest.skip("the salesmetrics script is not installed beside this Python")
    shown = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=600)
    assert shown.returncode == 0 and shown.stdout.strip() == f"salesmetrics-xl {__version__}"
    for args in (["--help"], ["check", "--help"]):
        assert run(*args).returncode == 0
    assert "Usage: salesmetrics" in run("--help").stdout


def test_a_bug_is_one_sentence_and_exit_2_and_json_still_prints_json(tmp_path):
    """The guard in `run()`, the console script's entry point: a bug (here a summary job that raises) is a
    sentence asking for --debug, exit 2, never a traceback; with --json the error is JSON."""
    code = ("import sys, salesmetrics_xl.summarise as job\n"
            "def broken(*args, **kwargs): raise KeyError('Dials')\n"
            "job.summarise_workbook = broken\n"
            f"sys.argv = ['salesmetrics', 'summary', {str(EXAMPLE)!r}, '--out', {str(tmp_path / 'x.xlsx')!r}, "
            "*sys.argv[1:]]\n"
            "from salesmetrics_xl.cli import run\nrun()\n")
    for extra in ([], ["--json"]):
        result = subprocess.run([sys.executable, "-c", code, *extra], capture_output=True, text=True, timeout=600)
        assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
        assert "unexpected error (KeyError: 'Dials'); run it again with --debug" in " ".join(result.stderr.split())
    record = json.loads(result.stdout)
    error = {"severity": "error", "code": "unexpected", "message": record["error"]["message"], "file": "",
             "sheet": None, "cell": None, "setting": None}
    assert record == {"file": None, "exit_code": 2, "error": error}
    assert not (tmp_path / "x.xlsx").exists()


# ---- in this process --------------------------------------------------------------------------------------------


def test_check_json_has_one_stable_object_per_file(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    result = invoke("check", "--json", str(EXAMPLE), str(bad))
    assert result.returncode == 2
    records = json.loads(result.stdout)
    assert [r["status"] for r in records] == ["warnings", "errors"]
    assert records[0]["latest_week"] == "2026-W47" and records[0]["reps"] == 13
    assert list(records[0]) == ["file", "reps", "weeks", "first_week", "latest_week", "ranges", "status",
                                "exit_code", "errors", "warnings", "problems"]
    assert set(records[0]["problems"][0]) == {"severity", "code", "message", "file", "sheet", "cell",
                                                  "setting"}
    assert records[1]["problems"][0]["code"] == "not-a-workbook"
    assert "Traceback" not in result.stdout + result.stderr


def test_check_a_clean_workbook_exits_0(make_book):
    result = invoke("check", str(make_book({"Tracking": GOOD, "Ranges": default_ranges_rows()})))
    assert result.returncode == 0 and "ok: 0 error(s), 0 warning(s)" in result.stdout


def test_a_new_template_checks_with_a_no_data_warning(tmp_path):
    path = tmp_path / "new.xlsx"
    assert invoke("init", str(path)).returncode == 0
    result = invoke("check", str(path))
    assert result.returncode == 1 and "no tracking rows yet" in result.stdout


def test_init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    result = invoke("init", str(path))
    assert result.returncode == 2 and "--force" in result.stderr
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize("command", ["", "check", "summary", "baseline", "batch", "init", "addin", "addin install"])
def test_help_everywhere(command):
    result = invoke(*command.split(), "--help")
    assert result.returncode == 0 and result.stdout.startswith(f"Usage: salesmetrics {command}".rstrip() + " ")


def test_summary_writes_beside_the_input_and_never_touches_it(tmp_path):
    source = tmp_path / "acme.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    result = invoke("summary", str(source))
    assert result.returncode == 1, result.stderr  # three reps need attention
    assert "week 2026-W47" in result.stdout
    # one line per rep: verdict, focus, next action; the detail only with --detail
    ben = next(line for line in result.stdout.splitlines() if line.startswith("Ben Carter"))
    assert "Off track" in ben and "Messaging" in ben and "Qualifying: 2.6%" in ben
    assert "Leak:" not in result.stdout
    assert (tmp_path / "acme.summary.xlsx").exists()
    assert source.read_bytes() == EXAMPLE.read_bytes()
    # every rep has their line, the on-track ones too
    assert sum(line.startswith(("Chloe Nguyen", "Keisha Brown", "Ben Carter")) for line in result.stdout.splitlines()) \
        == 3
    detail = invoke("summary", str(source), "--out", str(tmp_path / "detail.xlsx"), "--detail")
    assert "Leak: Qualification Rate 2.6% over the last 8 weeks" in " ".join(detail.stdout.split())


def test_summary_names_the_sheets_it_added_range_checks_to_and_counts_only_what_the_sheet_lists(tmp_path):
    """The last lines say what was written where, in the workbook's own sheet names: a team's "Activity Log" is
    named as such, and a workbook with no ranges sheet (judged by the default ranges) is not told its Ranges sheet
    got checks. The missing sheet's warning is the workbook's, and the count of problems says where they are."""
    book = openpyxl.load_workbook(EXAMPLE)
    book["Tracking"].title = "Activity Log"
    del book["Ranges"]
    source = tmp_path / "team.xlsx"
    book.save(source)
    result = invoke("summary", str(source), "--tracking-sheet", "Activity Log")
    said = " ".join(result.stdout.split())
    assert "range checks on the 'Activity Log' sheet" in said, said[-600:]
    assert "'Activity Log' and" not in said and "Tracking and Ranges" not in said
    assert "listed on the Weekly Summary sheet" in said and "in this week's rows" not in said
    wrote = openpyxl.load_workbook(tmp_path / "team.summary.xlsx", read_only=True)
    assert "Ranges" not in wrote.sheetnames and "Activity Log" in wrote.sheetnames


def test_summary_json_and_week(tmp_path):
    result = invoke("summary", str(EXAMPLE), "--week", "2026-W40", "--out", str(tmp_path / "w40.xlsx"), "--json")
    record = json.loads(result.stdout)
    assert record["summary"]["week_label"] == "2026-W40" and record["output"].endswith("w40.xlsx")
    assert record["exit_code"] == result.returncode
    assert {"rep", "diagnosis", "verdict", "values", "changes"} <= set(record["summary"]["reps"][0])
    for rep in full_reps(record["summary"]):  # the decision once: its parts, never the paragraph again
        assert "diagnosis_headline" not in rep and rep["diagnosis"] in record["summary"]["diagnoses"]
        # a monthly outcome (no weekly range) has its paced status, as the sheet judges it, never NO RANGE
        if rep.get("row") is not None and rep["verdict"] != "Off this week":
            assert rep["statuses"]["Deals Won"] in ("BELOW", "IN RANGE", "ABOVE", "NO DATA")
            assert rep["statuses"]["Deals Won"] == rep["judged"]["Deals Won"]
    # each funnel says how many top performers it is compared with, once per role, not their names again
    roles = record["summary"]["roles"]
    assert roles and all(isinstance(r["top_reps"], int) for r in roles)
    assert any("funnel" in r for r in record["summary"]["reps"])


def test_summary_bad_input_exits_2_without_a_traceback(tmp_path):
    for args in (["--week", "2031-W10"], ["--week", "someday"], ["--formulas", "vba"], ["--window", "0"]):
        result = invoke("summary", str(EXAMPLE), "--out", str(tmp_path / "x.xlsx"), *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr + result.stdout, args
    assert not (tmp_path / "x.xlsx").exists()


def test_summary_in_place_refused_while_excel_has_it_open(tmp_path):
    source = tmp_path / "team.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "~$team.xlsx").write_bytes(b"owner")
    result = invoke("summary", str(source), "--in-place")
    assert result.returncode == 2 and "open in Excel" in result.stderr
    assert source.read_bytes() == EXAMPLE.read_bytes()


def test_summary_out_that_is_the_input_is_refused_naming_in_place(tmp_path):
    source = tmp_path / "team.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    for out in (str(source), "team.xlsx", "./sub/../team.xlsx"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = invoke("summary", str(source), "--out", out, cwd=tmp_path)
        assert result.returncode == 2 and "--in-place" in result.stderr and "Traceback" not in result.stderr, out
    assert source.read_bytes() == EXAMPLE.read_bytes()


def test_a_missing_folder_a_folder_for_a_file_or_a_folder_for_an_output_is_one_sentence(tmp_path):
    folder = tmp_path / "teams"
    folder.mkdir()
    team = tmp_path / "team.xlsx"
    team.write_bytes(EXAMPLE.read_bytes())
    cases = [
        (["init", str(tmp_path / "nodir" / "x.xlsx")], "does not exist"),
        (["init", str(folder)], "is a folder"),
        (["check", str(folder)], "is a folder"),
        (["check", str(tmp_path / "nodir" / "x.xlsx")], "does not exist"),
        (["summary", str(folder)], "is a folder"),
        (["summary", str(tmp_path / "nodir" / "x.xlsx")], "does not exist"),
        (["summary", str(team), "--out", str(folder)], "is a folder"),
        (["summary", str(team), "--out", str(tmp_path / "nodir" / "x.xlsx")], "does not exist"),
        (["baseline", str(folder)], "is a folder"),
        (["baseline", str(tmp_path / "nodir" / "x.xlsx")], "does not exist"),
        (["baseline", str(team), "--write", "--out", str(folder), "--as-of", "2026-11-22"], "is a folder"),
        (["batch", str(team), "--rollup", str(folder)], "is a folder"),
        (["batch", str(team), "--report", str(tmp_path / "nodir" / "r.json")], "does not exist"),
    ]
    for args, says in cases:
        result = invoke(*args)
        said = " ".join((result.stderr + result.stdout).split())
        assert result.returncode == 2 and says in said and "Traceback" not in said, (args, said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx", "teams"]  # nothing written anywhere
    assert list(folder.iterdir()) == []


def test_an_existing_file_is_replaced_only_when_ours_or_forced(tmp_path):
    """A mistyped --out never costs a workbook: a file salesmetrics-xl did not write is refused (exit 2, untouched)
    unless --force; our own earlier output is replaced on the next run, as a weekly re-run needs."""
    source = tmp_path / "team.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    precious = tmp_path / "plan.xlsx"
    precious.write_bytes(EXAMPLE.read_bytes())
    for command in (["summary"], ["baseline", "--write"]):
        result = invoke(*command, str(source), "--out", str(precious))
        assert result.returncode == 2 and "was not written by salesmetrics-xl" in " ".join(result.stderr.split())
        assert precious.read_bytes() == EXAMPLE.read_bytes()
    assert invoke("summary", str(source), "--out", str(precious), "--force").returncode == 1
    assert "Weekly Summary" in openpyxl.load_workbook(precious).sheetnames
    for _ in range(2):  # the default output, twice: the second run replaces the first
        assert invoke("summary", str(source)).returncode == 1
    assert invoke("baseline", str(source), "--write", "--out", str(precious)).returncode in (0, 1)  # ours by now


def test_baseline_json_names_the_changes_and_the_suggestions_with_no_row(tmp_path):
    source = tmp_path / "team.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    result = invoke("baseline", str(source), "--as-of", "2026-11-22", "--dry-run", "--json")
    record = json.loads(result.stdout)
    assert list(record) == ["file", "output", "exit_code", "baselines", "dry_run", "changes", "not_applied",
                            "problems"]
    assert record["exit_code"] == result.returncode and record["output"] is None and record["dry_run"] is True
    assert record["changes"] and all("new" not in c for c in record["changes"])
    assert all(next(iter(m)) == "role" for m in record["not_applied"])
    assert source.read_bytes() == EXAMPLE.read_bytes() and sorted(os.listdir(tmp_path)) == ["team.xlsx"]


def test_a_stopping_error_in_json_is_the_error_and_the_file(tmp_path):
    result = invoke("baseline", str(EXAMPLE), "--as-of", "2020-01-06", "--json")
    record = json.loads(result.stdout)
    assert result.returncode == 2 and list(record) == ["file", "exit_code", "error"]
    assert record["error"]["code"] == "bad-input" and "no complete weeks" in record["error"]["message"]


def test_a_big_team_prints_the_reps_who_need_attention_first_and_says_who_is_left(make_book):
    """A terminal shows the first 20 reps who need attention and a line for the rest; --all and --json keep all."""
    from tests.helpers import TRACKING_HEADER, W1, W2

    rows = [TRACKING_HEADER]
    for week in (W1, W2):
        rows += [[week, f"Low {i:02}", "East", "SDR", 10, 10, 1, 0, 0, 0, 0, 0] for i in range(23)]
        rows += [[week, f"Good {i:02}", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900] for i in range(5)]
    book = make_book({"Tracking": rows, "Ranges": default_ranges_rows()})
    result = invoke("summary", str(book), "--force")
    assert result.returncode == 1, result.stdout
    names = [f"Low {i:02}" for i in range(23)] + [f"Good {i:02}" for i in range(5)]
    lines = result.stdout.splitlines()
    assert sum(any(line.startswith(n) for line in lines) for n in names) == 20  # everyone is off track here
    assert "and 8 more who need attention, 0 on track or off this week" in " ".join(result.stdout.split())
    every = invoke("summary", str(book), "--force", "--all").stdout.splitlines()
    assert all(any(line.startswith(n) for line in every) for n in names)
    assert "more who need" not in " ".join(every)
    record = json.loads(invoke("summary", str(book), "--force", "--json").stdout)
    assert len(record["summary"]["reps"]) == 28


def test_a_mistyped_ranges_sheet_stops_before_judging_anyone_against_the_defaults(tmp_path):
    source = tmp_path / "team.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    for command in (["summary", str(source)], ["baseline", str(source), "--write"]):
        result = invoke(*command, "--ranges-sheet", "Nope")
        assert result.returncode == 2 and "no sheet named 'Nope'" in " ".join(result.stderr.split())
        assert "Verdict" not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx"]  # nothing written


def test_a_ranges_sheet_with_no_rows_asks_for_ranges_not_for_numbers(make_book):
    book = make_book({"Tracking": GOOD, "Ranges": default_ranges_rows()[:1]})
    shown = " ".join(invoke("summary", str(book), "--force").stdout.split())
    assert "Set ranges in the Ranges sheet: none applies to this rep" in shown
    assert "2 with no range that applies (Ann, Bob)" in shown and "Fill in this week's numbers" not in shown
    checked = json.loads(invoke("check", str(book), "--json").stdout)[0]
    assert checked["exit_code"] == 1 and [p["code"] for p in checked["problems"]] == ["no-ranges"]


def test_a_big_team_of_reps_to_watch_shows_them_and_json_names_problems_once(make_book):
    from tests.helpers import TRACKING_HEADER, W1, W2

    rows = [TRACKING_HEADER] + [[week, f"Rep {i:02}", "East", "SDR", 92, 120, 12, 4, 3, 2, 2, 1800]
                                for week in (W1, W2) for i in range(22)]  # on track, dials above the range
    book = make_book({"Tracking": rows, "Ranges": default_ranges_rows()})
    lines = invoke("summary", str(book), "--force").stdout.splitlines()
    assert sum(line.startswith("Rep ") and "Watch" in line for line in lines) == 20
    record = json.loads(invoke("summary", str(book), "--force", "--json").stdout)
    places = record["summary"]["problems"]
    assert all(isinstance(i, int) and 0 <= i < len(record["problems"]) for i in places)


def test_a_pace_the_week_cannot_know_is_never_quoted(make_book):
    """SQLs showing #DIV/0! this week is NO DATA: the next action never says "SQLs on course for ..."."""
    rows = [list(r) for r in GOOD]
    rows[3][8] = "#DIV/0!"  # Ann's SQLs in the latest week
    record = json.loads(invoke("summary", str(make_book({"Tracking": rows, "Ranges": default_ranges_rows()})),
                               "--force", "--json").stdout)
    ann = next(r for r in record["summary"]["reps"] if r["rep"] == "Ann")
    assert "SQLs on course" not in ann["action"]
    assert any(p["code"] == "error-value" and p["cell"] == "I4" for p in record["problems"])


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["summary"], ["no-such-command"]])
def test_a_caller_of_the_entry_point_gets_its_garbage_collector_back(monkeypatch, capsys, argv):
    """run() pauses the collector while a command's modules load; an exit before any command starts (help, version,
    a usage error) must not leave a program that catches the exit without one."""
    import gc

    from salesmetrics_xl.cli import run

    threshold = gc.get_threshold()
    monkeypatch.setattr(sys, "argv", ["salesmetrics", *argv])
    try:
        with pytest.raises(SystemExit):
            run()
        assert gc.isenabled()
    finally:
        gc.unfreeze()  # run() froze what existed at the exit: give this test process its objects back
        gc.enable()
        gc.set_threshold(*threshold)
