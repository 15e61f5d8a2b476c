from salesmetrics_xl.cli import run

run()
