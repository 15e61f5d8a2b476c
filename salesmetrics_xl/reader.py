"""Open a tracking workbook from disk: refuse what is not a workbook, hand the rows to the core parser."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib.util
import logging
import os
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np
from defusedxml import DefusedXmlException, ElementTree

from salesmetrics_xl.core.cell_values import FIRST_YEAR, LAST_YEAR
from salesmetrics_xl.core.parse import (
    HEADER_SEARCH_ROWS,
    Coded,
    Column,
    Header,
    Row,
    SheetColumns,
    WorkbookData,
    filled,
    find_header,
    find_sheet,
    parse_workbook,
    sheet_in_name,
)
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import RANGES, RANGES_SHEET_NAME, REP, TRACKING, TRACKING_SHEET_NAME, WEEK
from salesmetrics_xl.null_text import null_text_columns
from salesmetrics_xl.ooxml import as_transitional, elements, flavour_of
from salesmetrics_xl.package import MAX_CELLS, Sheet, check_package, explain, is_panic, limit, not_a_worksheet
from salesmetrics_xl.sheet_guard import Bounds, SheetScan, bounded, repeated_rows, scan_sheet
from salesmetrics_xl.sheet_head import head_rows
from salesmetrics_xl.sheet_parts import SheetParts, sheet_bytes, utf16_parts  # noqa: F401 (importers of reader)
from salesmetrics_xl.sheet_parts import sheet_part as _sheet_part  # noqa: F401 (tests)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Refused before anything is inflated (a zip bomb costs nothing to send). Raise them with the environment
# variables SALESMETRICS_MAX_UNPACKED_BYTES and SALESMETRICS_MAX_INFLATE_RATIO.
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_INFLATE_RATIO = 200
XML_SNIFF_BYTES = 4096
# A Tracking sheet this big (its XML, in bytes) is read column by column when fastexcel is installed; below it,
# setting up the columnar reader costs more than it saves.
COLUMNAR_MIN_BYTES = 2 * 1024**2
# A sheet whose rows run past this, with fewer cells than rows (a stray value far below the data), is read row by
# row by openpyxl: a native reader would lay out the whole span in memory.
SPARSE_ROWS = 100_000


def _fail(path: Path, code: str, message: str) -> WorkbookError:
    return WorkbookError(Problem(severity=Severity.ERROR, code=code, message=message, file=str(path)))


def sniff(path: Path, kept: dict[str, bytes] | None = None) -> list[Sheet]:
    """Say plainly what a file is when it is not an .xlsx/.xlsm we can read, before any parser sees it; check its
    package structure (see package.py) and return its sheets with their kinds (``kept``: see check_package)."""
    if path.is_dir():
        raise _fail(path, "is-a-folder", "this is a folder, not a workbook; give a .xlsx file (salesmetrics batch "
                                         "reads whole folders)")
    if not path.is_file():
        if not path.parent.is_dir():
            raise _fail(path, "not-found", f"file not found: the folder {path.parent} does not exist")
        raise _fail(path, "not-found", "file not found")
    with path.open("rb") as fh:
        magic = fh.read(8)
        head = magic + fh.read(XML_SNIFF_BYTES)
    if not magic:
        raise _fail(path, "empty", "this is an empty file (0 bytes), not a workbook; it was probably not saved "
                                   "completely: restore it from a backup, or start again with salesmetrics init")
    if magic.startswith(OLE_MAGIC):
        data = path.read_bytes()[: 4 * 1024 * 1024]
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _fail(path, "encrypted", "the workbook is password-protected; remove the password in Excel "
                                           "(File > Info > Protect Workbook) and save a copy")
        raise _fail(path, "old-format", "this is an old Excel 97-2003 (.xls) file; open it in Excel and save it "
                                        "as .xlsx")
    if not magic.startswith(ZIP_MAGIC):
        if path.suffix.lower() in (".csv", ".txt", ".tsv") or _is_text(head):
            raise _fail(path, "not-a-workbook", "this is a text/CSV file, not an Excel workbook (whatever its name "
                                                "says); open it in Excel and save it as an Excel Workbook (.xlsx), "
                                                "or start from workbook_template.xlsx")
        raise _fail(path, "not-a-workbook", "this is not an Excel workbook (.xlsx or .xlsm)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                raise _fail(path, "not-a-workbook", "this is an OpenDocument (.ods) spreadsheet; save it as .xlsx")
            if "xl/workbook.xml" not in names:
                raise _fail(path, "not-a-workbook", "this zip file is not an Excel workbook (no xl/workbook.xml)")
            total, most, ratio = 0, limit("MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES), limit(
                "MAX_INFLATE_RATIO", MAX_INFLATE_RATIO)
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > 100 * 1024**2 and info.file_size > ratio * max(info.compress_size, 1):
                    raise _fail(path, "too-large", f"part {info.filename} would inflate {info.file_size:,} bytes from "
                                                   f"{info.compress_size:,} (over {ratio}x); refused as a likely zip "
                                                   "bomb (SALESMETRICS_MAX_INFLATE_RATIO raises the limit)")
            if total > most:
                raise _fail(path, "too-large", f"the workbook unpacks to {total:,} bytes, over the {most:,}-byte "
                                               "limit (SALESMETRICS_MAX_UNPACKED_BYTES raises it)")
            sheets = check_package(zf, str(path), kept)  # entries, methods, relationships (package.py)
            for info in zf.infolist():  # Excel never writes a DTD; one here is an XML attack (entities, XXE)
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as part:
                        head = part.read(XML_SNIFF_BYTES)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _fail(path, "unsafe-xml", f"{info.filename} declares XML entities, which Excel never "
                                                        "writes; refused to protect this computer (XML attack)")
            return sheets
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _fail(path, "damaged", f"the file is damaged or truncated ({exc}); restore it or save it again") \
            from exc
    except WorkbookError:
        raise
    except DefusedXmlException as exc:
        raise _fail(path, "unsafe-xml", f"the workbook contains an XML attack ({type(exc).__name__}); "
                                        "refused") from exc
    except Exception as exc:
        raise explain(str(path), exc) from exc


def _is_text(head: bytes) -> bool:
    """Plain text (a CSV, a text export): UTF-16 with its byte order mark, or no control characters but tabs and
    line ends. A binary file has them within its first few bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return bool(head) and not any(b < 32 and b not in (9, 10, 13) for b in head)


