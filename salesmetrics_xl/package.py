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
from pathlib import PurePosixPath

from defusedxml import ElementTree

from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, column_index, column_letter

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
SAVE_AGAIN = "open it in Excel and save it again (File > Save As, Excel Workbook)"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
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
    if isinstance(exc, NotImplementedError):
        return damaged(file, f"part of it is packed in a way Excel never writes ({exc})")
    if name in ("ParseError", "XmlError") or "xml" in name.lower():
        return damaged(file, f"part of its XML is not well-formed ({exc})")
    if is_panic(exc):
        return damaged(file, f"the reader stopped on a value it cannot handle ({exc})")
    if isinstance(exc, MemoryError):
        return WorkbookError(Problem(severity=Severity.ERROR, code="too-large", file=file,
                                     message="the workbook needs more memory than this computer has to be "
                                             f"{doing}; split it, or remove unused rows and columns"))
    detail = str(exc).splitlines()[0][:200] if str(exc) else name
    return damaged(file, f"it cannot be {doing} ({name}: {detail})")


# ---- the package ---------------------------------------------------------------------------------------------

@dataclass
class Sheet:
    name: str
    part: str | None  # the zip entry, None when its relationship is broken
    kind: str  # worksheet, chartsheet, dialogsheet, ...


def _part(base: str, target: str) -> str | None:
    """A relationship target as a zip entry name; None when it climbs out of the package."""
    pieces = PurePosixPath(target[1:]).parts if target.startswith("/") else (PurePosixPath(base) / target).parts
    out: list[str] = []
    for piece in pieces:
        if piece == "..":
            if not out:
                return None
            out.pop()
        elif piece not in (".", ""):
            out.append(piece)
    return "/".join(out)


def _root_name(head: bytes) -> str | None:
    """The local name of a part's root element, from its first bytes."""
    m = re.search(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)", head)
    return m[1].decode() if m else None


