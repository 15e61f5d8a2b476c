"""The look every sheet we write shares: the status colours, the title, header, section and note styles, and the
number formats, in one place, so the Weekly Summary, the Suggested Ranges and the Rollup look alike."""

from __future__ import annotations

import functools

from salesmetrics_xl.core.metrics import Category, Unit
from salesmetrics_xl.core.status import Status, above_is_good
from salesmetrics_xl.layouts.sheet import Highlight, Style, look

# Status colours: green in range, red below; above is a warning for activity, good news elsewhere.
GREEN, RED, AMBER, BLUE = Highlight("C6EFCE", "006100"), Highlight("FFC7CE", "9C0006"), \
    Highlight("FFEB9C", "9C5700"), Highlight("BDD7EE", "1F4E79")
GREY_TEXT = "808080"
NO_DATA_FILL = "EDEDED"  # no data or no range: grey, in the legend and in the cells alike
HEADER = Style(bold=True, fill="DDEBF7", border=True, align="center", wrap=True)
TITLE = Style(bold=True, size=16)
SECTION = Style(bold=True, size=12, color="1F4E79")
NOTE = Style(italic=True, color="595959")
CATEGORY_FILL = {Category.ACTIVITY: "D9E1F2", Category.QUALITY: "E2EFDA", Category.OUTCOME: "FCE4D6"}
# Rates with one decimal: 7.7% must not read as 8% beside a red cell under "at least 8%".
FORMAT = {Unit.COUNT: "0", Unit.CURRENCY: '"$"#,##0', Unit.RATE: "0.0%"}
PROJECTION_FORMAT = {**FORMAT, Unit.COUNT: "0.0#"}  # 1.5 (and 4.96) must not read as 2 (5) beside "at least 2"
# A rate's change is in percentage points (12% -> 15% is +3.0 pp, not +25%): the value is written times 100.
CHANGE_FORMAT = {Unit.COUNT: "+0;-0;0", Unit.CURRENCY: '+"$"#,##0;-"$"#,##0;"$"0',
                 Unit.RATE: '+0.0" pp";-0.0" pp";0.0" pp"'}


def above(category: Category) -> Highlight:
    """Above its range: blue where that is good news, amber for activity (core.status.above_is_good)."""
    return BLUE if above_is_good(category) else AMBER


def status_highlight(status: Status, category: Category) -> Highlight | None:
    if status is Status.IN_RANGE:
        return GREEN
    if status is Status.BELOW:
        return RED
    if status is Status.ABOVE:
        return above(category)
    return None


@functools.cache  # one object per look (layouts/sheet.py look()): a value cell of every rep and metric asks
def styled(highlight: Highlight | None, number_format: str | None, bold: bool = False) -> Style:
    if highlight is None:
        return look(number_format=number_format, color=GREY_TEXT, fill=NO_DATA_FILL, align="center", bold=bold)
    return look(fill=highlight.fill, color=highlight.color, number_format=number_format, align="center", bold=bold)
