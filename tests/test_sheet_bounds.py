"""sheet_bounds.bounded (the proof a native reader may start) and the guard's full scan made from what it saw
(sheet_guard._proven), against two references: the regex scans they replaced, kept here as they were, and expat,
which reads every spelling. A shortcut that lets through a sheet the guard must refuse or redirect fails here."""

from __future__ import annotations

import re
from xml.parsers import expat

import numpy as np
import pytest

from salesmetrics_xl import package, sheet_bounds, sheet_guard
from salesmetrics_xl.core.problems import WorkbookError, column_index, column_letter
from salesmetrics_xl.package import _REF, MAX_COLUMN, MAX_COLUMNS, MAX_ROW, _at_most_column, limit
from salesmetrics_xl.sheet_bounds import _PREFIXED, _PROLOG_END, _at_most_number, bounded, occurrences
from salesmetrics_xl.sheet_guard import scan_sheet

HEAD = b'<?xml version="1.0"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _sheet(rows: list[bytes]) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def _cells(rows: int, columns: int = 3, text: bool = False) -> list[bytes]:
    def cell(c: int, r: int) -> bytes:
        ref = b"%s%d" % (column_letter(c).encode(), r)
        if text and c == 2:
            return b'<c r="%s" t="inlineStr"><is><t>Rep %d</t></is></c>' % (ref, r % 7)
        return b'<c r="%s"><v>%d</v></c>' % (ref, r)
    return [b'<row r="%d">' % r + b"".join(cell(c, r) for c in range(1, columns + 1)) + b"</row>"
            for r in range(1, rows + 1)]


# ---- the reference: bounded() as it was, with regex scans ------------------------------------------------------

def _reference_bounded(data: bytes) -> tuple[int, int] | None:
    start = _PROLOG_END.match(data[:4096]).end()
    if any(data.find(ws, start) >= 0 for ws in (b"\n", b"\r", b"\t")) or _PREFIXED.search(data, start):
        return None
    last = data.rfind(b'<c r="')
    if last < 0:
        return None
    end = _REF.match(data, last + 2)
    refs = _REF.findall(data[:65536]) + _REF.findall(data[-65536:])
    widest = min(limit("MAX_COLUMNS", MAX_COLUMNS), MAX_COLUMN)
    columns = max((column_index(c.decode()) for c in {c for c, _ in refs}), default=0)
    if end is None or not 0 < columns <= widest or int(end[2]) > MAX_ROW or int(end[2]) * columns > \
            sheet_bounds.MAX_GRID:
        return None
    letters = f"[A-{column_letter(columns)}]" if columns <= 26 else _at_most_column(columns)
    digits = len(end[2])
    rows = (rf"[1-9]\d{{0,{digits - 1}}}+" if (10**digits - 1) * columns <= sheet_bounds.MAX_GRID
            else _at_most_number(int(end[2])))
    cell = re.compile(rb'<c(?! r="' + letters.encode() + rows.encode() + rb'")[\s/>]')
    if cell.search(data, start) is not None:
        return None
    first = sheet_bounds._r_first(data)  # the '=' pass is unchanged but for what it returns
    return (first[0], int(end[2])) if first is not None else None


def _expat_agrees(data: bytes, bounds: sheet_bounds.Bounds) -> None:
    """What bounded() proved, as the XML parser reads the sheet: the same cells, each with a reference, none
    further right or with more digits than it said."""
    refs: list[str | None] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == "c":
            refs.append(attrs.get("r"))

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.Parse(data, True)
    assert len(refs) == bounds.cells and None not in refs
    found = [re.fullmatch(r"([A-Z]{1,3})([1-9]\d*)", r) for r in refs]
    assert all(found)
    assert max(column_index(m[1]) for m in found) <= bounds.columns
    assert max(len(m[2]) for m in found) <= bounds.digits
    assert max(int(m[2]) for m in found) <= max(bounds.rows, 10**bounds.digits - 1)


