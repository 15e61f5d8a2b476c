"""Records the core builds without pydantic's validation pass (core/records.py) are the records validation makes:
the same fields in the same order, the same values of the same types, defaults never shared."""

import datetime as dt

import pytest

from salesmetrics_xl.core.metrics import Category, Unit
from salesmetrics_xl.core.pace import MonthlyPace
from salesmetrics_xl.core.parse import default_ranges
from salesmetrics_xl.core.records import built
from salesmetrics_xl.core.rep_week import RepDecision, RepWeek
from salesmetrics_xl.core.status import Status
from salesmetrics_xl.core.summary import WeeklySummary, build_summary
from tests.conftest import TRACKING_HEADER
from tests.core.test_summary import W, row, tracking

WEEK = dict(rep="Ann Lee", team=None, role="SDR", row=7, values={"Dials": 40.0, "SQLs": None},
            statuses={"Dials": Status.BELOW, "SQLs": Status.NO_DATA}, judged={"Dials": Status.BELOW,
                                                                              "SQLs": Status.NO_DATA},
            changes={"Dials": -2.0, "SQLs": None}, streaks={"Dials": 2, "SQLs": 0},
            categories={c: Status.BELOW for c in Category}, diagnosis_code="effort", diagnosis_headline="Effort",
            diagnosis="", on_track=False, busy_not_producing=False, effective={"Dials": "25–37.5"})
PACE = dict(rep="Ann Lee", metric="SQLs", unit=Unit.COUNT, month_to_date=3.0, weeks_elapsed=3, weeks_in_month=5,
            projection=5.0, range="at least 5", status=Status.IN_RANGE, on_pace=True)


def same(a, b, fields_set: bool = True) -> None:
    assert type(a) is type(b)
    assert list(a.__dict__) == list(b.__dict__) and repr(a.__dict__) == repr(b.__dict__)
    assert not fields_set or a.model_fields_set == b.model_fields_set
    assert a.model_dump_json() == b.model_dump_json() and a == b


@pytest.mark.parametrize(("model", "fields"), [(RepWeek, WEEK), (MonthlyPace, PACE)])  # any record type
def test_a_record_built_is_the_record_validated(model, fields):
    same(built(model, **fields), model(**fields))


def test_defaults_are_never_shared_between_records():
    one, two = built(RepWeek, **WEEK), built(RepWeek, **WEEK)
    one.thin["Connect Rate"] = "too few"
    one.paced.append("SQLs")
    assert two.thin == {} and two.paced == [] and RepWeek(**WEEK).thin == {}


def test_a_missing_or_unknown_field_is_refused():
    with pytest.raises(TypeError, match=r"\['rep'\] must be given"):
        built(RepWeek, **{k: v for k, v in WEEK.items() if k != "rep"})
    with pytest.raises(TypeError, match="no field"):
        built(MonthlyPace, **PACE, colour="red")


def test_a_decision_goes_into_the_record_as_pydantic_would_set_it():
    decision = RepDecision(verdict="Off track", focus="Effort", action="More dials.", detail="Dials 40 vs 50–75.",
                           metric="Dials")
    fast, slow = built(RepWeek, **WEEK), RepWeek(**WEEK)
    fast.decided(decision)
    for name, value in dict(verdict=decision.verdict, focus=decision.focus, action=decision.action,
                            detail=decision.detail, focus_metric=decision.metric, diagnosis=decision.text).items():
        setattr(slow, name, value)
    same(fast, slow)


def test_every_record_of_a_summary_is_what_validation_makes_of_it():
    """Reps with a week off, a short week, a thin rate and no row this week: each rep's week and monthly pace as
    validating its own fields gives it (a numpy number where a float belongs would show here)."""
    days = TRACKING_HEADER.index("Days Worked")
    rows = [row(W[0], "Ann", 55, 10, 1), row(W[1], "Ann", 0, 0, 0), row(W[2], "Ann", 60, 12, 2),
            row(W[2], "Bob", 50, 2, 0), row(W[1], "Cy", 50, 10, 1), row(W[2], "Di", 90, 30, 3, 2, 1, 900)]
    for r in rows:
        r += [None] * (len(TRACKING_HEADER) - len(r))
    rows[1][days], rows[2][days] = 0, 3
    summary = build_summary(tracking(rows), default_ranges(), now=dt.datetime(2026, 11, 20))
    assert len(summary.reps) == 4 and summary.monthly
    for record in (*summary.reps, *summary.monthly):
        same(record, type(record)(**record.__dict__), fields_set=False)
    dumped = summary.model_dump()
    assert repr(WeeklySummary.model_validate(dumped).model_dump()) == repr(dumped)
