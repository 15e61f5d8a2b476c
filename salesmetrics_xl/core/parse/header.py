"""Finding a sheet's header row by its column names (or their aliases), and the sentence for one that is
missing: which column, the names it goes by, and the header that came closest."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from salesmetrics_xl.core.cell_values import shown
from salesmetrics_xl.core.metrics import normalise
from salesmetrics_xl.core.parse.values import Row, filled
from salesmetrics_xl.core.problems import Problem, Severity, column_letter
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.workbook import SheetSpec

HEADER_SEARCH_ROWS = 20


@dataclass
class Header:
    row: int  # 1-based Excel row
    columns: dict[str, int]  # declared column name -> 0-based index
    extras: dict[str, int]  # other non-empty headers -> 0-based index
    duplicates: list[tuple[str, int, str]]  # (declared column, 0-based index, header text) that repeat one above


def find_header(rows: list[Row], spec: SheetSpec, required: tuple[str, ...]) -> Header | None:
    """The first row in the top 20 that names every required column, so title blocks above it are fine."""
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        columns: dict[str, int] = {}
        extras: dict[str, int] = {}
        duplicates: list[tuple[str, int, str]] = []
        for index, value in enumerate(row):
            if value is None or not shown(value).strip():
                continue
            column = spec.match(value)
            if column is not None and column.name not in columns:
                columns[column.name] = index
            elif column is not None:
                duplicates.append((column.name, index, shown(value).strip()))
            elif shown(value).strip() not in extras:
                extras[shown(value).strip()] = index
        if all(name in columns for name in required):
            return Header(number, columns, extras, duplicates)
    return None


def describe_found(rows: list[Row]) -> str:
    best = max(rows[:HEADER_SEARCH_ROWS], key=lambda r: sum(v is not None for v in r), default=())
    found = [shown(v) for v in best if v is not None and shown(v).strip()]
    return ", ".join(found[:12]) if found else "nothing"


def likely_header(rows: list[Row], spec: SheetSpec) -> tuple[int, Row]:
    """The row in the top 20 that looks most like a header row (most declared names, then most filled cells), and
    its number: where a message about a missing column points, below any title block."""
    def score(row: Row) -> tuple[int, int]:
        return sum(spec.match(v) is not None for v in row), sum(filled(v) for v in row)

    return max(enumerate(rows[:HEADER_SEARCH_ROWS], start=1), key=lambda nr: score(nr[1]), default=(1, ()))


def missing_columns_problem(rows: list[Row], spec: SheetSpec, required: tuple[str, ...], file: str, sheet: str,
                            any_of: tuple[str, ...] = ()) -> Problem:
    """The error for a sheet without its header, at the first filled cell of the row that looks most like one
    (A4 under a three-row title, not A1)."""
    number, best = likely_header(rows, spec)
    first = next((i for i, v in enumerate(best) if filled(v)), 0)
    return Problem(severity=Severity.ERROR, code="missing-column", file=file, sheet=sheet,
                   cell=f"{column_letter(first + 1)}{number}",
                   message=missing_columns_message(rows, spec, required, any_of))


def missing_columns_message(rows: list[Row], spec: SheetSpec, required: tuple[str, ...],
                            any_of: tuple[str, ...] = ()) -> str:
    """Which required column is missing, the names it goes by, and the header that came closest, from the row in
    the top 20 that looks most like a header row: what a user needs to rename one cell."""
    number, best = likely_header(rows, spec)
    found = {spec.match(v).name for v in best if spec.match(v) is not None}  # type: ignore[union-attr]
    unmatched = {normalise(v): (shown(v).strip(), i) for i, v in enumerate(best)
                 if filled(v) and spec.match(v) is None}
    parts = []
    wanted = [*required, *(any_of if not found & set(any_of) else ())]
    for name in wanted:
        if name in found:
            continue
        column = spec.column(name)
        text = f"no {name} column (it may be called {', '.join(column.aliases)})" if column.aliases else \
            f"no {name} column"
        near = difflib.get_close_matches(normalise(name), list(unmatched), n=1, cutoff=0.5) or next(
            (difflib.get_close_matches(normalise(a), list(unmatched), n=1, cutoff=0.6) for a in column.aliases
             if difflib.get_close_matches(normalise(a), list(unmatched), n=1, cutoff=0.6)), [])
        if near:
            header, index = unmatched[near[0]]
            text += (f"; the closest header is '{shorten(header)}' in {column_letter(index + 1)}{number}: rename it "
                     f"to {name}")
        parts.append(text)
    if len(any_of) > 1 and not found & set(any_of):
        parts.append(f"at least one of {' or '.join(any_of)} is needed")
    headers = ", ".join(shown(v).strip() for v in best if filled(v))[:300] or "nothing"
    where = f"row {number}" if any(filled(v) for v in best) else f"the first {HEADER_SEARCH_ROWS} rows"
    return f"{'; '.join(parts)} (headers found in {where}: {headers})"
