"""The Ranges sheet: a team's own ratio metric and the errors a user can fix (core/parse/ranges.py)."""

from salesmetrics_xl.core.parse import parse_ranges


def test_user_defined_ratio_metric_and_its_errors():
    header = ("Metric", "Category", "Formula", "Period", "Min", "Max")
    rows = [header, ("Reply Rate", "quality", "Replies / Emails", "week", "5%", None),
            ("Bad Rate", "quality", "Replies / Emials", "week", 0.1, None),
            ("Dails", None, None, "week", 50, 75)]
    ranges, problems = parse_ranges(rows, tracking_columns=["Emails", "Replies"], file="f.xlsx")
    reply = ranges.rules[0]
    assert (reply.metric.numerator, reply.metric.denominator, reply.range.min) == ("Replies", "Emails", 0.05)
    messages = {p.cell: p.message for p in problems}
    assert "did you mean 'Emails'" in messages["C3"]
    assert "unknown metric 'Dails'; did you mean 'Dials'" in messages["A4"]
