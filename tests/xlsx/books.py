"""The workbooks and layouts the writer's tests share (and tests/test_strict.py): a fidelity corpus of everything a
plain load-and-save loses, a summary layout with every kind of thing we write, and how to compare two packages."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import struct
import zipfile
import zlib
from pathlib import Path

import xlsxwriter
import xlwings

from salesmetrics_xl.layouts.sheet import (
    Chart,
    ConditionalFormat,
    Highlight,
    Series,
    SheetEdit,
    SheetLayout,
    Style,
    Validation,
    WorkbookLayout,
)

XLWINGS_XLSM = Path(xlwings.__file__).parent / "quickstart.xlsm"  # a real macro workbook saved by Excel
# The parts adding a sheet must touch; everything else stays byte-identical.
MAY_CHANGE = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}


def _png(path: Path) -> Path:
    """A real 8x8 PNG, written by hand so the test needs no imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def fidelity_book(folder: Path, name: str = "fidelity.xlsx", rows: int = 30) -> Path:
    """Everything a plain openpyxl load-and-save is known to lose or rename, in one workbook."""
    path = folder / name
    wb = xlsxwriter.Workbook(str(path))
    if name.endswith(".xlsm"):
        with zipfile.ZipFile(XLWINGS_XLSM) as zf:
            (folder / "vbaProject.bin").write_bytes(zf.read("xl/vbaProject.bin"))
        wb.add_vba_project(str(folder / "vbaProject.bin"))
    ws = wb.add_worksheet("Tracking")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"color": "red", "bold": True})
    header = ["Week", "Rep", "Dials", "SQLs"]
    data = [[dt.date(2026, 11, 16) - dt.timedelta(weeks=i // 3), f"Rep {i % 3}", 40 + i, i % 4] for i in range(rows)]
    ws.add_table(0, 0, rows, 3, {"name": "Tracking", "columns": [{"header": h} for h in header]})
    for r, rec in enumerate(data, start=1):
        ws.write_datetime(r, 0, dt.datetime.combine(rec[0], dt.time()), date)
        ws.write_string(r, 1, rec[1])
        ws.write_number(r, 2, rec[2])
        ws.write_number(r, 3, rec[3])
    ws.freeze_panes(1, 0)
    ws.conditional_format(1, 2, rows, 2, {"type": "data_bar", "data_bar_2010": True, "bar_solid": True})
    ws.add_sparkline(0, 6, {"range": f"Tracking!C2:C{rows + 1}"})
    ws.data_validation(1, 3, rows, 3, {"validate": "integer", "criteria": ">=", "value": 0})
    ws.write_comment(1, 1, "Top rep this month")
    ws.write_url(0, 8, "https://example.com/crm", string="CRM")
    ws.write_rich_string(2, 8, "Note: ", red, "check", " the numbers")
    ws.insert_image(4, 6, str(_png(folder / "logo.png")))
    ws.insert_textbox(10, 6, "A text box the manager drew", {"width": 200, "height": 60})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"=Tracking!$C$2:$C${rows + 1}", "name": "Dials"})
    ws.insert_chart(14, 6, chart)
    wb.define_name("TopRep", "=Tracking!$B$2")
    notes = wb.add_worksheet("Notes")
    notes.write(0, 0, "Shared strings stay numbered as they are", bold)
    wb.close()
    return path


def summary_layout(name: str = "Weekly Summary") -> WorkbookLayout:
    sheet = SheetLayout(name, freeze="A3", landscape=True, fit_width=True)
    head = Style(bold=True, fill="DDEBF7", border=True)
    sheet.put(1, 1, "Weekly summary", Style(bold=True, size=14))
    for c, h in enumerate(["Rep", "SQLs", "Win rate", "MRR"], start=1):
        sheet.put(2, c, h, head)
    reps = [("Ann", 3, 0.25, 1200.5), ("=HYPERLINK(\"http://evil\")", 1, 0.5, 0), ("+Bob", 2, None, 300),
            ("@Cy", 0, 0, 0), ("-Dee", 4, 1, 99), ("  Émile 🚀 עברית  ", 5, 0.125, 10)]
    for r, (rep, sqls, win, mrr) in enumerate(reps, start=3):
        sheet.put(r, 1, rep)
        sheet.put(r, 2, sqls)
        sheet.put(r, 3, win, Style(number_format="0%"))
        sheet.put(r, 4, mrr, Style(number_format='"$"#,##0'))
    total = len(reps) + 3
    sheet.put(total, 1, "Total", Style(bold=True))
    sheet.put(total, 2, None, Style(bold=True), formula=f"SUM(B3:B{total - 1})")
    sheet.put(total, 4, None, Style(number_format='"$"#,##0.00'), formula=f"SUM(D3:D{total - 1})")
    sheet.put(total + 1, 1, "Status")
    sheet.put(total + 1, 2, None, formula=f'IF(B{total}>=10,"IN RANGE","BELOW")')
    sheet.widths = {1: 24, 2: 8, 3: 10, 4: 12}
    sheet.conditional_formats.append(ConditionalFormat("B3:B8", "B3<1", Highlight(fill="F8CBAD", bold=True)))
    sheet.charts.append(Chart("SQLs by rep", "A3:A8", (Series("SQLs", "B3:B8"),), "F2"))
    edit = SheetEdit("Tracking", [ConditionalFormat("C2:C31", "C2>60", Highlight(fill="FFEB9C"))],
                     [Validation("C2:C31", "decimal", "0", "greaterThanOrEqual", "Counts are zero or more.")])
    return WorkbookLayout([sheet], [edit])


def tracking_part(path: Path) -> str:
    """The Tracking sheet's part, found through the workbook and its relationships."""
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        wb = zf.read("xl/workbook.xml").decode()
    rid = re.search(r'name="Tracking"[^>]*r:id="(\w+)"', wb)[1]
    return "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels)[1]


def only_additions(before: str, after: str) -> list[str]:
    """What changed other than inserting text (count attributes may go up)."""
    strip = lambda s: re.sub(r'\bcount="\d+"', 'count=""', s)  # noqa: E731
    a, b = strip(before), strip(after)
    return [f"{op}: {a[i1:i2][:80]!r} -> {b[j1:j2][:80]!r}"
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
            if op not in ("equal", "insert")]

