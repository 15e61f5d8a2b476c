"""check_workbook(), the library call behind `salesmetrics check`: one report per workbook, never an exception for
a bad file, never a write."""

import json

import pytest

from salesmetrics_xl.check import CheckReport, check_workbook
from salesmetrics_xl.core.problems import Severity
from tests.conftest import EXAMPLE, default_ranges_rows
from tests.helpers import GOOD


def test_the_example_has_warnings_and_the_latest_weeks_values_out_of_range():
    before = EXAMPLE.read_bytes()
    report = check_workbook(EXAMPLE)
    assert (report.status, report.exit_code, report.errors) == ("warnings", 1, 0)
    assert (report.reps, report.weeks, report.first_week, report.latest_week) == (13, 26, "2026-W22", "2026-W47")
    assert report.ranges == 13 and report.warnings == len(report.problems)
    messages = [p.message for p in report.problems]
    assert "Emma Rossi has no row for the week of 2026-10-12" in messages
    assert any(m.startswith("Grace Okafor: Dials 92 is above its range of 50–75") for m in messages)
    assert EXAMPLE.read_bytes() == before


def test_a_clean_workbook_is_ok(make_book):
    report = check_workbook(make_book({"Tracking": GOOD, "Ranges": default_ranges_rows()}))
    assert (report.status, report.exit_code, report.problems) == ("ok", 0, [])
    assert (report.reps, report.weeks, report.first_week, report.latest_week) == (2, 2, "2026-W46", "2026-W47")


def test_a_file_that_is_not_a_workbook_is_its_reports_error(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    report = check_workbook(bad)
    assert (report.status, report.exit_code, report.errors, report.reps) == ("errors", 2, 1, 0)
    assert report.problems[0].code == "not-a-workbook" and report.problems[0].file == str(bad)
    assert report.latest_week is None


def test_a_bug_on_one_file_is_said_for_that_file(monkeypatch, tmp_path):
    """The guard that lets `check a.xlsx b.xlsx` go on past a bug: the sentence names no Python, asks for --debug."""
    from salesmetrics_xl import reader

    def broken(*args, **kwargs):
        raise KeyError("Dials")

    monkeypatch.setattr(reader, "read_workbook", broken)
    report = check_workbook(EXAMPLE)
    assert (report.exit_code, report.problems[0].code, report.problems[0].severity) == (2, "unexpected",
                                                                                        Severity.ERROR)
    assert "run it again with --debug" in report.problems[0].message


@pytest.mark.parametrize("sheet", ["Weekly", None])
def test_a_named_tracking_sheet_is_read(make_book, sheet):
    book = make_book({sheet or "Tracking": GOOD, "Ranges": default_ranges_rows()})
    report = check_workbook(book, tracking_sheet=sheet)
    assert report.exit_code == 0 and report.reps == 2


def test_the_json_fields_are_the_report_fields():
    assert list(check_workbook(EXAMPLE).model_dump(mode="json")) == list(CheckReport.model_fields)


def test_the_jobs_are_importable_from_the_package_without_loading_pandas_first():
    import subprocess
    import sys

    code = ("import sys, salesmetrics_xl; assert 'pandas' not in sys.modules; "
            "from salesmetrics_xl import baseline_workbook, check_workbook, summarise_workbook; "
            "print(check_workbook.__module__, baseline_workbook.__module__, summarise_workbook.__module__)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert shown.stdout.split() == ["salesmetrics_xl.check", "salesmetrics_xl.baseline", "salesmetrics_xl.summarise"]


def test_a_missing_sheet_speaks_of_the_workbook_and_the_command_line_adds_its_option(make_book):
    """The library's sentence names the workbook's own ways (a defined name, a Settings row) and the setting;
    only the command line adds its flag."""
    from tests.helpers import invoke

    path = make_book({"Sheet1": [["hello"]]})
    report = check_workbook(path)
    tracking, ranges = sorted((p for p in report.problems if p.code == "missing-sheet"), key=lambda p: p.severity)
    assert (tracking.setting, ranges.setting) == ("tracking_sheet", "ranges_sheet")
    assert "--" not in tracking.message + ranges.message and "salesmetrics_tracking" in tracking.message
    shown = " ".join(invoke("check", str(path)).stdout.split())
    assert "or --tracking-sheet NAME" in shown and "or --ranges-sheet NAME" in shown
    (record,) = json.loads(invoke("check", str(path), "--json").stdout)
    assert {p["setting"] for p in record["problems"] if p["code"] == "missing-sheet"} == {"tracking_sheet",
                                                                                          "ranges_sheet"}
