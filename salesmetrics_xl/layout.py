"""What a generated sheet looks like, as plain data: cells, styles, formulas, formats, charts.

Computed once from a summary and rendered by each writer (the lossless .xlsx writer for files, the
xlwings writer for a live book), so both put the same values in the same cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CellValue = str | int | float | bool | dt.date | dt.datetime | None


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


@dataclass(frozen=True)
class Highlight:
    """The look a conditional format applies (a differential format)."""

    fill: str | None = None
    color: str | None = None
    bold: bool = False


@dataclass(frozen=True)
class Cell:
    value: CellValue = None
    formula: str | None = None  # without the leading '='; ``value`` is then its cached result
    style: Style | None = None


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


@dataclass
class SheetLayout:
    """A sheet we generate and own: regenerating replaces it whole."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, col), 1-based
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
    tab_color: str | None = None

    def put(self, row: int, col: int, value: CellValue = None, style: Style | None = None,
            formula: str | None = None) -> None:
        self.cells[(row, col)] = Cell(value, formula, style)


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
