"""The summary as `summary --json` prints it: each rep's decision once, and what is the same for many reps once.

The core's WeeklySummary is the summary as every face renders it. Printed whole, it repeated itself per metric,
per week and per rep: 75.6 MB for 10,000 reps (issue #28). This is the record a program reads instead:

- one object per rep: its decision (verdict, focus, action, detail), its numbers, its month's pace, its funnel;
- what is the same for many reps once: the metrics (the order of each rep's ``values`` and ``changes``), each
  role's funnel links with the team's and the top reps' rates, the diagnosis headlines, the month's weeks;
- each sentence once: the rep's ``detail`` is the decision in words, and a sentence it holds is not repeated;
  sentences that only restate numbers given beside them (a funnel's notes) are left to the numbers;
- a field at its default (false, null, "", an empty list or map, a share of 1) is left out: most reps are in
  range on most metrics, and say so by saying nothing;
- numbers rounded to what a person reads: counts to 2 decimals, rates to 4, money to cents; a whole number is
  printed without ".0";
- user text (rep, team and role names) shortened as every quote is (core/text.shorten).

The pydantic models declare the shape (docs/json.md is generated from them). ``summary_record`` fills plain dicts
with their fields: validating 10,000 nested models would cost more than the whole dump.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict

from salesmetrics_xl.core.funnel import MIN_COUNT
from salesmetrics_xl.core.metrics import MONTHLY_FACTOR, Category, Period, Unit
from salesmetrics_xl.core.pace import MonthlyPace
from salesmetrics_xl.core.problems import Problem
from salesmetrics_xl.core.rep_funnel import ActivityNeed, RepFunnel
from salesmetrics_xl.core.rep_week import RepWeek
from salesmetrics_xl.core.status import Status
from salesmetrics_xl.core.summary import MetricColumn, WeeklySummary
from salesmetrics_xl.core.text import shorten

Number = int | float | None


_DIGITS = {Unit.RATE: 4, Unit.COUNT: 2, Unit.CURRENCY: 2}
_EXACT = float(2**53)  # beyond this a float is not an integer a reader can trust


def number(value: float | None, unit: Unit = Unit.COUNT) -> Number:
    """A number as a person reads it: rates (fractions) to 4 decimals, counts to 2, money to cents; a whole number
    as an integer. What is not a number (an infinity, NaN) is None: strict JSON holds no other. Called some 50
    times a rep, and most numbers are whole: those skip ``round``, the costly part."""
    if value is None:
        return None
    if not -_EXACT < value < _EXACT:  # huge, infinite or NaN (which fails every comparison)
        return float(value) if math.isfinite(value) else None
    whole = int(value)
    if whole == value:
        return whole
    rounded = round(value, _DIGITS[unit])
    whole = int(rounded)
    return whole if whole == rounded else rounded


def _name(text: str | None) -> str | None:
    return None if text is None else shorten(text)


# ---- the shape (docs/json.md) -------------------------------------------------------------------------------------


class _Shape(BaseModel):
    """A part of the printed shape. Built on first use (the docs, a program validating a record), never at import:
    ``summary_record`` fills plain dicts, and building these models cost `summary --json` 0.01 s of each run."""

    model_config = ConfigDict(defer_build=True)


class FunnelLink(_Shape):
    """One link of a role's funnel, with the rates every rep of the role is compared with."""

    rate: str  # "Connect Rate"
    stage: str  # "Conversations": the numerator
    source: str  # "Dials": the denominator
    unit: Unit  # rate, or currency for Average Deal Size
    team: float | None  # the team's pooled rate (reps of the role) over the window; null when the team's is thin too
    top: float | None  # the top performers' pooled rate; null: no top reps


