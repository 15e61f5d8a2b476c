"""salesmetrics-xl: sales activity, quality and outcome metrics against ranges, in Excel and on the command line."""

from __future__ import annotations

from typing import Any

from salesmetrics_xl.version import __version__

# The library's jobs, each a call that returns its result (the CLI is a thin caller of the same):
#   from salesmetrics_xl import check_workbook, summarise_workbook, baseline_workbook
# Imported on first use: `import salesmetrics_xl` (the CLI's --help, the add-in) stays free of pandas.
_JOBS = {"check_workbook": "salesmetrics_xl.check", "CheckReport": "salesmetrics_xl.check",
         "summarise_workbook": "salesmetrics_xl.summarise", "SummaryRun": "salesmetrics_xl.summarise",
         "baseline_workbook": "salesmetrics_xl.baseline", "BaselineReport": "salesmetrics_xl.baseline"}
__all__ = ["__version__", "main", *_JOBS]

# The garbage collector's pace in our processes (the command line, and batch's workers whoever starts them): a run
# builds hundreds of thousands of small objects (a cell each, a record per rep and metric) and drops few cycles, and
# the default pace scanned them over and over, a fifth of a 10,000-rep summary. Collected less often, the peak
# memory of that summary did not move.
GC_THRESHOLD = (100_000, 50, 100)


def __getattr__(name: str) -> Any:
    if name in _JOBS:
        import importlib

        return getattr(importlib.import_module(_JOBS[name]), name)
    raise AttributeError(f"module 'salesmetrics_xl' has no attribute {name!r}")


def main() -> None:
    """The ribbon button in classic Excel: RunPython "import salesmetrics_xl; salesmetrics_xl.main()"."""
    import xlwings as xw

    from salesmetrics_xl.excel.classic import run_button

    run_button(xw.Book.caller())
