"""baseline_workbook(), the library call behind `salesmetrics baseline`: the baseline, and the sheet and the
Ranges edit only when asked for, in a copy unless in place."""

import datetime as dt

import openpyxl
import pytest

from salesmetrics_xl.baseline import baseline_workbook
from salesmetrics_xl.core.defaults import SettingError
from salesmetrics_xl.core.problems import WorkbookError
from tests.conftest import EXAMPLE

AS_OF = dt.date(2026, 11, 22)  # the example's last week (of the 16th) is not complete yet


@pytest.fixture
def team(tmp_path):
    path = tmp_path / "team.xlsx"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def test_a_baseline_alone_writes_nothing(team):
    report = baseline_workbook(team, as_of=AS_OF)
    assert report.output is None and report.plan is None and report.changes == []
    assert [p.name for p in team.parent.iterdir()] == ["team.xlsx"] and team.read_bytes() == EXAMPLE.read_bytes()
    (b,) = report.baselines
    assert b.weeks[-1] == "2026-W46" and len(b.weeks) == 8 and b.top_reps
    assert report.exit_code == (1 if b.unreachable else 0)
    assert report.label("Dials") == "Dials" and report.label("not a metric") == "not a metric"


def test_write_adds_the_suggested_ranges_sheet_to_a_copy(team):
    report = baseline_workbook(team, write=True, as_of=AS_OF, now=dt.datetime(2026, 11, 23, 9))
    assert report.output == str(team.with_name("team.baseline.xlsx"))
    assert "Suggested Ranges" in openpyxl.load_workbook(report.output).sheetnames
    assert team.read_bytes() == EXAMPLE.read_bytes()


def test_dry_run_plans_every_row_and_writes_nothing(team):
    report = baseline_workbook(team, apply=True, dry_run=True, as_of=AS_OF)
    assert report.output is None and report.plan is not None and report.dry_run
    assert len(report.changes) == len(report.plan.changes) and any(c.after for c in report.changes)
    assert all("new" not in c for c in report.model_dump(mode="json")["changes"])
    assert [p.name for p in team.parent.iterdir()] == ["team.xlsx"]


def test_apply_in_place_writes_the_changes_into_the_ranges_table(team):
    report = baseline_workbook(team, apply=True, in_place=True, as_of=AS_OF)
    assert report.output == str(team)
    changed = {c.cell for c in report.changes if c.after}
    assert changed
    notes = [str(c.value) for row in openpyxl.load_workbook(team)["Ranges"].iter_rows() for c in row
             if isinstance(c.value, str) and "before 2026-11-22 (salesmetrics baseline)" in c.value]
    assert len(notes) == len(changed)


@pytest.mark.parametrize(("kwargs", "setting", "says"), [
    ({"weeks": 0}, "weeks", "at least 1"),
    ({"top": 1.5}, "top", "share of reps counted as top performers"),
])
def test_a_setting_out_of_bounds_names_the_setting_not_a_flag(team, kwargs, setting, says):
    """The library speaks of the setting; each face adds how the user gave it (the CLI its --flag)."""
    with pytest.raises(SettingError) as caught:
        baseline_workbook(team, **kwargs)
    assert caught.value.setting == setting and says in str(caught.value) and "--" not in str(caught.value)


def test_no_complete_week_is_one_workbook_error(team):
    with pytest.raises(WorkbookError) as caught:
        baseline_workbook(team, as_of=dt.date(2020, 1, 6))
    assert caught.value.problem.code == "bad-input" and "no complete weeks" in caught.value.problem.message
    assert caught.value.problem.file == str(team)


def test_an_unreadable_file_is_a_workbook_error(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookError) as caught:
        baseline_workbook(bad)
    assert caught.value.problem.code == "not-a-workbook"