class RoleFunnel(_Shape):
    """What is the same for every rep of a role in the funnels: said once, not in each rep's ``funnel``."""

    role: str | None  # the reps' Role; null: no Role column, or blank
    peers: int  # reps of the role with a full week in the window, among whom the top ones are chosen
    top_reps: int  # how many top performers a rep is compared with (a top rep: one fewer, itself left out)
    links: list[FunnelLink]  # the funnel's links, in order: each rep's ``funnel.rates`` lists follow it
    chains: dict[str, list[str]]  # outcome -> the links from it back to the first activity, nearest first


class PacedMetric(_Shape):
    """A metric with a monthly range: each rep's ``monthly`` gives its pace."""

    metric: str
    unit: Unit
    range: str  # the monthly range most reps are held to ("at least 5"); a rep's own is in its pace


class LinkRates(_Shape):
    """The rep's side of each link over the window, one entry per link of the role's ``links``, in that order."""

    rep: list[float | None]  # the rep's own pooled rate; null when there is no denominator
    count: list[float]  # the rep's denominator over the window (how much the rate rests on)
    used: list[float | None]  # the rep's rate, or the team's where the rep's is thin; null: the chain stops there


class GainRecord(_Shape):
    """One candidate for the rep's focus: the outcomes a period (the target's) the rep would add by bringing one
    thing up, all else the rep's own."""

    metric: str  # an activity (brought up to its range's Min) or a rate (up to the top reps')
    mine: float | None = None  # effort: the rep's weekly average (a rate's: the rate it uses, in ``funnel.rates``)
    goal: float | None = None  # effort: the activity's range Min (a rate's: the top reps' rate)
    outcomes: float  # added a period of the target
    effort: bool = False  # an activity, not a rate
    recent: bool = False  # planned on the last weeks


class NeedRecord(_Shape):
    """What one outcome target takes, in weekly activity, at the rep's own rates. ``rates`` is the role's chain
    for the outcome (``roles``) unless given; a chain stops before a link with no rate (``used`` null). Each list of
    stages follows ``rates``: the denominator (source) of each link. What the sheet's words add is in the numbers:
    the outcome's unit is its metric's; a monthly target a week is ``target`` / ``weeks_per_month``; the activity
    is the last link's source; a thin link uses the team's rate; a link is compared with the top reps' where it is
    not thin and has a top rate."""

    outcome: str
    period: Period  # the target's period
    target: float  # the rep's own target in its period: the range's Min x share
    share: float = 1.0  # of the range's Min the rep is held to: days worked, FTE and ramp
    rates: list[str] | None = None  # the links used, nearest the outcome first, where not the role's chain
    needed: list[float | None]  # count of each stage needed a week (null: unreachable at a zero rate)
    this_week: list[float | None]  # the rep's count of each stage this week
    average: list[float | None]  # the rep's weekly average of each stage over the window
    projection: float | None = None  # a monthly target's month-end projection: the pace's, which judged the rep
    sentence: str = ""  # what the target takes, in words; left out when the rep's detail says it
    leak: str = ""  # the link losing most to the top reps (the first rate in ``gains``) in words; as ``sentence``
    gains: list[GainRecord] = []  # the focus candidates, most outcomes first
    zero: str | None = None  # the rate of zero that no activity gets past, if any
    recent: list[str] = []  # the links and activities planned on the last weeks


class RepFunnelRecord(_Shape):
    """The rep's funnel over the window, for a rep behind on an outcome (the outcomes its ``judged`` gives BELOW:
    the needs shown); the links and what the role's reps share are in the summary's ``roles``. A link is thin, and
    uses the team's rate, where the rep's ``count`` is under the summary's ``min_count``."""

    weeks: int  # weeks of the window with a row for this rep, OFF weeks left out
    rates: LinkRates  # the rep's side of each of the role's links
    recent: list[str] = []  # links whose used rate is the last weeks': it differs clearly from the pooled
    top: dict[str, float | None] = {}  # link -> the top reps' rate, where it is not the role's (the rep is a top rep)
    team: dict[str, float | None] = {}  # link -> the team's rate, where it is not the role's
    top_reps: int | None = None  # top reps compared with, where not the role's (a top rep is left out of them)
    peers: int | None = None  # where not the role's
    needs: list[NeedRecord] = []


