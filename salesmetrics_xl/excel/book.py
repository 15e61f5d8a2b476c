"""The live Excel book: read Tracking and Ranges through xlwings, and render a layout into it.

Works the same on classic Excel (COM) and in xlwings Lite. Lite's book (xlwings' remote book, built from what
Excel sends) is a snapshot that does not see its own writes, so every range written here is sized explicitly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sys
from collections.abc import Iterator
from typing import Any

import xlwings as xw
from xlwings.constants import AxisType, PageOrientation

from salesmetrics_xl.core.parse import WorkbookData, parse_workbook, sheet_in_name
from salesmetrics_xl.core.problems import column_letter, split_range, split_ref
from salesmetrics_xl.core.workbook import RANGES_SHEET_NAME, TRACKING_SHEET_NAME
from salesmetrics_xl.layouts.sheet import (
    OWNED_NAME,
    Cell,
    Chart,
    SheetEdit,
    SheetLayout,
    Style,
    WorkbookLayout,
    claim_name,
    made_by_us,
    owned_entries,
    owned_formula,
    sheet_ref,
)

# A workbook-level name records that the range checks were added to the user's sheets: the live book cannot
# list its existing conditional formats, so this is how a second run knows not to add them again.
CHECKS_NAME = "salesmetrics_xl_checks"
_FORMULA_START = ("=", "+", "-", "@")


def read_book(book: xw.Book, today: dt.date | None = None) -> WorkbookData:
    names = [s.name for s in book.sheets]

    def rows(name: str) -> Iterator[tuple[object, ...]]:
        used = book.sheets[name].used_range
        values = used.options(ndim=2, err_to_str=True, empty=None).value or []
        pad = [None] * (used.column - 1)  # rows as from A1, so cell addresses in messages are right
        for _ in range(used.row - 1):
            yield ()
        for row in values:
            yield tuple(pad + list(row))

    return parse_workbook(names, rows, book.name, today or dt.date.today(), defined=named_sheets(book))


def named_sheets(book: xw.Book) -> tuple[str | None, str | None]:
    """The tracking and ranges sheets the book names itself through the defined names salesmetrics_tracking and
    salesmetrics_ranges, as the file reader reads them (its Settings rows are read with the sheets): the button
    has no options to type into."""
    refers: dict[str, str] = {}
    for name in book.names:
        try:
            refers[name.name.casefold()] = name.refers_to or ""
        except (KeyError, TypeError, AttributeError):  # a name the client sent without a definition
            continue
    found = (sheet_in_name(refers[key]) if key in refers else None for key in (TRACKING_SHEET_NAME,
                                                                               RANGES_SHEET_NAME))
    return next(found), next(found)


def _cell_value(cell: Cell) -> Any:
    if cell.formula is not None:
        return "=" + cell.formula
    value = cell.value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # text stays text: a rep named '=HYPERLINK(...)' is never run as a formula
    if isinstance(value, float) and value != value:
        return None
    return value


def grid(sheet: SheetLayout) -> dict[tuple[int, int], Any]:
    """Every cell's value or formula, fills expanded row by row as Excel's fill-down would."""
    from openpyxl.formula.translate import Translator

    cells = {pos: _cell_value(cell) for pos, cell in sheet.cells.items()}
    for fill in sheet.fills:
        r1, c, r2, _ = split_range(fill.ref)
        origin = f"{column_letter(c)}{r1}"
        translator = Translator("=" + fill.formula, origin=origin)
        for r in range(r1, r2 + 1):
            cells[(r, c)] = translator.translate_formula(f"{column_letter(c)}{r}")
    return cells


def _runs(sheet: SheetLayout) -> dict[Style, list[str]]:
    """Style -> the ranges it covers, as runs of neighbouring cells in a row (few actions, not one per cell)."""
    styled: dict[tuple[int, int], Style] = {pos: c.style for pos, c in sheet.cells.items() if c.style}
    out: dict[Style, list[str]] = {}
    for fill in sheet.fills:
        if fill.style:
            out.setdefault(fill.style, []).append(fill.ref)
    by_row: dict[int, list[int]] = {}
    for r, c in styled:
        by_row.setdefault(r, []).append(c)
    for row, cols in sorted(by_row.items()):
        cols.sort()
        start = prev = cols[0]
        for col in [*cols[1:], None]:
            if col is not None and col == prev + 1 and styled[(row, col)] == styled[(row, start)]:
                prev = col
                continue
            ref = f"{column_letter(start)}{row}" + (f":{column_letter(prev)}{row}" if prev != start else "")
            out.setdefault(styled[(row, start)], []).append(ref)
            if col is not None:
                start = prev = col
    return out


def _apply_style(rng: xw.Range, style: Style) -> None:
    if style.bold:
        rng.font.bold = True
    if style.italic:
        rng.font.italic = True
    if style.size:
        rng.font.size = style.size
    if style.color:
        rng.font.color = f"#{style.color}"
    if style.fill:
        rng.color = f"#{style.fill}"
    if style.number_format:
        rng.number_format = style.number_format
    if style.align:
        rng.horizontal_alignment = style.align
    if style.wrap:
        rng.wrap_text = True


def _name(book: xw.Book, name: str) -> xw.main.Name | None:
    return next((n for n in book.names if n.name == name), None)


def _owned(book: xw.Book) -> set[str]:
    """The (casefolded) names of our sheets: those the book's record lists; in a book written before the record
    existed, those whose first cells carry our signature. The live book cannot see sheet ids: names only."""
    record = _name(book, OWNED_NAME)
    if record is not None:
        return {n.casefold() for _, n in owned_entries(record.refers_to)}
    return {s.name.casefold() for s in book.sheets if made_by_us(list(s["A1:A2"].value or []))}


def _sheet(book: xw.Book, name: str) -> xw.Sheet:
    """Our sheet, emptied in place if it exists (same position, and references to it from the user's sheets stay
    valid), else added at the end. It is wholly ours, so everything on it goes: values, formats, merges, rules,
    charts. Only called for a sheet we made (see render)."""
    names = [s.name for s in book.sheets]
    if name not in names:
        return book.sheets.add(name, after=book.sheets[names[-1]])
    sheet = book.sheets[name]
    for chart in list(sheet.charts):
        chart.delete()
    used = sheet.used_range
    used.unmerge()
    sheet.cells.conditional_formats.clear()
    sheet.clear()
    return sheet


def render_sheet(book: xw.Book, layout: SheetLayout) -> str | None:
    """The sheet written whole; returns a warning when Excel refused its print setup (the sheet itself is built)."""
    sheet = _sheet(book, layout.name)
    cells = grid(layout)
    if cells:
        rows, cols = max(r for r, _ in cells), max(c for _, c in cells)
        values = [[cells.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]
        sheet.range((1, 1), (rows, cols)).value = values
    for style, refs in _runs(layout).items():
        for ref in refs:
            _apply_style(sheet[ref], style)
    for col, width in layout.widths.items():
        sheet.range((1, col)).column_width = width
    for row, height in layout.heights.items():
        sheet.range((row, 1)).row_height = height
    for ref in layout.merges:
        sheet[ref].merge()
    for cf in layout.conditional_formats:
        _add_conditional_format(sheet, cf.ref, cf.formula, cf.highlight)
    if layout.freeze:
        row, col = split_ref(layout.freeze)
        if row > 1 or col > 1:
            sheet.freeze_panes.freeze_at(f"A1:{column_letter(max(col - 1, 1))}{max(row - 1, 1)}")
    for chart in layout.charts:
        _add_chart(sheet, chart)
    return _print_setup(book, sheet, layout)


# ---- print setup and chart labels: what the file writer writes as XML, set through the engine's own objects ------
# xlwings has no portable call for them (its PageSetup offers only the print area), so the native object model is
# used where there is one: COM's on Windows, AppleScript's on a Mac. xlwings' remote engine (xlwings Lite, and
# xlwings Server) sends Excel a list of actions, and that list has neither a page layout action (orientation, fit
# to pages, print titles) nor a tick-label spacing for a chart axis: there the sheets print with Excel's defaults
# and Excel may skip some rep names on a crowded chart axis (docs/excel.md says so). Nothing else is lost.

def _desktop(book: xw.Book) -> bool:
    return book.app.engine.type != "remote"


def _print_setup(book: xw.Book, sheet: xw.Sheet, layout: SheetLayout) -> str | None:
    if not (layout.landscape or layout.fit_width or layout.print_rows or layout.print_columns) or not _desktop(book):
        return None
    try:
        if sys.platform == "darwin":
            mac_page_setup(sheet.page_setup.api, layout)
        else:
            windows_page_setup(sheet.page_setup.api, layout, book.app.api)
    except Exception as exc:  # no printer installed, a protected sheet: the sheet is there, its print setup is not
        return (f"The sheet '{layout.name}' was built, but Excel did not take its print setup ({print_setup(layout)}): "
                f"set it under Page Layout before you print it. Excel said: {exc}")
    return None


def print_setup(layout: SheetLayout) -> str:
    """The print setup in a user's words: "landscape, 2 pages wide, rows 1 to 5 and columns A to B on every page"."""
    parts = ["landscape"] if layout.landscape else []
    if layout.fit_width:
        parts.append(f"{layout.fit_pages_wide} page{'s' if layout.fit_pages_wide > 1 else ''} wide")
    repeated = ([f"rows {layout.print_rows[0]} to {layout.print_rows[1]}"] if layout.print_rows else []) + (
        [f"columns {column_letter(layout.print_columns[0])} to {column_letter(layout.print_columns[1])}"]
        if layout.print_columns else [])
    if repeated:
        parts.append(" and ".join(repeated) + " on every page")
    return ", ".join(parts)


