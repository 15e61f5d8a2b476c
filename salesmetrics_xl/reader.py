"""Open a tracking workbook from disk: refuse what is not a workbook, hand the rows to the core parser."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from salesmetrics_xl.core.metrics import normalise
from salesmetrics_xl.core.parse import default_ranges, find_header, parse_ranges, parse_tracking
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.tracking import TrackingData, check_tracking
from salesmetrics_xl.core.workbook import RANGES, REP, TRACKING, WEEK, SheetSpec

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A sheet part that inflates past this is refused before it is read (a zip bomb costs nothing to send).
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_INFLATE_RATIO = 200


@dataclass
class WorkbookData:
    path: str
    tracking: TrackingData | None
    ranges: RangeSet
    problems: list[Problem] = field(default_factory=list)


def _fail(path: Path, code: str, message: str) -> WorkbookError:
    return WorkbookError(Problem(severity=Severity.ERROR, code=code, message=message, file=str(path)))


def sniff(path: Path) -> None:
    """Say plainly what a file is when it is not an .xlsx/.xlsm we can read, before any parser sees it."""
    if not path.is_file():
        raise _fail(path, "not-found", "file not found")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(OLE_MAGIC):
        data = path.read_bytes()[: 4 * 1024 * 1024]
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _fail(path, "encrypted", "the workbook is password-protected; remove the password in Excel "
                                           "(File > Info > Protect Workbook) and save a copy")
        raise _fail(path, "old-format", "this is an old Excel 97-2003 (.xls) file; open it in Excel and save it "
                                        "as .xlsx")
    if not magic.startswith(ZIP_MAGIC):
        if path.suffix.lower() in (".csv", ".txt", ".tsv"):
            raise _fail(path, "not-a-workbook", "this is a CSV/text file; open it in Excel and save it as .xlsx "
                                                "(or start from workbook_template.xlsx)")
        raise _fail(path, "not-a-workbook", "this is not an Excel workbook (.xlsx or .xlsm)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                raise _fail(path, "not-a-workbook", "this is an OpenDocument (.ods) spreadsheet; save it as .xlsx")
            if "xl/workbook.xml" not in names:
                raise _fail(path, "not-a-workbook", "this zip file is not an Excel workbook (no xl/workbook.xml)")
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > 100 * 1024**2 and info.file_size > MAX_INFLATE_RATIO * max(info.compress_size, 1):
                    raise _fail(path, "too-large", f"part {info.filename} would inflate {info.file_size:,} bytes from "
                                                   f"{info.compress_size:,} (over {MAX_INFLATE_RATIO}x); refused as "
                                                   "a likely zip bomb")
            if total > MAX_UNPACKED_BYTES:
                raise _fail(path, "too-large", f"the workbook unpacks to {total:,} bytes, over the "
                                               f"{MAX_UNPACKED_BYTES:,}-byte limit")
    except zipfile.BadZipFile as exc:
        raise _fail(path, "damaged", f"the file is damaged or truncated ({exc}); restore it or save it again") \
            from None


def _pick_sheet(names: list[str], spec: SheetSpec) -> str | None:
    keys = {normalise(n) for n in (spec.name, *spec.aliases)}
    return next((n for n in names if normalise(n) in keys), None)


def read_workbook(path: str | Path, today: dt.date | None = None) -> WorkbookData:
    """Every problem is collected rather than raised, so one run tells the user everything to fix."""
    import openpyxl  # the only spreadsheet library import on the file route's read side

    path = Path(path)
    sniff(path)
    today = today or dt.date.today()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise _fail(path, "damaged", f"the workbook cannot be read: {type(exc).__name__}: {exc}") from None
    try:
        names = list(book.sheetnames)

        def rows(name: str) -> list[tuple[object, ...]]:
            ws = book[name]
            ws.reset_dimensions()  # some writers store a wrong <dimension>; read what is really there
            return ws.iter_rows(values_only=True)

        problems: list[Problem] = []
        tracking_name = _pick_sheet(names, TRACKING)
        if tracking_name is None:  # any sheet whose header has Week and Rep will do
            for name in names:
                head = [tuple(r) for _, r in zip(range(20), rows(name), strict=False)]
                if find_header(head, TRACKING, (WEEK, REP)):
                    tracking_name = name
                    break
        tracking: TrackingData | None = None
        if tracking_name is None:
            problems.append(Problem(
                severity=Severity.ERROR, code="missing-sheet", file=str(path),
                message=f"no '{TRACKING.name}' sheet (or any sheet with Week and Rep columns); sheets found: "
                        f"{', '.join(names)}"))
        else:
            tracking, found = parse_tracking(rows(tracking_name), file=str(path), sheet=tracking_name)
            problems += found
            if tracking is not None:
                problems += check_tracking(tracking, today)

        ranges_name = _pick_sheet(names, RANGES)
        if ranges_name is None:
            ranges = default_ranges()
            problems.append(Problem(
                severity=Severity.WARNING, code="missing-sheet", file=str(path),
                message=f"no '{RANGES.name}' sheet; the default ranges are used (salesmetrics init makes a "
                        "workbook with them)"))
        else:
            columns = list(tracking.letters) if tracking is not None else []
            ranges, found = parse_ranges(rows(ranges_name), tracking_columns=columns, file=str(path),
                                         sheet=ranges_name)
            problems += found
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
        raise _fail(path, "damaged", f"the workbook cannot be read: {type(exc).__name__}: {exc}") from None
    finally:
        book.close()
    return WorkbookData(str(path), tracking, ranges, problems)
