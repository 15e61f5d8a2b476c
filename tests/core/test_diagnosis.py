import pytest

from salesmetrics_xl.core.diagnosis import (
    EFFORT,
    MESSAGING,
    NOT_ENOUGH_DATA,
    ON_TRACK,
    PIPELINE,
    VOLUME_OVER_QUALITY,
    busy_not_producing,
    category_status,
    diagnose,
)


@pytest.mark.parametrize(("activity", "quality", "outcome", "expected"), [
    ("BELOW", "IN RANGE", "IN RANGE", EFFORT),
    ("BELOW", "BELOW", "BELOW", EFFORT),  # effort first: no point coaching the pitch of someone not calling
    ("ABOVE", "BELOW", "BELOW", VOLUME_OVER_QUALITY),
    ("IN RANGE", "BELOW", "BELOW", MESSAGING),
    ("IN RANGE", "BELOW", "IN RANGE", MESSAGING),
    ("IN RANGE", "IN RANGE", "BELOW", PIPELINE),
    ("ABOVE", "IN RANGE", "BELOW", PIPELINE),
    ("IN RANGE", "IN RANGE", "IN RANGE", ON_TRACK),
    ("ABOVE", "ABOVE", "ABOVE", ON_TRACK),
    ("NO DATA", "NO DATA", "NO DATA", NOT_ENOUGH_DATA),
    ("IN RANGE", "NO DATA", "IN RANGE", NOT_ENOUGH_DATA),
])
def test_rule_table(activity, quality, outcome, expected):
    assert diagnose(activity, quality, outcome) == expected


def test_a_category_is_below_when_at_least_half_its_judged_metrics_are():
    assert category_status(["IN RANGE", "IN RANGE", "IN RANGE", "BELOW"]) == "IN RANGE"
    assert category_status(["IN RANGE", "BELOW"]) == "BELOW"
    assert category_status(["ABOVE", "ABOVE", "IN RANGE", "NO RANGE"]) == "ABOVE"
    assert category_status(["BELOW", "ABOVE"]) == "BELOW"
    assert category_status(["NO DATA", "NO RANGE"]) == "NO DATA"


def test_busy_not_producing():
    assert busy_not_producing("IN RANGE", "BELOW") and busy_not_producing("ABOVE", "BELOW")
    assert not busy_not_producing("BELOW", "BELOW") and not busy_not_producing("IN RANGE", "IN RANGE")
