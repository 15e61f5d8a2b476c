"""The rollup's team lines (core/rollup.py): what a team's main break says."""

from salesmetrics_xl.core.diagnosis import OFF_WEEK
from salesmetrics_xl.core.metrics import Category
from salesmetrics_xl.core.rollup import FileResult, RepLine, rollup


def _line(rep: str, code: str, on_track: bool, focus: str = "") -> RepLine:
    return RepLine(rep=rep, team="East", outcomes={}, in_range={c: on_track for c in Category}, diagnosis_code=code,
                   diagnosis_headline="", diagnosis="", on_track=on_track, busy_not_producing=False, focus=focus)


def test_a_team_all_off_this_week_is_not_called_on_track():
    off = FileResult(file="/t/off.xlsx", status="ok", lines=[_line("Ann", OFF_WEEK.code, False),
                                                                _line("Bo", OFF_WEEK.code, False)])
    on = FileResult(file="/t/on.xlsx", status="ok", lines=[_line("Cy", "in-range", True)])
    behind = FileResult(file="/t/behind.xlsx", status="ok", lines=[_line("Di", "effort", False, "Messaging")])
    breaks = {t.file: t.main_break for t in rollup([off, on, behind])}
    assert breaks == {"off.xlsx": "Off this week", "on.xlsx": "On track", "behind.xlsx": "Messaging"}