def _titles(layout: SheetLayout) -> tuple[str | None, str | None]:
    """Print titles as Excel's PageSetup takes them: "$1:$5" and "$A:$B"."""
    rows = f"${layout.print_rows[0]}:${layout.print_rows[1]}" if layout.print_rows else None
    cols = (f"${column_letter(layout.print_columns[0])}:${column_letter(layout.print_columns[1])}"
            if layout.print_columns else None)
    return rows, cols


def windows_page_setup(setup: Any, layout: SheetLayout, application: Any = None) -> None:
    """Excel's PageSetup object over COM. Each property is a round trip to the printer driver, so Excel is told to
    hold them (Application.PrintCommunication, Excel 2010 and later) and send them once."""
    held = _hold_printer(application)
    try:
        if layout.landscape:
            setup.Orientation = PageOrientation.xlLandscape
        if layout.fit_width:
            setup.Zoom = False  # FitToPages* count only without a zoom
            setup.FitToPagesWide = layout.fit_pages_wide
            setup.FitToPagesTall = False  # as many pages down as the rows need
        rows, cols = _titles(layout)
        if rows:
            setup.PrintTitleRows = rows
        if cols:
            setup.PrintTitleColumns = cols
    finally:
        if held:
            application.PrintCommunication = True


def _hold_printer(application: Any) -> bool:
    if application is None:
        return False
    try:
        application.PrintCommunication = False
        return True
    except Exception:  # an Excel without it (before 2010): each property goes on its own
        return False


