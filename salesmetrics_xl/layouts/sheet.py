"""What a generated sheet looks like, as plain data: cells, styles, formulas, formats, charts.

Computed once from a summary and rendered by each writer (the lossless .xlsx writer for files, the
xlwings writer for a live book), so both put the same values in the same cells.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple

from salesmetrics_xl.core.cell_values import (
    FORMULA_BREAKS,
    MAX_LITERAL,  # noqa: F401 (its tests use it from here)
    literal_reason,
    unwritable,
)
from salesmetrics_xl.core.metrics import trim
from salesmetrics_xl.core.text import FITS_ANY_WAY, fit_cell

CellValue = str | int | float | bool | dt.date | dt.datetime | None

# ---- user text inside formulas -------------------------------------------------------------------------------
# A user's text (a Role, a sheet name) that goes *inside* a formula is built only by these two functions, so no
# text can end a string literal or a sheet reference early and smuggle in a function call.

_BREAKS = FORMULA_BREAKS
_SHEET_FORBIDDEN = set("[]:*?/\\")  # Excel allows none of these in a sheet name; '[' would read as another book
_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOOKS_LIKE_REF = re.compile(r"[A-Za-z]{1,3}[0-9]+|[RrCc][0-9]*|[Rr][0-9]*[Cc][0-9]*|TRUE|FALSE", re.I)


def formula_text(value: str) -> str:
    """A formula expression whose result is exactly ``value``: a string literal with every ``"`` doubled, and tabs
    and line breaks as CHAR(9), CHAR(10), CHAR(13) (a break inside a literal is not portable). Raises ValueError,
    saying why, for text longer than Excel's 255-character literal limit or holding other control characters."""
    if (reason := literal_reason(value)) is not None:  # the rule is core's, so the reader reports it first
        raise ValueError(reason)
    parts = [f"CHAR({_BREAKS[piece]})" if piece in _BREAKS else '"' + piece.replace('"', '""') + '"'
             for piece in re.split(r"([\t\n\r])", value) if piece]
    return parts[0] if len(parts) == 1 else "(" + "&".join(parts) + ")" if parts else '""'


def same_text(ref: str, value: str) -> str:
    """A condition: the text in ``ref`` is ``value`` by core/metrics.py's text_key() rule (TRIM, then ``=``, which
    ignores case). ``value`` is written trimmed, so spaces count the same on both sides."""
    return f"TRIM({ref})={formula_text(trim(value))}"


def same_text_in(ref: str, column: str) -> str:
    """The position of the first cell of ``column`` that is the text in ``ref`` by the same rule, for INDEX.
    Unlike MATCH(ref,column,0) it reads no wildcards (a rep named "J*" is not everyone whose name starts with J)
    and trims both sides; INDEX(...,0) has the comparison run over the column without an array formula."""
    return f"MATCH(1,INDEX((TRIM({column})=TRIM({ref}))*1,0),0)"


def quote_sheet(name: str) -> str:
    """A sheet name as a formula refers to it: bare only when plainly safe (``Tracking``), else in single quotes
    with each ``'`` doubled (``'It''s'``). Raises ValueError for a name Excel could not have."""
    if not name or (bad := unwritable(name)) is not None or (bad := next(  # a break neither: XML would fold \r
            (ch for ch in name if ch in _SHEET_FORBIDDEN or ch in _BREAKS), None)) is not None:
        what = "is empty" if not name else f"holds {bad!r}, which Excel does not allow in a sheet name"
        raise ValueError(f"the sheet name {name!r} {what}; rename the sheet")
    if _PLAIN_SHEET.fullmatch(name) and not _LOOKS_LIKE_REF.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def sheet_ref(sheet: str, ref: str) -> str:
    """``ref`` on ``sheet``, e.g. ``'It''s'!A1``."""
    return f"{quote_sheet(sheet)}!{ref}"



@dataclass(frozen=True)
class Style:
    """A cell's look. Frozen and hashable, so identical styles are written once."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None  # font colour, RRGGBB
    fill: str | None = None  # background, RRGGBB
    number_format: str | None = None
    align: str | None = None  # left, center, right
    wrap: bool = False
    border: bool = False  # a thin bottom border, for header rows


# One object per look: the thousands of cells styled alike share one Style, which the file writer then finds by
# identity (xlsx/styles.py) instead of hashing and comparing nine fields per cell. Same arguments, same object.
look = functools.cache(Style)


@dataclass(frozen=True)
class Highlight:
    """The look a conditional format applies (a differential format)."""

    fill: str | None = None
    color: str | None = None
    bold: bool = False


class Cell(NamedTuple):
    """One cell. A named tuple, not a dataclass: a wide summary makes hundreds of thousands, and a tuple is made in
    half the time."""

    value: CellValue = None
    formula: str | None = None  # without the leading '='; ``value`` is then its cached result
    style: Style | None = None


_new_cell = tuple.__new__


@dataclass(frozen=True)
class Fill:
    """One formula filled down ``ref`` (a column): written for the top cell, relative references move with the row,
    as Excel's fill-down does. The file writer stores it once as a shared formula."""

    ref: str
    formula: str
    style: Style | None = None


