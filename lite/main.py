# xlwings Lite: paste this into the add-in's main.py, and the line in requirements.txt (with your wheel's address,
# see docs/excel.md) into its requirements.txt. The functions appear as =METRIC_STATUS(...) and friends; the
# scripts as buttons in the task pane.
from salesmetrics_xl.excel.functions import (  # noqa: F401
    activity_needed,
    funnel_leak,
    metric_diagnosis,
    metric_range,
    metric_rate,
    metric_scale,
    metric_score,
    metric_status,
    suggest_range,
)
from salesmetrics_xl.excel.scripts import build_weekly_summary, suggest_ranges  # noqa: F401
