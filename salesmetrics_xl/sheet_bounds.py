"""The proof that a native reader of a sheet lays out a small grid, made before it may start (sheet_guard.bounded).

It runs on every big Tracking sheet while nothing else can, so it is made of vector passes over the bytes (numpy),
not of regular-expression scans: a regex that starts at '<' stops at each of a sheet's ten million tags, and holds
Python's lock all the while. A numpy pass looks at each byte once, at memory speed.

What it proves is what the regex scans proved, no more and no less (tests/test_sheet_bounds.py holds them as the
reference and compares): any doubt answers None, and the reader then waits for the full guard, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from salesmetrics_xl.core.problems import column_index
from salesmetrics_xl.package import _REF, MAX_COLUMN, MAX_COLUMNS, MAX_GRID, MAX_ROW, limit

_PROLOG_END = re.compile(rb"^\s*(?:<\?xml[^>]*\?>)?\s*")
_PREFIXED = re.compile(rb":(?:c|row|v|f|sheetData)[\s/>]")  # <x:c ...>: a native reader matches local names
EQUALS_SLICE = 8 * 1024**2  # bytes looked at per step of the '=' check
TAG_SLICE = 16 * 1024**2  # bytes looked at per step of the look for cell tags (keeps the masks a few MB)
WINDOW = 17  # bytes of a cell tag read at once: '<c r="' (6), three letters, seven digits and the closing quote
_CELL_TAG = ord("<") | ord("c") << 8  # '<c' as a little-endian pair of bytes
_LETTER_A, _DIGIT_0 = ord("A"), ord("0")


@dataclass(frozen=True)
class Bounds:
    """What bounded() proved: the cells there are, and the last cell's row (the rows a native reader spans); and
    what it saw on the way, for the guard's full scan (sheet_guard.scan_sheet) to use instead of looking again."""

    cells: int
    rows: int
    columns: int = 0  # the rightmost column any cell's reference names
    digits: int = 0  # the most digits in any cell's row number
    row_tags: np.ndarray | None = field(default=None, compare=False, repr=False)  # where each <row r=" starts
    errors: bool | None = None  # whether 't="e"' is anywhere in the bytes (an error cell, or text spelling one)


def bounded(data: bytes) -> Bounds | None:
    """Whether a native reader of this sheet lays out a small grid: every cell tag is spelled ``<c r="A1"`` with a
    reference no further right than the sheet's first and last rows reach and no further down than its last cell
    (or than its count of digits, when that bounds the grid); no second ``r`` in a tag, no prefixed cell, no tab,
    line break or other control byte. Then the native reader may start while scan_sheet judges the sheet (its
    conclusions stand as they always did: a refusal or a redirect is still made, whatever the native reader has
    read). Any doubt answers None, and the native reader waits for scan_sheet, as before.

    Proven, it returns the number of cells and rows, and what scan_sheet(..., bounds) then need not look for again.
    """
    start = _PROLOG_END.match(data[:4096]).end()  # type: ignore[union-attr]
    codes = np.frombuffer(data, dtype=np.uint8)
    if len(codes) <= start or codes[start:].min() < ord(" "):
        return None  # a tab or a line break, possibly inside a tag (a control byte is no XML at all)
    if prefixed(data, codes, start):
        return None
    last = data.rfind(b'<c r="')
    if last < 0:
        return None  # no cells: nothing to gain
    end = _REF.match(data, last + 2)
    refs = _REF.findall(data[:65536]) + _REF.findall(data[-65536:])
    widest = min(limit("MAX_COLUMNS", MAX_COLUMNS), MAX_COLUMN)
    columns = max((column_index(c.decode()) for c in {c for c, _ in refs}), default=0)
    if end is None or not 0 < columns <= widest or int(end[2]) > MAX_ROW or int(end[2]) * columns > MAX_GRID:
        return None
    # Rows by their count of digits when that bounds the grid already, else each one up to the last cell's row.
    digits = len(end[2])
    highest = 10**digits - 1 if (10**digits - 1) * columns <= MAX_GRID else int(end[2])
    tags = _cell_tags(codes, start)
    seen = _references_within(codes, tags, columns, digits, highest)
    first = _r_first(data) if seen is not None else None
    if first is None or first[0] != len(tags):
        return None
    return Bounds(first[0], int(end[2]), seen[0], seen[1], first[1], first[2])