class MonthPaces(_Shape):
    """The rep's month so far, one entry per metric of the summary's ``paced`` (null: no pace for the rep). The
    pace's status is what the rep's ``judged`` gives the metric, unless ``status`` says otherwise; on pace: IN RANGE
    or ABOVE."""

    month_to_date: list[float | None]
    projection: list[float | None]  # to month end, at the rep's average week of the last 4
    range: dict[str, str] = {}  # metric -> the monthly range the rep is held to, where not the one in ``paced``
    status: dict[str, Status] = {}  # metric -> the projection's status (NO DATA: not entered), where not ``judged``
    share: dict[str, float] = {}  # metric -> of the monthly range the rep is held to (days, FTE, ramp), where not 1


class RepRecord(_Shape):
    """One rep's week, once: the decision, the numbers, the month's pace and the funnel. ``values`` and ``changes``
    follow the summary's ``metrics``; the maps are keyed by metric name. Rates are fractions: a change of 0.05 is 5
    points. A field at its default (false, null, "", empty, 1) is left out. ``judged`` is what counts in the verdict
    and colours the sheet's cell: a paced metric is judged by the month's pace, a thin rate by its pooled rate."""

    rep: str  # the name, shortened like every quote of user text (core/text.py)
    team: str | None = None
    role: str | None = None
    row: int | None = None  # the Tracking row, for links and messages; null for a rep with no row this week
    verdict: str  # the decision (core/decision.py): what every face prints
    focus: str = ""  # what to fix; "" when there is nothing to fix
    action: str = ""  # the next action, in a few words
    detail: str = ""  # the rest of the decision in words: pacing, streaks, thin rates, what it takes
    focus_metric: str = ""  # the activity or rate behind the focus, as What it takes shows it
    diagnosis: str  # the rule table's row (core/diagnosis.py); its headline is in the summary's ``diagnoses``
    on_track: bool = False  # the outcome verdict: outcomes in range or above (or, with no outcome range, the rest)
    busy_not_producing: bool = False
    off: bool = False  # 0 days worked this week: not judged, not counted in the team's shares
    judged_on: str | None = None  # why the ranges are smaller this week: "3 of 5 days", "ramp 50 %"
    values: list[float | None]  # this week's number of each metric; null: not entered
    changes: list[float | None]  # from last week, for each metric; null: no number to compare
    judged: dict[str, Status] = {}  # metric -> what counts in the verdict and colours the cell, where not IN RANGE
    statuses: dict[str, Status] = {}  # metric -> the value against its weekly range, where not what it is judged
    paced: list[str] | None = None  # metrics judged by the month's pace, where not all of the summary's ``paced``
    streaks: dict[str, int] = {}  # metric -> weeks in a row out of range, this week included, where not 0
    categories: dict[Category, Status] = {}  # category -> its status, where not IN RANGE
    effective: dict[str, str] = {}  # metric -> its effective range, where it differs from the sheet's
    effective_why: dict[str, str] = {}  # metric -> why ("3 of 5 days, ramp 50 %"; outcomes leave the days out)
    thin: dict[str, float | None] = {}  # rate -> the pooled rate that judged it: too few counts this week (null: still)
    thin_why: dict[str, str] = {}  # rate -> the thin rate in words, where the detail does not say it
    judged_by: dict[str, str] = {}  # metric -> its range, where the column's heading says "by role"
    monthly: MonthPaces | None = None  # the month's pace, for the metrics with a monthly range
    funnel: RepFunnelRecord | None = None  # for a rep behind on an outcome: rates, what each target takes


class TeamMetricRecord(_Shape):
    metric: str
    total: float | None  # a sum for counts, the pooled rate for rates
    average: float | None  # per rep, counts only
    in_range: int  # reps in range
    judged: int  # reps judged (OFF and no-data reps left out)


