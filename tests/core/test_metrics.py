import pytest

from salesmetrics_xl.core.metrics import CATALOG, Category, Range, Unit, find_metric, parse_ratio


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
