"""Raw cell values -> tracking data and ranges, with a problem for every cell that is wrong.

Pure: any reader (openpyxl, calamine, a live xlwings book) hands rows of plain Python values here,
so every face reports the same problems in the same words. One module per job, each importing only the ones
above it in this list:

- ``values``: a cell's value as a week, a day, a count or a name;
- ``header``: a sheet's header row found by its column names and aliases, and the sentence when one is missing;
- ``tracking``, ``ranges``, ``team_sheets`` (Settings, Ramp, Reps): one sheet each;
- ``roles``: Roles checked against the ranges and kept under one spelling;
- ``sheets``: which sheet is which (the name the user gave, else declared names and aliases, else the header);
- ``workbook``: the whole workbook, read and judged once the ranges are known.
"""

from salesmetrics_xl.core.parse.header import (
    HEADER_SEARCH_ROWS,
    Header,
    find_header,
    likely_header,
    missing_columns_message,
    missing_columns_problem,
)
from salesmetrics_xl.core.parse.ranges import default_ranges, parse_ranges
from salesmetrics_xl.core.parse.roles import check_roles
from salesmetrics_xl.core.parse.sheets import find_sheet, named_sheet, sheet_in_name, sheet_named
from salesmetrics_xl.core.parse.team_sheets import parse_ramp, parse_reps, parse_settings, sheet_settings
from salesmetrics_xl.core.parse.tracking import STRAY_CELLS_LISTED, SheetColumns, parse_tracking, week_ending_note
from salesmetrics_xl.core.parse.values import (
    EXCEL_EPOCH,
    Coded,
    Column,
    Row,
    UncachedFormula,
    filled,
    is_total_label,
    parse_date,
    parse_number,
    parse_week,
)
from salesmetrics_xl.core.parse.workbook import WorkbookData, parse_workbook

__all__ = [
    "EXCEL_EPOCH", "HEADER_SEARCH_ROWS", "STRAY_CELLS_LISTED", "Coded", "Column", "Header", "Row", "SheetColumns",
    "UncachedFormula", "WorkbookData", "check_roles", "default_ranges", "filled", "find_header", "find_sheet",
    "is_total_label", "likely_header", "missing_columns_message", "missing_columns_problem", "named_sheet",
    "parse_date", "parse_number", "parse_ramp", "parse_ranges", "parse_reps", "parse_settings", "parse_tracking",
    "parse_week", "parse_workbook", "sheet_in_name", "sheet_named", "sheet_settings", "week_ending_note",
]
