"""Workbooks whose package is legal but unusual, shaped as other tools and other Excel settings shape them: Strict
Open XML, part names in another case, a minimal or missing styles part, macro and dialog sheets, UTF-16 parts, and
a style index that makes openpyxl print to stdout. Each maker takes the sound tracking book and writes a copy.

The sound book is what Excel makes of a team's tracking file: shared strings, dates styled as dates, a chart of the
user's own on the Tracking sheet (so the sheet has relationships that must keep pointing at it), and Ranges.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from tests.conftest import TRACKING_HEADER, default_ranges_rows
from tests.hostile_files import Parts, edit, read_parts, write_parts

TODAY = dt.date(2026, 11, 20)
TRACKING_PART = "xl/worksheets/sheet1.xml"
CT = "[Content_Types].xml"
WB = "xl/workbook.xml"
WB_RELS = "xl/_rels/workbook.xml.rels"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def tracking_book(path: Path) -> Path:
    """4 reps x 6 weeks of tracking rows, the default ranges, and a chart of the user's on the Tracking sheet."""
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("Tracking")
    ws.write_row(0, 0, TRACKING_HEADER, bold)
    row = 1
    for week in range(6):
        monday = dt.date(2026, 11, 16) - dt.timedelta(weeks=week)
        for rep in range(4):
            ws.write_datetime(row, 0, dt.datetime.combine(monday, dt.time()), date)
            ws.write_row(row, 1, [f"Rep {rep}", "East", "SDR", 60 + rep + week, 120, 12, 4, 2, 1, rep % 2,
                                  900.5 * (rep % 2)])
            row += 1
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"=Tracking!$E$2:$E${row}", "categories": f"=Tracking!$B$2:$B${row}",
                      "name": "Dials"})
    ws.insert_chart(2, 14, chart)
    rs = wb.add_worksheet("Ranges")
    for r, values in enumerate(default_ranges_rows()):
        rs.write_row(r, 0, values)
    wb.close()
    return path


def _rewrite(source: Path, target: Path, change: Callable[[Parts], Parts]) -> Path:
    return write_parts(target, change(read_parts(source)))


def _text(parts: Parts, name: str, change: Callable[[str], str]) -> Parts:
    return edit(parts, name, lambda d: change(d.decode("utf-8")).encode("utf-8"))


# ---- Strict Open XML -----------------------------------------------------------------------------------------

# Longest first: a URI that starts another is replaced after it.
STRICT_URIS = [
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
     "http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
     "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
     "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes"),
    (REL, "http://purl.oclc.org/ooxml/officeDocument/relationships"),
    (MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main"),
    ("http://schemas.openxmlformats.org/drawingml/2006/main", "http://purl.oclc.org/ooxml/drawingml/main"),
    ("http://schemas.openxmlformats.org/drawingml/2006/chart", "http://purl.oclc.org/ooxml/drawingml/chart"),
    ("http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
     "http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing"),
]
TRANSITIONAL_ONLY = [t for t, _ in STRICT_URIS]


def to_strict_parts(parts: Parts) -> Parts:
    """A Transitional package as Excel saves it with "Strict Open XML Spreadsheet": the same parts and content
    types, every SpreadsheetML, DrawingML and relationship URI in its Strict spelling, the workbook marked strict."""
    out = []
    for name, data in parts:
        if name.endswith((".xml", ".rels")) and name != CT:
            text = data.decode("utf-8")
            for old, new in STRICT_URIS:
                text = text.replace(old, new)
            if name == WB:
                text = re.sub(r"<workbook\b", '<workbook conformance="strict"', text, count=1)
            data = text.encode("utf-8")
        out.append((name, data))
    return out


def strict(source: Path, target: Path) -> Path:
    return _rewrite(source, target, to_strict_parts)


# ---- part names in another case --------------------------------------------------------------------------------

def sheet_part_capitalised(source: Path, target: Path) -> Path:
    """The Tracking sheet stored as xl/worksheets/Sheet1.xml, its relationships still at _rels/sheet1.xml.rels, the
    content type override in lower case: the same part for Excel, three spellings."""
    def change(parts: Parts) -> Parts:
        parts = [("xl/worksheets/Sheet1.xml" if n == TRACKING_PART else n, d) for n, d in parts]
        return _text(parts, WB_RELS, lambda t: t.replace('Target="worksheets/sheet1.xml"',
                                                         'Target="worksheets/Sheet1.xml"'))
    return _rewrite(source, target, change)


