"""The summary job: the big parts no judging decides are prepared while the week is judged, and the workbook is
the one the one-step writer makes from the whole layout."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl import summarise as summarise_module
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


# ---- begun while fastexcel loads the Tracking rows: a guess, kept only when the whole read agrees ----------------

def _edited(tmp_path, change) -> Path:
    book = openpyxl.load_workbook(EXAMPLE)
    change(book)
    path = tmp_path / "team.xlsx"
    book.save(path)
    return path


def _totals_row(book) -> None:  # a totals row below the data: the sheet's last used row is not the data's
    ws = book["Tracking"]
    sums = [sum(c.value or 0 for c in column) for column in ws.iter_cols(min_col=5, max_col=12, min_row=2)]
    ws.append(["Total", None, None, None, *sums])


def _respelled_role(book) -> None:  # one Role spelt another way: the core reads it as the Ranges row's spelling
    ws = book["Tracking"]
    ws["D2"] = "  sdr "


def _reps_sheet(book) -> None:  # a Reps sheet fills in what the rows leave blank: the formulas look it up
    reps = book.create_sheet("Reps")
    reps.append(["Rep", "Start Date", "FTE", "Role"])
    reps.append(["Ava Thompson", dt.datetime(2023, 6, 21), 1, "SDR"])


@pytest.mark.parametrize(("change", "begun"), [
    (_totals_row, 2), (_reps_sheet, 2), (_respelled_role, 1)], ids=["totals-row", "reps-sheet", "role-respelled"])
def test_an_early_guess_is_kept_only_when_the_whole_read_agrees(tmp_path, monkeypatch, change, begun):
    monkeypatch.setenv("SALESMETRICS_READER", "columnar")  # as for a big sheet: the guess is heard while it loads
    monkeypatch.setattr(writer_module, "THREADED", 0)  # and its parts prepared on worker threads meanwhile
    source = _edited(tmp_path, change)
    layouts, reading, read = [], [], summarise_module.read_workbook
    real = writer_module.begin_workbook  # looked up where the job begins the writer (imported there, late)

    def spy(source, layout, later):
        layouts.append(layout)
        reading.append(not done)
        return real(source, layout, later)

    def read_then(*args, **kwargs):
        data = read(*args, **kwargs)
        done.append(True)
        return data

    done: list[bool] = []
    monkeypatch.setattr(writer_module, "begin_workbook", spy)
    monkeypatch.setattr(summarise_module, "read_workbook", read_then)
    run = summarise_workbook(source, out=tmp_path / "job.xlsx", today=TODAY)
    assert len(layouts) == begun  # a wrong guess is given up and begun again from what was read
    assert reading == [True] + [False] * (begun - 1)  # the guess while the rows loaded, the redo after the read
    data = read_workbook(source, today=TODAY)
    if change is _totals_row:
        assert layouts[0].sheets[1] != layouts[1].sheets[1]  # the Evaluation's rows ran to the totals row
        assert any(p.code == "totals-row" for p in run.problems)
    summary = build_summary(data.tracking, data.ranges, data.problems, title=source.stem)
    whole = write_workbook(source, workbook_layout(summary, data.tracking, data.ranges), tmp_path / "whole.xlsx")
    job, expected = dict(iter_parts(run.output)), dict(iter_parts(whole))
    assert [n for n in job if STAMP.sub(b"T", job[n]) != STAMP.sub(b"T", expected.get(n, b""))] == []
    assert job.keys() == expected.keys()
