"""Text that fastexcel reads as no value, found before its columns are used.

fastexcel (the columnar reader of big Tracking sheets) takes some text for a missing value: a cell holding "N/A",
"n/a", "NULL", "None" or "NaN" in a column of numbers or dates comes out blank (or NaN), where every other reader
hands the parser the text, which says so ("Dials: 'N/A' is text, not a number"). A sheet read by fastexcel must
say the same, so the reader finds the columns that hold such a cell (in a plain sheet: sheet_bounds.bounded proved
its cell tags) and leaves a sheet with one in a column fastexcel read as numbers or dates to the row reader.

Cheap where it matters (it runs while fastexcel loads): the shared strings are looked at as bytes first, and a
sheet's own texts by a few scans (0.08 s at 200,000 rows); the cells are looked for only when one of the texts may
be there (tests/test_null_text.py holds every reader to one answer).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import numpy as np

from salesmetrics_xl.core.problems import column_index
from salesmetrics_xl.sheet_bounds import occurrences

# fastexcel's NULL_STRING_VALUES (fastexcel 0.21, src/types/dtype/mod.rs); "" is blank to every reader
NULL_TEXT = frozenset({"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
                       "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})
_TEXTS = b"|".join(re.escape(html.escape(t, quote=False).encode()) for t in sorted(NULL_TEXT, key=len, reverse=True))
# one of the texts held whole: in a shared string (any prefix: the part is small), in a cell's own text or value
# (a plain sheet: no prefixes; a regex with a literal start scans 87 MB in 0.05 s)
_SHARED = re.compile(rb"<(?:\w+:)?t(?: [^>]*)?>(?:" + _TEXTS + rb")</")
_INLINE_MAYBE = re.compile(rb'<is><(?:r>|t(?: xml:space="preserve")?>(?:' + _TEXTS + rb")</t>)")  # or in runs
_VALUE_WHOLE = re.compile(rb"<v>(?:" + _TEXTS + rb")</v>")
_REF = rb'<c r="([A-Z]{1,3})\d+"'
_CELL = re.compile(_REF)
_INLINE = re.compile(_REF + rb'[^>]*? t="inlineStr"[^>]*><is>(.*?)</is>', re.S)
_FORMULA_TEXT = re.compile(_REF + rb'[^>]*? t="str"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_TEXT = re.compile(rb"<t(?: [^>]*)?>([^<]*)</t>|<rPh\b.*?</rPh>", re.S)  # a string's runs, not its phonetic reading


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
    if shared is not None and (_SHARED.search(shared) or b"<r>" in shared or b":r>" in shared or b"&#" in shared):
        indexes = [str(i).encode() for i, text in enumerate(strings()) if text in NULL_TEXT]
        if indexes:  # a shared string cell whose index is one of them: t="s", then any other attributes
            cell = re.compile(rb't="s"(?: [\w:]+="[^"]*")*\s*>\s*<v>\s*(?:' + b"|".join(indexes) + rb")\s*</v>")
            for match in cell.finditer(data):
                ref = _CELL.match(data, data.rfind(b'<c r="', 0, match.start()))
                found.add(column_index(ref[1].decode()) if ref else 0)  # 0: a cell it cannot place (none, proven)
    if b'inlineStr"' in data and (_INLINE_MAYBE.search(data) or _char_references(data)):
        found |= {column_index(m[1].decode()) for m in _INLINE.finditer(data) if _text(m[2]) in NULL_TEXT}
    if b't="str"' in data and (_VALUE_WHOLE.search(data) or _char_references(data)):
        found |= {column_index(m[1].decode()) for m in _FORMULA_TEXT.finditer(data)
                  if html.unescape(m[2].decode()) in NULL_TEXT}
    return found


def _char_references(data: bytes) -> bool:
    """Whether the sheet spells a character by reference (then only reading a text says what it is): found by its
    rare '&', several times faster than a search for the pair."""
    return len(occurrences(np.frombuffer(data, dtype=np.uint8), b"&#", 0)) > 0


def _text(item: bytes) -> str:
    return html.unescape("".join(m[1].decode() for m in _TEXT.finditer(item) if m[1] is not None))