def check_package(zf: zipfile.ZipFile, file: str) -> list[Sheet]:
    """The package structure a reader relies on: unique entries, methods Excel writes, the content types, the
    workbook's relationships (each with a target inside the package), a styles part that is a styleSheet.
    Returns the sheets in workbook order with their kind."""
    infos = zf.infolist()
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise damaged(file, f"two parts share the name {info.filename}")
        seen.add(info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}.get(info.compress_type,
                                                                                   f"method {info.compress_type}")
            raise damaged(file, f"{info.filename} is compressed with {method}, which Excel never uses")
    for required in ("[Content_Types].xml", WORKBOOK_RELS):
        if required not in seen:
            raise damaged(file, f"it has no {required}")
    rels = ElementTree.fromstring(zf.read(WORKBOOK_RELS))
    targets: dict[str, tuple[str, str | None]] = {}
    for rel in rels.iter(f"{{{PACKAGE_RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target, kind = rel.get("Target"), (rel.get("Type") or "").rsplit("/", 1)[-1]
        if not target:
            raise damaged(file, f"relationship {rel.get('Id')} in {WORKBOOK_RELS} has no target")
        part = _part("xl", target)
        if part is None:
            raise damaged(file, f"relationship {rel.get('Id')} points outside the workbook ({target})")
        targets[rel.get("Id") or ""] = (kind, part)
    for kind, part in targets.values():
        if kind == "styles":
            if part not in seen:
                raise damaged(file, f"its styles part {part} is missing")
            with zf.open(part) as fh:
                root = _root_name(fh.read(4096))
            if root != "styleSheet":
                raise damaged(file, f"{part} is not a styleSheet")
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    sheets = []
    for s in workbook.iter(f"{{{MAIN}}}sheet"):
        kind, part = targets.get(s.get(f"{{{REL}}}id") or "", ("", None))
        name = s.get("name") or ""
        if part is None or part not in seen:
            raise damaged(file, f"the part holding sheet '{name}' is missing", sheet=name)
        sheets.append(Sheet(name, part, kind or "worksheet"))
    return sheets


def not_a_worksheet(file: str, sheet: Sheet) -> WorkbookError:
    what = SHEET_KINDS.get(sheet.kind, f"{sheet.kind} sheet")
    return WorkbookError(Problem(
        severity=Severity.ERROR, code="not-a-worksheet", file=file, sheet=sheet.name,
        message=f"'{sheet.name}' is a {what}, not a worksheet: the data must be in a worksheet (a grid of cells) of "
                f"that name; rename the {what} and put the data in a worksheet named '{sheet.name}'"))


# ---- the cells of a sheet --------------------------------------------------------------------------------------

def _greater_number(n: int) -> str:
    """A regex for whole numbers (no leading zero) greater than n."""
    s = str(n)
    alts = [rf"[1-9]\d{{{len(s)},}}"]
    alts += [s[:i] + f"[{int(ch) + 1}-9]" + rf"\d{{{len(s) - i - 1}}}" for i, ch in enumerate(s) if ch != "9"]
    return "(?:" + "|".join(alts) + ")"


def _greater_column(n: int) -> str:
    """A regex for column letters after column n (more letters, or as many and later in the alphabet)."""
    s = column_letter(n)
    alts = [rf"[A-Z]{{{len(s) + 1},}}"]
    alts += [s[:i] + f"[{chr(ord(ch) + 1)}-Z]" + rf"[A-Z]{{{len(s) - i - 1}}}" for i, ch in enumerate(s) if ch != "Z"]
    return "(?:" + "|".join(alts) + ")"


_C = rb"<(?:\w+:)?c\b[^>]*?\sr=\""  # the start of a cell's reference
_ROW = rb"<(?:\w+:)?row\b[^>]*?\sr=\""
_BAD_REF = re.compile(_C + rb'(?![A-Z]{1,3}[1-9]\d{0,6}")([^"]{0,40})')
_BAD_ROW = re.compile(_ROW + rb'(?![1-9]\d{0,6}")([^"]{0,40})')
_REF = re.compile(_C + rb'([A-Z]{1,3})(\d{1,7})"')
_ROW_NUMBER = re.compile(_ROW + rb'(\d{1,7})"')
_BEYOND_ROW = re.compile(_C + rb"[A-Z]{1,3}" + _greater_number(MAX_ROW).encode() + rb'"|' + _ROW
                         + _greater_number(MAX_ROW).encode() + rb'"')
_BEYOND_COLUMN = re.compile(_C + _greater_column(MAX_COLUMN).encode() + rb"\d")
_ODD_NUMBER = re.compile(rb"<(?:\w+:)?v>\s*([+-]?(?:inf|nan|\d*\.?\d*e[+-]?\d{3,})[^<]{0,40})<", re.I)
_DATE_TYPE = re.compile(rb'\st="d"')


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


def check_cells(data: bytes, file: str, sheet: str) -> Extent:
    """Refuse a sheet whose cells a reader cannot take safely: a reference that is not one, or is outside
    A1:XFD1048576 (a damaged file); more used columns or cells than the limits; numbers no cell can hold;
    dates that are not dates. Costs a few plain scans of the bytes, not one Python step per cell."""
    for pattern, what in ((_BAD_REF, "a cell is named '{}', which is not a cell reference"),
                          (_BAD_ROW, "a row is numbered '{}', which is not a row number")):
        if m := pattern.search(data):
            shown = m[1].decode("ascii", "replace")
            raise damaged(file, what.format(shown[:20] + "..." if len(shown) > 20 else shown) + " Excel can have",
                          sheet=sheet)
    if m := _BEYOND_ROW.search(data) or _BEYOND_COLUMN.search(data):
        raise damaged(file, "a cell lies outside Excel's grid of 16,384 columns (A to XFD) and 1,048,576 rows",
                      sheet=sheet)
    cells = len(re.findall(rb"<(?:\w+:)?c[\s>/]", data)) if len(data) < 1 << 20 else \
        data.count(b"<c ") + data.count(b"<c>") + data.count(b":c ")
    most = limit("MAX_CELLS", MAX_CELLS)
    if cells > most:
        raise WorkbookError(Problem(
            severity=Severity.ERROR, code="too-large", file=file, sheet=sheet,
            message=f"the sheet has {cells:,} cells, over the limit of {most:,}; split the workbook, or raise the "
                    "limit with the environment variable SALESMETRICS_MAX_CELLS"))
    widest = limit("MAX_COLUMNS", MAX_COLUMNS)
    if widest < MAX_COLUMN and (m := re.search(_C + b"(" + _greater_column(widest).encode() + rb"\d+)", data)):
        where = m[1].decode()
        raise WorkbookError(Problem(
            severity=Severity.ERROR, code="too-wide", file=file, sheet=sheet, cell=where,
            message=f"the sheet uses columns beyond {column_letter(widest)} (column {widest:,}), over the limit of "
                    f"{widest:,} used columns; delete the columns you do not need, or raise the limit with the "
                    "environment variable SALESMETRICS_MAX_COLUMNS"))
    for m in _ODD_NUMBER.finditer(data):  # rare: only values spelled like inf, nan or 1e400
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
    for m in _DATE_TYPE.finditer(data):  # rare: Excel writes dates as numbers, t="d" only in strict files
        attrs, value = _cell_at(data, m.start())
        try:
            dt.datetime.fromisoformat(value.decode("ascii").strip())
        except (ValueError, UnicodeDecodeError):
            raise damaged(file, f"a date cell holds '{value.decode('utf-8', 'replace')[:40]}', which is not a date",
                          sheet=sheet, cell=_ref_of(attrs)) from None
    return _extent(data, cells)


def _extent(data: bytes, cells: int) -> Extent:
    """The grid calamine would allocate: from the first cell's row to the last cell's row, as wide as the widest
    used column. The last column and row are read near the ends and then confirmed with one scan for anything
    beyond them (a stray cell anywhere), so a normal sheet costs two searches."""
    refs = [(int(m[2]), column_index(m[1].decode())) for m in _REF.finditer(data[-65536:])]
    rows = [int(m[1]) for m in _ROW_NUMBER.finditer(data[-65536:])]
    if not refs and not rows:
        return Extent(cells, 0, 0, 0)
    head = [column_index(m[1].decode()) for m in _REF.finditer(data[:65536])]
    last_row = max([r for r, _ in refs] + rows + [1])
    last_col = max([c for _, c in refs] + head + [1])
    beyond_col = re.compile(_C + _greater_column(last_col).encode() + rb"\d") if last_col < MAX_COLUMN else None
    if beyond_col is not None and beyond_col.search(data):  # a stray cell further right: find the widest exactly
        last_col = max(column_index(m[1].decode()) for m in _REF.finditer(data))
    beyond_row = re.compile(_C + rb"[A-Z]{1,3}" + _greater_number(last_row).encode() + rb'"|' + _ROW
                            + _greater_number(last_row).encode() + rb'"')
    ordered = not beyond_row.search(data)  # else a cell further down sits earlier in the file
    return Extent(cells, last_row, last_col, last_row * last_col, ordered)