def defined_names(path: Path) -> dict[str, str]:
    """The workbook-level defined names (casefolded, as Excel compares them) and what each refers to."""
    with zipfile.ZipFile(path) as zf:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    return {(d.get("name") or "").casefold(): d.text or "" for d in elements(workbook, "definedName")
            if d.get("localSheetId") is None}  # type: ignore[attr-defined]


def defined_sheets(path: Path) -> tuple[str | None, str | None]:
    """The tracking and ranges sheets the workbook names itself, through its defined names (see
    TRACKING_SHEET_NAME): a workbook shared by a team says once where its data is."""
    defined = defined_names(path)
    return tuple(sheet_in_name(defined[n]) if n in defined else None  # type: ignore[return-value]
                 for n in (TRACKING_SHEET_NAME, RANGES_SHEET_NAME))


def broken_names(path: Path) -> list[Problem]:
    """A defined name we read (salesmetrics_tracking, salesmetrics_ranges) that points at no sheet (=#REF!, once
    the sheet it named was deleted) is ignored, and says so: the user meant it to choose a sheet."""
    try:
        defined = defined_names(path)
    except Exception:  # whatever it is, the readers say what is wrong with the file
        return []
    out = []
    for name in (TRACKING_SHEET_NAME, RANGES_SHEET_NAME):
        refers = defined.get(name.casefold())
        if refers is not None and sheet_in_name(refers) is None:
            shown = " ".join(refers.split())
            shown = shown[:60] + "..." if len(shown) > 60 else shown
            out.append(Problem(
                severity=Severity.WARNING, code="bad-name", file=str(path),
                message=f"the defined name {name} refers to '{shown}', not to a sheet (was the sheet deleted?), so "
                        "it is ignored and the sheet is found by its name or header; in Excel, Formulas > Name "
                        "Manager: point it at the sheet, or delete it"))
    return out


