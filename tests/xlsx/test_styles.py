"""styles.xml: a look is one cell format, however many Style objects ask for it and in whatever order."""

from __future__ import annotations

import re

from salesmetrics_xl.layouts.sheet import Style, look
from salesmetrics_xl.xlsx.styles import Styles

EMPTY = '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'


def test_equal_styles_are_one_format_whether_the_same_object_or_not():
    styles = Styles(EMPTY)
    shared = look(bold=True, fill="C6EFCE", align="center")
    first = styles.cell_xf(shared)
    fresh = [Style(bold=True, fill="C6EFCE", align="center") for _ in range(10_000)]  # a Style per cell
    assert {styles.cell_xf(s) for s in fresh} == {first} == {styles.cell_xf(shared)}
    other = styles.cell_xf(look(italic=True))
    assert other not in (0, first)
    assert styles.cell_xf(Style(italic=True)) == other and styles.cell_xf(None) == 0
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles.xml(), re.S)[1]
    assert len(re.findall(r"<xf ", xfs)) == 3  # the default, and one per look
    assert len(styles._xf_by_id) <= Styles._BY_ID  # objects made per cell are not remembered one by one


def test_look_gives_one_object_per_look():
    assert look(align="left", wrap=True) is look(align="left", wrap=True)
    assert look(align="left", wrap=True) == Style(align="left", wrap=True)