class SummaryRecord(_Shape):
    """The week's summary: every number and sentence the sheets show, each once. Everything about one rep is in
    its record; what is the same for many reps is here. Read a rep as the scorecard's row: ``metrics`` names the
    entries of its ``values`` and ``changes``; its maps list what is not the usual (``judged`` where not IN RANGE,
    ``streaks`` where not 0), and a field missing from a rep is at its default. Each role's funnel links, with the
    team's and the top reps' rates, are in ``roles``; a rep's ``funnel`` gives the rep's own side. The rep's
    ``detail`` is the decision in words; a sentence it holds is not given again elsewhere."""

    title: str
    source: str  # the tracking workbook
    teams: list[str]
    week: dt.date  # the week's Monday
    week_label: str  # "2026-W47"
    generated_at: dt.datetime
    metrics: list[MetricColumn]  # the scorecard's columns, in order: each rep's ``values`` and ``changes`` follow it
    team: list[TeamMetricRecord]  # the team's numbers, metric by metric
    team_diagnosis: str  # the team in one line
    range_review: list[str]  # outcome targets the top reps project below; activity ranges they do not keep to
    diagnoses: dict[str, str]  # a rep's ``diagnosis`` -> its headline
    month: str  # the month paced ("November 2026")
    weeks_elapsed: int  # weeks of the month so far, this one included
    weeks_in_month: int  # weeks (Mondays) in the month
    weeks_per_month: float  # weeks in an average month: a monthly target a week is the target / this
    paced: list[PacedMetric]  # the metrics with a monthly range, in the order of each rep's ``monthly``
    window_weeks: int  # the trailing weeks each rep's funnel is pooled over
    roles: list[RoleFunnel]  # each role's funnel links, with the team's and the top reps' rates
    min_count: int  # a link whose rep count over the window is under this is thin: the team's rate is used
    ordering_rule: str  # how the reps are ordered
    problems: list[int]  # this week's rows' data problems, as places in the report's own ``problems`` list
    reps: list[RepRecord]  # every rep, in the scorecard's order


def _defaults(model: type[BaseModel]) -> tuple[list[str], list[str], list[str]]:
    """A model's fields with a default, by the kind of default: None; false or empty; 1 (a share)."""
    optional = {name: f.default for name, f in model.model_fields.items() if not f.is_required()}
    return ([n for n, d in optional.items() if d is None], [n for n, d in optional.items() if d is not None and not d],
            [n for n, d in optional.items() if d == 1])


_LEFT_OUT = {model: _defaults(model) for model in (RepRecord, RepFunnelRecord, NeedRecord, GainRecord, MonthPaces)}


