"""The lossless file writer: put our sheets into a user's .xlsx/.xlsm without touching anything they made.

A plain load-and-save through a spreadsheet library drops pictures, shapes, sparklines, 2010 conditional
formats and rich text, and is slow and memory-hungry on big sheets. Instead we edit the package:

- our sheets (and their charts) are new parts, or replace the parts of the same-named sheet we made before;
- ``workbook.xml``, the relationships, the content types and ``styles.xml`` get additions spliced into the
  text, so they differ from the original only by what we add (and the counts that say how many there are);
- a user's sheet that gets our range checks is streamed, and only its small tail after ``</sheetData>`` is
  edited; our earlier additions are recognised by a marker and replaced, never duplicated;
- every other part is copied as its compressed bytes, never re-inflated;
- the result goes to a temporary file in the target folder, is fsynced, then atomically renamed.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import html
import io
import math
import os
import posixpath
import re
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import IO
from xml.parsers import expat

from defusedxml import ElementTree

try:
    from isal import isal_zlib as deflate
except ImportError:  # without the fast extra
    import zlib as deflate  # type: ignore[no-redef]

from salesmetrics_xl.core.problems import (
    Problem,
    Severity,
    WorkbookError,
    column_letter,
    split_range,
    split_ref,
)
from salesmetrics_xl.core.workbook import OUR_SHEETS
from salesmetrics_xl.layouts.sheet import (
    OWNED_NAME,
    Cell,
    Chart,
    ConditionalFormat,
    SheetEdit,
    SheetLayout,
    Validation,
    WorkbookLayout,
    claim_name,
    made_by_us,
    owned_entries,
    owned_formula,
    sheet_ref,
)
from salesmetrics_xl.locks import open_elsewhere
from salesmetrics_xl.ooxml import (
    CT_RELS,
    TRANSITIONAL,
    Namespaces,
    PartNames,
    elements,
    flavour_of,
    free_id,
    is_utf16,
    key,
    rel_kind,
    resolve,
    sheet_rid,
    sheets_of,
    utf8_xml,
    xml_text,
)
from salesmetrics_xl.package import damaged, explain
from salesmetrics_xl.xml_parts import (
    PREFIX,
    Styles,
    UnwritablePartError,
    append_to_root,
    attr,
    insert_before_first,
    prefixed,
    root_prefix,
    text,
)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_SHARED_STRINGS = NS_REL + "/sharedStrings"
REL_DRAWING = NS_REL + "/drawing"
REL_CHART = NS_REL + "/chart"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

# The sheets earlier versions wrote before the workbook recorded which sheets are ours (OWNED_NAME): a sheet with one
# of these names (or "Name (2)") is recognised as ours when its first cells carry our signature (layout.SIGNATURES).
LEGACY_SHEETS = OUR_SHEETS
# Our additions to a user's sheet carry this, so the next run can find and replace them.
MARK = "salesmetrics-xl"
MARK_FORMULA = f'N("{MARK}")=0'
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)  # Mac Excel's "1904 date system" (<workbookPr date1904="1"/>)


def _fail(path: Path | str, code: str, message: str) -> WorkbookError:
    return WorkbookError(Problem(severity=Severity.ERROR, code=code, message=message, file=str(path)))


def cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


# ---- every part we write is parsed before the package is published ----------------------------------------

INVALID_OUTPUT = "could not write a valid workbook; the original is untouched"


class InvalidPartError(Exception):
    """A part we wrote or edited is not well-formed XML: publishing it would hand Excel a damaged workbook."""


def _refuse_dtd(*_: object) -> None:
    raise InvalidPartError("it declares a DTD or entities")


def check_xml(data: bytes) -> None:
    """Raise InvalidPartError unless ``data`` is one well-formed XML document. Our parts never declare a DTD or
    entities; one that does is refused like any other damage."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InvalidPartError(f"not well-formed XML ({exc})") from None


def _print_titles(workbook: str, name: str, layout: SheetLayout) -> str:
    """The rows (and columns) repeated on every printed page of one of our sheets: the sheet's _xlnm.Print_Titles
    name, an earlier one for the same sheet replaced."""
    if layout.print_rows is None and layout.print_columns is None:
        return workbook
    root = ElementTree.fromstring(workbook.encode("utf-8"))
    names = [(s.get("name") or "").casefold() for s in root.iter() if s.tag.endswith("}sheet")]
    if name.casefold() not in names:
        return workbook
    index = names.index(name.casefold())
    quoted = "'" + name.replace("'", "''") + "'"
    parts = []
    if layout.print_columns:
        a, b = layout.print_columns
        parts.append(f"{quoted}!${column_letter(a)}:${column_letter(b)}")
    if layout.print_rows:
        parts.append(f"{quoted}!${layout.print_rows[0]}:${layout.print_rows[1]}")
    p = (re.search(r"<(\w+:)?workbook\b", workbook) or [None, ""])[1] or ""
    entry = f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{index}">{text(",".join(parts))}</{p}definedName>'
    old = re.search(rf'<{p}definedName\b(?=[^>]*\bname="_xlnm.Print_Titles")(?=[^>]*\blocalSheetId="{index}")'
                    rf'[^>]*?(?:/>|>.*?</{p}definedName>)', workbook, re.S)
    if old:
        return workbook[:old.start()] + entry + workbook[old.end():]
    if m := re.search(rf"<{p}definedNames>", workbook):  # Excel lists _xlnm names first
        return workbook[:m.end()] + entry + workbook[m.end():]
    return _new_defined_names(workbook, p, entry)



def _new_defined_names(workbook: str, p: str, entry: str) -> str:
    """A workbook without a definedNames list gets one holding ``entry``, where the schema puts it."""
    if m := re.search(rf"<{p}definedNames\s*/>", workbook):
        return workbook[:m.start()] + f"<{p}definedNames>{entry}</{p}definedNames>" + workbook[m.end():]
    return insert_before_first(workbook, p, ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
                                             "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                             "webPublishObjects", "extLst"), "workbook",
                               f"<{p}definedNames>{entry}</{p}definedNames>")

def _set_defined_name(workbook: str, name: str, value: str) -> str:
    """A hidden workbook-level name with this value: our earlier one replaced, any other name left alone."""
    p = (re.search(r"<(\w+:)?workbook\b", workbook) or [None, ""])[1] or ""
    entry = f'<{p}definedName name="{name}" hidden="1">{text(value)}</{p}definedName>'
    ours = re.search(rf'<{p}definedName\b(?=[^>]*\bname="{re.escape(name)}")(?![^>]*\blocalSheetId=)[^>]*?'
                     rf'(?:/>|>.*?</{p}definedName>)', workbook, re.S)
    if ours:
        return workbook[:ours.start()] + entry + workbook[ours.end():]
    if m := re.search(rf"</{p}definedNames>", workbook):
        return workbook[:m.start()] + entry + workbook[m.start():]
    return _new_defined_names(workbook, p, entry)


# ---- a generated sheet ------------------------------------------------------------------------------------