@dataclass(frozen=True)
class ConditionalFormat:
    """An expression rule: ``formula`` is written for the top-left cell of ``ref`` and is relative like Excel's."""

    ref: str
    formula: str
    highlight: Highlight
    stop: bool = False


@dataclass(frozen=True)
class Validation:
    ref: str
    kind: str  # "decimal", "list", "custom"
    formula: str
    operator: str | None = None  # "greaterThanOrEqual", ...
    error: str = ""
    allow_blank: bool = True


@dataclass(frozen=True)
class Series:
    name: str
    values: str  # A1 range on the same sheet, e.g. "D6:D17"
    color: str | None = None


@dataclass(frozen=True)
class Chart:
    title: str
    categories: str  # A1 range on the same sheet
    series: tuple[Series, ...]
    anchor: str  # top-left cell
    width_cols: int = 8
    height_rows: int = 16
    kind: str = "bar"  # "bar" (horizontal) or "column"


# Excel's column width counts digits of the default font; a bold header's letters run wider, and LibreOffice's a
# little wider still. Estimating generously costs a few points of row height; estimating short cuts the text.
BOLD_CHAR = 1.2
LINE_POINTS = 15.0


def wrapped_lines(text: str, width: float, bold: bool = True) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide, word by word as Excel and LibreOffice
    wrap it (a word longer than the line is broken), so a row can be made tall enough to show it whole."""
    room = max(int(width / (BOLD_CHAR if bold else 1.05)), 1)
    lines, used = 1, 0
    for word in text.split():
        size = len(word)
        if used and used + 1 + size <= room:
            used += 1 + size
            continue
        if used:
            lines += 1
        lines += (size - 1) // room
        used = size - (size - 1) // room * room
    return lines


def header_height(texts: list[tuple[str, float]]) -> float:
    """The row height (points) that shows every wrapped header whole: (text, column width) pairs."""
    return LINE_POINTS * max((wrapped_lines(text, width) for text, width in texts), default=1) + 3


# One entry of a sheet's writes: (row, col, cell) for one cell, (row, col, values, styles or None) for a row of them.
Write = tuple[int, int, Cell] | tuple[int, int, tuple[CellValue, ...], tuple[Style | None, ...] | None]


@dataclass
class SheetLayout:
    """A sheet we generate and own: regenerating replaces it whole.

    Its cells are kept as they were put (``writes``, in order: a row of cells is one entry, not a cell each, where
    a summary of 10,000 reps puts 600,000 cells); ``cells`` gives them by position, a later one winning, and the
    file writer reads the writes themselves (xlsx/worksheet.OwnCells)."""

    name: str
    writes: list[Write] = field(default_factory=list, repr=False)
    fills: list[Fill] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)  # rows that hold wrapped text
    freeze: str | None = None  # top-left cell of the scrolling area, e.g. "C6"
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    landscape: bool = False
    fit_width: bool = False
    fit_pages_wide: int = 1  # with fit_width: at most this many pages across
    print_rows: tuple[int, int] | None = None  # first and last row repeated at the top of every printed page
    print_columns: tuple[int, int] | None = None  # first and last column repeated at the left of every page
    tab_color: str | None = None
    _cells: dict[tuple[int, int], Cell] = field(default_factory=dict, init=False, repr=False, compare=False)
    _replayed: int = field(default=0, init=False, repr=False, compare=False)  # writes in ``_cells`` so far
    _by_row: dict[int, list[Write]] | None = field(default=None, init=False, repr=False, compare=False)
    _indexed: int = field(default=0, init=False, repr=False, compare=False)  # writes in ``_by_row`` so far

    def put(self, row: int, col: int, value: CellValue = None, style: Style | None = None,
            formula: str | None = None) -> None:
        """Text longer than a cell holds is cut, saying so in the cell (Excel repairs or refuses a file with a
        longer one)."""
        if isinstance(value, str) and len(value) > FITS_ANY_WAY:
            value = fit_cell(value)
        self.writes.append((row, col, _new_cell(Cell, (value, formula, style))))  # Cell(...) without a call

    def put_row(self, row: int, col: int, values: Sequence[CellValue],
                styles: Sequence[Style | None] | None = None) -> None:
        """put() for cells side by side from ``col`` to the right, each value with the style beside it (or none):
        a table's row in one call, kept as one entry, with no Python step per cell."""
        n = len(values)
        if styles is not None and len(styles) != n:
            raise ValueError(f"{n} values but {len(styles)} styles for row {row}")
        if [value for value in values if isinstance(value, str) and len(value) > FITS_ANY_WAY]:  # no generator
            values = [fit_cell(value) if isinstance(value, str) else value for value in values]
        self.writes.append((row, col, tuple(values), None if styles is None else tuple(styles)))

    @property
    def cells(self) -> dict[tuple[int, int], Cell]:
        """Every cell by (row, col), 1-based, in the order first put, a later put of a cell replacing it in place:
        the writes replayed once (and only the new ones on a later read)."""
        cells, writes = self._cells, self.writes
        for write in writes[self._replayed:]:
            row, col = write[0], write[1]
            if len(write) == 3:
                cells[(row, col)] = write[2]  # type: ignore[misc]
            else:
                values, styles = write[2], write[3]  # type: ignore[misc]
                n = len(values)  # type: ignore[arg-type]
                where = zip(repeat(row, n), range(col, col + n), strict=False)
                made = map(_new_cell, repeat(Cell), zip(values, repeat(None), styles or repeat(None), strict=False))  # type: ignore[arg-type]
                cells.update(zip(where, made, strict=False))
        self._replayed = len(writes)
        return cells

    def cell(self, row: int, col: int) -> Cell:
        """The cell at (row, col), an empty one where none was put: read from the writes of that row, without
        replaying the whole sheet (a chart's data reads a few columns of it)."""
        by_row = self._by_row
        if by_row is None or self._indexed != len(self.writes):
            by_row = self._by_row = {}
            for write in self.writes:
                by_row.setdefault(write[0], []).append(write)
            self._indexed = len(self.writes)
        for write in reversed(by_row.get(row, ())):  # the last put wins
            start = write[1]
            if len(write) == 3:
                if start == col:
                    return write[2]  # type: ignore[return-value]
            elif start <= col < start + len(write[2]):  # type: ignore[arg-type]
                styles = write[3]  # type: ignore[misc]
                return Cell(write[2][col - start], None, styles[col - start] if styles else None)  # type: ignore[index]
        return Cell()