def _overlay(rows: Iterator[tuple[object, ...]], special: dict[tuple[int, int], str]) -> Iterator[tuple[object, ...]]:
    return _overlaid(rows, special) if special else rows


def _overlaid(rows: Iterator[tuple[object, ...]], special: dict[tuple[int, int], str]
              ) -> Iterator[tuple[object, ...]]:
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), value in special.items():
        by_row.setdefault(r, {})[c] = value
    last = max(by_row)
    number = 0
    for number, row in enumerate(rows, start=1):
        cols = by_row.get(number)
        if cols:
            row = list(row) + [None] * max(0, max(cols) - len(row))
            for c, value in cols.items():
                row[c - 1] = value
            row = tuple(row)
        yield row
    for later in range(number + 1, last + 1):  # a reader stops at the last value it saw: an error cell may be later
        cols = by_row.get(later)
        yield tuple(cols.get(c) for c in range(1, max(cols) + 1)) if cols else ()


class _OpenpyxlBook:
    """Rows of plain values from openpyxl in read-only mode: always there, slower on big sheets."""

    def __init__(self, path: Path):
        import openpyxl

        # openpyxl knows Transitional only: a Strict book is handed to it in Transitional words (ooxml.py)
        source = as_transitional(path) if _is_strict(path) else path
        self.book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        self.sheetnames = list(self.book.sheetnames)

    def rows(self, name: str, is_sparse: bool = False, width: int | None = None) -> Iterator[tuple[object, ...]]:
        ws = self.book[name]
        ws.reset_dimensions()  # some writers store a wrong <dimension>; read what is really there
        # the width the guard found: openpyxl would otherwise cut each row at the column of its last stored cell
        return ws.iter_rows(max_col=width, values_only=True)

    def close(self) -> None:
        self.book.close()


class _PlacedBook:
    """Rows placed by their references, for a sheet whose rows are stored out of order, twice or without
    references (see sheet_guard): openpyxl's own sheet parser (the one its readers use) reads only that sheet, and
    each cell is kept under its reference (a cell stored twice: the later one), which a streaming reader cannot
    do. Every reader choice reads such a sheet here, so they all give the same answer."""

    def __init__(self, path: Path):
        self.book = _OpenpyxlBook(path).book

    def rows(self, name: str) -> Iterator[tuple[object, ...]]:
        from openpyxl.worksheet._reader import WorkSheetParser

        ws, by_row = self.book[name], {}
        with ws._get_source() as source:
            parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=self.book.epoch,
                                     date_formats=self.book._date_formats,
                                     timedelta_formats=self.book._timedelta_formats)
            for _, cells in parser.parse():
                for cell in cells:
                    by_row.setdefault(cell["row"], {})[cell["column"]] = cell["value"]
        for number in range(1, max(by_row, default=0) + 1):
            row = by_row.get(number)
            yield tuple(row.get(c) for c in range(1, max(row) + 1)) if row else ()


