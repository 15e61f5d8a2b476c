"""Open a tracking workbook from disk: refuse what is not a workbook, hand the rows to the core parser."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib.util
import os
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree

from salesmetrics_xl.columnar import ColumnarBook, prefetch, reads_columns
from salesmetrics_xl.core.parse import (
    Header,
    SheetColumns,
    WorkbookData,
    find_sheet,
    parse_workbook,
    sheet_in_name,
)
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData
from salesmetrics_xl.core.workbook import RANGES, RANGES_SHEET_NAME, TRACKING, TRACKING_SHEET_NAME
from salesmetrics_xl.null_text import null_text_columns
from salesmetrics_xl.ooxml import elements
from salesmetrics_xl.package import Sheet, check_package, explain, is_panic, limit, not_a_worksheet
from salesmetrics_xl.row_books import SPARSE_ROWS, CalamineBook, OpenpyxlBook, PlacedBook
from salesmetrics_xl.sheet_guard import SheetScan, repeated_rows, scan_sheet
from salesmetrics_xl.sheet_parts import SheetParts, sheet_bytes, utf16_parts  # noqa: F401 (importers of reader)
from salesmetrics_xl.sheet_parts import sheet_part as _sheet_part  # noqa: F401 (tests)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Refused before anything is inflated (a zip bomb costs nothing to send). Raise them with the environment
# variables SALESMETRICS_MAX_UNPACKED_BYTES and SALESMETRICS_MAX_INFLATE_RATIO.
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_INFLATE_RATIO = 200
XML_SNIFF_BYTES = 4096


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
        book = {"calamine": CalamineBook, "openpyxl": OpenpyxlBook}.get(chosen, ColumnarBook)(path)
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
    placed: list[PlacedBook] = []
    try:
        names = _worksheets(path, book.sheetnames, sheets)

        def rows(name: str) -> Iterator[tuple[object, ...]]:
            data = b""
            if name not in scans:
                data = parts.xml(name)
                sizes[name] = len(data)
                bounds = None
                if isinstance(book, ColumnarBook) and reads_columns(chosen, len(data)):
                    bounds = prefetch(book, parts, name, data)
                scans[name] = scan_sheet(data, str(path), name, bounds)  # before any reader sees the sheet
            scan = scans[name]
            special, extent = scan.special, scan.extent
            if not scan.placed:  # out of order, twice, or without references: every reader places them alike
                placed[:] = placed or [PlacedBook(path)]
                return _overlay(placed[0].rows(name), special)
            is_sparse = (extent.rows > SPARSE_ROWS and extent.cells < extent.rows) or not extent.native_safe
            if not isinstance(book, OpenpyxlBook) and (scan.exact or not scan.native_errors_only):
                is_sparse = True  # python-calamine stops on #GETTING_DATA, #SPILL!..., and reads some spellings amiss
            if not isinstance(book, OpenpyxlBook) and parts.utf16(name):
                is_sparse = True  # the native readers misread UTF-16 parts; openpyxl reads them as Excel does
            if isinstance(book, ColumnarBook) and not special and not is_sparse and reads_columns(chosen, sizes[name]):
                if data:  # a plain sheet fastexcel reads: its text fastexcel would blank (it loads meanwhile)
                    book.nulls[name] = null_text_columns(data, parts.shared_strings, lambda: parts.strings(sys.maxsize))
                columnar.add(name)
                return book.header_first(name)
            if isinstance(book, OpenpyxlBook):
                return _overlay(book.rows(name, width=extent.columns), special)
            return _overlay(book.rows(name, is_sparse, width=extent.columns), special)

        def columns(name: str, header: Header) -> SheetColumns | None:
            return book.columns(name, header) if name in columnar and isinstance(book, ColumnarBook) else None

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