@dataclass
class SheetEdit:
    """Additions to a user's own sheet. Ours are recognised on the next run and replaced, never duplicated.

    ``values`` changes the value of single cells (keeping their style): only when the user asked for it, such as
    ``salesmetrics baseline --apply`` writing suggested ranges into their Ranges table."""

    name: str
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    values: dict[str, CellValue] = field(default_factory=dict)


@dataclass
class WorkbookLayout:
    sheets: list[SheetLayout] = field(default_factory=list)
    edits: list[SheetEdit] = field(default_factory=list)
    active: str | None = None  # the sheet the workbook opens on (one of ours), else as the user left it


# ---- which sheets are ours ----------------------------------------------------------------------------------
# A workbook-level name lists the sheets salesmetrics-xl made, as "sheetId:name" entries joined by "/" (neither
# character can appear in a sheet name; the live book, which cannot see sheet ids, writes names only). Only a
# listed sheet is ever replaced: a user's sheet that happens to have one of our names is kept, and ours is written
# under the next free name, "Evaluation (2)".
OWNED_NAME = "salesmetrics_xl_sheets"
# Our first cells, for workbooks written before the list existed: a sheet whose A1 or A2 reads like this was made
# by us (the Weekly Summary, Suggested Ranges and Rollup say "Generated ... by salesmetrics-xl" in A2, the
# Evaluation sheet starts "Statuses of every Tracking row as live ..." in A1).
SIGNATURES = ("by salesmetrics-xl", "Statuses of every Tracking row as live ")


def owned_entries(refers_to: str | None) -> list[tuple[str | None, str]]:
    """The (sheet id or None, name) pairs of ``="3:Weekly Summary/4:Evaluation"``; nothing for anything else."""
    value = (refers_to or "").strip().lstrip("=").strip()
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return []
    entries = []
    for entry in value[1:-1].replace('""', '"').split("/"):
        sheet_id, _, name = entry.rpartition(":")
        if name:
            entries.append((sheet_id or None, name))
    return entries


def owned_formula(entries: list[tuple[str | None, str]]) -> str:
    """The name's value: one text constant (quotes doubled, as in any Excel formula)."""
    body = "/".join(f"{i}:{n}" if i else n for i, n in entries)
    return '"' + body.replace('"', '""') + '"'


def made_by_us(first_cells: list[object]) -> bool:
    """A sheet an earlier version of salesmetrics-xl wrote, recognised by its first cells (A1, A2)."""
    return any(isinstance(v, str) and (SIGNATURES[0] in v or v.startswith(SIGNATURES[1])) for v in first_cells)


def claim_name(name: str, state: Callable[[str], str]) -> str:
    """Where our sheet ``name`` goes: the first of name, "name (2)", "name (3)", ... that is ours or free.
    ``state(candidate)`` says "ours", "free" or "theirs"."""
    n = 1
    while True:
        candidate = name if n == 1 else f"{name[:26]} ({n})"  # a sheet name holds 31 characters at most
        if state(candidate) in ("ours", "free"):
            return candidate
        n += 1
