"""Scripts: the buttons (xlwings Lite's task pane; classic Excel's ribbon runs salesmetrics_xl.main).

xlwings calls any attribute of this module by name, so it holds the scripts and nothing else: helpers are
imported inside them, and the decorator is removed once used.
"""

from __future__ import annotations

import xlwings as xw
from xlwings import script


@script
def build_weekly_summary(book: xw.Book) -> None:
    """Build the Weekly Summary and Evaluation sheets (Evaluation as =METRIC_STATUS formulas) and the range checks."""
    from salesmetrics_xl.excel.run import weekly_summary

    weekly_summary(book)


@script
def suggest_ranges(book: xw.Book) -> None:
    """Add a Suggested Ranges sheet: starting ranges from what the top performers (by outcomes) typically do."""
    from salesmetrics_xl.excel.run import suggested_ranges

    suggested_ranges(book)


del script
