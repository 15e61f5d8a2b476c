"""The check job, as a library call: read a tracking workbook and list every problem with its cell, and the latest
week's values out of range. Never writes anything."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, exit_code
from salesmetrics_xl.package import debugging


class CheckReport(BaseModel):
    """One workbook's check: what `salesmetrics check --json` prints for each file, in this order."""

    file: str  # the workbook, as given
    reps: int = 0  # distinct reps in the Tracking sheet
    weeks: int = 0  # weeks with data
    first_week: str | None = None  # the first week with data, "2026-W22"; None when there are no tracking rows
    latest_week: str | None = None  # the week whose values are checked against the ranges
    ranges: int = 0  # rows read from the Ranges sheet
    status: Literal["ok", "warnings", "errors"] = "ok"  # the exit code in a word
    exit_code: int = 0  # 0 ok, 1 warnings only, 2 errors or unreadable
    errors: int = 0  # problems of severity error: cells that cannot be judged, or an unreadable file
    warnings: int = 0  # problems of severity warning, values out of range included
    problems: list[Problem] = []  # data problems with their cell, then the latest week's values out of range


def unexpected(exc: BaseException) -> str:
    """What a bug (not bad input) is called in a sentence, the same for the whole run and for one file."""
    from salesmetrics_xl.core.text import shorten

    return (f"salesmetrics stopped on an unexpected error ({type(exc).__name__}: {shorten(str(exc), 200)}); run it "
            "again with --debug and report what it prints")


def print_cause(exc: BaseException) -> None:
    """With --debug (SALESMETRICS_DEBUG=1), what really went wrong under a clean error, for a bug report."""
    cause = exc.__cause__ or exc.__context__
    if debugging() and cause is not None:
        traceback.print_exception(cause, file=sys.stderr)


def check_workbook(path: Path, tracking_sheet: str | None = None, ranges_sheet: str | None = None) -> CheckReport:
    """Never raises for a bad file: an unreadable workbook, or a bug on this one file, is its report's error, so
    that a check of many files says something for each of them."""
    from salesmetrics_xl.core.evaluate import latest_week_findings
    from salesmetrics_xl.core.tracking import week_label
    from salesmetrics_xl.core.workbook import REP
    from salesmetrics_xl.reader import read_workbook

    report = CheckReport(file=str(path))
    try:
        data = read_workbook(path, tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet)
        problems = list(data.problems)
        report.ranges = len(data.ranges.rules)
        if data.tracking is not None and data.tracking.weeks:
            weeks = data.tracking.weeks
            report.reps = int(data.tracking.frame[REP].nunique())
            report.weeks = len(weeks)
            report.first_week, report.latest_week = week_label(weeks[0]), week_label(weeks[-1])
            problems += latest_week_findings(data.tracking, data.ranges)
    except WorkbookError as exc:
        print_cause(exc)
        problems = [exc.problem]
    except Exception as exc:  # a bug on one file: said for that file, and the other files still checked
        if debugging():
            traceback.print_exception(exc, file=sys.stderr)
        problems = [Problem(severity=Severity.ERROR, code="unexpected", message=unexpected(exc), file=str(path))]
    report.exit_code = exit_code(problems)
    report.status = ("ok", "warnings", "errors")[report.exit_code]  # type: ignore[assignment]
    report.errors = sum(p.severity is Severity.ERROR for p in problems)
    report.warnings = sum(p.severity is Severity.WARNING for p in problems)
    report.problems = problems
    return report
