import pytest

from salesmetrics_xl.core.diagnosis import (
    ACTIVITY_BELOW,
    DIAGNOSES,
    EFFICIENT,
    EFFORT,
    IN_RANGE,
    MESSAGING,
    NOT_ENOUGH_DATA,
    ON_TRACK,
    OUTCOME_BELOW,
    PIPELINE,
    VOLUME,
    VOLUME_OVER_QUALITY,
    busy_not_producing,
    category_status,
    diagnose,
)
from salesmetrics_xl.core.status import Status


@pytest.mark.parametrize(("activity", "quality", "outcome", "expected"), [
    # outcomes in range or above: on track whatever the activity; less activity than the range is good news
    ("BELOW", "IN RANGE", "IN RANGE", EFFICIENT),
    ("BELOW", "BELOW", "ABOVE", EFFICIENT),
    ("BELOW", "NO RANGE", "IN RANGE", EFFICIENT),
    ("IN RANGE", "IN RANGE", "IN RANGE", ON_TRACK),
    ("ABOVE", "BELOW", "IN RANGE", ON_TRACK),  # on track; the summary names Win Rate etc. to watch
    ("NO RANGE", "NO RANGE", "IN RANGE", ON_TRACK),
    # outcomes below: the bottleneck, effort first
    ("BELOW", "IN RANGE", "BELOW", EFFORT),
    ("BELOW", "BELOW", "BELOW", EFFORT),  # no point coaching the pitch of someone not calling
    ("ABOVE", "BELOW", "BELOW", VOLUME_OVER_QUALITY),
    ("IN RANGE", "BELOW", "BELOW", MESSAGING),
    ("NO RANGE", "BELOW", "BELOW", MESSAGING),
    ("IN RANGE", "NO RANGE", "BELOW", MESSAGING),  # the method's example: busy, no quality range, no SQLs
    ("ABOVE", "NO DATA", "BELOW", MESSAGING),
    ("IN RANGE", "IN RANGE", "BELOW", PIPELINE),
    ("ABOVE", "ABOVE", "BELOW", PIPELINE),
    ("NO RANGE", "IN RANGE", "BELOW", VOLUME),
    ("NO RANGE", "NO DATA", "BELOW", OUTCOME_BELOW),
    # outcomes not judged: still diagnose activity and quality
    ("BELOW", "IN RANGE", "NO RANGE", ACTIVITY_BELOW),
    ("ABOVE", "BELOW", "NO RANGE", VOLUME_OVER_QUALITY),
    ("IN RANGE", "BELOW", "NO DATA", MESSAGING),
    ("IN RANGE", "IN RANGE", "NO RANGE", IN_RANGE),
    ("IN RANGE", "NO RANGE", "NO RANGE", IN_RANGE),
    ("NO RANGE", "IN RANGE", "NO RANGE", IN_RANGE),
    # outcomes with a range but no number this week: not entered yet, never "in range" and on track
    ("IN RANGE", "IN RANGE", "NO DATA", NOT_ENOUGH_DATA),
    ("NO RANGE", "IN RANGE", "NO DATA", NOT_ENOUGH_DATA),
    ("BELOW", "IN RANGE", "NO DATA", ACTIVITY_BELOW),
    ("NO DATA", "NO DATA", "NO DATA", NOT_ENOUGH_DATA),
    ("NO RANGE", "NO RANGE", "NO RANGE", NOT_ENOUGH_DATA),
])
def test_rule_table(activity, quality, outcome, expected):
    assert diagnose(activity, quality, outcome) == expected


@pytest.mark.parametrize("outcome", ["IN RANGE", "ABOVE"])
@pytest.mark.parametrize("activity", list(Status))
@pytest.mark.parametrize("quality", list(Status))
def test_outcomes_in_range_are_always_on_track_and_never_told_to_work_harder(activity, quality, outcome):
    found = diagnose(activity, quality, outcome)
    assert found.on_track and found not in (EFFORT, ACTIVITY_BELOW)


@pytest.mark.parametrize("activity", list(Status))
@pytest.mark.parametrize("quality", list(Status))
def test_outcomes_below_are_never_on_track(activity, quality):
    assert not diagnose(activity, quality, "BELOW").on_track


def test_every_diagnosis_has_a_distinct_code_and_a_full_sentence():
    assert len({d.code for d in DIAGNOSES}) == len(DIAGNOSES)
    for d in DIAGNOSES:
        assert d.sentence == f"{d.headline}: {d.why}; {d.action}" and d.action.endswith(".")


def test_a_category_is_below_when_at_least_half_its_judged_metrics_are():
    assert category_status(["IN RANGE", "IN RANGE", "IN RANGE", "BELOW"]) == "IN RANGE"
    assert category_status(["IN RANGE", "BELOW"]) == "BELOW"
    assert category_status(["ABOVE", "ABOVE", "IN RANGE", "NO RANGE"]) == "ABOVE"
    assert category_status(["BELOW", "ABOVE"]) == "BELOW"
    assert category_status(["NO DATA", "NO RANGE"]) == "NO DATA"  # a range, no number
    assert category_status(["NO RANGE", "NO RANGE"]) == category_status([]) == "NO RANGE"


def test_busy_not_producing():
    # only activity above its range: "busy" never stamps a rep whose activity is inside it (issue #22, item 6)
    assert busy_not_producing("ABOVE", ["BELOW"], ["BELOW"])
    assert busy_not_producing("ABOVE", ["NO RANGE"], ["BELOW", "NO RANGE", "BELOW"])  # no quality range
    assert busy_not_producing("ABOVE", ["IN RANGE", "ABOVE"], ["BELOW"])  # converting, yet nothing in range
    assert not busy_not_producing("IN RANGE", ["BELOW"], ["BELOW"])  # 65 dials against 50-75 is not busy
    assert not busy_not_producing("BELOW", ["BELOW"], ["BELOW"])  # not busy
    assert not busy_not_producing("ABOVE", ["BELOW"], ["BELOW", "IN RANGE"])  # producing another outcome
    assert not busy_not_producing("ABOVE", ["BELOW"], ["NO RANGE"])  # outcomes not judged
