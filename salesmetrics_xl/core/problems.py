"""What can be wrong with a workbook, said so a sales manager can find and fix it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Severity(StrEnum):
    ERROR = "error"  # this cannot be evaluated
    WARNING = "warning"  # it can be evaluated, but look


class Problem(BaseModel):
    severity: Severity
    code: str
    message: str
    file: str = ""
    sheet: str | None = None
    cell: str | None = None

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


def exit_code(problems: list[Problem]) -> int:
    """0 clean, 1 warnings only, 2 errors: the house convention for every command."""
    if any(p.severity is Severity.ERROR for p in problems):
        return 2
    return 1 if problems else 0
