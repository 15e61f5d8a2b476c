"""What is checked in a workbook's package before any reader or the writer sees it, and the one boundary that turns
whatever a reader still raises into a sentence.

The native readers (python-calamine, fastexcel) are fast because they trust the file: a cell reference far outside
the grid makes them size a grid of billions of cells, and the process aborts (SIGABRT), which no ``except`` can
catch. So the cell references, the used range and the package structure are checked here first, with byte scans
that cost little even on a 200,000-row sheet, and only a sheet that passes reaches them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from dataclasses import dataclass

import numpy as np
from defusedxml import ElementTree

from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, column_index, column_letter
from salesmetrics_xl.ooxml import (
    PACKAGE_RELS,
    PartNames,
    key,
    rel_kind,
    resolve,
    seek_entry_data,
    sheet_rid,
    sheets_of,
    xml_text,
)

# Excel's own grid.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
# Our limits: a standard tracking sheet has 12-30 columns and a few thousand rows. Raise them with the environment
# variables SALESMETRICS_MAX_COLUMNS and SALESMETRICS_MAX_CELLS.
MAX_COLUMNS = 1_000
MAX_CELLS = 10_000_000
# Above this many cells in the grid a native reader would allocate (rows spanned x columns spanned, most of them
# empty), a sheet is read row by row by openpyxl instead, whose memory follows the cells that are there.
MAX_GRID = 16_000_000
SMALL_SHEET = 2 * 1024**2  # bytes of XML under which the rarer checks below cost nothing worth measuring
# The smaller parts, up to this many bytes in all, are inflated once to check their CRC; the big sheets are checked
# when they are read.
CRC_CHECKED_BYTES = 64 * 1024**2
# A part this big is inflated by python-isal when installed (the ``fast`` extra): about twice as fast as zlib on a
# 90 MB sheet. Smaller parts go through zipfile, where the set-up costs less than the saving.
FAST_INFLATE_BYTES = 1024**2
KEPT_BYTES = 64 * 1024  # a part this big inflated for its CRC is kept for the guard when it is a sheet
SAVE_AGAIN = "open it in Excel and save it again (File > Save As, Excel Workbook)"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHEET_KINDS = {"worksheet": "worksheet", "chartsheet": "chart sheet", "dialogsheet": "dialog sheet",
               "xlMacrosheet": "macro sheet", "xlIntlMacrosheet": "macro sheet"}


def limit(name: str, default: int) -> int:
    """A limit from SALESMETRICS_<name>, or the default when it is unset or not a whole number."""
    try:
        return int(os.environ.get(f"SALESMETRICS_{name}", default))
    except ValueError:
        return default


def damaged(file: str, what: str, sheet: str | None = None, cell: str | None = None,
            code: str = "damaged") -> WorkbookError:
    """The file is damaged: say what is wrong, then what to do."""
    return WorkbookError(Problem(severity=Severity.ERROR, code=code, file=file, sheet=sheet, cell=cell,
                                 message=f"the file is damaged: {what}; {SAVE_AGAIN}"))


def debugging() -> bool:
    """--debug or SALESMETRICS_DEBUG=1: print the cause of an error, for a bug report."""
    return os.environ.get("SALESMETRICS_DEBUG", "") not in ("", "0")


def is_panic(exc: BaseException) -> bool:
    """A Rust panic inside a native reader reaches Python as pyo3's PanicException, a BaseException."""
    return type(exc).__name__ == "PanicException"


def explain(file: str, exc: BaseException, doing: str = "read") -> WorkbookError:
    """Any failure of a reader or the writer as one WorkbookError: what is wrong and what to do. The original is
    kept as the cause (``raise ... from exc``) for --debug."""
    if isinstance(exc, WorkbookError):
        return exc
    name = type(exc).__name__
    if isinstance(exc, RecursionError):
        return damaged(file, "its XML is nested far deeper than Excel ever writes")
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError)) or name in ("error", "Error"):
        return damaged(file, f"its zip container is inconsistent ({exc})")
    if isinstance(exc, NotImplementedError) and "compression" in str(exc):
        return damaged(file, f"part of it is packed in a way Excel never writes ({exc})")
    if name in ("ParseError", "XmlError") or "xml" in name.lower():
        return damaged(file, f"part of its XML is not well-formed ({exc})")
    if is_panic(exc):
        return damaged(file, f"the reader stopped on a value it cannot handle ({exc})")
    if isinstance(exc, MemoryError):
        return WorkbookError(Problem(severity=Severity.ERROR, code="too-large", file=file,
                                     message="the workbook needs more memory than this computer has to be "
                                             f"{doing}; split it, or remove unused rows and columns"))
    # The library's own words (a class name, "substring not found") mean nothing to a user; --debug shows them.
    return damaged(file, f"it cannot be {doing}: part of it is not as Excel writes it")


