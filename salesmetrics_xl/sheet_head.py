"""The rows at the top of a sheet, read from the XML the sheet guard already holds, and the shared strings they
name: enough for the header guess that lets fastexcel start (columnar.ColumnarBook.prefetch) before openpyxl has
opened the workbook (about 0.07 s, 0.16 s with its import, on the path to fastexcel's start).

A guess only. The parser still finds the header in openpyxl's rows (columnar.ColumnarBook.header_first), and when
the guess differs, the columns are read again under the real header: a miss costs time, never a wrong answer.
So a value is read as plainly as a header needs: text as text, anything else as a number or None.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator

from defusedxml.ElementTree import iterparse

from salesmetrics_xl.core.parse import HEADER_SEARCH_ROWS, Row
from salesmetrics_xl.core.problems import column_index

_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
STRINGS_GUESSED = 100_000  # a header cell naming a shared string further on is left unread (no guess from it)


def head_rows(data: bytes, strings: Callable[[int], list[str]], count: int = HEADER_SEARCH_ROWS) -> list[Row]:
    """The sheet's first ``count`` rows, each cell placed by its reference (rows 1, 2, ... as openpyxl numbers
    them, an empty row as ()): read up to the first cell below them. ``strings(n)`` gives the first n shared
    strings."""
    cells: dict[tuple[int, int], object] = {}
    shared: dict[tuple[int, int], int] = {}
    for at, kind, value in _cells(data):
        if at[0] > count:
            break
        if kind == "s":
            index = _whole(value)
            if index is not None and index < STRINGS_GUESSED:
                shared[at] = index
        else:
            cells[at] = value
    if shared:
        known = strings(max(shared.values()) + 1)
        cells.update({at: known[i] for at, i in shared.items() if i < len(known)})
    rows: list[list[object]] = [[] for _ in range(max((r for r, _ in cells), default=0))]
    for (r, c), value in cells.items():
        row = rows[r - 1]
        row.extend([None] * (c - len(row)))
        row[c - 1] = value
    return [tuple(row) for row in rows]


def _cells(data: bytes) -> Iterator[tuple[tuple[int, int], str, object]]:
    """Each cell in the order stored, with its (row, column), its type and its value: a string (the index of a
    shared one, as text), a number, or None. A cell without a reference ends the reading (no guess past it)."""
    for _, element in iterparse(io.BytesIO(data), events=("end",)):
        name = _local(element.tag)
        if name == "sheetData":
            return
        if name != "c":
            continue
        ref = _REF.fullmatch(element.get("r") or "")
        if ref is None:
            return
        kind = element.get("t") or "n"
        if kind == "inlineStr":
            value: object = next((_text(e) for e in element if _local(e.tag) == "is"), None)
        else:
            v = next((e.text or "" for e in element if _local(e.tag) == "v"), None)
            value = v if kind in ("s", "str", "e", "d") else _number(v)
        yield (int(ref[2]), column_index(ref[1].upper())), kind, value
        element.clear()


def first_strings(zf: zipfile.ZipFile, part: str | None, count: int) -> list[str]:
    """The first ``count`` shared strings of the part (fewer when it holds fewer), streamed: a header names the
    first few, and the rest of a big part is never inflated here."""
    found: list[str] = []
    if part is None or count <= 0:
        return found
    with zf.open(part) as fh:
        for _, element in iterparse(fh, events=("end",)):
            if _local(element.tag) == "si":
                found.append(_text(element))
                element.clear()
                if len(found) >= count:
                    break
    return found


def _text(element: object) -> str:
    """A string item's text (``<si>`` or ``<is>``): its own ``<t>`` and its runs' (``<r><t>``), not the phonetic
    reading (``<rPh>``), as Excel shows it."""
    out = []
    for child in element:  # type: ignore[attr-defined]
        name = _local(child.tag)
        if name == "t":
            out.append(child.text or "")
        elif name == "r":
            out.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(out)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _whole(text: object) -> int | None:
    text = text.strip() if isinstance(text, str) else ""
    return int(text) if text.isascii() and text.isdigit() else None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None
