from salesmetrics_xl.cli import app

app(prog_name="salesmetrics")
