"""salesmetrics-xl: sales activity, quality and outcome metrics against ranges, in Excel and on the command line."""

__version__ = "0.1.0"
