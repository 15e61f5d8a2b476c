"""A sheet we generate, as worksheet XML produced in pieces (a 200k-row sheet is never one string in memory), and
the cells, conditional formats and validations we also add to a user's sheet."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
from collections.abc import Iterable, Iterator
from itertools import repeat

from salesmetrics_xl.core.cell_values import EXCEL_EPOCH
from salesmetrics_xl.core.problems import column_letter, split_range, split_ref
from salesmetrics_xl.layouts.sheet import Cell, ConditionalFormat, SheetLayout, Validation
from salesmetrics_xl.ooxml import TRANSITIONAL, Namespaces
from salesmetrics_xl.xlsx.styles import Styles
from salesmetrics_xl.xlsx.xmltext import XML_DECL, attr, check_xml, number, text

# Our additions to a user's sheet carry this, so the next run can find and replace them.
MARK = "salesmetrics-xl"
MARK_FORMULA = f'N("{MARK}")=0'
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)  # Mac Excel's "1904 date system" (<workbookPr date1904="1"/>)


# A sheet names the same few columns in every row: each column's letters are worked out once per process.
letters = functools.cache(column_letter)


def cell_ref(row: int, col: int) -> str:
    return f"{letters(col)}{row}"


def cell_xml(ref: str, cell: Cell, s: int, epoch: dt.datetime = EXCEL_EPOCH) -> str:
    """One <c> with style index ``s``: a formula with its cached value, a number, a date counted from ``epoch``,
    or text (always inline, so text is never read as a formula); "" for an empty cell without a style."""
    style = f' s="{s}"' if s else ""
    value, formula, _ = cell
    kind = type(value)
    if formula is None:  # most cells: plain text or a number, written without the general checks below
        if kind is str:
            space = ' xml:space="preserve"' if value != value.strip() else ""
            return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text(value)}</t></is></c>'
        if kind is int or (kind is float and math.isfinite(value)):
            return f'<c r="{ref}"{style}><v>{number(value)}</v></c>'
    if isinstance(value, dt.datetime | dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        value = (moment - epoch).total_seconds() / 86400
    if cell.formula is not None:
        formula = f"<f>{text(cell.formula)}</f>"
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b">{formula}<v>{int(value)}</v></c>'
        if isinstance(value, int | float) and math.isfinite(value):
            return f'<c r="{ref}"{style}>{formula}<v>{number(value)}</v></c>'
        if isinstance(value, str):
            return f'<c r="{ref}"{style} t="str">{formula}<v>{text(value)}</v></c>'
        return f'<c r="{ref}"{style}>{formula}</c>'
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<c r="{ref}"{style}/>' if s else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style}><v>{number(value)}</v></c>'
    # Text is always an inline string: '=SUM(...)' typed as a rep name stays text, never a formula.
    string = str(value)
    space = ' xml:space="preserve"' if string != string.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text(string)}</t></is></c>'


def _pane(freeze: str) -> str:
    row, col = split_ref(freeze)
    xs, ys = col - 1, row - 1
    active = "bottomRight" if xs and ys else ("topRight" if xs else "bottomLeft")
    split = (f' xSplit="{xs}"' if xs else "") + (f' ySplit="{ys}"' if ys else "")
    return (f'<pane{split} topLeftCell="{freeze}" activePane="{active}" state="frozen"/>'
            f'<selection pane="{active}" activeCell="{freeze}" sqref="{freeze}"/>')


def cf_xml(cf: ConditionalFormat, dxf: int, priority: int, mark: bool) -> str:
    """A conditional format; ``mark`` (on a user's sheet) ANDs in our mark, so the next run finds and replaces it."""
    formula = f"AND({cf.formula},{MARK_FORMULA})" if mark else cf.formula
    stop = ' stopIfTrue="1"' if cf.stop else ""
    return (f'<conditionalFormatting sqref="{cf.ref}"><cfRule type="expression" dxfId="{dxf}" '
            f'priority="{priority}"{stop}><formula>{text(formula)}</formula></cfRule></conditionalFormatting>')


def dv_xml(dv: Validation) -> str:
    """A data validation, titled with our mark so the next run finds and replaces it."""
    op = f' operator="{dv.operator}"' if dv.operator else ""
    blank = ' allowBlank="1"' if dv.allow_blank else ""
    return (f'<dataValidation type="{dv.kind}"{op}{blank} showErrorMessage="1" errorTitle="{MARK}" '
            f'error={attr(dv.error)} sqref="{dv.ref}"><formula1>{text(dv.formula)}</formula1></dataValidation>')


def sheet_size(layout: SheetLayout) -> int:
    """About how many bytes of XML sheet_xml writes for ``layout`` (a cell is 40 to 100): whether preparing it is
    worth a worker thread."""
    size = 60 * sum(1 if len(write) == 3 else len(write[2]) for write in layout.writes)  # type: ignore[arg-type]
    for fill in layout.fills:
        r1, _, r2, _ = split_range(fill.ref)
        size += 48 * (r2 - r1 + 1)
    return size


class _Opening(dict[int, str]):
    """Column -> '<c r="' and its letters: each column's worked out once per sheet."""

    def __missing__(self, col: int) -> str:
        self[col] = opening = f'<c r="{letters(col)}'
        return opening


def cell_tail(cell: Cell, s: int, epoch: dt.datetime = EXCEL_EPOCH) -> str:
    """A cell's XML after its reference ('" s="3"><v>7</v></c>'), "" for no cell: cell_xml itself, made with no
    reference, so what a sheet writes from this is what cell_xml writes."""
    xml = cell_xml("", cell, s, epoch)
    return xml[6:] if xml else ""  # after '<c r="': the rest starts with the quote that closes the reference


class OwnCells:
    """The XML of a layout's cells, row by row in column order: ``rows`` maps a row to its cells' XML.

    A sheet of 10,000 reps has 630,000 cells but some 40,000 distinct ones (a value in a look): each distinct
    cell's XML after its reference is made once (``tails``) and every cell is its column's opening, its row number
    and that tail, with no per-cell call. A row whose cells were put out of column order (``disordered``) keeps
    its cells as (column, XML) pairs in ``pairs`` instead, for sorting."""

    def __init__(self, layout: SheetLayout, styles: Styles, epoch: dt.datetime):
        self.layout, self.styles, self.epoch = layout, styles, epoch
        # The cells' few Style objects, each found once: every one stays alive in the layout while this runs, so
        # its id is its own. Equal values of another type (1, 1.0, True) are other keys: True is written t="b".
        self.index: dict[int, int] = {}
        self.tails: dict[tuple[object, ...], str] = {}
        self.opening = _Opening()
        self.rows: dict[int, list[str]] = {}
        self.disordered: set[int] = set()
        self.alive: list[Cell] = []
        if not self._from_writes():  # a cell put over another, or left of one already put in its row
            self._from_cells()

    def _from_writes(self) -> bool:
        """The rows' XML read from the layout's writes as they were put, a row of cells at a time, when every write
        starts right of all written before it in its row: then the writes are the cells, in order, each once (what
        _from_cells makes of them). False, having read nothing, when one does not."""
        writes, reach = self.layout.writes, {}
        for write in writes:  # whether they do, first: a cell read and then put over would leave its style behind
            r, c = write[0], write[1]
            if c <= reach.get(r, 0):
                return False
            reach[r] = c if len(write) == 3 else c + len(write[2]) - 1  # type: ignore[arg-type]
        tails, opening, rows = self.tails, self.opening, self.rows
        row, xmls, number, found = 0, [], "", None
        for write in writes:
            r, c = write[0], write[1]
            if r != row:
                row, number = r, str(r)
                found = rows.get(r)
                xmls = [] if found is None else found
            if len(write) == 3:  # one cell
                cells: Iterable[tuple[object, object, object]] = (write[2],)  # type: ignore[assignment]
            else:  # a row of cells from column c, without formulas
                cells = zip(write[2], repeat(None), write[3] or repeat(None), strict=False)  # type: ignore[arg-type]
            for value, formula, style in cells:
                try:
                    tail = tails.get((value, type(value), formula, id(style)))
                except TypeError:
                    tail = None
                if tail is None:
                    tail = self._tail_of(value, formula, style)  # type: ignore[arg-type]
                if tail:
                    xmls.append(f"{opening[c]}{number}{tail}")
                c += 1
            if xmls and found is None:  # a row's first cell: the row is there
                rows[r] = found = xmls
        return True

    def _tail_of(self, value: object, formula: str | None, style: object) -> str:
        """A cell's tail, made once per distinct cell (a value no dict can hold: keyed by the cell, kept alive)."""
        key: tuple[object, ...] = (value, type(value), formula, id(style))
        try:
            tail = self.tails.get(key)
        except TypeError:
            self.alive.append(cell := Cell(value, formula, style))  # type: ignore[arg-type]
            key, tail = (id(cell),), None
        return self.tail(key, Cell(value, formula, style)) if tail is None else tail  # type: ignore[arg-type]

    def _from_cells(self) -> None:
        """The rows' XML read cell by cell from the layout's cells by position."""
        layout = self.layout
        tails, opening, rows, last = self.tails, self.opening, self.rows, {}
        row, col, xmls, number = 0, 0, [], ""
        for (r, c), cell in layout.cells.items():
            value, formula, style = cell
            key = (value, type(value), formula, id(style))
            try:
                tail = tails.get(key)
            except TypeError:  # a value no dict can hold: the cell itself is the key (alive in the layout)
                key, tail = (id(cell),), None
            if tail is None:
                tail = self.tail(key, cell)
            if not tail:
                continue
            if r != row:
                last[row] = col
                row, number = r, str(r)
                found = rows.get(r)
                if found is None:
                    xmls = rows[r] = []
                    col = 0
                else:
                    xmls, col = found, last[r]
            if c < col:
                self.disordered.add(r)
            col = c
            xmls.append(f"{opening[c]}{number}{tail}")

    def tail(self, key: tuple[object, ...], cell: Cell) -> str:
        style = cell[2]
        s = self.index.get(id(style))
        if s is None:
            s = self.index[id(style)] = self.styles.cell_xf(style)
        self.tails[key] = tail = cell_tail(cell, s, self.epoch)
        return tail

    def pairs(self, wanted: set[int]) -> dict[int, list[tuple[int, str]]]:
        """The (column, XML) pairs of the rows ``wanted``, in the order the cells were put."""
        out: dict[int, list[tuple[int, str]]] = {r: [] for r in wanted if r in self.rows}
        if not out:
            return out
        tails, opening = self.tails, self.opening
        for (r, c), cell in self.layout.cells.items():
            if r in out:
                value, formula, style = cell
                try:
                    tail = tails[(value, type(value), formula, id(style))]
                except TypeError:  # a value no dict can hold: keyed by the cell, as read here
                    tail = tails.get((id(cell),)) or self.tail((id(cell),), cell)
                if tail:
                    out[r].append((c, f"{opening[c]}{r}{tail}"))
        return out


def sheet_xml(layout: SheetLayout, styles: Styles, drawing_rid: str | None, selected: bool = False,
              epoch: dt.datetime = EXCEL_EPOCH, ns: Namespaces = TRANSITIONAL) -> Iterator[bytes]:
    """The sheet part in pieces of UTF-8, so a 200k-row sheet is never one string in memory. Styles are registered
    before this returns (styles.xml is written first); only the rows are produced lazily. Dates are counted from
    ``epoch``: 1904 in a workbook set to the 1904 date system."""
    own = OwnCells(layout, styles, epoch)
    rows = own.rows
    spans = []  # (first row, last row, column, shared cell xml with \0 for the row number)
    tops: list[tuple[int, int, str]] = []  # each fill's top cell: (row, column, xml)
    for si, fill in enumerate(layout.fills):
        r1, c, r2, _ = split_range(fill.ref)
        s = styles.cell_xf(fill.style)
        style = f' s="{s}"' if s else ""
        letter = column_letter(c)
        tops.append((r1, c, f'<c r="{letter}{r1}"{style}><f t="shared" ref="{fill.ref}" si="{si}">'
                            f"{text(fill.formula)}</f></c>"))
        spans.append((r1 + 1, r2, c, f'<c r="{letter}\0"{style}><f t="shared" si="{si}"/></c>'))
    fill_rows = range(min((a for a, _, _, _ in spans), default=1), max((b for _, b, _, _ in spans), default=0) + 1)
    edges = sorted({a for a, _, _, _ in spans} | {b + 1 for _, b, _, _ in spans})
    covering_from = {e: tuple(i for i, (a, b, _, _) in enumerate(spans) if a <= e <= b) for e in edges}

    def covering_of(r: int) -> tuple[int, ...]:
        return covering_from[edges[bisect.bisect_right(edges, r) - 1]] if edges and r >= edges[0] else ()

    # Rows whose cells are merged and sorted as (column, XML) pairs: a row holding a fill's top cell or covered by
    # a fill, or put out of column order. Every other row of its own is its cells' XML as they were put.
    merged = own.pairs({r for r in rows if r in own.disordered or covering_of(r)} | {r for r, _, _ in tops})
    for r1, c, xml in tops:
        rows.setdefault(r1, [])
        merged.setdefault(r1, []).append((c, xml))
    last_row = max([*rows, fill_rows.stop - 1, 1])
    last_col = max([*own.opening, *(c for _, c, _ in tops), *(c for _, _, c, _ in spans), 1])
    dim = f"A1:{cell_ref(last_row, last_col)}"
    heights = {r: f' ht="{h}" customHeight="1"' for r, h in layout.heights.items()}
    templates: dict[tuple[int, ...], str] = {}

    # What the check parses: each row merged with fills once, each filled-down template once, and for the other
    # rows each distinct cell once and each distinct row height once (the rest of them is row numbers and column
    # letters, made here from integers).
    sample: list[str] = ['<row r="1">' + "".join(f'<c r="A1{tail}' for tail in own.tails.values() if tail) + "</row>",
                         *(f'<row r="1"{h}/>' for h in set(heights.values()))]

    def row_xml(r: int) -> str:
        covering = covering_of(r)
        if r not in rows and r not in heights:  # only filled-down formulas: one template, one replace
            if covering not in templates:
                templates[covering] = "".join(x for _, _, _, x in sorted(spans[i] for i in covering))
                sample.append(f'<row r="{r}">{templates[covering].replace(chr(0), str(r))}</row>')
            return f'<row r="{r}">{templates[covering].replace(chr(0), str(r))}</row>'
        if r not in merged and not covering:
            return f'<row r="{r}"{heights.get(r, "")}>{"".join(rows.get(r, ()))}</row>'
        cells = merged.get(r, [])
        if covering:
            cells = cells + [(spans[i][2], spans[i][3].replace("\0", str(r))) for i in covering]
        cells.sort()  # by column (each column once in a row)
        xml = f'<row r="{r}"{heights.get(r, "")}>{"".join([x for _, x in cells])}</row>'
        sample.append(xml)
        return xml

    props = ""
    if layout.tab_color or layout.fit_width:
        props = ("<sheetPr>" + (f'<tabColor rgb="FF{layout.tab_color}"/>' if layout.tab_color else "")
                 + ('<pageSetUpPr fitToPage="1"/>' if layout.fit_width else "") + "</sheetPr>")
    selected_attr = ' tabSelected="1"' if selected else ""
    view = f'<sheetView{selected_attr} workbookViewId="0">{_pane(layout.freeze)}</sheetView>' if layout.freeze \
        else f'<sheetView{selected_attr} workbookViewId="0"/>'
    cols = "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in sorted(layout.widths.items()))
    merges = (f'<mergeCells count="{len(layout.merges)}">'
              + "".join(f'<mergeCell ref="{m}"/>' for m in layout.merges) + "</mergeCells>") if layout.merges else ""
    cfs = "".join(cf_xml(cf, styles.dxf(cf.highlight), i, mark=False)
                  for i, cf in enumerate(layout.conditional_formats, start=1))
    dvs = (f'<dataValidations count="{len(layout.validations)}">' + "".join(dv_xml(v) for v in layout.validations)
           + "</dataValidations>") if layout.validations else ""
    setup = '<pageSetup orientation="landscape"' if layout.landscape else "<pageSetup"
    setup += f' fitToWidth="{layout.fit_pages_wide}" fitToHeight="0"/>' if layout.fit_width else "/>"
    drawing = f'<drawing r:id="{drawing_rid}"/>' if drawing_rid else ""
    head = (XML_DECL + f'<worksheet xmlns="{ns.main}" xmlns:r="{ns.rel}">{props}<dimension ref="{dim}"/>'
            f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
    tail = (f"</sheetData>{merges}{cfs}{dvs}"
            '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
            f"{setup}{drawing}</worksheet>")
    order = sorted({*rows, *heights, *fill_rows})

    special = sorted({*rows, *heights})  # rows with cells or a height of their own: built one by one
    breaks = sorted({*edges, *special, fill_rows.stop})

    joints: dict[tuple[int, ...], list[str]] = {}

    def run(r: int, stop: int) -> bytes:
        """Rows r to stop - 1, holding only filled-down formulas under one template: each row is the row number
        joined into the template's pieces, as bytes, with no per-row lookups or formatting (a 200k-row sheet is
        mostly such runs: 175 MB of XML made at memory speed)."""
        row_xml(r)  # the template made (and its first row sampled) as for any row
        covering = covering_from[edges[bisect.bisect_right(edges, r) - 1]]
        joint = joints.get(covering)
        if joint is None:  # '<row r="' N '">' cell N cell ... N cell '</row>': one join per row
            pieces = templates[covering].split("\0")
            joint = joints[covering] = ['<row r="', '">' + pieces[0], *pieces[1:-1], pieces[-1] + "</row>"] \
                if len(pieces) > 1 else ['<row r="', '">' + pieces[0] + "</row>"]
        return "".join([n.join(joint) for n in map(str, range(r, stop))]).encode()

    def pieces() -> Iterator[bytes]:
        yield head.encode("utf-8")
        out: list[str] = []  # rows of their own, up to 5,000 at a time; a run of template rows goes out as it is
        i = 0
        while i < len(order):
            r = order[i]
            if r in rows or r in heights or not edges or r < edges[0] or r >= fill_rows.stop:
                out.append(row_xml(r))
                i += 1
                if len(out) >= 5000:
                    yield "".join(out).encode("utf-8")
                    out = []
            else:  # the rows up to the next break are all there (fill_rows is a range) and all alike
                if out:
                    yield "".join(out).encode("utf-8")
                    out = []
                stop = min(breaks[bisect.bisect_right(breaks, r)], r + 5000)
                yield run(r, stop)
                i += stop - r
        if out:
            yield "".join(out).encode("utf-8")
        # Parsed before the package is published. The rows that repeat a template differ from its first instance
        # only by their row number, so each template is parsed once: a 200k-row sheet is checked in milliseconds,
        # where parsing all of it would cost seconds.
        check_xml((head + "".join(sample) + tail).encode("utf-8"))
        yield tail.encode("utf-8")

    return pieces()