def mac_page_setup(setup: Any, layout: SheetLayout) -> None:
    """Excel for Mac's page setup object through AppleScript (appscript), the properties named as in Excel's
    AppleScript dictionary. Not run on a Mac by the tests here (see docs/excel.md)."""
    from appscript import k  # type: ignore[import-not-found]  # xlwings' Mac engine depends on it

    if layout.landscape:
        setup.page_orientation.set(k.landscape)
    if layout.fit_width:
        setup.zoom.set(False)
        setup.fit_to_pages_wide.set(layout.fit_pages_wide)
        setup.fit_to_pages_tall.set(False)
    rows, cols = _titles(layout)
    if rows:
        setup.print_title_rows.set(rows)
    if cols:
        setup.print_title_columns.set(cols)


def label_every_category(chart: xw.Chart) -> None:
    """Every category label shown (the file writer's tickLblSkip of 1): a bar per rep, and Excel would otherwise
    skip every other name on a crowded axis. Desktop engines only (see above)."""
    if sys.platform == "darwin":
        chart.category_axis.api.tick_label_spacing.set(1)
    else:
        chart.api[1].Axes(AxisType.xlCategory).TickLabelSpacing = 1


def _add_conditional_format(sheet: xw.Sheet, ref: str, formula: str, highlight: Any) -> None:
    sheet[ref].conditional_formats.add_custom(
        "=" + formula, fill_color=f"#{highlight.fill}" if highlight.fill else None,
        font_color=f"#{highlight.color}" if highlight.color else None, font_bold=highlight.bold or None)


