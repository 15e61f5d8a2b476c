"""The command line as a user runs it: a real process, real files, exit codes and output."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salesmetrics_xl", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_check_the_example_exits_1_with_its_warnings_and_leaves_the_file_alone():
    before = EXAMPLE.read_bytes()
    result = run("check", str(EXAMPLE))
    assert result.returncode == 1, result.stderr
    assert "Emma Rossi has no row for the week of 2026-10-12" in result.stdout
    assert "Grace Okafor: Dials 92 is above its range of 50–75" in result.stdout
    assert EXAMPLE.read_bytes() == before


def test_check_json_has_one_stable_object_per_file(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    result = run("check", "--json", str(EXAMPLE), str(bad))
    assert result.returncode == 2
    records = json.loads(result.stdout)
    assert [r["status"] for r in records] == ["warnings", "errors"]
    assert records[0]["latest_week"] == "2026-W47" and records[0]["reps"] == 12
    assert set(records[0]) == {"file", "reps", "weeks", "first_week", "latest_week", "ranges", "status",
                               "exit_code", "errors", "warnings", "problems"}
    assert set(records[0]["problems"][0]) == {"severity", "code", "message", "file", "sheet", "cell"}
    assert records[1]["problems"][0]["code"] == "not-a-workbook"
    assert "Traceback" not in result.stdout + result.stderr


def test_check_a_clean_workbook_exits_0(make_book):
    from tests.test_reader import GOOD, default_ranges_rows

    result = run("check", str(make_book({"Tracking": GOOD, "Ranges": default_ranges_rows()})))
    assert result.returncode == 0 and "ok: 0 error(s), 0 warning(s)" in result.stdout


def test_a_new_template_checks_with_a_no_data_warning(tmp_path):
    path = tmp_path / "new.xlsx"
    assert run("init", str(path)).returncode == 0
    result = run("check", str(path))
    assert result.returncode == 1 and "no tracking rows yet" in result.stdout


def test_init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    result = run("init", str(path))
    assert result.returncode == 2 and "--force" in result.stderr
    assert path.read_bytes() == b"precious"


def test_help_everywhere():
    for args in (["--help"], ["check", "--help"], ["init", "--help"]):
        assert run(*args).returncode == 0