def occurrences(codes: np.ndarray, needle: bytes, rare: int, start: int = 0) -> np.ndarray:
    """Where ``needle`` starts in the bytes, from ``start``, in order: found by its byte ``needle[rare]``, one vector
    compare per slice, then the needle's other bytes compared at each place (exact, like bytes.find; several times
    faster when that byte is rare, as 'w' in '<row' or ':' in a sheet)."""
    found = []
    for low in range(start + rare, len(codes), TAG_SLICE):
        at = np.flatnonzero(codes[low:low + TAG_SLICE] == needle[rare]) + (low - rare)
        at = at[at + len(needle) <= len(codes)]
        for i, byte in enumerate(needle):
            if i != rare:
                at = at[codes[at + i] == byte]
        found.append(at)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def prefixed(data: bytes, codes: np.ndarray, start: int) -> bool:
    """Whether a cell, row, value, formula or the sheet's data is written with a prefix (``<x:c``): found by its
    ':', rare in a sheet, then the tag read at each one; many of them: one regex scan, as before."""
    colons = occurrences(codes, b":", 0, start)
    if len(colons) > 10_000:
        return _PREFIXED.search(data, start) is not None
    return any(_PREFIXED.match(data, at) for at in colons.tolist())


def _cell_tags(codes: np.ndarray, start: int) -> np.ndarray:
    """Where each cell tag starts: '<c' followed by a space, '/' or '>' (what a parser reads as a <c> element, once
    control bytes are ruled out), from ``start``. '<c' is found as a pair of bytes, at even and at odd offsets."""
    found = []
    for low in range(start, len(codes), TAG_SLICE):
        part = codes[low:low + TAG_SLICE + 1]  # one byte more: a pair on the edge belongs to this slice
        for offset in (0, 1):
            pairs = part[offset:offset + (len(part) - offset) // 2 * 2].view("<u2")
            found.append(np.flatnonzero(pairs == _CELL_TAG) * 2 + (low + offset))
    at = np.concatenate(found) if found else np.zeros(0, dtype=np.intp)  # each pair's start in one slice only
    after = codes[np.minimum(at + 2, len(codes) - 1)]
    return at[(at + 2 < len(codes)) & ((after == ord(" ")) | (after == ord("/")) | (after == ord(">")))]


def _references_within(codes: np.ndarray, tags: np.ndarray, columns: int, digits: int, highest: int
                       ) -> tuple[int, int] | None:
    """Whether every cell tag at ``tags`` starts ``<c r="`` and a reference: one to three capital letters naming a
    column up to ``columns``, then one to ``digits`` digits without a leading zero for a row up to ``highest``,
    then the closing quote. If so, the rightmost column named and the most digits met; else None. Each tag's
    first bytes are read as one row of a window over the bytes."""
    if (tags > len(codes) - WINDOW).any():  # a tag in the last bytes (a truncated sheet): never a reference
        return None
    most_column = most_digits = 0
    windows = np.lib.stride_tricks.sliding_window_view(codes, WINDOW)
    for low in range(0, len(tags), 1 << 20):  # a million tags at a time: 17 MB of window bytes
        win = windows[tags[low:low + (1 << 20)]]
        if not ((win[:, 2] == ord(" ")) & (win[:, 3] == ord("r")) & (win[:, 4] == ord("="))
                & (win[:, 5] == ord('"'))).all():
            return None
        one, two, three = ((win[:, 6 + i] >= _LETTER_A) & (win[:, 6 + i] <= ord("Z")) for i in range(3))
        two &= one
        three &= two
        if not one.all():
            return None
        if not two.any():  # one letter each (every sheet under 27 columns): no column to work out
            run = _rows_within(win[:, 7:], digits, highest)
            if run is None or int(win[:, 6].max()) - (_LETTER_A - 1) > columns:
                return None
            most_column, most_digits = max(most_column, int(win[:, 6].max()) - (_LETTER_A - 1)), max(most_digits, run)
            continue
        value = win[:, 6:9].astype(np.int64) - (_LETTER_A - 1)
        column = np.where(three, (value[:, 0] * 26 + value[:, 1]) * 26 + value[:, 2],
                          np.where(two, value[:, 0] * 26 + value[:, 1], value[:, 0]))
        if int(column.max()) > columns:
            return None
        most_column = max(most_column, int(column.max()))
        for width, chosen in ((1, ~two), (2, two & ~three), (3, three)):  # the digits start after the letters
            run = _rows_within(win[chosen, 6 + width:], digits, highest) if chosen.any() else 0
            if run is None:
                return None
            most_digits = max(most_digits, run)
    return most_column, most_digits


def _rows_within(rows: np.ndarray, digits: int, highest: int) -> int | None:
    """Whether each line of ``rows`` (the bytes after a reference's letters) starts with 1 to ``digits`` digits,
    the first not 0, for a number up to ``highest``, then a closing quote: if so the most digits met, else None."""
    run = np.zeros(len(rows), dtype=np.int8)  # leading digits, up to ``digits``
    alive = np.ones(len(rows), dtype=bool)
    for i in range(digits):
        alive &= (rows[:, i] >= _DIGIT_0) & (rows[:, i] <= ord("9"))
        run += alive
    if not ((run > 0) & (rows[:, 0] != _DIGIT_0)).all():
        return None
    for i in range(1, digits + 1):  # then the quote: after fewer digits, or after ``digits`` of them
        if ((run == i) & (rows[:, i] != ord('"'))).any():
            return None
    if highest >= 10**digits - 1:
        return int(run.max())  # the count of digits bounds the number
    number = np.zeros(len(rows), dtype=np.int64)
    for i in range(digits):
        number = np.where(run > i, number * 10 + (rows[:, i].astype(np.int64) - _DIGIT_0), number)
    return int(run.max()) if (number <= highest).all() else None


def _r_first(data: bytes) -> tuple[int, np.ndarray, bool] | None:
    """The number of cell tags (``<c r=``), where each ``<row r=`` starts, in order, and whether 't="e"' is there,
    when every '=' is written as in a plain attribute (no space before it, a double quote after it: what
    sheet_guard._equals_quoted asks) and every attribute named r is the first of a <c or a <row tag: a second r in
    a cell's tag (which a reader might take instead of the first) is never there; a prefixed r only as the
    namespace declaration xmlns:r. Else None. One vector pass over the '=' signs, in slices."""
    codes = np.frombuffer(data, dtype=np.uint8)
    equals, space, quote = ord("="), ord(" "), ord('"')
    if not len(codes) or codes[-1] == equals:
        return None
    cells, rows, errors = 0, [], False
    for low in range(0, len(codes), EQUALS_SLICE):
        at = np.flatnonzero(codes[low:low + EQUALS_SLICE] == equals) + low
        if len(at) and at[0] < 6:
            return None
        before = codes[at - 1]
        if (before == space).any() or (codes[at + 1] != quote).any():
            return None
        t = at[before == ord("t")]  # t="e": an error cell (found here, not by a search of its own)
        last = len(codes) - 1
        errors = errors or bool(((codes[np.minimum(t + 2, last)] == ord("e")) & (t + 3 <= last) & (
            codes[np.minimum(t + 3, last)] == quote)).any())
        r = at[before == ord("r")]
        named = codes[r - 2]
        other = r[named != space]  # attributes whose name ends in r (attr=), and the odd ones
        other = other[(codes[other - 2] < 128) & ~_NAME_BYTES[codes[other - 2]]]
        if any(data[at - 7:at + 1] != b"xmlns:r=" for at in other.tolist()):
            return None  # an r attribute with a prefix, or right after a quote: not plain
        r = r[named == space]
        rest = r[(codes[r - 3] != ord("c")) | (codes[r - 4] != ord("<"))]  # not <c r=: must be <row r=
        if len(rest) and not ((codes[rest - 6] == ord("<")) & (codes[rest - 5] == ord("r")) & (
                codes[rest - 4] == ord("o")) & (codes[rest - 3] == ord("w"))).all():
            return None
        cells += len(r) - len(rest)
        rows.append(rest - 6)
    return cells, np.concatenate(rows), errors


# bytes that may sit inside an XML name (letters, digits, - . _): an attribute whose name only ends in r (attr=)
_NAME_BYTES = np.zeros(256, dtype=bool)
_NAME_BYTES[np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._", dtype=np.uint8)] = True