def folder_capitalised(source: Path, target: Path) -> Path:
    """Every sheet and chart in folders spelt xl/Worksheets/ and xl/Charts/; the targets and overrides follow."""
    def change(parts: Parts) -> Parts:
        moved = [(n.replace("xl/worksheets/", "xl/Worksheets/").replace("xl/charts/", "xl/Charts/"), d)
                 for n, d in parts]
        moved = _text(moved, WB_RELS, lambda t: t.replace('Target="worksheets/', 'Target="Worksheets/'))
        moved = _text(moved, CT, lambda t: t.replace("/xl/worksheets/", "/xl/Worksheets/")
                      .replace("/xl/charts/", "/xl/Charts/"))
        return _text(moved, "xl/drawings/_rels/drawing1.xml.rels", lambda t: t.replace("../charts/", "../Charts/"))
    return _rewrite(source, target, change)


def lower_content_types(source: Path, target: Path) -> Path:
    """Content-type extensions and an override in other cases (Extension="XML", "/XL/Worksheets/Sheet2.XML").
    (LibreOffice cannot open a book whose workbook override is in another case, so that one is left alone.)"""
    def change(parts: Parts) -> Parts:
        return _text(parts, CT, lambda t: t.replace('Extension="xml"', 'Extension="XML"')
                     .replace('Extension="rels"', 'Extension="RELS"')
                     .replace("/xl/worksheets/sheet2.xml", "/XL/Worksheets/Sheet2.XML"))
    return _rewrite(source, target, change)


# ---- styles --------------------------------------------------------------------------------------------------

def empty_stylesheet(source: Path, target: Path) -> Path:
    """styles.xml is an empty <styleSheet/>, and no cell names a style (what minimal writers produce)."""
    def change(parts: Parts) -> Parts:
        parts = edit(parts, "xl/styles.xml", lambda _: f'<styleSheet xmlns="{MAIN}"/>'.encode())
        for name in [n for n, _ in parts if n.startswith("xl/worksheets/sheet")]:
            parts = _text(parts, name, lambda t: re.sub(r' s="\d+"', "", t))
        return parts
    return _rewrite(source, target, change)


def no_styles_part(source: Path, target: Path) -> Path:
    """No styles part at all (nor its relationship or content type), and no cell names a style."""
    def change(parts: Parts) -> Parts:
        parts = [(n, d) for n, d in parts if n != "xl/styles.xml"]
        parts = _text(parts, WB_RELS, lambda t: re.sub(r'<Relationship [^>]*Target="styles.xml"/>', "", t))
        parts = _text(parts, CT, lambda t: re.sub(r'<Override PartName="/xl/styles.xml"[^>]*/>', "", t))
        for name in [n for n, _ in parts if n.startswith("xl/worksheets/sheet")]:
            parts = _text(parts, name, lambda t: re.sub(r' s="\d+"', "", t))
        return parts
    return _rewrite(source, target, change)


def chatty_style_index(source: Path, target: Path) -> Path:
    """The Normal cell style names a style format (cellStyleXfs) that the list does not hold: openpyxl prints
    "0 is out of range" to stdout, then fails. Excel and the native readers take the book."""
    def change(parts: Parts) -> Parts:
        return _text(parts, "xl/styles.xml", lambda t: re.sub(r"<cellStyleXfs\b.*?</cellStyleXfs>",
                                                              '<cellStyleXfs count="0"/>', t, count=1, flags=re.S))
    return _rewrite(source, target, change)


def font_size_in_words(source: Path, target: Path) -> Path:
    """The default font's size is "eleven": openpyxl refuses the style list (a type error), the native readers
    and LibreOffice take the book."""
    def change(parts: Parts) -> Parts:
        return _text(parts, "xl/styles.xml", lambda t: re.sub(r'<sz val="[^"]*"/>', '<sz val="eleven"/>', t, count=1))
    return _rewrite(source, target, change)


# ---- sheets that are not worksheets ------------------------------------------------------------------------------

