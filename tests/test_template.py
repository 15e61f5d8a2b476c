"""The committed template and example are exactly what the builders make (content, not bytes)."""

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from salesmetrics_xl.core.evaluate import evaluate_rows
from salesmetrics_xl.core.workbook import (
    DAYS_WORKED,
    FTE,
    HOW_TO,
    RAMP,
    RANGES,
    REP,
    SETTINGS,
    START_DATE,
    TRACKING,
    WEEK,
)
from salesmetrics_xl.reader import read_workbook
from salesmetrics_xl.template import EXAMPLE_STORIES, build, build_example
from tests.conftest import EXAMPLE, ROOT


def content(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    out = {"sheets": book.sheetnames, "active": book.active.title}
    for ws in book.worksheets:
        out[ws.title] = {
            "cells": [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()],
            "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1) for dv in ws.data_validations.dataValidation),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "freeze": ws.freeze_panes,
        }
    return out


@pytest.mark.parametrize(("committed", "builder"), [
    (ROOT / "workbook_template.xlsx", build), (EXAMPLE, build_example)], ids=["template", "example"])
def test_committed_workbook_matches_its_builder(tmp_path, committed, builder):
    fresh = builder(tmp_path / committed.name)
    assert content(committed) == content(fresh), (
        f"{committed.name} is stale: run `salesmetrics init {committed.relative_to(ROOT)} --force"
        f"{' --example' if builder is build_example else ''}`")


def test_template_declares_the_standard_sheets_and_tables():
    book = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")
    assert book.sheetnames == [HOW_TO, TRACKING.name, RANGES.name, RAMP.name, SETTINGS.name]
    assert list(book[TRACKING.name].tables) == [TRACKING.table]
    assert list(book[RANGES.name].tables) == [RANGES.table]
    ramp = [[c.value for c in row] for row in book[RAMP.name].iter_rows()]
    assert [r[:2] for r in ramp] == [["Month", "Share"], [1, 0.25], [2, 0.5], [3, 0.75]]
    assert "sales platforms" in ramp[1][3]  # where the defaults come from
    assert [c.value for c in book[SETTINGS.name][2]][:2] == ["Working Week", 5]
    header = [c.value for c in book[TRACKING.name][1]]
    assert header == [c.name for c in TRACKING.columns]
    how_to = "\n".join(str(c.value) for row in book[HOW_TO].iter_rows() for c in row if c.value)
    assert "50 to 75 calls a week" in how_to and "at least 5 SQLs a month" in how_to


def test_example_has_the_stories_the_features_need():
    data = read_workbook(EXAMPLE)
    frame = data.tracking.frame
    assert frame[REP].nunique() == 13 and frame["Team"].nunique() == 2 and frame[WEEK].nunique() == 26
    latest = frame[frame[WEEK] == frame[WEEK].max()].set_index(REP)
    statuses = {name: dict(zip(latest.index, s, strict=True))
                for name, (_, s) in evaluate_rows(latest.reset_index(), data.ranges).items()}
    busy = EXAMPLE_STORIES["busy_not_converting"]
    assert frame[frame[REP] == busy]["Dials"].mean() > 65  # busy ...
    assert statuses["Qualification Rate"][busy] == "BELOW"  # ... but not converting
    quiet = EXAMPLE_STORIES["low_activity_high_outcome"]
    assert statuses["Dials"][quiet] == "BELOW" and latest.loc[quiet, "SQLs"] >= 3
    assert statuses["Dials"][EXAMPLE_STORIES["above_dials_max"]] == "ABOVE"
    ramping, start = EXAMPLE_STORIES["ramping"]
    ramp = frame[frame[REP] == ramping].sort_values(WEEK)
    assert ramp[WEEK].min().date() == start == latest.loc[ramping, START_DATE].date()
    assert (frame[WEEK].max().date() - start).days == 42  # 6 weeks before the last week
    assert ramp["Dials"].iloc[0] < 25 < ramp["Dials"].iloc[-1] < 50  # month 2: 50 % of 50-75 is 25-37.5
    assert statuses["Dials"][ramping] == "IN RANGE"
    part_timer, fte = EXAMPLE_STORIES["part_time"]
    assert latest.loc[part_timer, FTE] == fte and latest.loc[part_timer, "Dials"] < 50
    assert statuses["Dials"][part_timer] == "IN RANGE"
    short, _, days = EXAMPLE_STORIES["short_week"]
    assert latest.loc[short, DAYS_WORKED] == days and statuses["Dials"][short] == "IN RANGE"
    off, off_week = EXAMPLE_STORIES["off_week"]
    row = frame[(frame[REP] == off) & (frame[WEEK] == pd.Timestamp(off_week))]
    assert row[DAYS_WORKED].tolist() == [0] and row["Dials"].tolist() == [0]