def test_at_most_number_matches_exactly_the_numbers_up_to_n():
    for n in [*range(1, 400), 999, 1000, 1001, 200001, 1048576]:
        pattern = re.compile(_at_most_number(n))
        tried = {*range(0, min(n + 50, 3000)), n - 1, n, n + 1, 10 * n, n // 10 * 10 + 9}
        assert {k for k in tried if pattern.fullmatch(str(k))} == {k for k in tried if 1 <= k <= n}, n


FAR = [b'<c r="XFD1048576"', b"<c r='XFD1'", b'<c  r="XFD1"', b'<c\nr="XFD1"', b'<c\tr="XFD1"', b'<x:c r="XFD1"',
       b'<c r="&#88;FD1"', b'<c t="n" r="XFD1"', b'<c r="B5" r="XFD1"', b'<c r="B5" x:r="XFD1"', b'<c r = "XFD1"',
       b'<c r="D5"', b'<c r="AA5"', b'<c r="AAA5"', b'<c r="B99999"', b'<c r="B12345678"', b'<c r="B05"',
       b'<c r="b5"', b'<c r="B"', b'<c r="5"', b'<c r=""', b"<c", b'<c r="B5\x0b"', b'<c\x0cr="B5"',
       b'<c r="B5\xc2\xa0"', b'<c r="\xc3\x89B5"']


@pytest.mark.parametrize("tag_slice", [sheet_bounds.TAG_SLICE, 4097, 4096])  # a far cell on a slice's edge too
@pytest.mark.parametrize("far", FAR)
def test_a_far_cell_in_any_spelling_anywhere_is_not_bounded(far, tag_slice, monkeypatch):
    """At even and odd offsets, in the middle and at the ends, on the edge of a slice: bounded() never proves a
    sheet with a cell the old scans would not let through, and where it proves one, expat reads it alike."""
    monkeypatch.setattr(sheet_bounds, "TAG_SLICE", tag_slice)
    rows = _cells(3000, text=True)
    for where in (1, 2, 1500, 1501, 2999):
        for pad in (b"", b" "):
            changed = [*rows]
            changed[where - 1] = changed[where - 1].replace(b'<c r="B%d"' % where, pad.join([b"", far]), 1)
            data = _sheet(changed)
            got, want = bounded(data), _reference_bounded(data)
            if want is None:
                assert got is None, (far, where)
            elif got is not None:
                assert (got.cells, got.rows) == want
                _expat_agrees(data, got)


def test_a_sound_sheet_is_bounded_as_before_at_every_width():
    for columns in (1, 3, 26, 27, 52, 703, 1000):
        data = _sheet(_cells(60, columns))
        got = bounded(data)
        assert got is not None and (got.cells, got.rows) == _reference_bounded(data) == (60 * columns, 60)
        assert got.columns == columns and got.digits == 2 and not got.errors
        _expat_agrees(data, got)


@pytest.mark.parametrize("grid", [None, 9_000, 3_100])
def test_rows_are_bounded_by_their_digits_or_by_the_last_row_as_before(grid, monkeypatch):
    if grid:
        monkeypatch.setattr(sheet_bounds, "MAX_GRID", grid)
    for row in (999, 1000, 3000, 3001, 3999, 9999, 10000):
        data = _sheet(_cells(3000)).replace(b'<c r="B1500"', b'<c r="B%d"' % row, 1)
        got, want = bounded(data), _reference_bounded(data)
        assert (got.cells, got.rows) == want if want else got is None, row


def test_many_random_changes_never_prove_what_the_old_scans_refused():
    """Random bytes dropped, doubled or swapped in a sheet's tags: bounded() is never less strict than the scans it
    replaced (it may be stricter: a control byte, a tag cut at the very end)."""
    rng = np.random.default_rng(28)
    base = _sheet(_cells(400, 4, text=True))
    alphabet = b'<>/ ="\'rcXFDAZ019:&#\n\t'
    for _ in range(1500):
        data = bytearray(base)
        for _ in range(rng.integers(1, 4)):
            at = int(rng.integers(len(HEAD), len(data) - len(TAIL)))
            kind = rng.integers(3)
            if kind == 0:
                del data[at]
            elif kind == 1:
                data[at:at] = bytes([alphabet[rng.integers(len(alphabet))]])
            else:
                data[at] = alphabet[rng.integers(len(alphabet))]
        data = bytes(data)
        got, want = bounded(data), _reference_bounded(data)
        if want is None:
            assert got is None, data
        elif got is not None:
            assert (got.cells, got.rows) == want


def test_occurrences_finds_what_a_search_finds():
    rng = np.random.default_rng(5)
    for _ in range(200):
        data = bytes(rng.choice(list(b"<row w>c:"), size=int(rng.integers(0, 300))))
        codes = np.frombuffer(data, dtype=np.uint8)
        for needle, rare in ((b"<row", 3), (b":", 0), (b"<f>", 1)):
            want = [m.start() for m in re.finditer(re.escape(needle), data)]
            assert occurrences(codes, needle, rare).tolist() == want


# ---- the full scan from what bounded() saw (sheet_guard._proven) -------------------------------------------------

def _outcome(data: bytes, bounds: sheet_bounds.Bounds | None) -> tuple[object, ...]:
    try:
        scan = scan_sheet(data, "team.xlsx", "Tracking", bounds)
    except WorkbookError as error:
        return ("refused", error.problem.code, error.problem.message, error.problem.cell)
    e = scan.extent
    return e.cells, e.rows, e.columns, e.grid, e.ordered, scan.special, scan.placed, scan.repeated, scan.exact


BASE = _cells(3000, text=True)


def _with(row: int, new: bytes) -> bytes:
    rows = [*BASE]
    rows[row - 1] = new
    return _sheet(rows)


CHANGED = {
    "sound": _sheet(BASE),
    "rows out of order": _sheet([BASE[1], BASE[0], *BASE[2:]]),
    "a row twice": _sheet([*BASE[:10], BASE[4], *BASE[10:]]),
    "a row without r": _with(7, BASE[6].replace(b'<row r="7">', b"<row>")),
    "a row tag with r second": _with(7, BASE[6].replace(b'<row r="7">', b'<row spans="1:3">')),
    "a row break": _sheet(BASE).replace(TAIL, b'</sheetData><rowBreaks><brk id="5"/></rowBreaks></worksheet>'),
    "a row number with a leading zero": _with(7, BASE[6].replace(b'<row r="7">', b'<row r="07">')),
    "a row number of eight digits": _with(7, BASE[6].replace(b'<row r="7">', b'<row r="12345678">')),
    "a row number past the grid": _with(7, BASE[6].replace(b'<row r="7">', b'<row r="2000000">')),
    "a row number further down than the last": _with(7, BASE[6].replace(b'<row r="7">', b'<row r="99999">')),
    "a row number that is not one": _with(7, BASE[6].replace(b'<row r="7">', b'<row r="7x">')),
    "a comment": _with(7, BASE[6] + b"<!-- <c r=\"XFD1\"/> -->"),
    "a reference in a text": _with(7, BASE[6].replace(b"Rep 0", b"R&amp;D")),
    "a reference in a value": _with(7, BASE[6].replace(b"<v>7</v>", b"<v>&#55;</v>", 1)),
    "error cells": _with(7, BASE[6].replace(b'<c r="A7"><v>7</v>', b'<c r="A7" t="e"><v>#N/A</v>')),
    "t=\"e\" in a text": _with(7, BASE[6].replace(b"Rep 0", b'say t="e"')),
    "a formula": _with(7, BASE[6].replace(b"<v>7</v>", b"<f>1+1</f>", 1)),
    "a first cell further down than the last": _sheet([BASE[0].replace(b'"A1"', b'"A3001"'), *BASE[1:]]),
}


@pytest.mark.parametrize("name", list(CHANGED))
@pytest.mark.parametrize("size", [None, 0])  # 0: the quick scan for sheets of any size (else only past 2 MB)
def test_the_full_scan_from_bounds_concludes_as_the_scans(name, size, monkeypatch):
    if size is not None:
        monkeypatch.setattr(sheet_guard, "SMALL_SHEET", size)
        monkeypatch.setattr(package, "SMALL_SHEET", size)
    data = CHANGED[name]
    bounds = bounded(data)
    assert bounds is not None or name == "a comment"
    if bounds is not None:
        assert bounds.errors == (b't="e"' in data)  # what special_cells would have searched for
        assert _outcome(data, bounds) == _outcome(data, None), name
        if size == 0:  # the quick scan is taken exactly where the sheet is as sound as it can see
            assert (sheet_guard._proven(data, "f", "s", bounds) is not None) == (name in QUICK), name


QUICK = {"sound", "rows out of order", "a row twice", "a reference in a text", "error cells", 't="e" in a text',
         "a formula", "a first cell further down than the last"}


def test_a_big_sheet_takes_the_quick_scan_and_concludes_alike():
    data = _sheet(_cells(40_000, 4, text=True))
    assert len(data) > package.SMALL_SHEET
    bounds = bounded(data)
    assert sheet_guard._proven(data, "f", "s", bounds) is not None
    assert _outcome(data, bounds) == _outcome(data, None)
    for old, new in ((b'<row r="20000">', b'<row r="1048577">'), (b'<row r="20000">', b"<row>"),
                     (b'<row r="20000">', b'<row r="099999">')):
        changed = data.replace(old, new, 1)
        assert sheet_guard._proven(changed, "f", "s", bounded(changed)) is None
        assert _outcome(changed, bounded(changed)) == _outcome(changed, None)
