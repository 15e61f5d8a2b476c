"""salesmetrics-xl: sales activity, quality and outcome metrics against ranges, in Excel and on the command line."""

__version__ = "0.1.0"


def main() -> None:
    """The ribbon button in classic Excel: RunPython "import salesmetrics_xl; salesmetrics_xl.main()"."""
    import xlwings as xw

    from salesmetrics_xl.excel.classic import run_button

    run_button(xw.Book.caller())
