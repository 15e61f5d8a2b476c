"""core/text.py: user text quoted short, lists of names bounded, cells cut to Excel's limit, JSON made strict."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.text import (
    CELL_LIMIT,
    ELLIPSIS,
    MESSAGE_LIMIT,
    QUOTE_LIMIT,
    finite,
    fit_cell,
    listing,
    shorten,
    strict_json,
    units,
)


def test_short_text_is_quoted_whole_and_long_text_cut_with_an_ellipsis():
    assert shorten("Ann Lee") == "Ann Lee"
    assert shorten("x" * QUOTE_LIMIT) == "x" * QUOTE_LIMIT
    cut = shorten("x" * 40_000)
    assert len(cut) == QUOTE_LIMIT and cut.endswith(ELLIPSIS) and cut.startswith("x" * 50)
    assert shorten("ab cd ef", 5) == "ab c" + ELLIPSIS
    assert shorten(2026.5) == "2026.5"  # any value, as a sentence shows it


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_shorten_never_exceeds_its_limit_and_keeps_a_prefix(text, limit):
    out = shorten(text, limit)
    assert len(out) <= limit
    assert out == text or (out.endswith(ELLIPSIS) and text.startswith(out[:-1]))


def test_a_list_of_names_stops_at_ten_and_says_how_many_more():
    assert listing(["Ann", "Bo"]) == "Ann, Bo"
    names = [f"Rep {n}" for n in range(10_000)]
    text = listing(names)
    assert text.startswith("Rep 0, Rep 1,") and text.endswith("Rep 9 and 9,990 more")
    assert len(listing(["y" * 1_000_000] * 50)) < 1_000


def test_a_cell_holds_at_most_excels_limit_counted_as_excel_counts():
    assert fit_cell("short") == "short"
    exact = "a" * CELL_LIMIT
    assert fit_cell(exact) is exact
    cut = fit_cell("a" * 40_000)
    assert units(cut) == CELL_LIMIT and "40,000 characters" in cut
    wide = fit_cell("😀" * 20_000)  # 40,000 UTF-16 units
    assert units(wide) <= CELL_LIMIT and wide.startswith("😀")


def test_a_problem_sentence_is_bounded_whatever_it_quotes():
    p = Problem(severity=Severity.ERROR, code="x", message="Rep " + "y" * 100_000 + " is wrong", sheet="s" * 500)
    assert len(p.message) == MESSAGE_LIMIT and p.message.endswith(ELLIPSIS)
    assert p.sheet is not None and len(p.sheet) == QUOTE_LIMIT


def test_strict_json_has_no_infinity_or_nan():
    value = {"x": [math.inf, -math.inf, math.nan, 1e308, 5e-324], "y": (1.5, {"z": math.nan})}
    assert finite(value) == {"x": [None, None, None, 1e308, 5e-324], "y": [1.5, {"z": None}]}
    text = strict_json(value)
    assert json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))["x"][3] == 1e308
