"""The main job, as a library call: read a tracking workbook, summarise a week, write our sheets into a copy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from salesmetrics_xl.core.defaults import WEEKS
from salesmetrics_xl.core.parse import WorkbookData
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, exit_code, stop_on_missing_sheet
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import SUMMARY_SHEET
from salesmetrics_xl.reader import read_workbook

# Only the read side is imported with this module. Judging and writing (and pandas under them) are imported where
# they are used, so that a big Tracking sheet starts loading before pandas is imported (docs/development.md).
if TYPE_CHECKING:
    from salesmetrics_xl.core.summary import WeeklySummary
    from salesmetrics_xl.layouts.sheet import WorkbookLayout
    from salesmetrics_xl.layouts.summary import Formulas
    from salesmetrics_xl.xlsx.writer import WorkbookWriter


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
                       window: int = WEEKS, force: bool = False,
                       meanwhile: Callable[[], object] | None = None) -> SummaryRun:
    """Raises WorkbookError when the workbook cannot be summarised at all (unreadable, no Tracking data).

    ``meanwhile``: the caller's own work that needs no result, done once while fastexcel loads a big Tracking sheet
    and this thread would only wait (the command line loads what it prints with)."""
    guess = _Guess(source, formulas, meanwhile)
    try:
        data = read_workbook(source, today=today, tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet,
                             early=guess)
        from salesmetrics_xl.core.summary import build_summary
        from salesmetrics_xl.layouts.sheet import WorkbookLayout
        from salesmetrics_xl.layouts.summary import summary_sheet, workbook_layout
        from salesmetrics_xl.xlsx import output_path, write_workbook

        stop_on_missing_sheet(data.problems)
        if data.tracking is None or data.tracking.frame.empty:
            blocking = [p for p in data.problems if p.severity is Severity.ERROR] or [Problem(
                severity=Severity.ERROR, code="no-data", file=str(source), sheet=data.tracking.sheet
                if data.tracking else None, message="no tracking rows to summarise yet: add one row per rep per "
                                                    "week (Week, Rep and the week's numbers), then run it again")]
            raise WorkbookError(blocking[0])
        begun = guess.confirmed(data)  # the big parts no judging decides, being prepared while the week is judged
        try:
            summary = build_summary(data.tracking, data.ranges, data.problems, week=week, title=source.stem,
                                    window=window)
        except ValueError as exc:
            raise WorkbookError(Problem(severity=Severity.ERROR, code="bad-week", message=str(exc),
                                        file=str(source), sheet=data.tracking.sheet)) from None
        target = output_path(source, out, in_place, force=force)
        problems = list(data.problems)
        if begun is None:  # the first step failed: said here, in the order the one-step writer says it
            layout = workbook_layout(summary, data.tracking, data.ranges, formulas)
            write_workbook(source, layout, target, problems)
        else:
            layout = guess.layout  # type: ignore[assignment]
            layout.sheets[0] = summary_sheet(summary)
            write_workbook(source, WorkbookLayout([layout.sheets[0]]), target, problems, begun=begun)
    finally:
        guess.close()
    return SummaryRun(source, target, summary, problems, [edit.name for edit in layout.edits])


class _Guess:
    """The writer's first step (xlsx.writer.begin_workbook) on the Evaluation sheet and the range checks, begun
    as soon as they are known: while fastexcel loads the Tracking rows, from the sheet's header, the Ranges and
    the sheet's last used row (the reader's guess), else once the workbook is read. A guess is used only when the
    layout the whole read gives is the same (a totals row below the data moves the last row; a Reps sheet or a
    Role spelt two ways changes the formulas): else its parts are given up and begun again."""

    def __init__(self, source: Path, formulas: Formulas, meanwhile: Callable[[], object] | None = None):
        self.source, self.formulas, self.meanwhile = source, formulas, meanwhile
        self.layout: WorkbookLayout | None = None
        self.writer: WorkbookWriter | None = None

    def __call__(self, tracking: TrackingData, ranges: RangeSet) -> None:
        # The judging and the Weekly Summary's layout are imported here, not after the read: this hook runs while
        # fastexcel loads on its own thread and this one would only wait, so their import (about 0.04 s) costs the
        # run nothing here, where after the read it adds to every big summary's time.
        import salesmetrics_xl.core.summary
        import salesmetrics_xl.layouts.summary  # noqa: F401

        if self.layout is None:  # the first guess (another reader, after a failed one, guesses alike)
            self._begin(tracking, ranges)
        if self.meanwhile is not None:
            self.meanwhile, meanwhile = None, self.meanwhile
            meanwhile()

    def _begin(self, tracking: TrackingData, ranges: RangeSet) -> None:
        from salesmetrics_xl.layouts.evaluation import live_layout
        from salesmetrics_xl.xlsx.writer import begin_workbook

        self.close()
        try:
            self.layout = live_layout(tracking, ranges, self.formulas)
            self.writer = begin_workbook(self.source, self.layout, later=[SUMMARY_SHEET])
        except Exception:  # said in the order the one-step run says it, after the judging
            self.writer = None

    def confirmed(self, data: WorkbookData) -> WorkbookWriter | None:
        """The writer begun on the layout the whole read gives, or None when that cannot be begun."""
        from salesmetrics_xl.layouts.evaluation import live_layout

        assert data.tracking is not None
        try:
            actual = live_layout(data.tracking, data.ranges, self.formulas)
        except Exception:
            self.close()
            return None
        if self.writer is None or actual != self.layout:
            self._begin(data.tracking, data.ranges)
        return self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
