"""Text that fastexcel reads as no value, found before its columns are used.

fastexcel (the columnar reader of big Tracking sheets) takes some text for a missing value: a cell holding "N/A",
"n/a", "NULL", "None" or "NaN" in a column of numbers or dates comes out blank (or NaN), where every other reader
hands the parser the text, which says so ("Dials: 'N/A' is text, not a number"). A sheet read by fastexcel must
say the same, so the reader finds the columns that hold such a cell and leaves a sheet with one in a column
fastexcel read as numbers or dates to the row reader. It runs only on a sheet the columnar reader takes: a plain one
(sheet_guard: cells and rows spelled as Excel writes them, no comment, CDATA section or processing instruction, no
prefixed cells).

Cheap and bounded (it runs while fastexcel loads): a few scans that start with a literal tag, each match looked at
in a window of bytes around it, never a pattern that can run on to the end of the sheet. Anything they cannot
settle (a text in runs, a character reference, a prefixed string, many shared strings of such a text) answers
"some column" ({0}): the row reader then reads the sheet, which is slower and always right
(tests/test_null_text.py holds every reader to one answer).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from salesmetrics_xl.core.problems import column_index
from salesmetrics_xl.sheet_guard import contains

# fastexcel's NULL_STRING_VALUES (fastexcel 0.21, src/types/dtype/mod.rs); "" is blank to every reader
NULL_TEXT = frozenset({"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
                       "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})
_SPELT = sorted({html.escape(t, quote=False).encode() for t in NULL_TEXT} | {b"&lt;NA>"}, key=len, reverse=True)
_TEXTS = rb"\s*(?:" + b"|".join(re.escape(t) for t in _SPELT) + rb")\s*"
# a cell's own text: one of them, or (group 1) runs, whose texts fastexcel joins
# (a tag's attributes read up to the next '<' or '>', never past it: XML allows neither inside a tag, and a comment
# holding "<t " thousands of times made each search run on to the same far '>': time growing with its square)
_T, _END_T = rb"<(?:\w+:)?t(?:\s[^<>]*)?>", rb"</(?:\w+:)?t\s*>"
# passed over at once: the shape nearly every inline string has, <is><t>TEXT</t></is>, with a TEXT none of them can
# start (not space, nor the first byte of one: '#', '&', '-', '1', 'N', 'n'); trying the texts at each of a
# 200,000-row sheet's 600,000 inline strings took 0.3 s, this takes 0.06 s
_PLAIN_IS = rb"(?!<t>[^<\s" + re.escape(bytes(sorted({t[0] for t in _SPELT}))) + rb"][^<]*</t></is>)"
_INLINE = re.compile(rb"<is>" + _PLAIN_IS + rb"\s*(?:" + _T + _TEXTS + _END_T
                     + rb"|((?:" + _T + rb"[^<]*" + _END_T + rb"\s*)?<(?:\w+:)?r[\s>]))")
_VALUE = re.compile(rb"<v(?:\s[^<>]*)?>" + _TEXTS + rb"</v\s*>")  # a formula's text result, one of them
_SHARED = re.compile(_T + _TEXTS + rb"</")  # a shared string, one of them
_CELL = re.compile(rb'<c r="([A-Z]{1,3})\d+"')
WINDOW = 512  # bytes looked back from a value to its cell's tag (a cell's own attributes take far fewer)
MOST_SHARED = 50  # shared strings of such a text looked for one by one; more: the row reader reads the sheet


def null_text_columns(data: bytes, shared: Callable[[], bytes | None], strings: Callable[[], list[str]]) -> set[int]:
    """The columns (1 for A) of the cells whose text fastexcel reads as no value; {0} when that cannot be told.
    ``shared()`` gives the shared strings part's bytes; ``strings()`` every shared string, asked only when those
    bytes may hold one of the texts."""
    try:
        return _columns(data, shared(), strings)
    except Exception:  # whatever it is, the row reader reads the sheet, and says what is wrong in its order
        return {0}


def _columns(data: bytes, shared: bytes | None, strings: Callable[[], list[str]]) -> set[int]:
    found: set[int] = set()
    formula_text = contains(data, b't="str"', 3)  # each found by its rarest byte: several times faster than `in`
    if formula_text or contains(data, b'inlineStr"', 6):
        if contains(data, b"&#", 0) or contains(data, b":is>", 0):
            return {0}  # spelt by reference, or a prefixed string (its runs unseen): the row reader says
        for m in _INLINE.finditer(data):
            if m[1] is not None:
                return {0}  # text in runs: only joining them says
            found.add(_column(data, m.start()))
        if formula_text:
            found |= {_column(data, m.start()) for m in _VALUE.finditer(data) if _is_formula_text(data, m.start())}
    if shared is not None and (_SHARED.search(shared) or any(  # held whole, or spelt in a way only reading says
            mark in shared for mark in (b"<r>", b":r>", b"&#", b"CDATA"))):
        indexes = [i for i, text in enumerate(strings()) if text in NULL_TEXT]
        if len(indexes) > MOST_SHARED:
            return {0}
        if indexes:  # a shared-string cell whose value is one of them (any leading zeros)
            cell = re.compile(rb"<v>\s*0*(?:" + b"|".join(str(i).encode() for i in indexes) + rb")\s*</v\s*>")
            found |= {_column(data, m.start()) for m in cell.finditer(data) if _tag(data, m.start()).count(
                b't="s"')}
    return found


def _tag(data: bytes, at: int) -> bytes:
    """The tag of the cell whose value starts at ``at``, read within WINDOW bytes (empty: none there)."""
    start = data.rfind(b"<c ", max(0, at - WINDOW), at)
    return data[start:data.find(b">", start, at) + 1] if start >= 0 else b""


def _column(data: bytes, at: int) -> int:
    """The column of the cell holding the value at ``at``; 0 when it cannot be placed."""
    m = _CELL.match(_tag(data, at))
    return column_index(m[1].decode()) if m else 0


def _is_formula_text(data: bytes, at: int) -> bool:
    tag = _tag(data, at)
    return not tag or b't="str"' in tag  # a cell it cannot read: counted (the row reader then reads the sheet)
