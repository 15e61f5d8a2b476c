"""What can be wrong with a workbook, said so a sales manager can find and fix it."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, field_validator

from salesmetrics_xl.core.text import MESSAGE_LIMIT, QUOTE_LIMIT, shorten


class Severity(StrEnum):
    ERROR = "error"  # this cannot be evaluated
    WARNING = "warning"  # it can be evaluated, but look
    NOTE = "note"  # what we did with something unusual (a totals row skipped); nothing to fix


class Problem(BaseModel):
    severity: Severity
    code: str
    message: str
    file: str = ""
    sheet: str | None = None
    cell: str | None = None
    setting: str | None = None  # the run's setting that answers it (tracking_sheet): each face says how to give it

    @field_validator("message")
    @classmethod
    def _readable(cls, message: str) -> str:
        """The last guard on a sentence's length: each quote of user text is shortened where it is made, and a
        sentence that still runs long (a quote made elsewhere) is cut here, never printed whole."""
        return shorten(message, MESSAGE_LIMIT)

    @field_validator("sheet")
    @classmethod
    def _sheet(cls, sheet: str | None) -> str | None:
        return None if sheet is None else shorten(sheet, QUOTE_LIMIT)

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.severity.value}: {where}{self.message}"


class WorkbookError(Exception):
    """The file cannot be read as a tracking workbook at all."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA: Excel's column names, without importing a spreadsheet library."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27: the inverse of column_letter."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def split_ref(ref: str) -> tuple[int, int]:
    """'$B$7' -> (7, 2): a cell reference as (row, column), absolute markers ignored."""
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref}")
    return int(m[2]), column_index(m[1])


def split_range(ref: str) -> tuple[int, int, int, int]:
    """'C2:C40' -> (2, 3, 40, 3); a single cell is a one-cell range."""
    start, _, end = ref.partition(":")
    (r1, c1), (r2, c2) = split_ref(start), split_ref(end or start)
    return r1, c1, r2, c2


def exit_code(problems: list[Problem]) -> int:
    """0 clean (notes allowed), 1 warnings only, 2 errors: the house convention for every command."""
    if any(p.severity is Severity.ERROR for p in problems):
        return 2
    return 1 if any(p.severity is Severity.WARNING for p in problems) else 0


def stop_on_missing_sheet(problems: list[Problem]) -> None:
    """A sheet asked for by name (an option, a defined name, a Settings row) that is not there stops a job that
    writes: judging the team against the default ranges instead of the ones asked for would mislead every verdict."""
    asked = next((p for p in problems if p.code == "missing-sheet" and p.severity is Severity.ERROR), None)
    if asked is not None:
        raise WorkbookError(asked)