def _add_chart(sheet: xw.Sheet, chart: Chart) -> None:
    """One contiguous source: the category column and the series columns beside it, with their header row."""
    r1, c1, r2, _ = split_range(chart.categories)
    width = len(chart.series)
    source = sheet.range((r1 - 1, c1), (r2, c1 + width))
    added = sheet.charts.add(width=chart.width_cols * 60, height=chart.height_rows * 15, anchor=sheet[chart.anchor],
                             chart_type="bar_clustered" if chart.kind == "bar" else "column_clustered", source=source)
    added.title = chart.title  # every engine, xlwings Lite included
    if _desktop(sheet.book):
        with contextlib.suppress(Exception):  # only the label spacing is lost: Excel chooses it, as in Lite
            label_every_category(added)


def apply_edit(book: xw.Book, edit: SheetEdit) -> bool:
    """Range checks on a user's sheet, once: returns False when an earlier run already added them."""
    if CHECKS_NAME in [n.name for n in book.names] and (edit.conditional_formats or edit.validations):
        return False
    sheet = book.sheets[edit.name]
    for cf in edit.conditional_formats:
        _add_conditional_format(sheet, cf.ref, cf.formula, cf.highlight)
    for dv in edit.validations:
        if dv.kind == "list":
            sheet[dv.ref].data_validation.set_list(dv.formula[1:-1].replace('""', '"').split(","))
        elif dv.kind == "custom":
            sheet[dv.ref].data_validation.set_custom("=" + dv.formula)
    for ref, value in edit.values.items():
        sheet[ref].value = value
    return True


def render(book: xw.Book, layout: WorkbookLayout) -> list[str]:
    """Our sheets replaced whole, a same-named sheet of the user's kept (ours goes under another name, and the
    warning is shown and returned); additions to the user's sheets made once."""
    owned = _owned(book)
    existing = {s.name.casefold() for s in book.sheets}
    warnings = []
    placed: dict[str, str] = {}  # our sheet's name -> where it goes (a user's sheet may hold the name)
    for sheet in layout.sheets:
        name = claim_name(sheet.name, lambda n: "ours" if n.casefold() in owned
                          else ("theirs" if n.casefold() in existing else "free"))
        if name != sheet.name and name.casefold() not in owned:  # said once, when ours first goes there
            warnings.append(f"The sheet '{sheet.name}' was not made by salesmetrics-xl, so it is kept as it is; "
                            f"ours is written as '{name}'.")
        placed[sheet.name] = name
        if name != sheet.name:
            sheet = dataclasses.replace(sheet, name=name)
        owned.add(name.casefold())
        refused = render_sheet(book, sheet)
        if refused:
            warnings.append(refused)
    record = _name(book, OWNED_NAME)
    entries = owned_formula([(None, s.name) for s in book.sheets if s.name.casefold() in owned])
    if record is None:
        book.names.add(OWNED_NAME, "=" + entries)
    elif owned_entries(record.refers_to) != owned_entries(entries):
        record.refers_to = "=" + entries
    for warning in warnings:
        book.app.alert(warning, title="salesmetrics-xl")
    added = [apply_edit(book, edit) for edit in layout.edits]
    if any(added) and CHECKS_NAME not in [n.name for n in book.names]:
        first = next(e for e in layout.edits)
        book.names.add(CHECKS_NAME, "=" + sheet_ref(first.name, "$A$1"))
    if layout.active is not None:  # show what was just built, as the file written by the command line opens on it
        book.sheets[placed.get(layout.active, layout.active)].activate()
    return warnings
