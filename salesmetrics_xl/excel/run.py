"""What the scripts do, on any xlwings book: read, compute once in the core, render the same layout as the CLI."""

from __future__ import annotations

import datetime as dt

import xlwings as xw

from salesmetrics_xl.core.baseline import build_baseline
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.summary import WeeklySummary, build_summary
from salesmetrics_xl.excel.book import read_book, render
from salesmetrics_xl.layouts.baseline import suggested_sheet
from salesmetrics_xl.layouts.sheet import WorkbookLayout
from salesmetrics_xl.layouts.summary import Formulas, workbook_layout


class SalesMetricsError(Exception):
    """Shown to the user by the add-in as a message box: short, with the sheet and cell."""


def _fail(problem: Problem) -> SalesMetricsError:
    where = f"{problem.where}: " if problem.where else ""
    return SalesMetricsError(f"{where}{problem.message}")


def weekly_summary(book: xw.Book, formulas: Formulas = "udf", week: dt.date | None = None,
                   now: dt.datetime | None = None) -> WeeklySummary:
    data = read_book(book)
    if data.tracking is None or data.tracking.frame.empty:
        errors = [p for p in data.problems if p.severity is Severity.ERROR]
        raise _fail(errors[0] if errors else Problem(severity=Severity.ERROR, code="no-data",
                                                     message="no tracking rows to summarise"))
    summary = build_summary(data.tracking, data.ranges, data.problems, week=week, now=now,
                            title=book.name.rsplit(".", 1)[0])
    render(book, workbook_layout(summary, data.tracking, data.ranges, formulas))
    return summary


def suggested_ranges(book: xw.Book, today: dt.date | None = None) -> None:
    data = read_book(book, today)
    if data.tracking is None:
        raise _fail(next(p for p in data.problems if p.severity is Severity.ERROR))
    try:
        baselines = build_baseline(data.tracking, data.ranges, today=today)
    except ValueError as exc:
        raise SalesMetricsError(str(exc)) from None
    render(book, WorkbookLayout([suggested_sheet(baselines, book.name, dt.datetime.now().replace(microsecond=0))]))
