import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesmetrics_xl.core.metrics import (
    CATALOG,
    Category,
    Range,
    Unit,
    find_metric,
    format_beside,
    format_value,
    normalise,
    parse_ratio,
    text_key,
    trim,
)
from salesmetrics_xl.layouts.sheet import same_text


def test_catalog_has_the_framework_metrics_in_their_categories():
    by_category = {c: [m.name for m in CATALOG if m.category is c] for c in Category}
    assert by_category[Category.ACTIVITY] == ["Dials", "Emails", "Conversations", "Meetings Booked"]
    assert by_category[Category.QUALITY] == ["Connect Rate", "Meeting Rate", "Qualification Rate", "Win Rate"]
    assert by_category[Category.OUTCOME] == ["SQLs", "Opportunities", "Deals Won", "New MRR"]
    connect = find_metric("connect rate")
    assert (connect.numerator, connect.denominator, connect.unit) == ("Conversations", "Dials", Unit.RATE)


def test_unknown_metric_suggests_the_close_one():
    with pytest.raises(KeyError, match="unknown metric 'Dails'; did you mean 'Dials'"):
        find_metric("Dails")


def test_ratio_formula_is_parsed_without_eval():
    columns = ["Emails", "Replies", "Dials"]
    assert parse_ratio("Replies / Emails", columns) == ("Replies", "Emails")
    assert parse_ratio("=[replies]/[EMAILS]", columns) == ("Replies", "Emails")
    with pytest.raises(ValueError, match="unknown column 'Repliez'; did you mean 'Replies'"):
        parse_ratio("Repliez / Emails", columns)
    for hostile in ("__import__('os').system('echo hi')", "Replies * 2", "Replies / Emails / Dials", ""):
        with pytest.raises(ValueError):
            parse_ratio(hostile, columns)


def test_range_description_for_each_unit():
    assert Range(min=50, max=75).describe() == "50–75"
    assert Range(min=0.15).describe(Unit.RATE) == "at least 15%"
    assert Range(max=5000).describe(Unit.CURRENCY) == "at most $5,000"


# ---- text_key: the one rule for text that the core and the formulas we write both match (Roles, Rep names) -------

@pytest.mark.parametrize(("a", "b", "same"), [
    ("SDR", " sdr ", True), ("S D R", "S  D R", True), ("SDR", "S.D.R.", False), ("SDR", "S D R", False),
    ("SDR", "SDR\t", False), ("SDR", "SDR\n", False), ("SDR", "SDR\u00a0", False),  # TRIM trims the space only
    ("Ventes", "Vèntes", False), ("Vèntes", "Vàntes", False), ("ÉQUIPE", "équipe", True),
    ("Продажи", "ПРОДАЖИ", True), ("Продажи", "Маркетинг", False), ("営業", "営 業", False),
    ("Straße", "STRASSE", False), ("Straße", "STRAẞE", True), ("ﬁnance", "FINANCE", True), ("σοφος", "ΣΟΦΟΣ", True),
])
def test_text_key_is_trim_and_case_only(a, b, same):
    assert (text_key(a) == text_key(b)) is same
    assert normalise("S.D.R.") == normalise("SDR")  # headers and metric names keep their loose rule


def test_trim_is_excels():
    assert trim("  a   b  ") == "a b"
    assert trim("\ta \u00a0 b\n") == "\ta \u00a0 b\n"
    assert text_key(None) == text_key("") == text_key("   ") == ""


def _excel_trim(text: str) -> str:
    """Excel's TRIM as its help describes it, character by character: no leading or trailing spaces, and a run
    of spaces between words made one."""
    out, pending = [], False
    for ch in text:
        if ch == " ":
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
            pending = False
        out.append(ch)
    return "".join(out)


def _literal(expr: str) -> str:
    """The text a formula_text() expression evaluates to: "..." with doubled quotes, CHAR(n), joined by &."""
    expr = expr[1:-1] if expr.startswith("(") else expr
    parts = re.findall(r'"((?:[^"]|"")*)"|CHAR\((\d+)\)', expr)
    assert "&".join(f'"{q}"' if q or not c else f"CHAR({c})" for q, c in parts) == expr
    return "".join(q.replace('""', '"') if not c else chr(int(c)) for q, c in parts)