# ---- the package ---------------------------------------------------------------------------------------------

@dataclass
class Sheet:
    name: str
    part: str | None  # the zip entry, None when its relationship is broken
    kind: str  # worksheet, chartsheet, dialogsheet, ...


def _root_name(head: bytes) -> str | None:
    """The local name of a part's root element, from its first bytes."""
    m = re.search(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)", head)
    return m[1].decode() if m else None


def check_package(zf: zipfile.ZipFile, file: str, kept: dict[str, bytes] | None = None) -> list[Sheet]:
    """The package structure a reader relies on: unique entries, methods Excel writes, the content types, the
    workbook's relationships (each with a target inside the package), a styles part that is a styleSheet.
    Returns the sheets in workbook order with their kind. ``kept`` receives the bytes of the sheets inflated for
    their CRC here, so that the sheet guard does not inflate them again."""
    infos = zf.infolist()
    seen: set[str] = set()
    folded: dict[str, str] = {}
    for info in infos:
        if info.filename in seen:
            raise damaged(file, f"two parts share the name {info.filename}")
        # Excel compares part names without regard to case. Two parts named alike but holding different bytes could
        # have our checks take one and a native reader the other (the guard a harmless sheet, calamine a hostile
        # one); alike in bytes too, either reads the same (and the writer refuses the package: xlsx/writer.py)
        other = folded.setdefault(key(info.filename), info.filename)
        if other != info.filename and part_bytes(zf, other) != part_bytes(zf, info.filename):
            raise damaged(file, f"two parts share the name {other} (also stored as {info.filename}) and hold "
                                "different contents: Excel compares part names without regard to case, so which "
                                "one is read is unclear; open the workbook in Excel and save it again")
        seen.add(info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}.get(info.compress_type,
                                                                                   f"method {info.compress_type}")
            raise damaged(file, f"{info.filename} is compressed with {method}, which Excel never uses")
    budget = CRC_CHECKED_BYTES  # parts the writer copies unread must not carry damage into the output
    for info in sorted(infos, key=lambda i: i.file_size):
        if info.file_size > budget:
            break
        budget -= info.file_size
        if kept is not None and info.file_size >= KEPT_BYTES:
            kept[info.filename] = part_bytes(zf, info.filename)  # its CRC checked as it is inflated
            continue
        with zf.open(info) as fh:  # zipfile checks the CRC at the end of each part
            while fh.read(1 << 20):
                pass
    names = PartNames(seen)  # part names compare as Excel compares them: without regard to case
    for required in ("[Content_Types].xml", WORKBOOK_RELS):
        if required not in names:
            raise damaged(file, f"it has no {required}")
    rels = ElementTree.fromstring(zf.read(names.find(WORKBOOK_RELS)))
    targets: dict[str, tuple[str, str | None]] = {}
    for rel in rels.iter(f"{{{PACKAGE_RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target, kind = rel.get("Target"), rel_kind(rel.get("Type"))
        if not target:
            raise damaged(file, f"relationship {rel.get('Id')} in {WORKBOOK_RELS} has no target")
        part = resolve("xl", target)
        if part is None:
            raise damaged(file, f"relationship {rel.get('Id')} points outside the workbook ({target})")
        targets[rel.get("Id") or ""] = (kind, names.find(part) or part)
    for kind, part in targets.values():
        if kind == "styles":
            if part not in names:
                raise damaged(file, f"its styles part {part} is missing")
            with zf.open(part) as fh:
                root = _root_name(xml_text(fh.read(4096), partial=True).encode("utf-8"))
            if root != "styleSheet":
                raise damaged(file, f"{part} is not a styleSheet")
    workbook = ElementTree.fromstring(zf.read(names.find("xl/workbook.xml") or "xl/workbook.xml"))
    sheets = []
    for s in sheets_of(workbook):  # Transitional or Strict
        kind, part = targets.get(sheet_rid(s) or "", ("", None))
        name = s.get("name") or ""  # type: ignore[attr-defined]
        if part is None or part not in names:
            raise damaged(file, f"the part holding sheet '{name}' is missing", sheet=name)
        sheets.append(Sheet(name, part, kind or "worksheet"))
    for part in set(kept or ()) - {s.part for s in sheets}:  # a big shared-strings or styles part: not kept
        del kept[part]  # type: ignore[union-attr]
    return sheets


def not_a_worksheet(file: str, sheet: Sheet) -> WorkbookError:
    what = SHEET_KINDS.get(sheet.kind, f"{sheet.kind} sheet")
    return WorkbookError(Problem(
        severity=Severity.ERROR, code="not-a-worksheet", file=file, sheet=sheet.name,
        message=f"'{sheet.name}' is a {what}, not a worksheet: the data must be in a worksheet (a grid of cells) of "
                f"that name; rename the {what} and put the data in a worksheet named '{sheet.name}'"))


def part_bytes(zf: zipfile.ZipFile, part: str) -> bytes:
    """A part's bytes, as ``zf.read(part)`` gives them. A big deflated part is inflated by python-isal and its size
    and CRC checked against the zip's directory; whenever anything is not as expected (a damaged entry, an
    encrypted one, no isal), zipfile reads it, so a damaged part gets the same sentence either way."""
    info = zf.getinfo(part)
    if (info.file_size < FAST_INFLATE_BYTES or info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1
            or not isinstance(zf.filename, str)):
        return zf.read(info)
    try:
        from isal import isal_zlib

        with zf.open(info):  # zipfile's own checks of the entry's local header (names, flags), as a read makes
            pass
        with open(zf.filename, "rb") as fh:
            if not seek_entry_data(fh, info):
                return zf.read(info)
            raw = fh.read(info.compress_size)
        data = isal_zlib.decompress(raw, -15, max(info.file_size, 1))
        if len(data) == info.file_size and isal_zlib.crc32(data) == info.CRC:
            return data
    except Exception:  # whatever went wrong, zipfile says it in its words
        pass
    return zf.read(info)


# ---- the cells of a sheet --------------------------------------------------------------------------------------

def _at_most_column(n: int) -> str:
    """A regex for column letters from A to column n."""
    s = column_letter(n)
    alts = [rf"[A-Z]{{1,{len(s) - 1}}}"] if len(s) > 1 else []
    alts += [s[:i] + f"[A-{chr(ord(ch) - 1)}]" + rf"[A-Z]{{{len(s) - i - 1}}}" for i, ch in enumerate(s) if ch > "A"]
    return "(?:" + "|".join([*alts, s]) + ")"


# Every pattern starts with a literal (' r="', 'v>', ' t="d"'), which the regex engine finds with a fast scan;
# a pattern that starts with '<' and an optional prefix was ten times slower on a 100 MB sheet.
_REF = re.compile(rb' r="([A-Z]{1,3})([1-9]\d{0,6})"')
_ROW_NUMBER = re.compile(rb' r="([1-9]\d{0,6})"')
_CELL_REF = re.compile(rb"([A-Z]{1,3})([1-9]\d{0,6})")
_ROW_REF = re.compile(rb"[1-9]\d{0,6}")
_ODD_NUMBER = re.compile(rb"v>\s*([+-]?(?:[iI][nN][fF]|[nN][aA][nN]|\d*\.?\d*[eE][+-]?\d{3,})[^<]{0,40})<")
_DATE_TYPE = re.compile(rb' t="d"')


def _cell_at(data: bytes, at: int) -> tuple[bytes, bytes]:
    """The attributes and the value of the cell around position ``at`` (found by a scan for something rare)."""
    start = max(data.rfind(b"<c ", 0, at), data.rfind(b":c ", 0, at))
    end = data.find(b">", start)
    close = data.find(b"c>", end)
    body = data[end:close if close >= 0 else len(data)]
    value = re.search(rb"<(?:\w+:)?v>([^<]*)<", body)
    return data[start:end], value[1] if value else b""


@dataclass
class Extent:
    """What the checks learnt: the cells there are, and the grid a native reader would allocate for them."""

    cells: int
    rows: int  # the last used row (a bound on the rows calamine spans, first cell to last)
    columns: int  # the last used column
    grid: int
    ordered: bool = True  # no cell further down stored before the last row: calamine assumes it

    @property
    def native_safe(self) -> bool:
        """A native reader sizes its grid from the first and last cells it meets: fine when that grid is small
        or mostly filled, and the cells are in order."""
        return self.ordered and self.grid <= max(MAX_GRID, 2 * self.cells)


def _ref_of(attrs: bytes) -> str | None:
    m = re.search(rb'\sr="([^"]{0,20})"', b" " + attrs)
    return m[1].decode("ascii", "replace") if m else None


_EXPONENT = re.compile(rb"e\+?[1-9]\d\d")  # a three-digit exponent, lower-cased
# An exponent as a number cell's value can spell it (after a digit, a point, a sign, '>' or a space): never after a
# letter or a quote, as in the references r="E100" and r="AE123" that most sheets of a hundred rows hold.
_ANY_EXPONENT = re.compile(rb"e[+-]?\d{3}")
_NOT_BEFORE_VALUE = frozenset(b'abcdefghijklmnopqrstuvwxyz"')


def _may_be_odd(data: bytes) -> bool:
    """Whether a number might be spelled inf, nan or with a huge exponent: plain finds first, as the full pattern
    costs seconds on a big sheet. One lower-cased copy answers in three scans, not eight, when no spelling is
    there (the usual case); the exact spellings are looked for only when one in some case is.

    The first answer is the rule; the second only drops the case where nothing the full pattern could match is
    there (an exponent-like 'e100' from a reference like E100 was enough to run it on most sheets)."""
    low = data.lower()
    if not ((b"inf" in low and any(n in data for n in (b"inf", b"Inf", b"INF"))) or (
            b"nan" in low and any(n in data for n in (b"nan", b"NaN", b"NAN"))) or _EXPONENT.search(low)):
        return False
    return b"inf" in low or b"nan" in low or any(
        m.start() == 0 or low[m.start() - 1] not in _NOT_BEFORE_VALUE for m in _ANY_EXPONENT.finditer(low))


def _element(data: bytes, at: int) -> bytes:
    """The local name of the element whose attribute starts at ``at``."""
    start = data.rfind(b"<", 0, at) + 1
    return data[start:at].split(None, 1)[0].rsplit(b":", 1)[-1] if start else b""


def _highest_row(numbers: list[bytes]) -> int:
    """The highest of these row numbers (digits, at most seven) that lies in Excel's grid, else 1: one vector
    conversion, not one int() per reference."""
    rows = np.array(numbers, dtype="S7").astype(np.int64) if numbers else np.zeros(0, dtype=np.int64)
    rows = rows[rows <= MAX_ROW]
    return max(int(rows.max()), 1) if len(rows) else 1


def sheet_ends(data: bytes, widest: int) -> tuple[int, int, bool]:
    """The last row and column the ends of a sheet show, and whether its first reference lies within them (a
    sheet whose first cell is further down than its last is not in order). check_cells then looks for any reference
    beyond them."""
    # The extent the ends of the sheet show (the header row is near the start, the last row at the end); then one
    # scan for any reference that is malformed or lies beyond it: none in a sound sheet, so one scan in all.
    # References outside the grid or the limits are left to the scan below. Each distinct column's letters are read
    # once and the row numbers as one array: a 1,000-row sheet has some 12,000 references at its ends.
    # Each end is scanned once (on a sheet under 64 KB the two ends are the same bytes); a reference cut at the
    # start of the tail is read whole from the byte before it, as the scan of both ends glued by a space did.
    tail = data[-65536:]  # rows only from the end: calamine sizes its grid from the last cell it meets
    tail_refs = _REF.findall(tail)
    head_refs = _REF.findall(data[:65536]) if len(data) > 65536 else tail_refs
    cut = _REF.match(b" " + tail[:16])
    ends = head_refs + tail_refs + ([cut.groups()] if cut else [])
    within = {letters: index for letters in {c for c, _ in ends} | {c for c, _ in tail_refs}
              if (index := column_index(letters.decode())) <= widest}
    shown_row = _highest_row([r for c, r in tail_refs if c in within] + _ROW_NUMBER.findall(tail))
    shown_col = max([within[c] for c in {c for c, r in ends if c in within and (len(r) < 7 or int(r) <= MAX_ROW)}]
                    + [1])
    return shown_row, shown_col, not head_refs or int(head_refs[0][1]) <= shown_row  # the first, as a search finds it


def check_cells(data: bytes, file: str, sheet: str, cells: int | None = None) -> Extent:
    """Refuse a sheet whose cells a reader cannot take safely: a reference that is not one, or is outside
    A1:XFD1048576 (a damaged file); more used columns or cells than the limits; numbers no cell can hold;
    dates that are not dates. Costs a few plain scans of the bytes, not one Python step per cell. ``cells``: the
    count of ``<c `` tags when a scan has made it (sheet_bounds.bounded)."""
    if cells is None:
        cells = data.count(b"<c ") or data.count(b":c ")
    most = limit("MAX_CELLS", MAX_CELLS)
    if cells > most:
        raise WorkbookError(Problem(
            severity=Severity.ERROR, code="too-large", file=file, sheet=sheet,
            message=f"the sheet has {cells:,} cells, over the limit of {most:,}; split the workbook, or raise the "
                    "limit with the environment variable SALESMETRICS_MAX_CELLS"))
    widest = min(limit("MAX_COLUMNS", MAX_COLUMNS), MAX_COLUMN)
    shown_row, shown_col, ordered = sheet_ends(data, widest)
    # Columns exactly (calamine's grid is as wide as the widest); rows by their count of digits, which is cheaper to
    # match: calamine spans its grid from the first cell's row to the last cell's, so a stray row in between is
    # dropped by it, never allocated for (and one further down than any row at the end marks the sheet unordered).
    columns = f"[A-{column_letter(shown_col)}]" if shown_col <= 26 else _at_most_column(shown_col)
    beyond = re.compile(rb' r="(?!(?:' + columns.encode() + rb")?[1-9]\d{0,"
                        + str(len(str(shown_row)) - 1).encode() + rb'}")([^"]{0,40})')
    if shown_row >= 1_000_000:  # the digit count no longer bounds the grid: look at every seven-digit row
        for m in re.finditer(rb' r="[A-Z]{0,3}(\d{7,})"', data):
            if int(m[1]) > MAX_ROW:
                raise damaged(file, f"cell or row {m[1].decode()[:20]} lies outside Excel's grid of 16,384 columns "
                                    "(A to XFD) and 1,048,576 rows", sheet=sheet)
    last_row, last_col = shown_row, shown_col
    for m in beyond.finditer(data):
        element, value = _element(data, m.start()), m[1]
        shown = value.decode("ascii", "replace")
        shown = shown[:20] + "..." if len(shown) > 20 else shown
        if element == b"c":
            ref = _CELL_REF.fullmatch(value)
            if ref is None:
                raise damaged(file, f"a cell is named '{shown}', which is not a cell reference Excel can have",
                              sheet=sheet)
            row, col = int(ref[2]), column_index(ref[1].decode())
        elif element == b"row":
            if _ROW_REF.fullmatch(value) is None:
                raise damaged(file, f"a row is numbered '{shown}', which is not a row number Excel can have",
                              sheet=sheet)
            row, col = int(value), 0
        else:
            continue
        if row > MAX_ROW or col > MAX_COLUMN:
            raise damaged(file, f"cell or row {shown} lies outside Excel's grid of 16,384 columns (A to XFD) and "
                                "1,048,576 rows", sheet=sheet)
        if col > widest:
            raise WorkbookError(Problem(
                severity=Severity.ERROR, code="too-wide", file=file, sheet=sheet, cell=shown,
                message=f"the sheet uses columns beyond {column_letter(widest)} (column {widest:,}), over the limit "
                        f"of {widest:,} used columns; delete the columns you do not need, or raise the limit with "
                        "the environment variable SALESMETRICS_MAX_COLUMNS"))
        ordered = ordered and row <= shown_row  # else a cell further down sits earlier in the file
        last_row, last_col = max(last_row, row), max(last_col, col)
    small = len(data) < SMALL_SHEET  # on a big sheet the parser reports these cells; here they get a sentence
    for m in _ODD_NUMBER.finditer(data) if small and _may_be_odd(data) else ():  # values like inf, nan, 1e400
        attrs, value = _cell_at(data, m.start())
        if b' t="' in attrs and b' t="n"' not in attrs:
            continue  # text, a shared-string index, an error: not a number cell
        try:
            finite = math.isfinite(float(value))
        except ValueError:
            finite = False
        if not finite:
            raise damaged(file, f"a number cell holds '{value.decode('ascii', 'replace')[:40]}', which is not a "
                                "number Excel can store", sheet=sheet, cell=_ref_of(attrs))
    for m in _DATE_TYPE.finditer(data) if small and b' t="d"' in data else ():  # t="d": only in strict files
        attrs, value = _cell_at(data, m.start())
        try:
            dt.datetime.fromisoformat(value.decode("ascii").strip())
        except (ValueError, UnicodeDecodeError):
            raise damaged(file, f"a date cell holds '{value.decode('utf-8', 'replace')[:40]}', which is not a date",
                          sheet=sheet, cell=_ref_of(attrs)) from None
    return Extent(cells, last_row, last_col, last_row * last_col, ordered)
