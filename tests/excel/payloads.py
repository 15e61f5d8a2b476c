"""What the Office.js client sends (xlwings Lite), built from real .xlsx files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return value


def book_payload(path: Path) -> dict[str, Any]:
    """The JSON a script receives: every sheet's values as shown (dates as ISO strings), names, structure."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)] or [[""]]
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": [], "charts": [],
                       "shapes": [], "pivot_tables": [], "visibility": "Visible"})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


def function_payload(func_name: str, *args: Any) -> dict[str, Any]:
    """One custom function call as the Office.js client sends it: every argument a 2-D matrix."""
    def matrix(a: Any) -> Any:
        if a is None:  # an optional argument left out
            return None
        if isinstance(a, list):
            return [[_cell(v) for v in row] for row in a]
        return [[_cell(a)]]

    return {"client": "Office.js", "func_name": func_name, "args": [matrix(a) for a in args],
            "caller_address": "[Book1.xlsx]Sheet1!B2", "culture_info_name": "en-US", "date_format": "M/d/yyyy",
            "version": xw.__version__, "runtime": "1.4"}
