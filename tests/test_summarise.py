"""The summary job: the big parts no judging decides are prepared while the week is judged, and the workbook is
the one the one-step writer makes from the whole layout."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest

from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.core.summary import build_summary
from salesmetrics_xl.layouts.summary import workbook_layout
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx import iter_parts, write_workbook
from salesmetrics_xl.xlsx import writer as writer_module
from tests.conftest import EXAMPLE
from tests.layouts.books import TODAY, random_book

STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?")  # the time the Weekly Summary says it was made


@pytest.mark.parametrize("threaded", [False, True], ids=["in-turn", "threaded"])
@pytest.mark.parametrize("book", ["example", "fair"])
def test_the_job_writes_what_the_whole_layout_writes_in_one_step(tmp_path, monkeypatch, threaded, book):
    if threaded:  # as for a big workbook: the Evaluation and the edited Tracking sheet prepared while judging
        monkeypatch.setattr(writer_module, "THREADED", 0)
    source = EXAMPLE if book == "example" else random_book(tmp_path / "fair.xlsx", 400, fair=True, roster=True)
    run = summarise_workbook(source, out=tmp_path / "job.xlsx", today=TODAY)
    data = read_workbook(source, today=TODAY)
    summary = build_summary(data.tracking, data.ranges, data.problems, title=source.stem)
    whole = write_workbook(source, workbook_layout(summary, data.tracking, data.ranges), tmp_path / "whole.xlsx")
    job, expected = dict(iter_parts(run.output)), dict(iter_parts(whole))
    assert job.keys() == expected.keys()
    assert [n for n in job if STAMP.sub(b"T", job[n]) != STAMP.sub(b"T", expected[n])] == []
    assert run.checked == [data.tracking.sheet, data.ranges.sheet]


def test_a_run_that_stops_before_writing_leaves_no_file_and_no_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "THREADED", 0)  # the early parts were being prepared on worker threads
    before = threading.active_count()
    with pytest.raises(WorkbookError) as caught:
        summarise_workbook(EXAMPLE, week=dt.date(1990, 1, 1), out=tmp_path / "out.xlsx", today=TODAY)
    assert caught.value.problem.code == "bad-week"
    assert list(tmp_path.iterdir()) == []
    assert threading.active_count() == before
