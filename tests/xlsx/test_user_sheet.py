"""A user's sheet streamed through the edit: the cell data comes out byte for byte wherever the end of the cell data
falls among the chunks it is read in, and only the tail after it is edited."""

from __future__ import annotations

import io

import pytest

from salesmetrics_xl.layouts.sheet import ConditionalFormat, Highlight, SheetEdit
from salesmetrics_xl.xlsx.styles import Styles
from salesmetrics_xl.xlsx.user_sheet import edit_tail, stream_edit

HEAD = 1 << 16  # what stream_edit reads first
CHUNK = 1 << 20  # and then, chunk by chunk
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(prefix: str, cell_bytes: int, empty: bool = False) -> bytes:
    """A sheet whose cell data is ``cell_bytes`` long, with "sheetData" in its text (as a rep could type it)."""
    p = prefix
    root = f'<{p}worksheet xmlns{":" + p[:-1] if p else ""}="{MAIN}">'
    if empty:  # no cells: the sheet's head, padded, then <sheetData/>
        before = f'<?xml version="1.0"?>{root}<{p}dimension ref="A1"/>'
        return (before + " " * (cell_bytes - len(before))
                + f"<{p}sheetData/><{p}pageMargins left=\"1\" right=\"1\" top=\"1\" bottom=\"1\" header=\"0\" "
                f'footer="0"/></{p}worksheet>').encode()
    head = f'<?xml version="1.0"?>{root}<{p}sheetData>'
    row = (f'<{p}row r="1"><{p}c r="A1" t="inlineStr"><{p}is><{p}t>sheetData &lt;/sheetData&gt; '
           f"&lt;{p}sheetData/&gt;</{p}t></{p}is></{p}c></{p}row>")
    filler = cell_bytes - len(head) - len(row)
    body = head + row + f"<{p}row r=\"2\"/>" * (filler // len(f'<{p}row r="2"/>'))
    body += " " * (cell_bytes - len(body))  # whitespace between rows: the end lands exactly where asked
    return (body + f"</{p}sheetData><{p}pageMargins left=\"1\" right=\"1\" top=\"1\" bottom=\"1\" header=\"0\" "
            f'footer="0"/></{p}worksheet>').encode()


def _edit() -> SheetEdit:
    return SheetEdit("Tracking", conditional_formats=[ConditionalFormat("B2:B9", "B2>1", Highlight("FFC7CE"))])


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("empty", [False, True])
def test_the_cell_data_is_copied_whole_wherever_its_end_falls(prefix: str, empty: bool) -> None:
    end = f"<{prefix}sheetData/>" if empty else f"</{prefix}sheetData>"
    for boundary in (HEAD, HEAD + CHUNK, HEAD + 2 * CHUNK):
        for shift in range(-len(end) - 1, 3):  # the end before, across and after the boundary
            xml = _sheet(prefix, boundary + shift, empty)
            at = xml.index(end.encode())
            assert at == boundary + shift
            out = io.BytesIO()
            styles = Styles(f'<styleSheet xmlns="{MAIN}"/>')
            stream_edit(io.BytesIO(xml), out, _edit(), styles)
            cut = at + len(end)
            want = xml[:cut] + edit_tail(xml[cut:].decode(), prefix, _edit(),
                                         Styles(f'<styleSheet xmlns="{MAIN}"/>')).encode()
            assert out.getvalue() == want, (boundary, shift)
            assert b"salesmetrics-xl" in out.getvalue()[cut:]  # our check, in the tail


def test_a_sheet_without_an_end_of_its_cell_data_is_refused() -> None:
    xml = _sheet("", HEAD + CHUNK + 5).replace(b"</sheetData>", b"</sheetDatum>")
    with pytest.raises(Exception, match="no cell data"):
        stream_edit(io.BytesIO(xml), io.BytesIO(), _edit(), Styles(f'<styleSheet xmlns="{MAIN}"/>'))
