"""The baseline job, as a library call: today's numbers and the starting ranges the top performers suggest, and on
request a Suggested Ranges sheet and the suggestions written into the Ranges table (in a copy unless in place)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, Field, create_model

from salesmetrics_xl.core.baseline import Baseline, MetricBaseline, build_baseline
from salesmetrics_xl.core.defaults import TOP_SHARE, WEEKS, SettingError
from salesmetrics_xl.core.metrics import Range
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, stop_on_missing_sheet
from salesmetrics_xl.layouts.baseline import Plan, RangeChange, apply_suggestions, suggested_sheet
from salesmetrics_xl.reader import read_workbook


class ChangeReport(RangeChange):
    """A Ranges row as the report gives it: the range written is already in ``after``, as text."""

    new: Range | None = Field(default=None, exclude=True)


# A suggestion with no Ranges row to write it into: the role it is for (None: everyone), then the suggestion's fields.
NotApplied = create_model("NotApplied", role=(str | None, None),
                          **{name: (f.annotation, f) for name, f in MetricBaseline.model_fields.items()})


class BaselineReport(BaseModel):
    """What `salesmetrics baseline --json` prints; the fields marked excluded are for the console only."""

    file: str  # the tracking workbook, as given
    output: str | None = None  # the workbook written (--write or --apply), else None
    exit_code: int = 0  # 0 ok, 1 an activity range cannot reach an outcome target, 2 errors in the data
    baselines: list[Baseline] = []  # one per role when the data has several roles, else one
    dry_run: bool = False  # true: the changes are what --apply would make; nothing was written
    changes: list[ChangeReport] = []  # every Ranges row, changed or left alone (with --apply or --dry-run)
    not_applied: list[NotApplied] = []  # type: ignore[valid-type]  # suggestions with no Ranges row to go into
    problems: list[Problem] = []  # what the reader found: errors in the data say why exit_code is 2
    kept: list[Problem] = Field(default=[], exclude=True)  # what the writer kept as it was, and why
    plan: Plan | None = Field(default=None, exclude=True)  # the --apply / --dry-run plan, when asked for
    labels: dict[str, str] = Field(default={}, exclude=True)  # a metric's column label in this workbook

    def label(self, metric: str) -> str:
        return self.labels.get(metric, metric)


def baseline_workbook(source: Path, weeks: int = WEEKS, top: float = TOP_SHARE, write: bool = False,
                      apply: bool = False, dry_run: bool = False, out: Path | None = None, in_place: bool = False,
                      as_of: dt.date | None = None, tracking_sheet: str | None = None,
                      ranges_sheet: str | None = None, force: bool = False,
                      now: dt.datetime | None = None) -> BaselineReport:
    """Raises WorkbookError when there is no baseline to give (unreadable, no Tracking sheet, no complete week) or
    its workbook cannot be written, and SettingError for weeks or top out of bounds. Errors in the data do not stop
    it: the baseline is built from the rows that can be read, and the report's exit code is 2. ``dry_run`` plans
    and writes nothing; ``as_of`` counts the complete weeks before that day (default today) and dates the
    --apply notes."""
    data = read_workbook(source, tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet)
    stop_on_missing_sheet(data.problems)
    if data.tracking is None:
        raise WorkbookError(next((p for p in data.problems if p.severity is Severity.ERROR), Problem(
            severity=Severity.ERROR, code="no-tracking", file=str(source),
            message="no tracking sheet to build a baseline from: add one (Week, Rep and the week's numbers)")))
    try:
        baselines = build_baseline(data.tracking, data.ranges, weeks=weeks, top=top, today=as_of)
    except SettingError:
        raise  # a setting out of bounds: the face says how it was given (the CLI its flag)
    except ValueError as exc:
        raise WorkbookError(Problem(severity=Severity.ERROR, code="bad-input", message=str(exc),
                                    file=str(source))) from None
    report = BaselineReport(file=str(source), baselines=baselines, dry_run=dry_run, problems=list(data.problems))
    edit = None
    if apply or dry_run:
        edit, report.plan = apply_suggestions(baselines, data.ranges, as_of or dt.date.today())
        report.changes = [ChangeReport.model_construct(**dict(c)) for c in report.plan.changes]
        report.not_applied = [NotApplied.model_construct(**dict(m), role=role)
                              for role, m in report.plan.not_applied_by_role()]
    if (write or apply) and not dry_run:
        from salesmetrics_xl.layouts.sheet import WorkbookLayout
        from salesmetrics_xl.xlsx import output_path, write_workbook  # the writer only when there is a sheet to write

        generated = (now or dt.datetime.now()).replace(microsecond=0)
        layout = WorkbookLayout([suggested_sheet(baselines, source.name, generated)])
        if apply and edit is not None:
            layout.edits.append(edit)
        target = output_path(source, out, in_place, "baseline", force)
        report.output = str(write_workbook(source, layout, target, report.kept))
    # errors in the data: written anyway, but said, as summary says them
    report.exit_code = 2 if any(p.severity is Severity.ERROR for p in data.problems) else \
        1 if any(b.unreachable for b in baselines) else 0
    names = {m.metric for b in baselines for m in b.metrics} | {t.outcome for b in baselines for m in b.metrics
                                                                  for t in m.needed}
    report.labels = {name: data.tracking.label(name) for name in names}
    return report