def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _cell_xml(ref: str, cell: Cell, s: int, epoch: dt.datetime = EXCEL_EPOCH) -> str:
    style = f' s="{s}"' if s else ""
    value = cell.value
    if isinstance(value, dt.datetime | dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        value = (moment - epoch).total_seconds() / 86400
    if cell.formula is not None:
        formula = f"<f>{text(cell.formula)}</f>"
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b">{formula}<v>{int(value)}</v></c>'
        if isinstance(value, int | float) and math.isfinite(value):
            return f'<c r="{ref}"{style}>{formula}<v>{_number(value)}</v></c>'
        if isinstance(value, str):
            return f'<c r="{ref}"{style} t="str">{formula}<v>{text(value)}</v></c>'
        return f'<c r="{ref}"{style}>{formula}</c>'
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<c r="{ref}"{style}/>' if s else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style}><v>{_number(value)}</v></c>'
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


def _cf_xml(cf: ConditionalFormat, dxf: int, priority: int, mark: bool) -> str:
    formula = f"AND({cf.formula},{MARK_FORMULA})" if mark else cf.formula
    stop = ' stopIfTrue="1"' if cf.stop else ""
    return (f'<conditionalFormatting sqref="{cf.ref}"><cfRule type="expression" dxfId="{dxf}" '
            f'priority="{priority}"{stop}><formula>{text(formula)}</formula></cfRule></conditionalFormatting>')


def _dv_xml(dv: Validation) -> str:
    op = f' operator="{dv.operator}"' if dv.operator else ""
    blank = ' allowBlank="1"' if dv.allow_blank else ""
    return (f'<dataValidation type="{dv.kind}"{op}{blank} showErrorMessage="1" errorTitle="{MARK}" '
            f'error={attr(dv.error)} sqref="{dv.ref}"><formula1>{text(dv.formula)}</formula1></dataValidation>')


def sheet_xml(layout: SheetLayout, styles: Styles, drawing_rid: str | None, selected: bool = False,
              epoch: dt.datetime = EXCEL_EPOCH, ns: Namespaces = TRANSITIONAL) -> Iterator[str]:
    """The sheet part in pieces, so a 200k-row sheet is never one string in memory. Styles are registered before
    this returns (styles.xml is written first); only the rows are produced lazily. Dates are counted from
    ``epoch``: 1904 in a workbook set to the 1904 date system."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for (r, c), cell in layout.cells.items():
        xml = _cell_xml(cell_ref(r, c), cell, styles.cell_xf(cell.style), epoch)
        if xml:
            rows.setdefault(r, []).append((c, xml))
    spans = []  # (first row, last row, column, shared cell xml with \0 for the row number)
    for si, fill in enumerate(layout.fills):
        r1, c, r2, _ = split_range(fill.ref)
        s = styles.cell_xf(fill.style)
        style = f' s="{s}"' if s else ""
        letter = column_letter(c)
        rows.setdefault(r1, []).append(
            (c, f'<c r="{letter}{r1}"{style}><f t="shared" ref="{fill.ref}" si="{si}">{text(fill.formula)}</f></c>'))
        spans.append((r1 + 1, r2, c, f'<c r="{letter}\0"{style}><f t="shared" si="{si}"/></c>'))
    fill_rows = range(min((a for a, _, _, _ in spans), default=1), max((b for _, b, _, _ in spans), default=0) + 1)
    last_row = max([*rows, fill_rows.stop - 1, 1])
    last_col = max([*(c for cells in rows.values() for c, _ in cells), *(c for _, _, c, _ in spans), 1])
    dim = f"A1:{cell_ref(last_row, last_col)}"
    heights = {r: f' ht="{h}" customHeight="1"' for r, h in layout.heights.items()}
    templates: dict[tuple[int, ...], str] = {}

    edges = sorted({a for a, _, _, _ in spans} | {b + 1 for _, b, _, _ in spans})
    covering_from = {e: tuple(i for i, (a, b, _, _) in enumerate(spans) if a <= e <= b) for e in edges}

    sample: list[str] = []  # each row of its own once, each filled-down template once: what the check parses

    def row_xml(r: int) -> str:
        edge = edges[bisect.bisect_right(edges, r) - 1] if edges and r >= edges[0] else None
        covering = covering_from[edge] if edge is not None else ()
        if r not in rows and r not in heights:  # only filled-down formulas: one template, one replace
            if covering not in templates:
                templates[covering] = "".join(x for _, _, _, x in sorted(spans[i] for i in covering))
                sample.append(f'<row r="{r}">{templates[covering].replace(chr(0), str(r))}</row>')
            return f'<row r="{r}">{templates[covering].replace(chr(0), str(r))}</row>'
        cells = rows.get(r, []) + [(spans[i][2], spans[i][3].replace("\0", str(r))) for i in covering]
        xml = f'<row r="{r}"{heights.get(r, "")}>{"".join(x for _, x in sorted(cells))}</row>'
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
    cfs = "".join(_cf_xml(cf, styles.dxf(cf.highlight), i, mark=False)
                  for i, cf in enumerate(layout.conditional_formats, start=1))
    dvs = (f'<dataValidations count="{len(layout.validations)}">' + "".join(_dv_xml(v) for v in layout.validations)
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

    def pieces() -> Iterator[str]:
        yield head
        for start in range(0, len(order), 5000):
            yield "".join(row_xml(r) for r in order[start:start + 5000])
        # Parsed before the package is published. The rows that repeat a template differ from its first instance
        # only by their row number, so each template is parsed once: a 200k-row sheet is checked in milliseconds,
        # where parsing all of it would cost seconds.
        check_xml((head + "".join(sample) + tail).encode("utf-8"))
        yield tail

    return pieces()


# ---- charts -----------------------------------------------------------------------------------------------

_PALETTE = ("4472C4", "ED7D31", "70AD47", "FFC000", "5B9BD5", "A5A5A5")


def _range_cells(layout: SheetLayout, ref: str) -> list[Cell]:
    r1, c1, r2, c2 = split_range(ref)
    return [layout.cells.get((r, c), Cell()) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _abs(sheet: str, ref: str) -> str:
    return sheet_ref(sheet, ":".join("$" + re.sub(r"(\d+)", r"$\1", part) for part in ref.split(":")))


def chart_xml(layout: SheetLayout, chart: Chart) -> str:
    def cache(cells: list[Cell], numeric: bool) -> str:
        points = []
        for i, cell in enumerate(cells):
            v = cell.value
            if numeric and isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                points.append(f'<c:pt idx="{i}"><c:v>{_number(v)}</c:v></c:pt>')
            elif not numeric and v is not None:
                points.append(f'<c:pt idx="{i}"><c:v>{text(str(v))}</c:v></c:pt>')
        head = "<c:formatCode>General</c:formatCode>" if numeric else ""
        return f'{head}<c:ptCount val="{len(cells)}"/>{"".join(points)}'

    categories = _range_cells(layout, chart.categories)
    series = ""
    for i, s in enumerate(chart.series):
        color = s.color or _PALETTE[i % len(_PALETTE)]
        series += (
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:v>{text(s.name)}</c:v></c:tx>'
            f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>'
            f"<c:cat><c:strRef><c:f>{text(_abs(layout.name, chart.categories))}</c:f>"
            f"<c:strCache>{cache(categories, False)}</c:strCache></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{text(_abs(layout.name, s.values))}</c:f>"
            f"<c:numCache>{cache(_range_cells(layout, s.values), True)}</c:numCache></c:numRef></c:val></c:ser>")
    bar_dir = "bar" if chart.kind == "bar" else "col"
    cat_orientation = "maxMin" if chart.kind == "bar" else "minMax"
    return (
        XML_DECL + '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{NS_REL}"><c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr>'
        f'<a:defRPr sz="1200" b="1"/></a:pPr><a:r><a:rPr lang="en-US" sz="1200" b="1"/><a:t>{text(chart.title)}'
        '</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        f'<c:plotArea><c:layout/><c:barChart><c:barDir val="{bar_dir}"/><c:grouping val="clustered"/>'
        f'<c:varyColors val="0"/>{series}<c:gapWidth val="60"/><c:axId val="50010"/><c:axId val="50020"/>'
        f'</c:barChart><c:catAx><c:axId val="50010"/><c:scaling><c:orientation val="{cat_orientation}"/>'
        '</c:scaling><c:delete val="0"/><c:axPos val="' + ("l" if chart.kind == "bar" else "b") + '"/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="50020"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:tickLblSkip val="1"/></c:catAx>'
        '<c:valAx><c:axId val="50020"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="' + ("t" if chart.kind == "bar" else "l") + '"/><c:majorGridlines/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="50010"/>'
        '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')


def drawing_xml(charts: list[Chart]) -> str:
    anchors = ""
    for i, chart in enumerate(charts, start=1):
        row, col = split_ref(chart.anchor)
        anchors += (
            '<xdr:twoCellAnchor editAs="oneCell">'
            f"<xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{col - 1 + chart.width_cols}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row - 1 + chart.height_rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" name="Chart {i}"/>'
            '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '</xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            f'r:id="rId{i}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>')
    return (XML_DECL + '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{NS_REL}">{anchors}</xdr:wsDr>')


def rels_xml(rels: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in rels)
    return XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>'


# ---- a user's sheet: additive edits on a streamed part ----------------------------------------------------

_AFTER_CF = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
             "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
             "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
             "webPublishItems", "tableParts", "extLst")


def edit_tail(tail: str, prefix: str, edit: SheetEdit, styles: Styles) -> str:
    """The part of a sheet after its cell data: drop our earlier additions, then add this run's."""
    p = prefix
    mark = re.escape(MARK)
    tail = re.sub(rf"<{p}conditionalFormatting\b[^>]*>(?:(?!</{p}conditionalFormatting>).)*?"
                  rf"N\((?:&quot;|\"){mark}(?:&quot;|\")\)=0.*?</{p}conditionalFormatting>", "", tail, flags=re.S)
    tail = re.sub(rf'<{p}dataValidation\b[^>]*errorTitle="{mark}"[^>]*>.*?</{p}dataValidation>', "", tail, flags=re.S)
    block = re.search(rf"<{p}dataValidations\b[^>]*>(.*?)</{p}dataValidations>", tail, re.S)
    if block and not re.search(rf"<{p}dataValidation\b", block[1]):
        tail = tail[:block.start()] + tail[block.end():]

    if edit.conditional_formats:
        priorities = [int(x) for x in re.findall(r'\bpriority="(\d+)"', tail)]
        start = max(priorities, default=0) + 1
        new = "".join(_cf_xml(cf, styles.dxf(cf.highlight), start + i, mark=True)
                      for i, cf in enumerate(edit.conditional_formats))
        if p:
            new = prefixed(new, p)
        ends = [m.end() for m in re.finditer(rf"</{p}conditionalFormatting>", tail)]
        if ends:
            tail = tail[:ends[-1]] + new + tail[ends[-1]:]
        else:
            tail = insert_before_first(tail, p, _AFTER_CF, "worksheet", new)
    if edit.validations:
        new = "".join(_dv_xml(v) for v in edit.validations)
        if p:
            new = prefixed(new, p)
        block = re.search(rf"<{p}dataValidations\b[^>]*>(.*?)</{p}dataValidations>", tail, re.S)
        if block:
            inner = block[1] + new
            count = len(re.findall(rf"<{p}dataValidation\b", inner))
            opening = re.sub(r'\scount="\d+"', "", tail[block.start():block.start(1)])
            opening = opening[:-1] + f' count="{count}">'
            tail = tail[:block.start()] + opening + inner + f"</{p}dataValidations>" + tail[block.end():]
        else:
            count = len(edit.validations)
            tail = insert_before_first(tail, p, _AFTER_CF[1:], "worksheet",
                                        f'<{p}dataValidations count="{count}">{new}</{p}dataValidations>')
    else:
        block = re.search(rf"(<{p}dataValidations\b[^>]*)>(.*?)</{p}dataValidations>", tail, re.S)
        if block:
            count = len(re.findall(rf"<{p}dataValidation\b", block[2]))
            opening = re.sub(r'\scount="\d+"', "", block[1]) + f' count="{count}"'
            tail = tail[:block.start()] + opening + tail[block.start(1) + len(block[1]):]
    return tail


def set_cells(xml: str, prefix: str, values: dict[str, object], epoch: dt.datetime = EXCEL_EPOCH) -> str:
    """Change single cells' values inside sheetData, keeping each cell's style; missing cells and rows are added
    in order. For small sheets the user asked us to change (their Ranges table), never for cell data at scale.
    The rows are found in one pass and the sheet rebuilt once, so 10,000 changed cells (5,000 ranges applied by
    ``baseline --apply``) cost one pass over the sheet, not one each."""
    p = prefix
    edits: dict[int, list[tuple[int, str, object]]] = {}
    for ref, value in values.items():
        row_number, col = split_ref(ref)
        edits.setdefault(row_number, []).append((col, ref, value))
    xml = xml.replace(f"<{p}sheetData/>", f"<{p}sheetData></{p}sheetData>", 1)
    opened = re.search(rf"<{p}sheetData\b[^>]*>", xml)
    close = xml.rfind(f"</{p}sheetData>")
    if opened is None or close < opened.end():
        raise ValueError("no sheetData in worksheet")
    body, out, at = xml[opened.end():close], [], 0
    added = sorted(n for n in edits)  # rows to change or add, in order
    for row in re.finditer(rf"<{p}row\b[^>]*?(?:/>|>.*?</{p}row>)", body, re.S):
        number = re.search(r'\br="(\d+)"', row[0].split(">", 1)[0])
        if number is None:
            continue
        n = int(number[1])
        while added and added[0] < n:  # rows that do not exist yet go before the first row after them
            missing = added.pop(0)
            out += [body[at:row.start()], _edited_row(f'<{p}row r="{missing}"></{p}row>', p, edits[missing], epoch)]
            at = row.start()
        if added and added[0] == n:
            added.pop(0)
            out += [body[at:row.start()], _edited_row(row[0], p, edits[n], epoch)]
            at = row.end()
    out.append(body[at:])
    out += [_edited_row(f'<{p}row r="{n}"></{p}row>', p, edits[n], epoch) for n in added]
    return xml[:opened.end()] + "".join(out) + xml[close:]


def _edited_row(block: str, p: str, changes: list[tuple[int, str, object]], epoch: dt.datetime) -> str:
    """One row's XML with its changed cells (each keeping its style) and its new ones, in column order."""
    if block.endswith("/>"):
        block = block[:-2] + f"></{p}row>"
    for col, ref, value in changes:
        cell = re.search(rf'<{p}c\b[^>]*\br="{ref}"[^>]*?(?:/>|>.*?</{p}c>)', block, re.S)
        style = int(m[1]) if cell and (m := re.search(r'\bs="(\d+)"', cell[0].split(">", 1)[0])) else 0
        new = _cell_xml(ref, Cell(value), style, epoch) or f'<c r="{ref}"/>'  # type: ignore[arg-type]
        if p:
            new = prefixed(new, p)
        if cell:
            block = block[:cell.start()] + new + block[cell.end():]
        else:
            cells = [(split_ref(m[1])[1], m.start()) for m in re.finditer(rf'<{p}c\b[^>]*\br="([A-Z]+\d+)"', block)]
            at = next((start for c, start in cells if c > col), block.rindex(f"</{p}row>"))
            block = block[:at] + new + block[at:]
    return block


_SELECTED = re.compile(rb'(<(?:\w+:)?sheetView\b[^>]*?)\stabSelected="(?:1|true)"')


def _selected(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Is this user's sheet's tab selected? Its sheetViews come before the cells, in the first few KiB."""
    with zf.open(info) as part:
        head = xml_text(part.read(1 << 14), partial=True).encode("utf-8")
    return _SELECTED.search(head.split(b"<sheetData", 1)[0]) is not None


class _Unselected:
    """A sheet part read with tabSelected taken off its sheetView: two selected tabs would open as a group, and a
    user's next edit would go to every sheet of it. Only the head before the cells is looked at."""

    def __init__(self, src: IO[bytes]):
        self.src, self.done = src, False

    def read(self, size: int = -1) -> bytes:
        if self.done:
            return self.src.read(size)
        self.done = True
        data = self.src.read(max(size, 1 << 16) if size >= 0 else -1)
        while b"<sheetData" not in data and (more := self.src.read(1 << 16)):
            data += more
        head, sep, rest = data.partition(b"<sheetData")
        return _SELECTED.sub(rb"\1", head) + sep + rest


def _stream_edit(src: IO[bytes], dst: IO[bytes], edit: SheetEdit | None, styles: Styles,
                 epoch: dt.datetime = EXCEL_EPOCH) -> None:
    """Copy the cell data through in chunks; only the tail after it is held in memory and edited (no edit: the
    part is copied as it is read)."""
    if edit is None:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        return
    if edit.values:  # a small sheet whose cells the user asked us to change: edit it whole
        xml = src.read().decode("utf-8")
        root = re.search(r"<(\w+:)?worksheet\b", xml)
        prefix = (root[1] if root else None) or ""
        end = re.search(rf"</{prefix}sheetData>|<{prefix}sheetData/>", xml)
        if end is None:
            raise UnwritablePartError("the sheet", "has no cell data (sheetData)")
        data = set_cells(xml[:end.end()], prefix, edit.values, epoch)
        edited = (data + edit_tail(xml[end.end():], prefix, edit, styles)).encode("utf-8")
        check_xml(edited)
        dst.write(edited)
        return
    window = src.read(1 << 16)
    root = re.search(rb"<(\w+:)?worksheet\b", window)
    if root is None:
        raise UnwritablePartError("the sheet", "is not a worksheet")
    prefix = (root[1] or b"").decode()
    opening = re.compile(rb"<" + re.escape(root[0][1:]) + rb"[^>]*>").search(window, root.start())
    if opening is None:
        raise UnwritablePartError("the sheet", "is not a worksheet")
    ends = [f"</{prefix}sheetData>".encode(), f"<{prefix}sheetData/>".encode()]
    while True:
        hits = [(i, len(end)) for end in ends if (i := window.find(end)) >= 0]
        if hits:
            at, size = min(hits)
            dst.write(window[:at + size])
            tail = edit_tail((window[at + size:] + src.read()).decode("utf-8"), prefix, edit, styles).encode("utf-8")
            # The cell data before it is the user's, copied as it was; what we edited must close the sheet cleanly
            # under the sheet's own root element (which declares its namespaces).
            check_xml(opening[0] + tail)
            dst.write(tail)
            return
        chunk = src.read(1 << 20)
        if not chunk:
            raise UnwritablePartError("the sheet", "has no cell data (sheetData)")
        dst.write(window[:-64])
        window = window[-64:] + chunk


# ---- the package --------------------------------------------------------------------------------------------

class _Deflated:
    """A part compressed into memory as it is written, then put into the package as a raw entry. Level 1 with
    python-isal when installed (the ``fast`` extra): about three times faster than zlib, which was most of the
    cost of a 200k-row Evaluation sheet and of rewriting a 90 MB Tracking sheet; zlib otherwise."""

    def __init__(self) -> None:
        self.compressor = deflate.compressobj(1, deflate.DEFLATED, -15)
        self.chunks: list[bytes] = []
        self.crc = self.size = 0

    def write(self, data: bytes) -> int:
        self.crc = deflate.crc32(data, self.crc)
        self.size += len(data)
        if out := self.compressor.compress(data):
            self.chunks.append(out)
        return len(data)

    def entry(self, info: zipfile.ZipInfo) -> tuple[zipfile.ZipInfo, list[bytes]]:
        self.chunks.append(self.compressor.flush())
        info.compress_type, info.CRC, info.file_size = zipfile.ZIP_DEFLATED, self.crc, self.size
        info.compress_size = sum(len(c) for c in self.chunks)
        return info, self.chunks


def _append_raw(out: zipfile.ZipFile, info: zipfile.ZipInfo, chunks: list[bytes]) -> None:
    """Add an entry whose compressed bytes, CRC and sizes are already known: no data descriptor follows."""
    info.flag_bits &= ~0x08
    info.header_offset = out.fp.tell()  # type: ignore[union-attr]
    zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    out.fp.write(info.FileHeader(zip64=zip64))  # type: ignore[union-attr]
    for chunk in chunks:
        out.fp.write(chunk)  # type: ignore[union-attr]
    out.start_dir = out.fp.tell()  # type: ignore[union-attr]
    out.filelist.append(info)
    out.NameToInfo[info.filename] = info


def _copy_raw(src: IO[bytes], info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one entry's compressed bytes as they are: the part is byte-identical and costs no inflating."""
    src.seek(info.header_offset)
    header = src.read(30)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type, new.CRC = info.compress_type, info.CRC
    new.compress_size, new.file_size = info.compress_size, info.file_size
    new.external_attr, new.create_system, new.flag_bits = info.external_attr, info.create_system, info.flag_bits
    _append_raw(out, new, [src.read(info.compress_size)])


def _rels_name(part: str) -> str:
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def _parse_rels(xml: str) -> list[tuple[str, str, str]]:
    """(id, type, target) of each relationship; the type in Transitional words whatever the book's flavour, so
    one comparison (``kind == REL_WORKSHEET``) serves both. An external target (a web link) is kept for its id
    and names no part."""
    root = ElementTree.fromstring(xml.encode("utf-8"))
    return [(r.get("Id") or "", TRANSITIONAL.rel_type(rel_kind(r.get("Type"))),
             "" if r.get("TargetMode") == "External" else r.get("Target") or "") for r in root]


def _relative(part: str, folder: str) -> str:
    """The target that points from a part in ``folder`` to ``part``."""
    return posixpath.relpath(part, folder or ".")


def output_path(source: Path, out: Path | None, in_place: bool, tag: str = "summary", force: bool = False) -> Path:
    """Where a run writes: the source itself only when asked (the file a link points to, so the link stays a
    link), else ``team.summary.xlsx`` beside it. An output keeps its source's kind: Excel refuses to open a
    macro-enabled package named .xlsx, or a plain one named .xlsm. An existing file is replaced only when it is an
    earlier output of ours (it records our sheets), or with ``force``: a mistyped --out never costs a workbook."""
    if in_place:
        return Path(os.path.realpath(source))
    if out is not None and same_file(out, source):
        raise _fail(source, "out-is-input", f"--out {out} is the workbook itself, which is only written with "
                                            "--in-place; pass --in-place instead, or another --out")
    target = out or source.with_name(f"{source.stem}.{tag}{source.suffix}")
    check_output(target, f"{source.stem}.{tag}{source.suffix}")
    if out is not None and out.suffix.lower() != source.suffix.lower():
        why = "an .xlsx cannot hold its macros" if source.suffix.lower() == ".xlsm" else "Excel refuses to open " \
              "a workbook without macros named .xlsm"
        raise _fail(source, "wrong-suffix", f"--out {out}: the output is the same kind of workbook as the input "
                                            f"({why}); name it {out.with_suffix(source.suffix).name}")
    if not force and target.is_file() and not written_by_us(target):
        raise _fail(target, "not-ours", "exists and was not written by salesmetrics-xl; nothing was written. Write "
                                        "somewhere else, or pass --force to replace it")
    return target


def written_by_us(path: Path) -> bool:
    """A workbook that records sheets of ours: an earlier summary or baseline, safe to write again."""
    from salesmetrics_xl.reader import defined_names

    try:
        return OWNED_NAME.casefold() in defined_names(path)
    except Exception:  # not a workbook: certainly not ours
        return False


def same_file(a: Path, b: Path) -> bool:
    """The same file, however the path is spelled (relative, a link, another case on a case-blind drive)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return a.resolve() == b.resolve()


def check_output(target: Path, example: str = "team.summary.xlsx") -> None:
    """One sentence instead of an OS error deep in the write: the target must be a file name in a folder."""
    if target.is_dir():
        raise _fail(target, "is-a-folder", "is a folder, not a file name; give the file to write, such as "
                                           f"{target / example}")
    if not target.parent.is_dir():
        raise _fail(target, "no-folder", f"the folder {target.parent} does not exist; create it first or write "
                                         "somewhere else")


class WorkbookWriter:
    def __init__(self, source: Path):
        self.source = source
        self.zf = zipfile.ZipFile(source)
        self.infos = {i.filename: i for i in self.zf.infolist()}
        self.names = PartNames(self.infos)  # the user's parts, found as Excel finds them (any case)
        self.new: dict[str, bytes] = {}
        self.streams: dict[str, Iterator[str]] = {}  # generated sheets, written piece by piece
        self.removed: set[str] = set()
        self.edits: dict[str, SheetEdit] = {}
        self.unselect: set[str] = set()  # user's sheets whose tab was selected: ours is now, and only ours
        self.warnings: list[Problem] = []  # a user's sheet kept under its name, ours written under another
        self.epoch = EXCEL_EPOCH
        self.ns = TRANSITIONAL  # the book's flavour: Strict Open XML books get our parts in Strict words
        self.workbook_part = self._workbook_part()
        self.base = posixpath.dirname(self.workbook_part)  # where the workbook's targets start from ("xl")
        self.workbook_rels = self.actual(_rels_name(self.workbook_part))

    def actual(self, name: str) -> str:
        """The part ``name`` names, spelt as the package (or this run) spells it; ``name`` for a new part."""
        k = key(name)
        for ours in (*self.new, *self.streams):
            if key(ours) == k:
                return ours
        return self.names.find(name) or name

    def read(self, name: str) -> str:
        """A part as text, whatever its encoding (UTF-8 or UTF-16), declared as UTF-8 for writing back."""
        name = self.actual(name)
        if name in self.new:
            return self.new[name].decode("utf-8")
        try:
            return xml_text(self.zf.read(name))
        except KeyError:
            raise UnwritablePartError(name, "is missing from the workbook") from None
        except UnicodeDecodeError:
            raise UnwritablePartError(name, "holds text that is not in the encoding its XML declares") from None

    def exists(self, name: str) -> bool:
        k = key(name)
        if any(key(r) == k for r in self.removed):
            return False
        return name in self.names or any(key(ours) == k for ours in (*self.new, *self.streams))

    def free_name(self, pattern: str) -> str:
        """The first free part name of the pattern, in the folder as the package spells it. Free means: no part
        of that name in any case, and no relationships part left for it either."""
        folder, stem = posixpath.split(pattern)
        pattern = posixpath.join(self.names.folder_spelling(folder) if folder else "", stem)
        n = 1
        while self.exists(pattern.format(n)) or self.exists(_rels_name(pattern.format(n))):
            n += 1
        return pattern.format(n)

    def _workbook_part(self) -> str:
        """The workbook part, as the package's own relationships name it (xl/workbook.xml in every Excel file)."""
        root_rels = self.names.find("_rels/.rels")
        if root_rels is not None:
            for _, kind, target in _parse_rels(xml_text(self.zf.read(root_rels))):
                part = resolve("", target) if target else None
                if rel_kind(kind) == "officeDocument" and part and part in self.names:
                    return self.actual(part)
        return self.actual("xl/workbook.xml")

    def _target(self, target: str, base: str | None = None) -> str:
        """A relationship target as the part it names, spelt as stored."""
        return self.actual(resolve(self.base if base is None else base, target) or "") if target else ""

    def _pointer(self, part: str) -> str:
        """The target the workbook's relationships give a new part: relative when it sits below the workbook."""
        return _relative(part, self.base) if key(part).startswith(key(self.here(""))) else "/" + part

    def here(self, name: str) -> str:
        """A part name in the workbook's folder (xl/ in every Excel file; the package root in a minimal one)."""
        return posixpath.join(self.base, name)

    def apply(self, layout: WorkbookLayout) -> None:
        for name in self.infos:  # Excel reports such a package as damaged: we never write one
            if self.names.find(name) != name:
                raise UnwritablePartError(name, f"and {self.names.find(name)} are one part to Excel, which compares "
                                                "part names without regard to case")
        wb_rels_name = self.workbook_rels
        workbook = self.read(self.workbook_part)
        self.ns = flavour_of(workbook)
        ns = self.ns
        rels = _parse_rels(self.read(wb_rels_name))
        root = ElementTree.fromstring(workbook.encode("utf-8"))
        if any(p.get("date1904") in ("1", "true") for p in elements(root, "workbookPr")):
            self.epoch = EXCEL_EPOCH_1904
        sheets = {(s.get("name") or "").casefold(): (s.get("sheetId") or "", sheet_rid(s) or "")
                  for s in sheets_of(root)}
        targets = {rid: self._target(target) for rid, _, target in rels}
        owned = self._owned(root, rels, targets)
        display = {(s.get("name") or "").casefold(): s.get("name") or "" for s in sheets_of(root)}
        styles_rel = next((t for rid, kind, t in rels if rel_kind(kind) == "styles"), None)
        styles_name = self._target(styles_rel) if styles_rel else None
        content_types_name = self.actual("[Content_Types].xml")
        content_types = self.read(content_types_name)
        new_rels: list[str] = []
        new_sheets: list[str] = []
        new_types: list[str] = []
        used_rids = {rid for rid, _, _ in rels}
        if styles_name is None or not self.exists(styles_name):  # completed with one: our sheets need styles
            styles_name = self.here("styles.xml")
            if self.exists(styles_name):  # a stray part of that name no relationship points at
                styles_name = self.free_name(self.here("styles{}.xml"))
            self.new[styles_name] = f'{XML_DECL}<styleSheet xmlns="{ns.main}"/>'.encode()
            rid = free_id(used_rids)
            used_rids.add(rid)
            new_rels.append(f'<Relationship Id="{rid}" Type="{ns.rel_type("styles")}" '
                            f'Target="{self._pointer(styles_name)}"/>')
            new_types.append(f'<Override PartName="/{styles_name}" ContentType="{CT_STYLES}"/>')
            styles = Styles(self.new[styles_name].decode(), styles_name)
        else:
            styles = Styles(self.read(styles_name), styles_name)

        placed: dict[str, str] = {}  # our sheet's name -> where it goes (a user's sheet may hold the name)
        for sheet in layout.sheets:
            original = sheet.name
            name = claim_name(sheet.name, lambda n: "ours" if n.casefold() in owned
                              else ("theirs" if n.casefold() in sheets else "free"))
            if name != sheet.name and name.casefold() not in owned:  # said once, when ours first goes there
                self.warnings.append(Problem(
                    severity=Severity.WARNING, code="sheet-kept", file=str(self.source), sheet=sheet.name,
                    message=f"the sheet '{sheet.name}' was not made by salesmetrics-xl, so it is kept as it is; "
                            f"ours is written as '{name}'"))
            if name != sheet.name:
                sheet = dataclasses.replace(sheet, name=name)
            placed[original] = name
            owned.add(name.casefold())
            display[name.casefold()] = name
            existing = sheets.get(sheet.name.casefold())
            if existing:  # our own sheet: replace in place (same position, same sheet id, same part)
                part = targets[existing[1]]
                self._drop_dependents(part)
            else:
                part = self.free_name(self.here("worksheets/sheet{}.xml"))
                rid = free_id(used_rids)
                used_rids.add(rid)
                sheet_id = max([int(i) for i, _ in sheets.values() if i.isdigit()] + [0]) + 1
                sheets[sheet.name.casefold()] = (str(sheet_id), rid)
                new_rels.append(f'<Relationship Id="{rid}" Type="{ns.rel_type("worksheet")}" '
                                f'Target="{self._pointer(part)}"/>')
                new_sheets.append(f"<sheet name={attr(sheet.name)} sheetId=\"{sheet_id}\" r:id=\"{rid}\"/>")
                new_types.append(f'<Override PartName="/{part}" ContentType="{CT_WORKSHEET}"/>')
            drawing_rid = None
            if sheet.charts:
                drawing = self.free_name(self.here("drawings/drawing{}.xml"))
                drawing_folder = str(PurePosixPath(drawing).parent)
                drawing_rels = []
                for i, chart in enumerate(sheet.charts, start=1):
                    chart_part = self.free_name(self.here("charts/chart{}.xml"))
                    self.new[chart_part] = ns.into(chart_xml(sheet, chart)).encode("utf-8")
                    drawing_rels.append((f"rId{i}", REL_CHART, _relative(chart_part, drawing_folder)))
                    new_types.append(f'<Override PartName="/{chart_part}" ContentType="{CT_CHART}"/>')
                self.new[drawing] = ns.into(drawing_xml(sheet.charts)).encode("utf-8")
                self.new[_rels_name(drawing)] = ns.into(rels_xml(drawing_rels)).encode("utf-8")
                new_types.append(f'<Override PartName="/{drawing}" ContentType="{CT_DRAWING}"/>')
                drawing_rid = "rId1"
                self.new[self.actual(_rels_name(part))] = ns.into(rels_xml(
                    [("rId1", REL_DRAWING, _relative(drawing, str(PurePosixPath(part).parent)))])).encode("utf-8")
            self.streams[part] = sheet_xml(sheet, styles, drawing_rid, selected=original == layout.active,
                                           epoch=self.epoch, ns=ns)

        for edit in layout.edits:
            found = sheets.get(edit.name.casefold())
            if found is None:
                raise _fail(self.source, "missing-sheet", f"no sheet named '{edit.name}' to add range checks to")
            self.edits[targets[found[1]]] = edit
            for cf in edit.conditional_formats:  # registered now, so styles.xml is final before anything is written
                styles.dxf(cf.highlight)

        self.styles = styles
        styles_xml = styles.xml()
        if styles_xml is not None:
            self.new[styles_name] = styles_xml.encode("utf-8")
        if new_sheets:
            workbook = self._add_sheets(workbook, new_sheets)
        record = [(sheets[n][0], display[n]) for n in sorted(owned, key=lambda n: int(sheets[n][0] or 0))]
        workbook = _set_defined_name(workbook, OWNED_NAME, owned_formula(record))
        workbook = self._full_calc_on_load(workbook)
        for sheet in layout.sheets:
            workbook = _print_titles(workbook, placed.get(sheet.name, sheet.name), sheet)
        if layout.active is not None:
            workbook = self._open_on(workbook, placed.get(layout.active, layout.active))
            ours = {self._sheet_part(targets, sheets, placed[s.name]) for s in layout.sheets}
            for _, rid in sheets.values():
                part = targets.get(rid)
                if part and part not in ours and part in self.infos and _selected(self.zf, self.infos[part]):
                    self.unselect.add(part)
        self.new[self.workbook_part] = workbook.encode("utf-8")
        if new_rels:
            self.new[wb_rels_name] = append_to_root(self.read(wb_rels_name), "Relationships",
                                                     "".join(new_rels), wb_rels_name).encode("utf-8")
        types_prefix = root_prefix(content_types, "Types", content_types_name)

        def override(name: str) -> str:  # part names compare without regard to case
            return rf"<{re.escape(types_prefix)}Override\b[^>]*\bPartName=[\"'](?i:/{re.escape(name)})[\"'][^>]*/>"

        for name in sorted(self.removed):
            content_types = re.sub(override(name), "", content_types)
        new_types = [t for t in new_types if not re.search(override(t.split('"')[1][1:]), content_types)]
        if not re.search(rf"<{re.escape(types_prefix)}Default\b[^>]*\bExtension=[\"'](?i:rels)[\"']", content_types):
            new_types.append(f'<Default Extension="rels" ContentType="{CT_RELS}"/>')  # for our .rels parts
        self.new[content_types_name] = append_to_root(content_types, "Types", "".join(new_types),
                                                       content_types_name).encode()

    @staticmethod
    def _sheet_part(targets: dict[str, str], sheets: dict[str, tuple[str, str]], name: str) -> str | None:
        return targets.get(sheets[name.casefold()][1])

    @staticmethod
    def _open_on(workbook: str, name: str) -> str:
        """Make one sheet the tab the workbook opens on: activeTab (and firstSheet, so its tab is in view) of the
        first workbookView, added when the workbook has none. An additive edit: nothing else in bookViews moves."""
        root = ElementTree.fromstring(workbook.encode("utf-8"))
        names = [(s.get("name") or "").casefold() for s in sheets_of(root)]
        index = names.index(name.casefold())
        m = re.search(r"<(\w+:)?workbookView\b([^>]*?)(/?)>", workbook)
        if m is None:
            p = (re.search(r"<(\w+:)?workbook\b", workbook) or [None, ""])[1] or ""
            return insert_before_first(workbook, p, ("sheets",), "workbook",
                                        f'<{p}bookViews><{p}workbookView activeTab="{index}"/></{p}bookViews>')
        attrs = re.sub(r'\sactiveTab="[^"]*"', "", m[2]) + f' activeTab="{index}"'
        first = re.search(r'\sfirstSheet="(\d+)"', attrs)
        if first and int(first[1]) > index:
            attrs = attrs.replace(first[0], f' firstSheet="{index}"')
        return workbook[:m.start(2)] + attrs + workbook[m.end(2):]

    def _owned(self, root: object, rels: list[tuple[str, str, str]], targets: dict[str, str]) -> set[str]:
        """The (casefolded) names of the sheets we made, by the workbook's record of them; in a workbook written
        before the record existed, by our signature in their first cells. Only worksheets: never a chart sheet."""
        kinds = {rid: kind for rid, kind, _ in rels}
        record = None
        for defined in elements(root, "definedName"):
            if defined.get("name") == OWNED_NAME and defined.get("localSheetId") is None:
                record = owned_entries(defined.text)
        owned = set()
        for s in sheets_of(root):
            name, sheet_id, rid = s.get("name") or "", s.get("sheetId"), sheet_rid(s)  # type: ignore[attr-defined]
            if kinds.get(rid) != REL_WORKSHEET or not self.exists(targets.get(rid, "")):
                continue
            if record is not None:
                mine = any(n.casefold() == name.casefold() and i in (None, sheet_id) for i, n in record)
            else:
                mine = re.sub(r" \(\d+\)$", "", name) in LEGACY_SHEETS and made_by_us(self._first_cells(targets[rid]))
            if mine:
                owned.add(name.casefold())
        return owned

    def _first_cells(self, part: str) -> list[object]:
        """The text of A1 and A2, read from the start of the part (shared strings looked up as far as needed)."""
        with self.zf.open(part) as fh:
            head = xml_text(fh.read(1 << 16), partial=True)
        values: list[object] = []
        for ref in ("A1", "A2"):
            cell = re.search(rf'<(?:\w+:)?c\b([^>]*\br="{ref}"[^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', head, re.S)
            if cell is None or not cell[2]:
                continue
            kind = re.search(r'\bt="(\w+)"', cell[1])
            if kind and kind[1] == "s":
                index = re.search(r"<(?:\w+:)?v>(\d+)<", cell[2])
                values.append(self._shared_string(int(index[1])) if index else None)
            elif kind and kind[1] in ("inlineStr", "str"):
                pieces = re.findall(r"<(?:\w+:)?[tv]\b[^>]*>([^<]*)<", cell[2])
                values.append(html.unescape("".join(pieces)))
        return values

    def _shared_string(self, index: int) -> str | None:
        rels = _parse_rels(self.read(self.workbook_rels))
        target = next((self._target(t) for _, kind, t in rels if kind == REL_SHARED_STRINGS), None)
        if target is None or not self.exists(target):
            return None
        with self.zf.open(target) as fh:
            for _, item in ElementTree.iterparse(fh):
                if not item.tag.endswith("}si"):
                    continue
                if index == 0:
                    return "".join(t.text or "" for t in item.iter() if t.tag.endswith("}t"))
                index -= 1
                item.clear()
        return None

    def _drop_dependents(self, part: str) -> None:
        """Remove the drawings and charts of a generated sheet we are about to replace."""
        rels = self.actual(_rels_name(part))
        if not self.exists(rels):
            return
        for _, kind, target in _parse_rels(self.read(rels)):
            if kind in (REL_DRAWING, REL_CHART):
                child = self._target(target, str(PurePosixPath(part).parent))
                self._drop_dependents(child)
                self.removed.add(child)
        self.removed.add(rels)
        self.new.pop(rels, None)

    def _add_sheets(self, workbook: str, new_sheets: list[str]) -> str:
        m = re.search(rf"</{PREFIX}sheets>", workbook)
        if m is None:
            raise _fail(self.source, "damaged", f"{self.workbook_part} lists no sheets")
        prefix = m[1]
        root_tag = re.search(r"<(?!\?)[^>]+>", workbook)
        assert root_tag is not None
        r_prefix = re.search(rf'xmlns:([\w.-]+)=["\']{re.escape(self.ns.rel)}["\']', root_tag[0])
        entries = "".join(new_sheets)
        if prefix:
            entries = entries.replace("<sheet ", f"<{prefix}sheet ")
        if r_prefix and r_prefix[1] != "r":
            entries = entries.replace(" r:id=", f" {r_prefix[1]}:id=")
        elif not r_prefix:
            entries = entries.replace(" r:id=", f' xmlns:r="{self.ns.rel}" r:id=')
        return workbook[:m.start()] + entries + workbook[m.start():]

    @staticmethod
    def _full_calc_on_load(workbook: str) -> str:
        """Ask Excel to recalculate on open: the formulas we wrote must reflect the user's latest numbers."""
        m = re.search(rf"<{PREFIX}calcPr\b([^>]*?)(/?)>", workbook)
        if m:
            if "fullCalcOnLoad" in m[2]:
                return re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', workbook, count=1)
            return workbook[:m.end(2)] + ' fullCalcOnLoad="1"' + workbook[m.end(2):]
        p = root_prefix(workbook, "workbook", "the workbook part")
        return insert_before_first(workbook, p, ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                                                  "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                                  "webPublishObjects", "extLst"), "workbook",
                                    f'<{p}calcPr fullCalcOnLoad="1"/>')

    def _prepared(self, name: str, like: zipfile.ZipInfo | None) -> tuple[zipfile.ZipInfo, list[bytes]]:
        """One big part (a sheet we generate, or a user's sheet we add range checks to) compressed into memory on
        a worker thread, so the user's sheet inflates and deflates while ours is generated; the file is then
        written in the package's own order from these buffers."""
        part = _Deflated()
        try:
            if name in self.edits or name in self.unselect:
                assert like is not None
                with self.zf.open(like) as raw:
                    src: IO[bytes] = raw
                    if is_utf16(raw.peek(4)[:4]):  # rare: edited as UTF-8 text, declared so
                        src = io.BytesIO(utf8_xml(raw.read()))
                    _stream_edit(_Unselected(src) if name in self.unselect else src,  # type: ignore[arg-type]
                                 part, self.edits.get(name), self.styles, self.epoch)  # type: ignore[arg-type]
            else:
                for piece in self.streams[name]:  # sheet_xml parses what it generates before its last piece
                    part.write(piece.encode("utf-8"))
        except InvalidPartError as exc:
            raise InvalidPartError(f"{name}: {exc}") from None
        except UnwritablePartError as exc:
            raise UnwritablePartError(name, exc.what) from None
        except UnicodeDecodeError:
            raise UnwritablePartError(name, "holds text that is not in the encoding its XML declares") from None
        return part.entry(self._info(name, like))

    def _write_entries(self, out: zipfile.ZipFile) -> None:
        self.removed -= set(self.new) | set(self.streams)  # a replaced sheet's old chart part may be reused
        with self.source.open("rb") as raw, ThreadPoolExecutor(max_workers=2) as pool:
            parts = dict.fromkeys((*self.edits, *self.unselect, *self.streams))
            ready = {name: pool.submit(self._prepared, name, self.infos.get(name))
                     for name in parts if name not in self.removed}
            for info in self.zf.infolist():
                name = info.filename
                if name in ready:
                    _append_raw(out, *ready.pop(name).result())
                elif name in self.new:
                    out.writestr(self._info(name, info), self.new.pop(name))
                elif name not in self.removed:
                    _copy_raw(raw, info, out)
            for name in sorted(self.new):
                out.writestr(self._info(name, None), self.new[name])
            for name in sorted(ready):
                _append_raw(out, *ready[name].result())

    @staticmethod
    def _info(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, like.date_time if like else (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        # level 1: several times faster than the default on big sheets, for a slightly larger file
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 1)
        return info

    def _verify(self, written: Path, small: list[str]) -> None:
        """Before publishing: every part we wrote is in the package, and the small ones read back from the disk as
        the well-formed XML they were (the big ones were parsed as they were compressed)."""
        with zipfile.ZipFile(written) as zf:
            names = set(zf.namelist())
            for name in (*small, *self.edits, *self.unselect, *self.streams):
                if name not in self.removed and name not in names:
                    raise InvalidPartError(f"{name}: missing from the package")
            for name in small:
                if name.endswith((".xml", ".rels")):
                    try:
                        check_xml(zf.read(name))
                    except InvalidPartError as exc:
                        raise InvalidPartError(f"{name}: {exc}") from None
                    except (zipfile.BadZipFile, OSError) as exc:
                        raise InvalidPartError(f"{name}: cannot be read back ({exc})") from None

    def save(self, target: Path) -> None:
        """Write to a temporary file beside the target, fsync, parse what we wrote, then atomically replace the
        target: a package with a damaged part is never published."""
        folder = target.parent
        _clean_stale_temporaries(target)
        small = list(self.new)  # the parts written whole; _write_entries empties self.new
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".smxl-tmp", dir=folder)
        except OSError as exc:
            raise _fail(target, "cannot-write", f"cannot write in {folder}: {exc.strerror}") from None
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
                    self._write_entries(out)
                fh.flush()
                os.fsync(fh.fileno())
            self._verify(tmp, small)
            if target.exists():  # in place, or an earlier output: keep its mode
                shutil.copymode(target, tmp)
            else:  # mkstemp made it 0600: a new file gets what the user's umask allows, like any other
                os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
            _fsync_dir(folder)
        except InvalidPartError as exc:
            tmp.unlink(missing_ok=True)
            raise _fail(self.source, "invalid-output", f"{INVALID_OUTPUT} ({exc})") from None
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _fail(target, "cannot-write", f"could not write {target.name}: {exc.strerror or exc}; "
                                                "the original is unchanged") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def close(self) -> None:
        self.zf.close()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _clean_stale_temporaries(target: Path) -> None:
    """Temporaries left by a writer that was killed: remove those whose process is gone."""
    for stale in target.parent.glob(f".{glob_escape(target.name)}.*.smxl-tmp"):
        try:
            pid = int(stale.name[len(target.name) + 2:].split(".", 1)[0])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            stale.unlink(missing_ok=True)
        except PermissionError:
            pass


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def write_workbook(source: Path, layout: WorkbookLayout, target: Path, warnings: list[Problem] | None = None
                   ) -> Path:
    """Add ``layout`` to a copy of ``source`` at ``target`` (which may be ``source`` itself: in place). A sheet of
    the user's with one of our names is kept, ours goes under another name, and ``warnings`` gets a sentence."""
    if (lock := open_elsewhere(target)) is not None:  # Excel's ~$ or LibreOffice's .~lock file beside it
        raise _fail(target, "workbook-open", lock.sentence(target) + "; close it there first, or " + (
            "run without --in-place to write a copy" if same_file(target, source) else "write somewhere else"))
    try:
        writer = WorkbookWriter(source)
        try:
            writer.apply(layout)
            writer.save(target)
        finally:
            writer.close()
    except WorkbookError:
        raise
    except UnwritablePartError as exc:
        raise damaged(str(source), f"it cannot be written to: {exc.part} {exc.what}") from exc
    except Exception as exc:  # damage the reader did not need to see (styles, content types, a part's bytes)
        raise explain(str(source), exc, "written to") from exc
    if warnings is not None:
        warnings.extend(writer.warnings)
    return target


def iter_parts(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every part's name and uncompressed bytes, for comparing packages."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            yield info.filename, zf.read(info)
