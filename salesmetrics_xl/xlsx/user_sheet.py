"""A user's sheet, edited additively on a streamed part: the cell data is copied through in chunks and only the
small tail after it (conditional formats, validations) is edited, our earlier additions recognised by their mark
and replaced; a small sheet whose cells the user asked us to change (their Ranges table) is edited whole."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from typing import IO

from salesmetrics_xl.core.problems import split_ref
from salesmetrics_xl.layouts.sheet import Cell, SheetEdit
from salesmetrics_xl.ooxml import xml_text
from salesmetrics_xl.xlsx.splice import UnwritablePartError, insert_before_first, prefixed
from salesmetrics_xl.xlsx.styles import Styles
from salesmetrics_xl.xlsx.worksheet import EXCEL_EPOCH, MARK, cell_xml, cf_xml, dv_xml
from salesmetrics_xl.xlsx.xmltext import check_xml

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
        new = "".join(cf_xml(cf, styles.dxf(cf.highlight), start + i, mark=True)
                      for i, cf in enumerate(edit.conditional_formats))
        if p:
            new = prefixed(new, p)
        ends = [m.end() for m in re.finditer(rf"</{p}conditionalFormatting>", tail)]
        if ends:
            tail = tail[:ends[-1]] + new + tail[ends[-1]:]
        else:
            tail = insert_before_first(tail, p, _AFTER_CF, "worksheet", new)
    if edit.validations:
        new = "".join(dv_xml(v) for v in edit.validations)
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
        new = cell_xml(ref, Cell(value), style, epoch) or f'<c r="{ref}"/>'  # type: ignore[arg-type]
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


def tab_selected(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Is this user's sheet's tab selected? Its sheetViews come before the cells, in the first few KiB."""
    with zf.open(info) as part:
        head = xml_text(part.read(1 << 14), partial=True).encode("utf-8")
    return _SELECTED.search(head.split(b"<sheetData", 1)[0]) is not None


class Unselected:
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


def stream_edit(src: IO[bytes], dst: IO[bytes], edit: SheetEdit | None, styles: Styles,
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
    p = prefix.encode()
    keep = len(p) + len(b"</sheetData>") - 1  # an end split between two chunks starts in the last bytes of one
    while True:
        found = _first_end(window, p)
        if found is not None:
            at, size = found
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
        edge = window[-keep:]
        spanning = _first_end(edge + chunk[:keep], p)
        if spanning is not None and spanning[0] < len(edge):  # the end starts in this window and ends in the next
            dst.write(window[:len(window) - len(edge)])
            window = edge + chunk
        else:  # all of this window is cell data: copied as it is, and the next chunk searched on its own
            dst.write(window)
            window = chunk


def _first_end(data: bytes, prefix: bytes) -> tuple[int, int] | None:
    """Where the cell data ends in ``data``: the first ``</sheetData>`` or ``<sheetData/>`` (in the sheet's prefix)
    and its length. Found with one search for what both hold, which cell data seldom does: a 90 MB sheet is
    searched once, not once for each."""
    close, empty = b"</" + prefix + b"sheetData>", b"<" + prefix + b"sheetData/>"
    at = data.find(b"sheetData")
    while at >= 0:
        start = at - len(prefix) - 1
        if start >= 1 and data.startswith(close, start - 1):
            return start - 1, len(close)
        if start >= 0 and data.startswith(empty, start):
            return start, len(empty)
        at = data.find(b"sheetData", at + 1)
    return None
