"""The main job, as a library call: read a tracking workbook, summarise a week, write our sheets into a copy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from salesmetrics_xl.core.defaults import WEEKS
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, exit_code, stop_on_missing_sheet
from salesmetrics_xl.core.summary import WeeklySummary, build_summary
from salesmetrics_xl.core.workbook import SUMMARY_SHEET
from salesmetrics_xl.layouts.evaluation import live_layout
from salesmetrics_xl.layouts.sheet import WorkbookLayout
from salesmetrics_xl.layouts.summary import Formulas, summary_sheet, workbook_layout
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.xlsx import output_path, write_workbook
from salesmetrics_xl.xlsx.writer import WorkbookWriter, begin_workbook


@dataclass
class SummaryRun:
    source: Path
    output: Path
    summary: WeeklySummary
    problems: list[Problem]  # everything the reader found, not only this week's
    checked: list[str] = field(default_factory=list)  # the user's sheets that got our range checks, by their names

    @property
    def exit_code(self) -> int:
        """2 errors, 1 warnings or reps needing attention, 0 all clean and on track."""
        code = exit_code(self.problems)
        return code or (1 if self.summary.needs_attention else 0)


def summarise_workbook(source: Path, week: dt.date | None = None, out: Path | None = None, in_place: bool = False,
                       formulas: Formulas = "native", today: dt.date | None = None,
                       tracking_sheet: str | None = None, ranges_sheet: str | None = None,
                       window: int = WEEKS, force: bool = False) -> SummaryRun:
    """Raises WorkbookError when the workbook cannot be summarised at all (unreadable, no Tracking data)."""
    data = read_workbook(source, today=today, tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet)
    stop_on_missing_sheet(data.problems)
    if data.tracking is None or data.tracking.frame.empty:
        blocking = [p for p in data.problems if p.severity is Severity.ERROR] or [Problem(
            severity=Severity.ERROR, code="no-data", file=str(source), sheet=data.tracking.sheet if data.tracking
            else None, message="no tracking rows to summarise yet: add one row per rep per week (Week, Rep and "
                                   "the week's numbers), then run it again")]
        raise WorkbookError(blocking[0])
    try:  # the big parts no judging decides, prepared on the writer's threads while the week is judged
        live = live_layout(data.tracking, data.ranges, formulas)
        begun: WorkbookWriter | None = begin_workbook(source, live, later=[SUMMARY_SHEET])
    except Exception:  # said in the order the one-step run says it, after the judging (workbook_layout below)
        begun = None
    try:
        try:
            summary = build_summary(data.tracking, data.ranges, data.problems, week=week, title=source.stem,
                                    window=window)
        except ValueError as exc:
            raise WorkbookError(Problem(severity=Severity.ERROR, code="bad-week", message=str(exc),
                                        file=str(source), sheet=data.tracking.sheet)) from None
        target = output_path(source, out, in_place, force=force)
        problems = list(data.problems)
        if begun is None:
            layout = workbook_layout(summary, data.tracking, data.ranges, formulas)
            write_workbook(source, layout, target, problems)
        else:
            layout = live
            layout.sheets[0] = summary_sheet(summary)
            write_workbook(source, WorkbookLayout([layout.sheets[0]]), target, problems, begun=begun)
    finally:
        if begun is not None:
            begun.close()
    return SummaryRun(source, target, summary, problems, [edit.name for edit in layout.edits])
