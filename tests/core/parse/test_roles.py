"""A Role with no range of its own is said once; each Role is kept under one spelling (core/parse/roles.py)."""

import datetime as dt

from salesmetrics_xl.core.parse import WorkbookData, parse_workbook
from salesmetrics_xl.core.workbook import TRACKING


def _roles_book(tracking_roles: list[object], reps: list[list[object]] | None = None) -> WorkbookData:
    header = [c.name for c in TRACKING.columns][:5]
    sheets: dict[str, list[list[object]]] = {
        "Tracking": [header, *([dt.date(2026, 11, 16), f"Rep {i}", "T", role, 45]
                               for i, role in enumerate(tracking_roles))],
        "Ranges": [["Metric", "Period", "Min", "Max", "Role"], ["Dials", "week", 50, 75, None],
                   ["Dials", "week", 20, 40, "SDR"], ["Win Rate", "week", 0.2, None, "AE"]]}
    if reps is not None:
        sheets["Reps"] = [["Rep", "Role"], *reps]
    return parse_workbook(list(sheets), lambda name: sheets[name], "team.xlsx", dt.date(2026, 11, 22))


def test_an_unknown_role_is_said_once_with_its_first_cell_and_the_known_roles():
    data = _roles_book(["SDR", "S.D.R.", " sdr ", "S.D.R.", "Manager", None, "Ventes", "Vèntes"])
    found = [p for p in data.problems if p.code == "unknown-role"]
    assert [(p.severity.value, p.sheet, p.cell) for p in found] == [
        ("warning", "Tracking", "D3"), ("note", "Tracking", "D6"), ("note", "Tracking", "D8"),
        ("note", "Tracking", "D9")]
    assert found[0].file == "team.xlsx"
    assert found[0].message == ("the Role 'S.D.R.' has no range of its own in Ranges (Roles there: SDR, AE), so its "
                                "rows are judged by the general range of Dials, Win Rate; did you mean 'SDR'?")
    assert "did you mean" not in found[1].message and "'Manager'" in found[1].message
    # the core judges them so: S.D.R. by the general 50-75, " sdr " by the SDR's own 20-40
    assert data.ranges.lookup("Dials", role="S.D.R.") == data.ranges.lookup("Dials") != data.ranges.lookup(
        "Dials", role=" sdr ")


def test_roles_from_the_reps_sheet_are_checked_too_and_no_role_ranges_means_no_finding():
    data = _roles_book([None, None], reps=[["Rep 0", "SDR"], ["rep  1", "AE "], ["Rep 9", "S.D.R"]])
    found = [(p.sheet, p.cell, p.severity.value) for p in data.problems if p.code == "unknown-role"]
    assert found == [("Reps", "B4", "warning")]
    assert list(data.tracking.frame["Role"]) == ["SDR", "AE"]  # "rep  1" is Rep 1, as MATCH on TRIM finds it
    sheets = {"Tracking": [["Week", "Rep", "Role", "Dials"], [dt.date(2026, 11, 16), "Ann", "Whatever", 3]],
              "Ranges": [["Metric", "Min", "Max"], ["Dials", 50, 75]]}
    plain = parse_workbook(list(sheets), lambda name: sheets[name], "team.xlsx", dt.date(2026, 11, 22))
    assert not [p for p in plain.problems if p.code == "unknown-role"]


def test_roles_that_differ_in_letters_are_different_roles_and_spacing_does_not_count():
    sheets = {"Tracking": [["Week", "Rep", "Dials"], [dt.date(2026, 11, 16), "Ann", 3]],
              "Ranges": [["Metric", "Min", "Max", "Role"], ["Dials", 1, 2, "Продажи"], ["Dials", 3, 4, "Маркетинг"],
                         ["Dials", 5, 6, "Vèntes"], ["Dials", 7, 8, "Vàntes"], ["Dials", 9, 9, "S  D R"],
                         ["Dials", 9, 9, " s d r"]]}
    data = parse_workbook(list(sheets), lambda name: sheets[name], "team.xlsx", dt.date(2026, 11, 22))
    assert [r.role for r in data.ranges.rules] == ["Продажи", "Маркетинг", "Vèntes", "Vàntes", "S D R"]
    assert [p.cell for p in data.problems if p.code == "bad-range"] == ["A7"]  # " s d r" is "S  D R" again
    assert data.ranges.lookup("Dials", role="маркетинг").min == 3


def test_each_role_has_one_spelling_for_what_groups_reps_by_role():
    """" sdr " and "SDR" are one role for the ranges and the formulas, so they are one group for the baseline and
    the funnel too: the Ranges row's spelling, else the most common one in Tracking. "S.D.R." stays apart."""
    data = _roles_book([" sdr ", "SDR", "sdr", "S.D.R.", "ae", "Ae ", "ae", None, "   "])
    assert list(data.tracking.frame["Role"]) == ["SDR", "SDR", "SDR", "S.D.R.", "AE", "AE", "AE", None, None]
    data = _roles_book(["Closer", "closer ", "CLOSER", "CLOSER"])
    assert set(data.tracking.frame["Role"]) == {"CLOSER"}
