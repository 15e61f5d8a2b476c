"""`summary --json` says each fact once (salesmetrics_xl/summary_record.py): a program reading it gets every fact of
the summary back, rounded as a person reads it, and nothing is said twice."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from salesmetrics_xl.core.metrics import Unit
from salesmetrics_xl.core.text import strict_json
from salesmetrics_xl.summary_record import Rounded, number, summary_record
from tests.conftest import EXAMPLE
from tests.helpers import full_reps


@pytest.fixture(scope="module")
def summaries():
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.reader import read_workbook

    data = read_workbook(EXAMPLE)
    out = []
    for week in (None, 40):  # the latest week, and one with other reps behind
        chosen = None if week is None else dt.date.fromisocalendar(2026, week, 1)
        core = build_summary(data.tracking, data.ranges, list(data.problems), week=chosen)
        out.append((core, json.loads(strict_json(summary_record(core, list(data.problems)), indent=None))))
    return out


def test_numbers_read_as_a_person_reads_them():
    assert number(0.28947368421052627, Unit.RATE) == 0.2895
    assert number(59.57142857142857) == 59.57 and number(1244.0384615384614, Unit.CURRENCY) == 1244.04
    assert number(38.0) == 38 and isinstance(number(38.0), int)
    assert number(float("inf")) is None and number(float("nan")) is None and number(None) is None
    assert number(1e308, Unit.CURRENCY) == 1e308  # too large for an integer: stays a number


def test_every_fact_of_the_summary_is_in_the_record(summaries):
    for core, record in summaries:
        units = {m.name: m.unit for m in core.metrics}
        reps = full_reps(record)
        assert [r["rep"] for r in reps] == [r.rep for r in core.reps]
        funnels = {f.rep: f for f in core.funnels}
        paces = {(p.rep, p.metric): p for p in core.monthly}
        assert record["weeks_elapsed"] == core.monthly[0].weeks_elapsed
        for rep, got in zip(core.reps, reps, strict=True):
            assert got["values"] == {m: number(v, units[m]) for m, v in rep.values.items()}
            assert got["changes"] == {m: number(v, units[m]) for m, v in rep.changes.items()}
            assert got["judged"] == {m: s.value for m, s in rep.judged.items()}
            assert got["statuses"] == {m: s.value for m, s in rep.statuses.items()}
            assert got["streaks"] == rep.streaks
            assert got["categories"] == {c.value: s.value for c, s in rep.categories.items()}
            assert got["paced"] == rep.paced
            assert (got["verdict"], got.get("focus", ""), got.get("action", ""), got.get("detail", "")) == (
                rep.verdict, rep.focus, rep.action, rep.detail)
            assert record["diagnoses"][got["diagnosis"]] == rep.diagnosis_headline
            assert set(got.get("thin", {})) == set(rep.thin)
            for rate, why in rep.thin.items():  # each thin sentence once: in the detail, or here
                assert why in rep.detail or got["thin_why"][rate] == why
            assert got["monthly"] == {
                m: {"month_to_date": number(p.month_to_date, p.unit), "projection": number(p.projection, p.unit),
                    "range": p.range, "status": p.status.value, "share": number(p.share, Unit.RATE)}
                for (name, m), p in paces.items() if name == rep.rep}
            funnel = funnels.get(rep.rep)
            assert (funnel is None) == ("funnel" not in got)
            if funnel is None:
                continue
            mine = got["funnel"]
            assert mine["behind_on"] == funnel.behind_on and mine["top_reps"] == len(funnel.top_reps)
            assert mine["peers"] == funnel.peers and mine["weeks"] == funnel.weeks
            assert mine["rates"] == {r.rate: {"rep": number(r.rep, r.unit), "count": number(r.count),
                                              "used": number(r.used, r.unit), "team": number(r.team, r.unit),
                                              "top": number(r.top, r.unit), "thin": r.thin, "recent": r.recent}
                                     for r in funnel.rates}
            for need, printed in zip(funnel.needs, mine["needs"], strict=True):
                assert printed["rates"] == need.rates and printed["outcome"] == need.outcome
                stages = list(need.needed)
                assert printed["needed"] == [number(need.needed[s]) for s in stages]
                assert printed["this_week"] == [number(need.this_week[s]) for s in stages]
                assert printed["average"] == [number(need.average[s]) for s in stages]
                assert printed.get("sentence", "") in ("", need.sentence)
                assert need.sentence.rstrip(".") in rep.detail or printed["sentence"] == need.sentence
                by_rate = mine["rates"]
                for gain, shown in zip(need.gains, printed.get("gains", []), strict=True):
                    assert shown["outcomes"] == number(gain.outcomes, need.unit)
                    if gain.effort:
                        assert (shown["mine"], shown["goal"]) == (number(gain.mine), number(gain.goal))
                    else:  # a rate's two numbers are the link's: the rate it uses and the top reps'
                        assert (by_rate[gain.metric]["used"], by_rate[gain.metric]["top"]) == (
                            number(gain.mine, gain.unit), number(gain.goal, gain.unit))
                if need.leak is not None:  # the leak is the rate gain that costs the most
                    first = next(g for g in need.gains if not g.effort)
                    assert (first.metric, first.outcomes) == (need.leak.rate, need.leak.lost)
                    assert need.leak.sentence in rep.detail or printed["leak"] == need.leak.sentence


def test_nothing_is_said_twice(summaries):
    """No rep repeats the decision's paragraph or a sentence of its detail; what is the same for every rep of a
    role (a link's stage, source, unit, the team's and the top reps' rates) is in the role's funnel once."""
    for _, record in summaries:
        assert record["reps"], "the example has reps"
        for rep in record["reps"]:
            detail = rep.get("detail", "")
            texts = [*rep.get("thin_why", {}).values()]
            for need in rep.get("funnel", {}).get("needs", []):
                texts += [need.get("sentence", ""), need.get("leak", "")]
            assert not any(t and t.rstrip(".") in detail for t in texts), rep["rep"]
            assert "diagnosis_headline" not in rep and len(rep["diagnosis"]) < 40  # the rule's row, not the text
            funnel = rep.get("funnel", {})
            assert not {"stage", "source", "unit", "links"} & set(funnel) and len(funnel.get("top", {})) <= 6
        assert any("funnel" in rep for rep in record["reps"]) and record["roles"]


def test_a_value_rounded_once_is_the_value_rounded_each_time():
    """summary_record rounds each distinct value once per unit (Rounded): equal keys must round alike."""
    values = [None, 0, 0.0, -0.0, 1, 1.0, 5, 5.0, 38.0, 2.5, -2.5, 0.28947368421052627, 0.00005, 0.00015, 59.575,
              1244.0384615384614, 2.0**53, 2**53 + 1, 1e308, float("inf"), float("-inf"), float("nan")]
    for unit in Unit:
        rounded = Rounded(unit)
        for value in values + values:  # the second time from the look-up
            got, want = rounded[value], number(value, unit)
            assert got == want or (got is None and want is None), (unit, value)
            assert type(got) is type(want), (unit, value)


def _plain_types(value: object, where: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str, (where, k)
            _plain_types(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _plain_types(v, f"{where}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (where, type(value))


def test_the_report_prints_what_pydantic_would_print(summaries):
    """SummaryReport.model_dump(mode="json") skips pydantic's walk over the record: only right while the record
    holds JSON's own types, and the two dumps are the same, key order included."""
    from pydantic import BaseModel

    from salesmetrics_xl.core.problems import Problem, Severity
    from salesmetrics_xl.reports import SummaryReport

    problems = [Problem(severity=Severity.WARNING, code="x", message="A warning", sheet="Tracking", cell="B2")]
    for core, _ in summaries:
        report = SummaryReport.model_construct(file="team.xlsx", output="team.summary.xlsx", exit_code=1,
                                               summary=core, problems=problems)
        ours = report.model_dump(mode="json")
        plain = BaseModel.model_dump(report, mode="json")  # pydantic's own route: the field serializer, walked
        assert strict_json(ours, None) == strict_json(plain, None)
        assert list(ours) == list(plain) == list(SummaryReport.model_fields)
        _plain_types(ours)
