"""A sheet's cells as an XML parser reads them, checked before any reader sees them.

XML lets a cell be written in many spellings that mean the same thing: ``<c r="E2">``, ``<c\n r='E2'>``,
``<x:c r="&#69;2">``. A byte scan that knows one spelling misses the others, and the native readers (python-calamine,
fastexcel) then meet a cell the guard never saw: one at XFD1048576 makes them ask for 549 GB and abort the process.

So a sheet is checked one of two ways, with the same conclusions:

- a *plain* sheet (every cell and row tag spelled as Excel, LibreOffice, openpyxl and xlsxwriter write them:
  ``<c r="..."``, ``<row r="..."``, attributes in double quotes with single spaces, no prefixes on cells and rows,
  no line breaks or tabs, no character references outside text, no comment, CDATA section or processing
  instruction) is checked with byte scans (package.check_cells), which cost a fraction of a second on a 200,000-row
  sheet. Whether a sheet is plain is itself a handful of byte scans, and each one errs on the side of "not plain";
- any other sheet is streamed through expat, the XML parser, which resolves quotes, whitespace, prefixes and
  character references exactly as every reader does. It costs about a second per 100,000 rows, only for such files.

Either way the result says where each reader may place the rows as they come (``placed``), or whether the rows must
be placed by their references first (stored out of order, twice, or without references). A sheet that is not plain
is read by openpyxl, whatever the reader chosen: python-calamine reads some legal spellings differently (a character
reference in an attribute is an error to it), and one answer from every reader matters more than speed on such
rare files.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from xml.parsers import expat

import numpy as np

from salesmetrics_xl.core.parse import UncachedFormula
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, column_index, column_letter
from salesmetrics_xl.package import (
    MAX_CELLS,
    MAX_COLUMN,
    MAX_COLUMNS,
    MAX_ROW,
    SMALL_SHEET,
    Extent,
    check_cells,
    damaged,
    limit,
    sheet_ends,
)
from salesmetrics_xl.sheet_bounds import (  # noqa: F401 (bounded: for the reader)
    _PREFIXED,
    _PROLOG_END,
    EQUALS_SLICE,
    Bounds,
    bounded,
    occurrences,
)

# The error values python-calamine knows; a sheet holding any other (#GETTING_DATA, #SPILL!, ...) is read by openpyxl.
NATIVE_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_ODD_CELL = re.compile(rb'<c(?! r="[A-Z])[\s/>]')  # a cell tag not spelled <c r="A...
# Every row tag, with its number when spelled <row r="1..." and an empty number otherwise (a row not spelled as the
# byte scans read it): one scan both finds odd rows and lists the numbers that say whether rows are stored in order.
_ROWS = re.compile(rb'<row[\s/>](?:r="([1-9]\d*)")?')
_CELL_START = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]+)(\d+)\"[^>]*>")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9]\d{0,6})")
_ROW_REF = re.compile(r"[1-9]\d{0,6}")
_QUOTE_AFTER = re.compile(rb"=(?: *'| +\")")  # each starts with a literal, so the scan is fast
_SPACE_BEFORE = re.compile(rb" =\s*[\"']")
# Elements whose text may hold a character reference (a name, a formula); in a value (<v>) or a tag it is not plain.
_TEXT_ELEMENTS = frozenset({b"t", b"f", b"formula", b"formula1", b"formula2"})
_NAME_END = re.compile(rb"[\s/>]")
_HUGE_EXPONENT = re.compile(rb"\d[eE]\+?\d{3}")
MAX_AMPERSANDS = 100_000  # beyond this many '&' the parser is cheaper than looking at each
RARE_HITS = 1_000  # a rare byte met more often than this: a plain search for the whole needle is cheaper


@dataclass
class SheetScan:
    """What the guard learnt about a sheet, the same whichever way it was checked."""

    extent: Extent
    special: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column): error value or UncachedFormula
    placed: bool = True  # rows and cells stored in order, once each, with references: readers may stream them
    repeated: list[int] = field(default_factory=list)  # row numbers stored more than once
    exact: bool = False  # checked by the XML parser (not plain): then read by openpyxl, whose parser reads it alike

    @property
    def native_errors_only(self) -> bool:
        """python-calamine stops on an error value it does not know (#GETTING_DATA, #SPILL!)."""
        return all(v in NATIVE_ERRORS for v in self.special.values() if not isinstance(v, UncachedFormula))


def plain(data: bytes) -> bool:
    """Whether the sheet's tags are all in the spelling the byte scans read (see the module docstring). Plain
    finds and counts, each a fast scan of the bytes; any doubt answers False."""
    return _plain_rows(data) is not None


def _plain_rows(data: bytes, proven: bool = False) -> list[bytes] | None:
    """The sheet's row numbers (digits) in the order stored, if the sheet is plain; None if it is not. The numbers
    come from the same scan that looks for rows not spelled plainly, so the bytes are read for them once.
    ``proven``: bounded() passed, which made the checks marked below (the same scans, or stricter ones)."""
    start = _PROLOG_END.match(data[:4096]).end()  # type: ignore[union-attr]
    if not proven and any(data.find(ws, start) >= 0 for ws in (b"\n", b"\r", b"\t")):
        return None  # whitespace other than a space, possibly inside a tag (bounded)
    if markup(data, start):
        return None
    if not proven and not _equals_quoted(data) and (_QUOTE_AFTER.search(data) or _SPACE_BEFORE.search(data)):
        return None  # an attribute with single quotes or spaces around '=' ("Blank = 1" in a text is fine)
    if not proven and (_ODD_CELL.search(data, start) or _PREFIXED.search(data, start)):
        return None  # (bounded: every <c followed by a space, / or > is <c r="A1...)
    numbers = _ROWS.findall(data, start)
    if b"" in numbers:
        return None  # a row tag not spelled <row r="1...
    if not _references_in_text(data):
        return None
    return numbers


def contains(data: bytes, needle: bytes, rare: int, start: int = 0) -> bool:
    """Whether ``needle`` occurs in ``data`` from ``start``, found by its rare byte ``needle[rare]`` (a search for
    one byte is several times faster than for two when the first, like '<', is everywhere). Exact either way."""
    byte = needle[rare:rare + 1]
    at = data.find(byte, start + rare)
    for _ in range(RARE_HITS):
        if at < 0:
            return False
        if data.startswith(needle, at - rare):
            return True
        at = data.find(byte, at + 1)
    return at >= 0 and data.find(needle, at - rare) >= 0


def markup(data: bytes, start: int = 0) -> bool:
    """Whether the XML after ``start`` holds a comment, a CDATA section or a processing instruction (``<?x ... ?>``):
    text in which a byte scan would read tags that are not there (a cell, a value, a text), as no parser does."""
    return contains(data, b"<!", 1, start) or contains(data, b"<?", 1, start)


def _equals_quoted(data: bytes) -> bool:
    """Whether every '=' is written as in a plain attribute: no space before it and a double quote after it. One
    vector pass over the '=' signs (two searches for '=' and '="' took twice as long and missed ``t ="e"``, a
    spelling the byte scans would not read as an error cell). In slices, so the masks stay a few MB."""
    codes = np.frombuffer(data, dtype=np.uint8)
    if not len(codes):
        return True
    equals, quote, space = ord("="), ord('"'), ord(" ")
    if codes[0] == equals or codes[-1] == equals:
        return False
    for low in range(0, len(codes), EQUALS_SLICE):
        at = np.flatnonzero(codes[low:low + EQUALS_SLICE] == equals) + low
        if not ((codes[at + 1] == quote).all() and (codes[at - 1] != space).all()):
            return False
    return True


def _references_in_text(data: bytes) -> bool:
    """Every '&' (a character or entity reference) sits in a text or formula element, never in a tag or a value."""
    if data.find(b"&") < 0:
        return True  # none at all (a byte search: the count below is several times slower)
    if data.count(b"&") > MAX_AMPERSANDS:
        return False
    at = data.find(b"&")
    while at >= 0:
        opened = data.rfind(b"<", 0, at)
        end = _NAME_END.search(data, opened + 1, at + 1) if opened >= 0 else None
        if end is None or data[opened + 1:end.start()].rsplit(b":", 1)[-1] not in _TEXT_ELEMENTS:
            return False
        at = data.find(b"&", at + 1)
    return True


def scan_sheet(data: bytes, file: str, sheet: str, bounds: Bounds | None = None) -> SheetScan:
    """Refuse what no reader may take (see package.check_cells for the limits), and say how it may be read.
    ``bounds``: what bounded() proved for these bytes (its scans are then not made twice)."""
    quick = _proven(data, file, sheet, bounds) if bounds is not None else None
    if quick is not None:
        return quick
    rows = _plain_rows(data, proven=bounds is not None)
    if rows is None:
        return _parse(data, file, sheet)
    cells = bounds.cells if bounds is not None else None
    extent = check_cells(data, file, sheet, cells)  # refuses a row number beyond Excel's grid: the digits fit int64
    return _scan(data, extent, np.array(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64))


def _scan(data: bytes, extent: Extent, rows: np.ndarray, errors: bool | None = None) -> SheetScan:
    ordered = bool((np.diff(rows) > 0).all())
    repeated: list[int] = []
    if not ordered:
        values, counts = np.unique(rows, return_counts=True)
        repeated = [int(v) for v in values[counts > 1]]
    return SheetScan(extent, special_cells(data, errors), placed=ordered and extent.ordered, repeated=repeated)


def _proven(data: bytes, file: str, sheet: str, bounds: Bounds) -> SheetScan | None:
    """The conclusions of scan_sheet's plain path on a big sheet bounded() proved, from what it saw: the row tags'
    numbers read where it found them (not by a scan for every row tag) and the cells' furthest column and longest
    row number compared with the extent the sheet's ends show (not by a scan for every reference beyond it).
    Whatever is not as in a sound sheet (a row tag spelled otherwise, a reference beyond the ends, a comment, more
    cells than the limit) answers None, and the scans decide as before."""
    start = _PROLOG_END.match(data[:4096]).end()  # type: ignore[union-attr]
    tags = bounds.row_tags
    if tags is None or len(data) < SMALL_SHEET or bounds.cells > limit("MAX_CELLS", MAX_CELLS):
        return None
    tags = tags[tags >= start]
    codes = np.frombuffer(data, dtype=np.uint8)
    if markup(data, start) or len(occurrences(codes, b"<row", 3, start)) != len(tags) or (
            not _references_in_text(data)):
        return None  # every <row is a <row r=" that bounded() found
    rows = _row_numbers(codes, tags + len(b'<row r="'))
    shown_row, shown_col, ordered = sheet_ends(data, min(limit("MAX_COLUMNS", MAX_COLUMNS), MAX_COLUMN))
    longest = len(str(shown_row))
    if rows is None or shown_row >= 1_000_000 or bounds.columns > shown_col or bounds.digits > longest or (
            len(rows) and rows.max() >= 10**longest):
        return None
    return _scan(data, Extent(bounds.cells, shown_row, shown_col, shown_row * shown_col, ordered), rows,
                 bounds.errors)


def _row_numbers(codes: np.ndarray, at: np.ndarray) -> np.ndarray | None:
    """The row numbers whose digits start at ``at``: each one to seven digits, the first not 0, then a quote;
    else None."""
    if len(at) and at.max() > len(codes) - 8:
        return None
    numbers = np.zeros(len(at), dtype=np.int64)
    alive = np.ones(len(at), dtype=bool)  # still reading digits
    for i in range(8):
        digit = codes[at + i]
        ends = alive & (digit == ord('"'))
        if i == 0 and (ends.any() or (digit == ord("0")).any()):
            return None  # no digit, or a leading zero
        alive &= ~ends
        if i == 7:
            return None if alive.any() else numbers  # more than seven digits
        if (alive & ((digit < ord("0")) | (digit > ord("9")))).any():
            return None
        numbers = np.where(alive, numbers * 10 + (digit.astype(np.int64) - ord("0")), numbers)
    return numbers


def repeated_rows(scan: SheetScan, file: str, sheet: str) -> list[Problem]:
    """A row stored twice (written by a program, never by Excel) is read once, the same by every reader; say so."""
    if not scan.repeated:
        return []
    rows = scan.repeated
    listed = ", ".join(str(r) for r in rows[:5]) + (f" and {len(rows) - 5:,} more" if len(rows) > 5 else "")
    return [Problem(
        severity=Severity.WARNING, code="repeated-row", file=file, sheet=sheet, cell=f"A{rows[0]}",
        message=f"row{'s' if len(rows) > 1 else ''} {listed} {'is' if len(rows) == 1 else 'are'} stored twice in "
                "the file (a program other than Excel wrote it); each cell is read once, the copy stored later "
                "winning: check these rows in Excel")]


def special_cells(data: bytes, errors: bool | None = None) -> dict[tuple[int, int], str]:
    """Cells whose saved value a reader would show as blank: Excel errors (#DIV/0!) and formulas with no saved
    result, in a plain sheet. Found with a byte scan of the sheet part, so it costs little on big sheets.
    ``errors``: whether the bytes hold 't="e"' anywhere, when bounded() has said (else it is looked for here)."""
    found: dict[tuple[int, int], str] = {}
    root = re.search(rb"<(\w+:)?worksheet\b", data[:4096])
    prefix = b"<" + (root[1] if root and root[1] else b"") + b"f"
    rare = len(prefix) - 1  # the 'f' of <f, rarer in a sheet's bytes than '<'
    formula = contains(data, prefix + b">", rare) or contains(data, prefix + b" ", rare)  # <f>, not <formula>
    if not formula and not (b't="e"' in data if errors is None else errors):  # plain finds: a regex is far slower
        return found  # no formulas and no error cells: nothing a reader could misread
    for marker in (b't="e"', b"</f></c>", b"/></c>", b"<v></v></c>", b"<v/></c>"):
        at = data.find(marker)
        while at >= 0:
            start = max(data.rfind(b"<c ", 0, at), data.rfind(b":c ", 0, at) - 1)
            m = _CELL_START.match(data, start)
            if m:
                col = column_index(m[1].decode())
                end = data.find(b"</c>", at)
                body = data[m.end():end] if end >= 0 else b""
                if marker == b't="e"':
                    value = re.search(rb"<(?:\w+:)?v>([^<]*)<", body)
                    found[(int(m[2]), col)] = value[1].decode().strip() if value else "#N/A"
                elif b"<f" in body and not re.search(rb"<(?:\w+:)?v>[^<]", body):
                    found[(int(m[2]), col)] = UncachedFormula("formula")
            at = data.find(marker, at + len(marker))
    return found


class _StopParseError(Exception):
    """Raised inside an expat handler to stop the parse with a WorkbookError (expat re-raises it)."""


def _parse(data: bytes, file: str, sheet: str) -> SheetScan:
    """The exact check: every cell and row as expat reads it, whatever its spelling. Elements are matched by their
    local name (x:c is a cell), as the native readers match them. Lean on purpose: one small step per element, and
    a cell's value is followed only when it may matter (an error, a formula, or a sheet whose bytes hold something
    that could spell a number no cell can hold)."""
    widest = min(limit("MAX_COLUMNS", MAX_COLUMNS), MAX_COLUMN)
    most = limit("MAX_CELLS", MAX_CELLS)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    special: dict[tuple[int, int], str] = {}
    seen_rows: set[int] = set()
    repeated: set[int] = set()
    follow_all = b"&#" in data or any(n in data for n in (b"inf", b"Inf", b"INF", b"nan", b"NaN", b"NAN")) or bool(
        _HUGE_EXPONENT.search(data))  # a value might spell inf, nan or 1e400
    in_data = placed = False
    placed = True
    row = col = last_row = last_col = cells = 0
    kind: str | None = None
    formula = in_v = False
    texts: list[str] = []

    def local(name: str) -> str:
        return name[name.rfind(":") + 1:]

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_data, placed, row, col, last_row, last_col, cells, kind, formula, in_v
        if ":" in name:
            name = local(name)
        if name == "c" and in_data:
            given = attrs.get("r")
            if given is None:
                row, col, placed = max(row, 1), col + 1, False
            else:
                at_row, at_col = _cell_reference(given, file, sheet)
                if at_row != row:  # cells out of order within a row: every reader places them by column
                    placed = False
                row, col = at_row, at_col
            if col > widest:
                raise _StopParseError(_too_wide(file, sheet, widest, f"{column_letter(col)}{row}"))
            cells += 1
            if cells > most:
                raise _StopParseError(WorkbookError(Problem(
                    severity=Severity.ERROR, code="too-large", file=file, sheet=sheet,
                    message=f"the sheet has more than {most:,} cells, over the limit of {most:,}; split the "
                            "workbook, or raise the limit with the environment variable SALESMETRICS_MAX_CELLS")))
            if row > last_row:
                last_row = row
            if col > last_col:
                last_col = col
            kind = attrs.get("t")
            if kind is not None:
                kind = kind.strip() or None
            formula = False
            if follow_all or kind in ("e", "d"):
                follow(True)
        elif name == "row" and in_data:
            given = attrs.get("r")
            if given is None:
                number, placed = row + 1, False
            else:
                number = _row_number(given, file, sheet)
            if number <= row:
                placed = False
            if number in seen_rows:
                repeated.add(number)
            seen_rows.add(number)
            row, col = number, 0
            if row > last_row:
                last_row = row
        elif name == "v" and in_data:
            in_v = True
            texts.clear()
        elif name == "f" and in_data:
            formula = True
            follow(True)
        elif name == "sheetData":
            in_data = True

    def text(chunk: str) -> None:
        if in_v:
            texts.append(chunk)

    def end(name: str) -> None:
        nonlocal in_v
        if ":" in name:
            name = local(name)
        if name == "v":
            in_v = False
        elif name == "c":
            _judge_cell(kind, formula, "".join(texts) if texts else None, row, col, special, file, sheet)
            texts.clear()
            if not follow_all:
                follow(False)

    def follow(on: bool) -> None:
        parser.CharacterDataHandler = text if on else None  # type: ignore[assignment]
        parser.EndElementHandler = end if on or follow_all else None  # type: ignore[assignment]
        if not on:
            texts.clear()

    def unsafe(*_args: object) -> None:
        raise _StopParseError(WorkbookError(Problem(
            severity=Severity.ERROR, code="unsafe-xml", file=file, sheet=sheet,
            message=f"sheet '{sheet}' declares XML entities, which Excel never writes; refused to protect this "
                    "computer (XML attack)")))

    parser.StartElementHandler = start
    follow(follow_all)
    parser.StartDoctypeDeclHandler = unsafe
    parser.EntityDeclHandler = unsafe
    parser.ExternalEntityRefHandler = unsafe  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except _StopParseError as stop:
        raise stop.args[0] from None
    except expat.ExpatError as exc:
        raise damaged(file, f"part of its XML is not well-formed ({expat.ErrorString(exc.code)}, line {exc.lineno})",
                      sheet=sheet) from None
    last_row, last_col = max(last_row, 1), max(last_col, 1)
    extent = Extent(cells, last_row, last_col, last_row * last_col, placed)
    return SheetScan(extent, special, placed=placed and not repeated, repeated=sorted(repeated), exact=True)


_COLUMNS: dict[str, int] = {}  # column letters met so far -> column number (a sheet has few distinct ones)


def _cell_reference(given: str, file: str, sheet: str) -> tuple[int, int]:
    letters = given.rstrip("0123456789")
    digits = given[len(letters):]
    col = _COLUMNS.get(letters)
    if col is not None and digits and digits[0] != "0" and len(digits) < 8 and int(digits) <= MAX_ROW:
        return int(digits), col
    m = _CELL_REF.fullmatch(given.strip())
    if m is None or int(m[2]) > MAX_ROW or column_index(m[1]) > MAX_COLUMN:
        shown = given[:20] + "..." if len(given) > 20 else given
        if m is None and not re.fullmatch(r"[A-Z]+\d+", given.strip()):
            raise _StopParseError(damaged(
                file, f"a cell is named '{shown}', which is not a cell reference Excel can have", sheet=sheet))
        raise _StopParseError(damaged(file, f"cell or row {shown.strip()} lies outside Excel's grid of 16,384 columns "
                                            "(A to XFD) and 1,048,576 rows", sheet=sheet))
    if m[0] == given:  # remembered only when spelled plainly, so the quick path above never accepts spaces
        _COLUMNS[m[1]] = column_index(m[1])
    return int(m[2]), column_index(m[1])


def _row_number(given: str, file: str, sheet: str) -> int:
    if _ROW_REF.fullmatch(given.strip()) is None:
        shown = given[:20] + "..." if len(given) > 20 else given
        raise _StopParseError(damaged(
            file, f"a row is numbered '{shown}', which is not a row number Excel can have", sheet=sheet))
    number = int(given)
    if number > MAX_ROW:
        raise _StopParseError(damaged(file, f"cell or row {number} lies outside Excel's grid of 16,384 columns (A to "
                                            "XFD) and 1,048,576 rows", sheet=sheet))
    return number


def _too_wide(file: str, sheet: str, widest: int, cell: str) -> WorkbookError:
    return WorkbookError(Problem(
        severity=Severity.ERROR, code="too-wide", file=file, sheet=sheet, cell=cell,
        message=f"the sheet uses columns beyond {column_letter(widest)} (column {widest:,}), over the limit of "
                f"{widest:,} used columns; delete the columns you do not need, or raise the limit with the "
                "environment variable SALESMETRICS_MAX_COLUMNS"))


def _judge_cell(kind: str | None, formula: bool, value: str | None, row: int, col: int,
                special: dict[tuple[int, int], str], file: str, sheet: str) -> None:
    """A cell's type and saved value as the parser read them: an error value or a formula without a result is
    remembered (readers show both as blank); a number or a date no cell can hold is refused."""
    if kind == "e":
        special[(row, col)] = (value or "").strip() or "#N/A"
    elif formula and not (value or "").strip():
        special[(row, col)] = UncachedFormula("formula")
    elif kind in (None, "n") and value is not None and value.strip():
        try:
            finite = math.isfinite(float(value))
        except ValueError:
            finite = False
        if not finite:
            raise _StopParseError(damaged(file, f"a number cell holds '{value.strip()[:40]}', which is not a number "
                                                "Excel can store", sheet=sheet, cell=f"{column_letter(col)}{row}"))
    elif kind == "d" and value is not None:
        try:
            dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise _StopParseError(damaged(file, f"a date cell holds '{value.strip()[:40]}', which is not a date",
                                          sheet=sheet, cell=f"{column_letter(col)}{row}")) from None