def _formula_says_same(cell: str, condition: str) -> bool:
    """A model of the spreadsheet evaluating same_text()'s condition for a cell holding ``cell``: TRIM as above,
    then ``=``, which ignores case as LibreOffice does (tests/layouts/test_summary.py checks that on LibreOffice)."""
    ref, _, literal = condition.partition("=")
    assert ref == "TRIM(A1)"
    fold = lambda s: s.replace("ß", "ẞ").upper()  # noqa: E731
    return fold(_excel_trim(cell)) == fold(_literal(literal))


_TEXT = st.text(st.sampled_from(list("  aAsSßẞ.éÉ\t\n\"'Жж営")), max_size=8)


@given(_TEXT, _TEXT)
def test_the_core_and_the_formula_agree_on_every_text(cell, role):
    if not trim(role):
        return  # a blank Role is no Role: no formula compares with it
    assert (text_key(cell) == text_key(role)) is _formula_says_same(cell, same_text("A1", role))


@pytest.mark.parametrize(("value", "bound", "unit", "shown"), [
    (1.96, 2, Unit.COUNT, "1.96"), (2.04, 2, Unit.COUNT, "2.04"), (3.3, 5, Unit.COUNT, "3.3"),
    (38, 50, Unit.COUNT, "38"), (2, 2, Unit.COUNT, "2"), (1.99999, 2, Unit.COUNT, "just under 2"),
    (0.1496, 0.15, Unit.RATE, "14.96%"), (0.077, 0.08, Unit.RATE, "7.7%"), (0.1251, 0.125, Unit.RATE, "12.51%"),
    (2499.6, 2500, Unit.CURRENCY, "$2,499.60"), (2400, 2500, Unit.CURRENCY, "$2,400"),
    (5000.001, 5000, Unit.CURRENCY, "just over $5,000"),
])
def test_a_value_beside_its_bound_reads_on_its_own_side(value, bound, unit, shown):
    from salesmetrics_xl.core.metrics import format_beside

    assert format_beside(value, bound, unit) == shown


def test_a_value_is_rounded_as_the_cell_beside_it_shows_it():
    """Excel shows a half away from zero; Python's format rounds a half to even: $1,928.50 would read $1,928 in
    the sentence and $1,929 in its cell."""
    from salesmetrics_xl.core.metrics import Unit, format_value

    assert format_value(1928.5, Unit.CURRENCY) == "$1,929"
    assert format_value(0.125, Unit.RATE) == "13%" and format_value(2.5, Unit.COUNT) == "3"
    assert format_value(0.0775, Unit.RATE, exact=True) == "7.8%" and format_value(-2.5, Unit.COUNT) == "-3"
    assert format_value(float("nan"), Unit.COUNT) == "nan"


@given(value=st.one_of(st.floats(-1e12, 1e12), st.integers(-10**6, 10**6),
                       st.sampled_from([0, 0.0, -0.0, 0.5, 2.5, -2.5, 0.125, 1e-9, -1e-9, float("nan"), float("inf")])),
       unit=st.sampled_from(list(Unit)), exact=st.booleans())
def test_a_value_formatted_from_the_cache_is_the_value_formatted_afresh(value, unit, exact):
    """format_value works each (value, unit, exact) out once, a zero once per sign: the same text as working it
    out each time ("-0" stays "-0")."""
    from salesmetrics_xl.core.metrics import _format_value

    for _ in range(2):  # the second time from the cache
        assert format_value(value, unit, exact) == _format_value(value, unit, exact)


@given(value=st.one_of(st.floats(-1e9, 1e9), st.sampled_from([0, 0.0, -0.0, 1.96, 2, 0.0799, float("nan")])),
       bound=st.one_of(st.none(), st.floats(-1e9, 1e9), st.sampled_from([0, -0.0, 2, 0.08])),
       unit=st.sampled_from(list(Unit)))
def test_a_value_beside_its_bound_from_the_cache_is_the_one_worked_out_afresh(value, bound, unit):
    from salesmetrics_xl.core.metrics import _format_beside

    for _ in range(2):  # the second time from the cache
        assert format_beside(value, bound, unit) == _format_beside(value, bound, unit)
