"""salesmetrics-xl: sales activity, quality and outcome metrics against ranges, in Excel and on the command line."""

from salesmetrics_xl.version import __version__

__all__ = ["__version__", "main"]


def main() -> None:
    """The ribbon button in classic Excel: RunPython "import salesmetrics_xl; salesmetrics_xl.main()"."""
    import xlwings as xw

    from salesmetrics_xl.excel.classic import run_button

    run_button(xw.Book.caller())