def _lean(record: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The record without the fields at their model's default: what the docs say a missing field means. A None
    default drops only None (a projection of 0 is a number), a false or empty one drops false and empty values."""
    nones, empties, ones = _LEFT_OUT[model]
    for name in nones:
        if name in record and record[name] is None:
            del record[name]
    for name in empties:
        if name in record and not record[name]:
            del record[name]
    for name in ones:
        if record.get(name) == 1:
            del record[name]
    return record


# ---- filled -------------------------------------------------------------------------------------------------------


class Rounded(dict[float | None, Number]):
    """``number(value, unit)`` for one unit, each distinct value rounded once: a team's rates and most counts
    repeat from rep to rep, and a rounding costs more than a look-up (tests/test_summary_record.py holds the two
    equal). Only values that ``number`` gives equal results for are equal keys (5 and 5.0, 0.0 and -0.0)."""

    def __init__(self, unit: Unit) -> None:
        super().__init__()
        self.unit = unit

    def __missing__(self, value: float | None) -> Number:
        found = self[value] = number(value, self.unit)
        return found


# an enum member's value, looked up: reading ``.value`` runs Python code each time, a million times for 10,000 reps
_STATUS = {s: s.value for s in Status}
_CATEGORY = {c: c.value for c in Category}
_PERIOD = {p: p.value for p in Period}
_IN_RANGE = Status.IN_RANGE


def summary_record(summary: WeeklySummary, problems: list[Problem]) -> dict[str, Any]:
    """The summary as --json prints it (SummaryRecord's fields, in order), from the summary every face renders.
    ``problems`` is the report's whole list: this week's are named by their place in it, never printed twice."""
    units = {m.name: m.unit for m in summary.metrics}
    paces: dict[str, dict[str, MonthlyPace]] = {}
    ranges: dict[str, Counter[str]] = {}
    for pace in summary.monthly:
        paces.setdefault(pace.rep, {})[pace.metric] = pace
        units.setdefault(pace.metric, pace.unit)
        ranges.setdefault(pace.metric, Counter())[pace.range] += 1
    paced = [{"metric": m, "unit": units[m].value, "range": counts.most_common(1)[0][0]}
             for m, counts in ranges.items()]
    shared_range = {p["metric"]: p["range"] for p in paced}
    funnels = {f.rep: f for f in summary.funnels}
    rounded = {unit: Rounded(unit) for unit in Unit}
    roles = _roles(summary.funnels, rounded)
    first = summary.monthly[0] if summary.monthly else None
    reps = _Reps([(m.name, rounded[units[m.name]]) for m in summary.metrics], shared_range, roles, rounded)
    return {
        "title": summary.title, "source": summary.source, "teams": [shorten(t) for t in summary.teams],
        "week": summary.week.isoformat(), "week_label": summary.week_label,
        "generated_at": summary.generated_at.isoformat(),
        "metrics": [{**m.model_dump(mode="json"), "label": shorten(m.label)} for m in summary.metrics],
        "team": [{"metric": t.metric, "total": number(t.total, units.get(t.metric, Unit.COUNT)),
                  "average": number(t.average, units.get(t.metric, Unit.COUNT)), "in_range": t.in_range,
                  "judged": t.judged} for t in summary.team],
        "team_diagnosis": summary.team_diagnosis, "range_review": summary.range_review,
        "diagnoses": {r.diagnosis_code: r.diagnosis_headline for r in summary.reps},
        "month": summary.month,
        "weeks_elapsed": first.weeks_elapsed if first else 0, "weeks_in_month": first.weeks_in_month if first else 0,
        "weeks_per_month": number(MONTHLY_FACTOR, Unit.RATE),
        "paced": paced,
        "window_weeks": summary.window_weeks,
        "roles": [{k: v for k, v in role.items() if k not in _WORKING} for role in roles.values()],
        "min_count": number(MIN_COUNT),
        "ordering_rule": summary.ordering_rule,
        "problems": _places(summary.problems, problems),
        "reps": [reps.rep(r, paces.get(r.rep), funnels.get(r.rep)) for r in summary.reps],
    }


def _places(these: list[Problem], everything: list[Problem]) -> list[int]:
    def key(p: Problem) -> tuple[object, ...]:
        return p.severity, p.code, p.sheet, p.cell, p.message

    place = {}
    for i, p in enumerate(everything):
        place.setdefault(key(p), i)
    return sorted({place[key(p)] for p in these if key(p) in place})


def _roles(funnels: list[RepFunnel], rounded: dict[Unit, Rounded]) -> dict[str | None, dict[str, Any]]:
    """Each role's links once (in the order its reps' funnels give them), with the team's and the top reps' rate
    that most of its reps are compared with: a top rep is compared with the others, so its top rates differ, and
    its funnel says so. Counted by the rates as computed, then by the rates as printed, each distinct pair rounded
    once (``rounded``: (link, team, top) as computed -> as printed, for each rep's funnel to compare with)."""
    seen: dict[str | None, dict[str, Any]] = {}
    for funnel in funnels:
        role = seen.get(funnel.role)
        if role is None:
            role = seen[funnel.role] = {"links": {}, "peers": Counter(), "top_reps": Counter(), "chains": {}}
        chains = role["chains"]
        for need in funnel.needs:  # every rep's chain is the role's, up to the first link with no rate
            if len(need.rates) > len(chains.get(need.outcome, ())):
                chains[need.outcome] = need.rates
        role["peers"][funnel.peers] += 1
        role["top_reps"][len(funnel.top_reps)] += 1
        links = role["links"]
        for r in funnel.rates:
            found = links.get(r.rate)
            if found is None:
                found = links[r.rate] = (r, {})
            pairs = found[1]
            key = (r.team, r.top)
            pairs[key] = pairs.get(key, 0) + 1
    out: dict[str | None, dict[str, Any]] = {}
    for name, role in seen.items():
        links = []
        printed: dict[tuple[str, float | None, float | None], tuple[Number, Number]] = {}
        for rate, (r, pairs) in role["links"].items():
            counts: Counter[tuple[Number, Number]] = Counter()  # in the order each printed pair is first seen
            as_printed = rounded[r.unit]
            for (team, top), n in pairs.items():
                printed[(rate, team, top)] = pair = (as_printed[team], as_printed[top])
                counts[pair] += n
            team, top = counts.most_common(1)[0][0]
            links.append({"rate": rate, "stage": r.stage, "source": r.source, "unit": r.unit.value, "team": team,
                          "top": top})
        out[name] = {"role": _name(name), "peers": role["peers"].most_common(1)[0][0],
                     "top_reps": role["top_reps"].most_common(1)[0][0], "links": links, "chains": role["chains"],
                     "order": [link["rate"] for link in links], "rounded": printed,
                     "shared": {link["rate"]: (link["team"], link["top"]) for link in links}}
    return out


_WORKING = ("order", "rounded", "shared")  # what _roles adds for the reps' funnels, not printed


def _once(sentence: str, detail: str) -> str:
    """A sentence where it is not said already: "" when the rep's detail holds it."""
    return "" if sentence and sentence.rstrip(".") in detail else sentence


class _Reps:
    """Each rep's record, with what is the same for every rep worked out once: the metrics with their units, the
    paced metrics' shared ranges, the roles' funnels, the numbers already rounded."""

    def __init__(self, metrics: list[tuple[str, Rounded]], shared_range: dict[str, str],
                 roles: dict[str | None, dict[str, Any]], rounded: dict[Unit, Rounded]):
        self.metrics, self.shared_range, self.roles = metrics, shared_range, roles
        self.every_paced = list(shared_range)
        self.rate, self.count = rounded[Unit.RATE], rounded[Unit.COUNT]
        self.rounded = rounded

    def rep(self, rep: RepWeek, paces: dict[str, MonthlyPace] | None, funnel: RepFunnel | None) -> dict[str, Any]:
        detail = rep.detail
        judged = rep.judged
        monthly = None
        if paces:
            shared_range = self.shared_range
            shown = [paces.get(metric) for metric in shared_range]
            rate = self.rate
            monthly = _lean({
                "month_to_date": [None if p is None else self.rounded[p.unit][p.month_to_date] for p in shown],
                "projection": [None if p is None else self.rounded[p.unit][p.projection] for p in shown],
                "range": {m: p.range for m, p in paces.items() if p.range != shared_range[m]},
                "status": {m: _STATUS[p.status] for m, p in paces.items() if judged.get(m) is not p.status},
                "share": {m: rate[p.share] for m, p in paces.items() if rate[p.share] != 1},
            }, MonthPaces)
        values, changes, statuses = rep.values, rep.changes, rep.statuses
        record = {
            "rep": shorten(rep.rep), "team": _name(rep.team), "role": _name(rep.role), "row": rep.row,
            "verdict": rep.verdict, "focus": rep.focus, "action": rep.action, "detail": detail,
            "focus_metric": rep.focus_metric, "diagnosis": rep.diagnosis_code, "on_track": rep.on_track,
            "busy_not_producing": rep.busy_not_producing, "off": rep.off, "judged_on": rep.judged_on,
            "values": [as_printed[values.get(m)] for m, as_printed in self.metrics],
            "changes": [as_printed[changes.get(m)] for m, as_printed in self.metrics],
            "judged": {m: _STATUS[s] for m, s in judged.items() if s is not _IN_RANGE},
            "statuses": {m: _STATUS[s] for m, s in statuses.items() if judged.get(m) is not s},
            "paced": None if rep.paced == self.every_paced else rep.paced,
            "streaks": {m: n for m, n in rep.streaks.items() if n},
            "categories": {_CATEGORY[c]: _STATUS[s] for c, s in rep.categories.items() if s is not _IN_RANGE},
            "effective": rep.effective, "effective_why": rep.effective_why,
            "thin": {m: self.rate[rep.pooled.get(m)] for m in {**rep.thin, **rep.pooled}}
            if rep.thin or rep.pooled else {},
            "thin_why": {m: why for m, why in rep.thin.items() if _once(why, detail)},
            "judged_by": rep.judged_by,
            "monthly": monthly,
            "funnel": None if funnel is None else self.funnel(funnel, detail, self.roles[funnel.role]),
        }
        return _lean(record, RepRecord)

    def funnel(self, funnel: RepFunnel, detail: str, role: dict[str, Any]) -> dict[str, Any]:
        shared, printed = role["shared"], role["rounded"]
        top: dict[str, Number] = {}
        team: dict[str, Number] = {}
        mine = {}
        for r in funnel.rates:
            mine[r.rate] = r
            pair = printed.get((r.rate, r.team, r.top))
            if pair is None:  # a rate that is not equal to itself (NaN): rounded as it comes
                pair = (number(r.team, r.unit), number(r.top, r.unit))
            role_team, role_top = shared[r.rate]
            if pair[1] != role_top:
                top[r.rate] = pair[1]
            if pair[0] != role_team:
                team[r.rate] = pair[0]
        rep_rates: list[Number] = []
        counts: list[Number] = []
        used: list[Number] = []
        count = self.count
        for rate in role["order"]:
            r = mine.get(rate)
            if r is None:
                rep_rates.append(None)
                counts.append(0)
                used.append(None)
            else:
                as_printed = self.rounded[r.unit]
                rep_rates.append(as_printed[r.rep])
                counts.append(count[r.count])
                used.append(as_printed[r.used])
        record = {
            "weeks": funnel.weeks,
            "rates": {"rep": rep_rates, "count": counts, "used": used},
            "recent": [r.rate for r in funnel.rates if r.recent],
            "top": top, "team": team,
            "top_reps": None if len(funnel.top_reps) == role["top_reps"] else len(funnel.top_reps),
            "peers": None if funnel.peers == role["peers"] else funnel.peers,
            "needs": [self.need(n, detail, role["chains"].get(n.outcome, [])) for n in funnel.needs],
        }
        return _lean(record, RepFunnelRecord)

    def need(self, need: ActivityNeed, detail: str, chain: list[str]) -> dict[str, Any]:
        as_printed, count = self.rounded[need.unit], self.count
        stages = list(need.needed)
        leak = need.leak
        this_week, average = need.this_week, need.average
        return _lean({
            "outcome": need.outcome, "period": _PERIOD[need.period], "target": as_printed[need.target],
            "share": self.rate[need.share], "rates": None if need.rates == chain else need.rates,
            "needed": [count[v] for v in need.needed.values()],
            "this_week": [count[this_week.get(s)] for s in stages],
            "average": [count[average.get(s)] for s in stages],
            "projection": as_printed[need.projection],
            "sentence": _once(need.sentence, detail),
            "leak": "" if leak is None else _once(leak.sentence, detail),
            "gains": [_lean({"metric": g.metric, "mine": self.rounded[g.unit][g.mine] if g.effort else None,
                             "goal": self.rounded[g.unit][g.goal] if g.effort else None,
                             "outcomes": as_printed[g.outcomes], "effort": g.effort, "recent": g.recent}, GainRecord)
                      for g in need.gains],
            "zero": need.zero, "recent": need.recent,
        }, NeedRecord)