MACRO_SHEET = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xm:macrosheet xmlns="{MAIN}" '
               f'xmlns:r="{REL}" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
               '<sheetPr/><dimension ref="A1:A2"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
               '<sheetFormatPr defaultRowHeight="15"/><sheetData><row r="1"><c r="A1" t="str"><f>ECHO(FALSE)</f>'
               '<v>TRUE</v></c></row><row r="2"><c r="A2" t="b"><f>RETURN()</f><v>0</v></c></row></sheetData>'
               '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               '</xm:macrosheet>')
DIALOG_SHEET = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<dialogsheet xmlns="{MAIN}" '
                f'xmlns:r="{REL}"><sheetPr/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                '</dialogsheet>')


def macro_and_dialog_sheets(source: Path, target: Path) -> Path:
    """An Excel 4 macro sheet (xl/macrosheets/) and a dialog sheet (xl/dialogsheets/) beside the worksheets, as
    in an old macro workbook saved as .xlsm by a current Excel."""
    def change(parts: Parts) -> Parts:
        parts = [*parts, ("xl/macrosheets/sheet1.xml", MACRO_SHEET.encode()),
                 ("xl/dialogsheets/sheet1.xml", DIALOG_SHEET.encode())]
        parts = _text(parts, WB_RELS, lambda t: t.replace("</Relationships>", (
            '<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" '
            'Target="macrosheets/sheet1.xml"/>'
            f'<Relationship Id="rId91" Type="{REL}/dialogsheet" Target="dialogsheets/sheet1.xml"/>'
            "</Relationships>")))
        parts = _text(parts, WB, lambda t: t.replace("</sheets>", (
            '<sheet name="Macro1" sheetId="90" r:id="rId90"/><sheet name="Dialog1" sheetId="91" r:id="rId91"/>'
            "</sheets>")))
        return _text(parts, CT, lambda t: t.replace("</Types>", (
            '<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>'
            '<Override PartName="/xl/dialogsheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml"/></Types>'))
            .replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                     "application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    return _rewrite(source, target, change)


# ---- encodings -----------------------------------------------------------------------------------------------

def _utf16(data: bytes, bom: bool, codec: str) -> bytes:
    text = data.decode("utf-8")
    text = re.sub(r'encoding="UTF-8"', 'encoding="UTF-16"', text, count=1)
    if not text.startswith("<?xml"):
        text = '<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n' + text
    return ((codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE) if bom else b"") \
        + text.encode(codec)


def utf16_parts(bom: bool, codec: str = "utf-16-le") -> Callable[[Path, Path], Path]:
    """The Tracking sheet and the shared strings stored as UTF-16, with or without a byte-order mark."""
    def make(source: Path, target: Path) -> Path:
        def change(parts: Parts) -> Parts:
            for name in (TRACKING_PART, "xl/sharedStrings.xml"):
                parts = edit(parts, name, lambda d: _utf16(d, bom, codec))
            return parts
        return _rewrite(source, target, change)
    return make


def utf16_everywhere(source: Path, target: Path) -> Path:
    """Every XML part, the workbook, relationships, content types and styles included, as UTF-16 with a mark."""
    def change(parts: Parts) -> Parts:
        return [(n, _utf16(d, True, "utf-16-le") if n.endswith((".xml", ".rels")) else d) for n, d in parts]
    return _rewrite(source, target, change)


SHAPES: dict[str, Callable[[Path, Path], Path]] = {
    "strict": strict,
    "sheet-part-capitalised": sheet_part_capitalised,
    "folders-capitalised": folder_capitalised,
    "content-types-in-capitals": lower_content_types,
    "empty-stylesheet": empty_stylesheet,
    "no-styles-part": no_styles_part,
    "chatty-style-index": chatty_style_index,
    "font-size-in-words": font_size_in_words,
    "macro-and-dialog-sheets": macro_and_dialog_sheets,
    "utf16-with-bom": utf16_parts(True),
    "utf16-without-bom": utf16_parts(False),
    "utf16-big-endian": utf16_parts(True, "utf-16-be"),
    "utf16-every-part": utf16_everywhere,
}
SUFFIX = {"macro-and-dialog-sheets": ".xlsm"}


def make_shape(name: str, folder: Path) -> Path:
    """The sound book in ``name``'s shape, in ``folder``."""
    sound = folder / "sound.xlsx"
    if not sound.exists():
        tracking_book(sound)
    return SHAPES[name](sound, folder / f"{name}{SUFFIX.get(name, '.xlsx')}")
