"""Adding a summary sheet plus conditional formatting on Tracking: our writer vs openpyxl load-and-save.

    python benchmarks/write.py [--rows 1000 20000 200000]

Both routes run in this one invocation, each in a fresh forked process; the ratios are what matter.
Target at 200k rows: >= 20x faster and <= 1/5 of the memory of the openpyxl route.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_folder, measure, report, tracking_workbook
from salesmetrics_xl.layouts.sheet import (
    Chart,
    ConditionalFormat,
    Highlight,
    Series,
    SheetEdit,
    SheetLayout,
    Style,
    WorkbookLayout,
)
from salesmetrics_xl.xlsx import write_workbook


def layout(rows: int) -> WorkbookLayout:
    sheet = SheetLayout("Weekly Summary", freeze="B3")
    for r in range(3, 23):
        sheet.put(r, 1, f"Rep {r:03d}")
        for c in range(2, 16):
            sheet.put(r, c, r * c, Style(fill="C6EFCE") if c % 3 else None)
    sheet.charts.append(Chart("SQLs", "A3:A22", (Series("SQLs", "B3:B22"),), "R2"))
    edit = SheetEdit("Tracking", [ConditionalFormat(f"E2:E{rows + 1}", "E2>75", Highlight(fill="FFEB9C"))])
    return WorkbookLayout([sheet], [edit])


def ours(source: Path, target: Path, rows: int) -> None:
    write_workbook(source, layout(rows), target)


def openpyxl_route(source: Path, target: Path, rows: int) -> None:
    import openpyxl
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    wb = openpyxl.load_workbook(source)
    ws = wb.create_sheet("Weekly Summary")
    for r in range(3, 23):
        ws.cell(r, 1, f"Rep {r:03d}")
        for c in range(2, 16):
            ws.cell(r, c, r * c)
    wb["Tracking"].conditional_formatting.add(
        f"E2:E{rows + 1}", FormulaRule(formula=["E2>75"], fill=PatternFill("solid", bgColor="FFEB9C")))
    wb.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 20000, 200000])
    args = parser.parse_args()
    folder = bench_folder()
    results = []
    for rows in args.rows:
        source = tracking_workbook(folder / f"tracking_{rows}.xlsx", rows)
        t_ours, m_ours = measure(lambda s=source, r=rows: ours(s, folder / "ours.xlsx", r))
        t_base, m_base = measure(lambda s=source, r=rows: openpyxl_route(s, folder / "base.xlsx", r))
        results.append((f"{rows:,} rows", t_ours, t_base, m_ours, m_base))
        print(f"{rows:,} rows: ours {t_ours:.2f} s / {m_ours:.0f} MiB, openpyxl {t_base:.2f} s / {m_base:.0f} MiB",
              flush=True)
    report("write: summary sheet + Tracking conditional format (base = openpyxl load-and-save)", results)


if __name__ == "__main__":
    main()