class _CalamineBook:
    """Rows from python-calamine (the optional ``fast`` extra): the same values, about ten times faster."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook

        self.path = path
        self.book = CalamineWorkbook.from_path(str(path))
        self.sheetnames = list(self.book.sheet_names)
        self.fallback: _OpenpyxlBook | None = None

    def rows(self, name: str, is_sparse: bool = False, width: int | None = None) -> Iterator[tuple[object, ...]]:
        if is_sparse:
            self.fallback = self.fallback or _OpenpyxlBook(self.path)
            return self.fallback.rows(name, width=width)
        # empty cells come as "", which the parser treats as blank, like openpyxl's None
        sheet = self.book.get_sheet_by_name(name)
        rows = sheet.iter_rows()  # lazily: memory follows the data, not the sheet
        if sheet.start and sheet.start[1]:  # calamine starts rows at the first used column; cells are named from A
            pad = [""] * sheet.start[1]
            return (pad + row for row in rows)
        return rows

    def close(self) -> None:
        self.book.close()
        if self.fallback:
            self.fallback.close()


class _Load(threading.Thread):
    """fastexcel reading a sheet under its header in a thread: it releases the GIL, so the rest of the read (the
    sheet guard's full scan, the header, the other sheets) goes on beside it. Started only for a sheet the guard
    has shown to be bounded (sheet_bounds.bounded); whatever it raises is kept for the reader to judge."""

    def __init__(self, read: Callable[[], tuple[list[int], object]], skip: int):
        super().__init__(name="salesmetrics-fastexcel", daemon=True)
        self.read, self.skip = read, skip
        self.result: tuple[list[int], object] | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.read()
        except BaseException as exc:  # judged by the reader, in its thread
            self.error = exc


class _ColumnarBook(_CalamineBook):
    """A big Tracking sheet read column by column with fastexcel (the ``fast`` extra): its numbers and dates
    arrive as arrays, never as one Python object per cell, which was most of the time on a 200k-row sheet.
    Other sheets, and a sheet whose columns mix kinds of value, are read row by row as before."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.heads: _OpenpyxlBook | None = None
        self.head_rows: dict[str, list[tuple[object, ...]]] = {}
        self.loads: dict[str, _Load] = {}
        self.nulls: dict[str, set[int]] = {}  # per sheet: the columns with text fastexcel reads as none (null_text)

    def _head(self, name: str) -> list[tuple[object, ...]]:
        """The rows where a header may be (openpyxl streams them, without parsing the whole sheet)."""
        if name not in self.head_rows:
            self.heads = self.heads or _OpenpyxlBook(self.path)
            self.head_rows[name] = list(islice(self.heads.rows(name), HEADER_SEARCH_ROWS))
        return self.head_rows[name]

    def header_first(self, name: str) -> Iterator[tuple[object, ...]]:
        """The header rows first; the rest only when the parser asks, from calamine."""
        try:
            self.heads = self.heads or _OpenpyxlBook(self.path)
        except Exception:  # a package openpyxl cannot open (a style list it rejects): calamine reads it all
            yield from self.rows(name)
            return
        head = self._head(name)  # what openpyxl raises while reading the rows is the reader's failure
        yield from head
        yield from islice(self.rows(name), len(head), None)

    def prefetch(self, name: str, head: list[Row]) -> None:
        """Start reading a Tracking sheet's columns now, under the header its first rows (``head``, read from its
        XML: sheet_head.head_rows) show: the one the parser will find in openpyxl's rows (parse.find_header, as
        read_tracking calls it), or columns() reads again. Only for a sheet sheet_bounds.bounded passed."""
        if name in self.loads:
            return
        header = find_header(head, TRACKING, (WEEK, REP))
        if header is not None:
            self.loads[name] = _Load(lambda: self._load(name, header.row), header.row)

    def _load(self, name: str, skip: int) -> tuple[list[int], object]:
        """The sheet's columns under row ``skip``: each column's place in the sheet, and the columns as arrow."""
        import fastexcel  # only for a big sheet: importing it and pyarrow costs time and memory

        # a column left blank (Start Date) is read as text, which is right; its log line is not for a user
        logging.getLogger("fastexcel").setLevel(logging.ERROR)
        # strict: a column that mixes numbers and text fails here, and its cells are judged one by one
        sheet = fastexcel.read_excel(str(self.path)).load_sheet(
            name, header_row=None, skip_rows=skip, schema_sample_rows=None, dtype_coercion="strict")
        return [info.absolute_index for info in sheet.selected_columns], sheet.to_arrow()  # selected: all, and free

    def columns(self, name: str, header: Header) -> SheetColumns | None:
        import pyarrow as pa

        load = self.loads.pop(name, None)
        if load is None or load.skip != header.row:
            if load is not None:
                load.join()  # its guess of the header missed: read as asked
            load = _Load(lambda: self._load(name, header.row), header.row)
        load.join()
        if load.error is not None:  # whatever the columnar reader cannot do (even a panic), the row reader does
            if not (isinstance(load.error, Exception) or is_panic(load.error)):
                raise load.error
            return None
        places, batch = load.result  # type: ignore[misc]
        nulls = self.nulls.get(name, set())
        values: dict[int, Column] = {}
        kept = np.zeros(batch.num_rows, dtype=bool)  # type: ignore[attr-defined]
        for at, column in zip(places, batch.columns, strict=True):  # type: ignore[attr-defined]
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_null(
                    column.type):  # names, or a column left blank: a few distinct values, each read once
                coded = column.dictionary_encode(null_encoding="encode")
                values[at] = Coded(coded.indices.to_numpy(zero_copy_only=False).astype(np.intp),
                                   coded.dictionary.to_pylist())
                kept |= np.array([filled(v) for v in values[at].values], dtype=bool)[values[at].codes]
                continue
            if at + 1 in nulls or 0 in nulls:
                return None  # text fastexcel took for no value ("N/A") among numbers or dates: the row reader says it
            kept |= column.is_valid().to_numpy(zero_copy_only=False)
            if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
                values[at] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
            elif pa.types.is_timestamp(column.type):
                stamps = column.to_numpy(zero_copy_only=False)
                first, after = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01")
                if ((stamps < first) | (stamps >= after)).any():
                    return None  # a date outside the years read (cell_values): the row reader reports its cell
                values[at] = stamps
            else:
                values[at] = column.to_pylist()
        return SheetColumns(first_row=header.row + 1, values=values, kept=kept)

    def close(self) -> None:
        for load in self.loads.values():  # started, then not wanted (the guard redirected or refused the sheet)
            load.join()
        super().close()
        if self.heads:
            self.heads.close()


Early = Callable[[TrackingData, RangeSet], None]  # hears a Tracking sheet's shape and the Ranges before its rows

_NEEDS = {"columnar": ("python_calamine", "fastexcel", "pyarrow"), "calamine": ("python_calamine",), "openpyxl": ()}


def _installed(reader: str) -> bool:
    return all(importlib.util.find_spec(m) for m in _NEEDS[reader])


def _engine(requested: str | None) -> str:
    choice = requested or os.environ.get("SALESMETRICS_READER", "auto")
    if choice == "auto":
        if _installed("columnar"):
            return "auto"  # columnar for a big Tracking sheet, calamine for the rest
        return "calamine" if _installed("calamine") else "openpyxl"
    if choice not in _NEEDS:
        raise ValueError(f"SALESMETRICS_READER={choice!r} is not a reader; use columnar, calamine or openpyxl")
    if not _installed(choice):
        raise ValueError(f"the {choice} reader needs the fast extra: pip install 'salesmetrics-xl[fast]'")
    return choice


def read_workbook(path: str | Path, today: dt.date | None = None, engine: str | None = None,
                  tracking_sheet: str | None = None, ranges_sheet: str | None = None,
                  early: Early | None = None) -> WorkbookData:
    """Every problem is collected rather than raised, so one run tells the user everything to fix. Whatever a
    reader raises (even a panic in a native one) comes out as one WorkbookError with a sentence.

    The sheets asked for here win over the ones the workbook names itself (parse.named_sheet has the rule).
    ``early`` hears parse_workbook's guess while fastexcel loads the Tracking rows (last row: the last used)."""
    path = Path(path)
    kept: dict[str, bytes] = {}  # sheets inflated by the package checks, for the guard
    sheets = sniff(path, kept)
    try:
        defined = defined_sheets(path)
    except Exception:  # whatever it is, the reader below says what is wrong with the file
        defined = (None, None)
    asked = (tracking_sheet or defined[0], ranges_sheet or defined[1])
    _worksheets(path, [s.name for s in sheets], sheets, asked)  # before a reader chokes
    today = today or dt.date.today()
    try:
        chosen = _engine(engine)
    except ValueError as exc:
        raise _fail(path, "bad-setting", str(exc)) from None
    failed: dict[str, WorkbookError] = {}
    for reader in (chosen, *_other_readers(chosen)):
        try:
            # stdout is ours alone (a --json run pipes it): a library's prints go to stderr
            with contextlib.redirect_stdout(sys.stderr):
                data = _read_with(reader, path, sheets, today, tracking_sheet, ranges_sheet, defined, kept, early)
        except _ReaderFailedError as exc:
            failed[reader] = exc.error
            continue
        if failed:
            data.problems.append(Problem(
                severity=Severity.NOTE, code="other-reader", file=str(path),
                message=f"{_READER_NAMES[next(iter(failed))]} could not read this workbook, so it was read with "
                        f"{_READER_NAMES[reader]}; the results are the same"))
        return data
    # No reader could. Every choice tries openpyxl, so its sentence is the one every choice gives.
    raise failed.get("openpyxl") or failed[chosen]


_READER_NAMES = {"auto": "the fast reader (python-calamine)", "columnar": "the fast reader (fastexcel)",
                 "calamine": "the fast reader (python-calamine)", "openpyxl": "openpyxl"}


class _ReaderFailedError(Exception):
    """A reader library failed on the package (not a problem we found in the data): another reader may read it."""

    def __init__(self, error: WorkbookError, cause: BaseException):
        super().__init__(str(error))
        error.__cause__ = cause  # for --debug
        self.error = error


def _is_strict(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf, zf.open("xl/workbook.xml") as fh:
        return flavour_of(fh.read(4096)).strict


def _other_readers(chosen: str) -> tuple[str, ...]:
    """The readers to try when ``chosen`` cannot read a package: the other kind (native or openpyxl)."""
    if chosen == "openpyxl":
        return ("calamine",) if _installed("calamine") else ()
    return ("openpyxl",)


def _read_with(chosen: str, path: Path, sheets: list[Sheet], today: dt.date, tracking_sheet: str | None,
               ranges_sheet: str | None, defined: tuple[str | None, str | None],
               kept: dict[str, bytes] | None = None, early: Early | None = None) -> WorkbookData:
    """The workbook read by one reader. Whatever the reader library raises is a _ReaderFailedError (another reader
    may do better); a problem we found in the data is a WorkbookError, the same for every reader."""
    try:
        book = {"calamine": _CalamineBook, "openpyxl": _OpenpyxlBook}.get(chosen, _ColumnarBook)(path)
    except BaseException as exc:  # the readers raise many kinds on malformed parts
        if not (isinstance(exc, Exception) or is_panic(exc)):
            raise
        if isinstance(exc, DefusedXmlException):
            raise _fail(path, "unsafe-xml", f"the workbook contains an XML attack ({type(exc).__name__}); "
                                            "refused") from exc
        raise _ReaderFailedError(explain(str(path), exc), exc) from exc
    columnar: set[str] = set()  # sheets whose rows under the header are read column by column
    scans: dict[str, SheetScan] = {}
    sizes: dict[str, int] = {}  # bytes of each sheet's XML
    parts = SheetParts(path, kept)
    placed: list[_PlacedBook] = []
    try:
        names = _worksheets(path, book.sheetnames, sheets)

        def rows(name: str) -> Iterator[tuple[object, ...]]:
            data = b""
            if name not in scans:
                data = parts.xml(name)
                sizes[name] = len(data)
                bounds = None
                if isinstance(book, _ColumnarBook) and (chosen == "columnar" or len(data) >= COLUMNAR_MIN_BYTES):
                    bounds = _prefetch(book, parts, name, data)
                scans[name] = scan_sheet(data, str(path), name, bounds)  # before any reader sees the sheet
            scan = scans[name]
            special, extent = scan.special, scan.extent
            if not scan.placed:  # out of order, twice, or without references: every reader places them alike
                placed[:] = placed or [_PlacedBook(path)]
                return _overlay(placed[0].rows(name), special)
            is_sparse = (extent.rows > SPARSE_ROWS and extent.cells < extent.rows) or not extent.native_safe
            if not isinstance(book, _OpenpyxlBook) and (scan.exact or not scan.native_errors_only):
                is_sparse = True  # python-calamine stops on #GETTING_DATA, #SPILL!..., and reads some spellings amiss
            if not isinstance(book, _OpenpyxlBook) and parts.utf16(name):
                is_sparse = True  # the native readers misread UTF-16 parts; openpyxl reads them as Excel does
            if isinstance(book, _ColumnarBook) and not special and not is_sparse and (
                    chosen == "columnar" or sizes[name] >= COLUMNAR_MIN_BYTES):
                if data:  # a plain sheet fastexcel reads: its text fastexcel would blank (it loads meanwhile)
                    book.nulls[name] = null_text_columns(data, parts.shared_strings, lambda: parts.strings(sys.maxsize))
                columnar.add(name)
                return book.header_first(name)
            if isinstance(book, _OpenpyxlBook):
                return _overlay(book.rows(name, width=extent.columns), special)
            return _overlay(book.rows(name, is_sparse, width=extent.columns), special)

        def columns(name: str, header: Header) -> SheetColumns | None:
            return book.columns(name, header) if name in columnar and isinstance(book, _ColumnarBook) else None

        def heard(tracking: TrackingData, ranges: Callable[[], RangeSet | None]) -> None:
            if early is not None and tracking.sheet in columnar and (parsed := ranges()) is not None:
                last = max(scans[tracking.sheet].extent.rows, tracking.header_row)  # its columns load meanwhile
                early(dataclasses.replace(tracking, last_row=last), parsed)

        data = parse_workbook(names, rows, str(path), today, columns, tracking_sheet=tracking_sheet,
                              ranges_sheet=ranges_sheet, defined=defined, early=heard if early else None)
        read = {data.tracking.sheet if data.tracking else None, data.ranges.sheet}
        data.problems += [p for name, scan in scans.items() if name in read
                          for p in repeated_rows(scan, str(path), name)]
        data.problems += broken_names(path)
        return data
    except WorkbookError:
        raise
    except DefusedXmlException as exc:
        raise _fail(path, "unsafe-xml", f"the workbook contains an XML attack ({type(exc).__name__}); "
                                        "refused") from exc
    except BaseException as exc:
        if not (isinstance(exc, Exception) or is_panic(exc)):
            raise  # Ctrl-C and exits pass
        raise _ReaderFailedError(explain(str(path), exc), exc) from exc
    finally:
        book.close()
        for one in placed:
            one.book.close()


def _prefetch(book: _ColumnarBook, parts: SheetParts, name: str, data: bytes) -> Bounds | None:
    """Let fastexcel start on a big sheet while the guard scans it, when a few fast scans prove it bounded
    (sheet_bounds.bounded; what they proved is returned for the guard). Whatever the full scan then finds is
    acted on as before: the guard refuses, or sends the sheet to another reader, and fastexcel's columns are
    dropped. Any doubt, or any error here: no head start (the reader then meets it in its usual order and says it
    in its usual words)."""
    try:
        bounds = bounded(data)
        if bounds is None or bounds.cells > limit("MAX_CELLS", MAX_CELLS):
            return None  # more cells than the guard lets through: it refuses the sheet before any native read
        if not (bounds.rows > SPARSE_ROWS and bounds.cells < bounds.rows) and not parts.utf16(name):
            with contextlib.suppress(Exception):  # no header guess, no head start; what is wrong is said in order
                book.prefetch(name, head_rows(data, parts.strings))  # (a sparse sheet: openpyxl, see _read_with)
        return bounds
    except Exception:  # said by the usual path, in its order
        return None


def _worksheets(path: Path, names: list[str], sheets: list[Sheet],
                asked: tuple[str | None, ...] = ()) -> list[str]:
    """The worksheets among a reader's sheet names. A chart or dialog sheet where the Tracking or Ranges data is
    expected (by its name, or asked for) gets its own sentence, not 'no Tracking sheet'."""
    kinds = {s.name: s for s in sheets}
    grids = [n for n in names if n not in kinds or kinds[n].kind == "worksheet"]
    others = [n for n in names if n not in grids]
    for name in asked:
        if name is not None and name in others:
            raise not_a_worksheet(str(path), kinds[name])
    for spec in (TRACKING, RANGES):
        if find_sheet(grids, spec) is None and (other := find_sheet(others, spec)) is not None:
            raise not_a_worksheet(str(path), kinds[other])
    return grids
