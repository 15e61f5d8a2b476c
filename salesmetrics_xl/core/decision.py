"""One coach's voice per rep: the verdict, the one focus, the next action, and the detail, decided once.

Every face prints this one record (the Weekly Summary's columns, the console, ``summary --json``, the rollup,
``=METRIC_DIAGNOSIS``), so no two of them can name different causes for the same rep.

The decision, stated once:
- Verdict, by outcomes (core/diagnosis.py's rule table): On track / On track, less activity / Watch (on track with
  a metric below its range, or outcomes not judged and something below) / Off track / Off this week / No data.
- Focus, for a rep behind on outcomes: the one stage that costs the most outcomes, weighed with the funnel's own
  numbers (core/funnel.py), the same that the leak and What it takes show. The candidates: the first activity of
  the chain up to its range's Min, at the rep's own rates; each rate up to the top reps' rate, at the rep's volume;
  and the team-wide reach of the target. A target that the top reps themselves project below is "Target out of
  reach" for every rep behind on it. A rate of zero that no activity gets past is that rate's stage, never effort.
  Where the counts are too few to compare, the rule table decides, and the text says the evidence is thin.
- No rep in the top third by outcomes is sent to work harder: their focus is the next candidate, or the target.
- Next action: at most 25 words, with the one or two numbers that prove it.
- Detail: pacing, streaks, what it takes, also-below: on demand.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pydantic import BaseModel

from salesmetrics_xl.core.diagnosis import (
    ACTIVITY_BELOW,
    EFFICIENT,
    EFFORT,
    IN_RANGE,
    MESSAGING,
    NO_ROW,
    NOT_ENOUGH_DATA,
    OFF_WEEK,
    OUTCOME_BELOW,
    PIPELINE,
    VOLUME,
    VOLUME_OVER_QUALITY,
    Diagnosis,
    diagnose,
)
from salesmetrics_xl.core.effective import scaled
from salesmetrics_xl.core.funnel import (
    RECENT_WEEKS,
    ActivityNeed,
    Gain,
    RepFunnel,
    amount,
    first_name,
    lower,
    no_top_reps,
)
from salesmetrics_xl.core.funnel import focus as planned_need
from salesmetrics_xl.core.metrics import (
    CONVERSATIONS,
    DEALS_WON,
    DIALS,
    EMAILS,
    MEETINGS,
    NEW_MRR,
    OPPORTUNITIES,
    SQLS,
    Category,
    Metric,
    Period,
    Unit,
    format_beside,
    format_value,
)
from salesmetrics_xl.core.pace import MonthlyPace
from salesmetrics_xl.core.ranges import Lookup
from salesmetrics_xl.core.rep_week import RepDecision, RepWeek
from salesmetrics_xl.core.status import Status, above_is_good

METHOD = __doc__.split("The decision, stated once:\n", 1)[1].strip()  # type: ignore[union-attr]
MAX_WORDS = 25

# read once: an enum member read from its class runs Python code, and decide() reads them for every rep and metric
_BELOW, _ABOVE = Status.BELOW, Status.ABOVE
_ACTIVITY, _QUALITY, _OUTCOME = Category.ACTIVITY, Category.QUALITY, Category.OUTCOME
_WHERE = {Status.BELOW: "behind pace", Status.ABOVE: "ahead of pace"}

# The verdicts, as the Verdict column reads them.
ON_TRACK, LESS_ACTIVITY, WATCH, OFF_TRACK, OFF_WEEK_VERDICT, NO_DATA = (
    "On track", "On track, less activity", "Watch", "Off track", "Off this week", "No data")
VERDICTS = (ON_TRACK, LESS_ACTIVITY, WATCH, OFF_TRACK, OFF_WEEK_VERDICT, NO_DATA)

# The focus stages, in the funnel's order, in a manager's words.
EFFORT_FOCUS = "Effort or capacity"
REACH_FOCUS = "Reaching people"
MESSAGING_FOCUS = "Messaging"
CLOSING_FOCUS = "Closing"
VOLUME_FOCUS = "Volume over quality"
TARGET_FOCUS = "Target out of reach"
UNKNOWN_FOCUS = "Not known: no range says why"
FOCUSES = (EFFORT_FOCUS, REACH_FOCUS, MESSAGING_FOCUS, CLOSING_FOCUS, VOLUME_FOCUS, TARGET_FOCUS, UNKNOWN_FOCUS)
ADVICE = {EFFORT_FOCUS: "Check time on task and workload.", REACH_FOCUS: "Check the list and call times.",
          MESSAGING_FOCUS: "Review calls and lead list.", CLOSING_FOCUS: "Review stalled deals and deal size.",
          VOLUME_FOCUS: "Work fewer, better-fit leads.", TARGET_FOCUS: "Run salesmetrics baseline.",
          UNKNOWN_FOCUS: "Set Dials and conversion-rate ranges."}
# How a rate's step reads at the start of an action.
STEP = {"Connect Rate": "Connecting", "Meeting Rate": "Booking meetings", "Qualification Rate": "Qualifying",
        "Win Rate": "Closing", "Opportunity Rate": "Opening opportunities", "Average Deal Size": "Deal size"}
_BY_NUMERATOR = {CONVERSATIONS: REACH_FOCUS, MEETINGS: MESSAGING_FOCUS, SQLS: MESSAGING_FOCUS,
                 OPPORTUNITIES: CLOSING_FOCUS, DEALS_WON: CLOSING_FOCUS, NEW_MRR: CLOSING_FOCUS}
_BY_DENOMINATOR = {DIALS: REACH_FOCUS, EMAILS: REACH_FOCUS, CONVERSATIONS: MESSAGING_FOCUS,
                   MEETINGS: MESSAGING_FOCUS, SQLS: CLOSING_FOCUS}


def stage_of(rate: str, numerator: str | None = None, denominator: str | None = None) -> str:
    """The focus stage of a rate, by its place in the funnel: a team's own ratio takes the stage of its numerator
    (what it produces), else of its denominator."""
    fixed = {"Connect Rate": REACH_FOCUS, "Meeting Rate": MESSAGING_FOCUS, "Qualification Rate": MESSAGING_FOCUS,
             "Win Rate": CLOSING_FOCUS, "Opportunity Rate": CLOSING_FOCUS, "Average Deal Size": CLOSING_FOCUS}
    if rate in fixed:
        return fixed[rate]
    return _BY_NUMERATOR.get(numerator or "") or _BY_DENOMINATOR.get(denominator or "", CLOSING_FOCUS)


def words(text: str) -> int:
    return len(text.split())


def _short(action: str, advice: str) -> str:
    """The action and its advice, the advice left out when together they would run past MAX_WORDS."""
    both = f"{action} {advice}".strip()
    return both if words(both) <= MAX_WORDS else action


def rule_decision(activity: str, quality: str, outcome: str) -> RepDecision:
    """The decision three category statuses alone give (no counts to weigh, so the rule table decides and the
    evidence is thin): what =METRIC_DIAGNOSIS returns, in the summary's words."""
    found = diagnose(activity, quality, outcome)
    verdict = _verdict(found, Status(outcome))
    stage = _rule_stage(found, [])
    action = found.action[0].upper() + found.action[1:]
    if stage in ADVICE and not found.on_track:
        action = f"{found.why[0].upper()}{found.why[1:]}. {ADVICE[stage]}"
    elif found is IN_RANGE:
        action = f"{found.why[0].upper()}{found.why[1:]}; {found.action}"
    return RepDecision(verdict=verdict, focus=stage, action=action, detail="", thin=not found.on_track)


_OFF_TRACK = (EFFORT, VOLUME_OVER_QUALITY, MESSAGING, PIPELINE, VOLUME, OUTCOME_BELOW)


def _verdict(found: Diagnosis, outcome: Status) -> str:
    if found is OFF_WEEK:
        return OFF_WEEK_VERDICT
    if found in (NOT_ENOUGH_DATA, NO_ROW):
        return NO_DATA
    if found is EFFICIENT:
        return LESS_ACTIVITY
    if found.on_track:
        return ON_TRACK
    return OFF_TRACK if outcome is Status.BELOW else WATCH


def _rule_stage(found: Diagnosis, quality_below: list[Metric]) -> str:
    """The stage the rule table points at, for a rep whose counts are too few to weigh."""
    if found in (EFFORT, VOLUME, ACTIVITY_BELOW):
        return EFFORT_FOCUS
    if found is VOLUME_OVER_QUALITY:
        return VOLUME_FOCUS
    if found in (MESSAGING, PIPELINE):
        if quality_below:
            first = quality_below[0]
            return stage_of(first.name, first.numerator, first.denominator)
        return MESSAGING_FOCUS if found is MESSAGING else CLOSING_FOCUS
    if found is OUTCOME_BELOW:
        return UNKNOWN_FOCUS
    return ""


class OutOfReach(BaseModel):
    """An outcome target the team's top reps themselves project below: the range, not the reps, may be wrong."""

    metric: str
    period: Period
    role: str | None
    target: float
    unit: Unit
    top: dict[str, float]  # top rep -> their projection (a month) or weekly average (a week)
    text: str = ""  # the sentence, worded once

    @property
    def best(self) -> float:
        return max(self.top.values())

    def sentence(self) -> str:
        """Said once, under the team line, and at the end of each affected rep's detail: the best three top reps
        by name, the rest counted (a team of 1,000 has 250 top reps)."""
        ranked = sorted(self.top.items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{rep} {format_value(v, self.unit, exact=True)}" for rep, v in ranked[:3])
        if len(ranked) > 3:
            below = ranked[3][1] < ranked[2][1]  # "all lower" only where it is true: equal figures are not lower
            shown += f" and {len(ranked) - 3} more, {'all lower' if below else 'none higher'}"
        who = f" for {self.role}s" if self.role else ""
        per = "projects" if len(self.top) == 1 else "project"
        return (f"Target check: the {self.metric} target{who} (at least {format_value(self.target, self.unit)} a "
                f"{self.period.value}) looks out of reach: the top {'rep' if len(self.top) == 1 else 'reps'} by "
                f"outcomes {per} {shown} a {self.period.value}. Run salesmetrics baseline to review the range.")


# ---- the rep's numbers as sentences (the detail) -------------------------------------------------------------

def _beside(value: float, bound: float | None, scale: float, unit: Unit) -> str:
    """A value beside the bound it is judged against (scaled as the status rule scales it): never the same number
    when it falls short or over."""
    if bound is not None and scale != 1:
        bound = float(scaled(bound, scale))  # type: ignore[arg-type]
    return format_beside(value, bound, unit)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def finding(rep: RepWeek, metric: Metric, ranges: Lookup, paces: dict[tuple[str, str], MonthlyPace],
            label: Callable[[str], str] = str) -> str:
    """One metric out of range, in the rep's own numbers: what the sentence says, so it can never contradict the
    cells beside it."""
    pace = paces.get((rep.rep, metric.name))
    weekly = rep.statuses[metric.name]
    value = rep.values[metric.name]
    if pace is not None and metric.name in rep.paced:
        where = _WHERE.get(pace.status, "on pace")
        monthly = ranges.lookup(metric.name, Period.MONTH, rep.role)
        bound = None if monthly is None else monthly.min if pace.status is _BELOW else monthly.max
        text = (f"{label(metric.name)} {where}: {format_value(pace.month_to_date, metric.unit, exact=True)} so far, on "
                f"course for {_beside(pace.projection, bound, pace.share, metric.unit)} of {pace.range} a month")
        if pace.share != 1:
            text += f" ({pace.share:.0%} of the range: days worked, FTE and ramp)".replace("%", " %")
        if weekly is _BELOW and metric.name not in rep.by_pace and value is not None:
            text += f" ({format_value(value, metric.unit, exact=True)} this week)"
        return text
    if metric.name in rep.thin:  # judged by the pooled window: say so, with its number
        return f"{label(metric.name)} {rep.thin[metric.name]}"
    found = ranges.lookup(metric.name, Period.WEEK, rep.role)
    shown = found.describe(metric.unit) if found else "its range"
    if metric.name in rep.effective:
        shown = f"{rep.effective[metric.name]} ({rep.effective_why[metric.name]})"
    bound = None if found is None else found.min if weekly is _BELOW else found.max
    scale = rep.scales.get(metric.name, 1.0)
    text = (f"{label(metric.name)} {_beside(value, bound, scale, metric.unit) if value is not None else 'blank'} "
            f"{weekly.value.lower()} {shown}")
    streak = rep.streaks.get(metric.name, 1)
    return text + (f", {_ordinal(streak)} week in a row" if streak > 1 else "")


def no_range_applies(role: str | None, metrics: list[Metric], ranges: Lookup) -> bool:
    """No range, weekly or monthly, judges any of these metrics for this role: the rep's numbers may all be in,
    and still nothing can be judged. The decision asks for ranges then, and the team line counts it so."""
    return not any(ranges.lookup(m.name, period, role) for m in metrics for period in Period)


def not_entered(rep: RepWeek, metrics: list[Metric]) -> list[Metric]:
    """The counted metrics a range would judge this week whose cell is blank: numbers not entered yet. Rates are
    left out: a blank rate may be a zero denominator, not a missing number."""
    return [m for m in metrics if not m.is_rate and rep.values[m.name] is None and rep.judged[m.name] is Status.NO_DATA]


def _watch(rep: RepWeek, metrics: list[Metric], named: set[str]) -> list[Metric]:
    """What an on-track rep should watch: every red cell (a thin weekly rate is not one: its pooled rate decides),
    and activity above its range (above is not good news there)."""
    return [m for m in metrics if m.name not in named and (
        rep.judged[m.name] is _BELOW
        or (rep.statuses[m.name] is _BELOW and m.name not in rep.thin)
        or (not above_is_good(m.category) and rep.statuses[m.name] is Status.ABOVE))]


# ---- the decision ---------------------------------------------------------------------------------------------

def _off(judged: dict[str, Status], metrics: list[Metric]) -> tuple[list[Metric], ...]:
    """Activity below, quality below, activity above and outcomes below, each in table order: one pass."""
    activity_below: list[Metric] = []
    quality_below: list[Metric] = []
    activity_above: list[Metric] = []
    outcome_below: list[Metric] = []
    for m in metrics:
        status, category = judged[m.name], m.category
        if status is _BELOW:
            if category is _ACTIVITY:
                activity_below.append(m)
            elif category is _QUALITY:
                quality_below.append(m)
            elif category is _OUTCOME:
                outcome_below.append(m)
        elif status is _ABOVE and category is _ACTIVITY:
            activity_above.append(m)
    return activity_below, quality_below, activity_above, outcome_below


def decide(rep: RepWeek, found: Diagnosis, metrics: list[Metric], ranges: Lookup,
           paces: dict[tuple[str, str], MonthlyPace], funnel: RepFunnel | None = None,
           reach: dict[tuple[str, Period], OutOfReach] | None = None, top_third: bool = False,
           label: Callable[[str], str] = str) -> RepDecision:
    """The one decision for a rep who has a row this week (see the module's method). ``reach``: the outcome
    targets out of reach for this rep's role; ``top_third``: the rep is in the top third by outcomes."""
    named: set[str] = set()

    def say(chosen: list[Metric], most: int = 2) -> list[str]:
        named.update(m.name for m in chosen[:most])
        return [finding(rep, m, ranges, paces, label) for m in chosen[:most]]

    name = first_name(rep.rep)
    activity_below, quality_below, activity_above, outcome_below = _off(rep.judged, metrics)
    verdict = _verdict(found, rep.categories[_OUTCOME])

    if found is NOT_ENOUGH_DATA:
        blank = not_entered(rep, metrics)
        what = f" ({', '.join(label(m.name) for m in blank)})" if blank else ""
        if no_range_applies(rep.role, metrics, ranges):
            return RepDecision(verdict=verdict, focus="", action="Set ranges in the Ranges sheet: none applies to "
                               "this rep, so nothing can be judged.",
                               detail="No range applies to this rep's numbers: add rows to the Ranges sheet (a "
                                      "metric, its period and a min or max), or run baseline for suggestions.")
        return RepDecision(verdict=verdict, focus="", action=f"Fill in this week's numbers{what}.",
                           detail=f"Numbers not entered yet{what}: no metric with a range has a number this week.")

    if found.on_track:
        said = say(activity_below) if found is EFFICIENT else []
        if outcome_below:  # the half rule let one outcome lag: watch it
            said = say(outcome_below)
        watch = _watch(rep, metrics, named)
        paced = [finding(rep, m, ranges, paces, label) for m in metrics if m.name in rep.paced and m.name not in named
                 and m not in watch and rep.judged[m.name] in (Status.IN_RANGE, Status.ABOVE)]
        parts = [*said, *(finding(rep, m, ranges, paces, label) for m in watch), *paced]
        if found is IN_RANGE:
            parts.append("no outcome range applies, so results are not judged")
        detail = "; ".join(parts)
        detail = (detail[0].upper() + detail[1:] + ".") if detail else "Outcomes are in range or above."
        if found is EFFICIENT:
            first = activity_below[0]
            value = rep.values[first.name]
            rng = rep.effective.get(first.name) or _weekly_range(ranges, first, rep.role)
            action = (f"Learn from how {name} works: outcomes in range with {lower(label(first.name))} at "
                      f"{format_value(value, first.unit) if value is not None else 'blank'} ({rng}).")
            return RepDecision(verdict=verdict, focus="", action=_short(action, ""), detail=detail)
        if found is IN_RANGE:
            return RepDecision(verdict=verdict, focus="", action="Outcomes are not judged: add an SQLs range.",
                               detail=detail)
        if watch or outcome_below:
            first = (outcome_below or watch)[0]
            focus = stage_of(first.name, first.numerator, first.denominator) if first.is_rate else ""
            action = f"Watch: {finding(rep, first, ranges, paces, label)}."
            if words(action) > MAX_WORDS:
                action = f"Watch: {label(first.name)} {rep.judged[first.name].value.lower()} its range (see Detail)."
            return RepDecision(verdict=WATCH, focus=focus, action=action, detail=detail)
        pace = next((paces[(rep.rep, m.name)] for m in metrics if m.name in rep.paced and m.category is
                     Category.OUTCOME and (rep.rep, m.name) in paces
                     and rep.judged.get(m.name) is not Status.NO_DATA), None)  # never quote a pace it cannot know
        action = "Keep going."
        if pace is not None:
            action = (f"Keep going: {pace.metric} on course for {format_value(pace.projection, pace.unit, exact=True)}"
                      f" of {pace.range} a month.")
        return RepDecision(verdict=verdict, focus="", action=_short(action, ""), detail=detail)

    # behind (or, with outcomes not judged, something below): the evidence first, then the one focus
    lists = {"outcome_below": outcome_below, "activity_below": activity_below, "activity_above": activity_above,
             "quality_below": quality_below}
    evidence: list[Metric] = [m for kind in _EVIDENCE.get(found.code, ()) for m in lists[kind]]
    said = [*say([m for m in evidence if m.category is _OUTCOME]),
            *say([m for m in evidence if m.category is _ACTIVITY]),
            *say([m for m in evidence if m.category is _QUALITY])]
    if found is ACTIVITY_BELOW and (blank := [m for m in not_entered(rep, metrics) if m.category is _OUTCOME]):
        said.append(f"outcomes are not judged ({', '.join(label(m.name) for m in blank)} not entered yet)")
    elif found is ACTIVITY_BELOW:
        said.append("outcomes are not judged (no outcome range applies)")
    if rep.busy_not_producing:
        said.insert(0, "busy, not producing: activity above its range, outcomes below")
    rest = [label(m.name) for m in metrics if m.name not in named and rep.judged[m.name] is _BELOW]
    detail = "; ".join(said)
    detail = (detail[0].upper() + detail[1:] + ".") if detail else ""
    if rest:
        detail += f" Also below: {', '.join(rest)}."
    thin_notes = [f"{m} {rep.thin[m]}" for m in rep.thin if m not in named]
    if thin_notes:
        detail += f" Thin this week: {'; '.join(thin_notes)}."

    need = planned_need(funnel) if funnel is not None else None
    target = _out_of_reach(need, outcome_below, reach or {})
    stage, gain, thin, zero_text = "", None, False, ""
    if target is not None:
        stage = TARGET_FOCUS
    elif need is not None and need.zero is not None:
        zero = next(r for r in funnel.rates if r.rate == need.zero)  # type: ignore[union-attr]
        stage = stage_of(zero.rate, zero.stage, zero.source)
        gain = next((g for g in need.gains if g.metric == need.zero), None)
        if gain is None:  # no top reps to weigh it against: the zero itself is the proof
            when = f"the last {RECENT_WEEKS} weeks" if zero.recent else f"the last {funnel.window} weeks"  # type: ignore[union-attr]
            whose = "the team's" if zero.thin else f"{name}'s"
            zero_text = (f"{STEP.get(zero.rate, zero.rate)}: {whose} {zero.rate} is 0% over {when}; no amount of "
                         "activity reaches the target.")
    elif need is not None and (gains := [g for g in need.gains if not (top_third and g.effort)]) and \
            not _explains_little(gains[0], need, funnel):  # type: ignore[arg-type]
        gain = gains[0]
        stage = EFFORT_FOCUS if gain.effort else _rate_stage(gain, funnel)
    else:
        thin = need is None or not need.compared or any(r.thin for r in funnel.rates if r.rate in need.rates)  # type: ignore[union-attr]
        stage = _rule_stage(found, quality_below)
        if stage == CLOSING_FOCUS and outcome_below and outcome_below[0].column in _BY_NUMERATOR:
            stage = _BY_NUMERATOR[outcome_below[0].column]  # never a stage after the outcome that is behind
        if top_third and stage == EFFORT_FOCUS:  # never told to work harder: the target (or range) is the question
            stage = TARGET_FOCUS if rep.categories[Category.OUTCOME] is Status.BELOW else ""
    if stage in (REACH_FOCUS, MESSAGING_FOCUS, CLOSING_FOCUS) and rep.categories[Category.ACTIVITY] is Status.ABOVE:
        stage = VOLUME_FOCUS  # the rule table's volume over quality, with the rate that costs the most
    recent = gain is not None and gain.recent
    alone = funnel is not None and not funnel.top_reps
    action = _action(rep, stage, gain, need, target, found, evidence, ranges, paces, thin, top_third, alone, label)
    if zero_text:
        action = _short(zero_text, ADVICE.get(stage, "") if stage != VOLUME_FOCUS else "Slow down. " +
                        ADVICE[VOLUME_FOCUS])
    if need is not None:
        detail += " " + _plan(funnel, need, stage, gain, found, label)  # type: ignore[arg-type]
    if thin and need is not None:
        detail += " The evidence is thin: too few counts of the rep's own to compare with the top reps, so the " \
                  "ranges decide."
    if target is not None:
        detail += " " + (target.text or target.sentence())
    return RepDecision(verdict=verdict, focus=stage, action=action, detail=detail.strip(), thin=thin, recent=recent,
                       metric=gain.metric if gain is not None else "")


# what each row of the rule table rests on, in the order the detail says it
_EVIDENCE = {
    EFFORT.code: ("outcome_below", "activity_below"),
    VOLUME_OVER_QUALITY.code: ("outcome_below", "activity_above", "quality_below"),
    MESSAGING.code: ("outcome_below", "quality_below"), PIPELINE.code: ("outcome_below", "quality_below"),
    VOLUME.code: ("outcome_below",), OUTCOME_BELOW.code: ("outcome_below",), ACTIVITY_BELOW.code: ("activity_below",),
}


def _weekly_range(ranges: Lookup, metric: Metric, role: str | None) -> str:
    found = ranges.lookup(metric.name, Period.WEEK, role)
    return found.describe(metric.unit) if found else "no range"


def _explains_little(gain: Gain, need: ActivityNeed, funnel: RepFunnel) -> bool:
    """A small gap weighed where the counts are many, while a stage of too few counts may hide the real one: the
    numbers cannot say, so the rule table decides (and says the evidence is thin). Small: under a quarter of how
    far the month's projection falls short of the target."""
    thin = any(r.thin for r in funnel.rates if r.rate in need.rates)
    gap = need.target - need.projection if need.projection is not None else 0.0
    return thin and gap > 0 and gain.outcomes < gap / 4


def _rate_stage(gain: Gain, funnel: RepFunnel | None) -> str:
    rate = next((r for r in funnel.rates if r.rate == gain.metric), None) if funnel else None
    return stage_of(gain.metric, rate.stage if rate else gain.stage, rate.source if rate else gain.source)


def _out_of_reach(need: ActivityNeed | None, outcome_below: list[Metric],
                  reach: dict[tuple[str, Period], OutOfReach]) -> OutOfReach | None:
    """The target out of reach that the rep is judged behind on: the one planned, else the first behind."""
    if need is not None:
        return reach.get((need.outcome, need.period))
    for m in outcome_below:
        for period in (Period.MONTH, Period.WEEK):
            if (m.name, period) in reach:
                return reach[(m.name, period)]
    return None


def _per(unit: Unit, value: float) -> str:
    return format_value(value, unit, exact=unit is Unit.RATE and value < 0.1)


def _action(rep: RepWeek, stage: str, gain: Gain | None, need: ActivityNeed | None, target: OutOfReach | None,
            found: Diagnosis, evidence: list[Metric], ranges: Lookup, paces: dict[tuple[str, str], MonthlyPace],
            thin: bool, top_third: bool, alone: bool = False, label: Callable[[str], str] = str) -> str:
    """At most MAX_WORDS words, with the one or two numbers that prove the focus."""
    if target is not None:
        best = format_value(target.best, target.unit, exact=True)
        who = "your top rep projects" if len(target.top) == 1 else "your top reps project at most"
        return _short(f"Review the {target.metric} target: {who} {best} a {target.period.value} vs at least "
                      f"{format_value(target.target, target.unit)}.", ADVICE[TARGET_FOCUS])
    if gain is not None and need is not None:
        lost = amount(_fmt_outcome(gain.outcomes, need.unit), need.outcome)
        per = need.period.value
        if gain.effort:
            when = "a week lately" if gain.recent else "a week"
            text = (f"{lower(label(gain.metric)).capitalize()}: {format_value(gain.mine, Unit.COUNT)} {when} vs at "
                    f"least {format_value(gain.goal, Unit.COUNT)}; the gap costs about {lost} a {per}.")
            return _short(text, ADVICE[EFFORT_FOCUS])
        step = STEP.get(gain.metric, gain.metric)
        when = f" (last {RECENT_WEEKS} weeks)" if gain.recent else ""
        if gain.unit is Unit.CURRENCY:
            text = (f"{step}{when}: {_per(gain.unit, gain.mine)} a deal vs {_per(gain.unit, gain.goal)} for your "
                    f"top reps (about {lost} a {per}).")
        else:
            text = (f"{step}{when}: {_per(gain.unit, gain.mine)} of {lower(label(gain.source))} become "
                    f"{lower(label(gain.stage))} vs {_per(gain.unit, gain.goal)} for your top reps "
                    f"(about {lost} a {per}).")
        if stage == VOLUME_FOCUS:
            above = next((m for m in evidence if m.category is _ACTIVITY), None)
            if above is not None and rep.values[above.name] is not None:
                shown = format_value(rep.values[above.name], above.unit)
                text = (f"Slow down: {shown} {lower(label(above.name))} a week, "
                        f"{step.lower()} at {_per(gain.unit, gain.mine)} vs {_per(gain.unit, gain.goal)} "
                        f"for your top reps.")
        return _short(text, ADVICE.get(stage, ""))
    # the rule table decides: one or two of the rep's numbers that it rests on
    shown = [m for m in evidence if m.category is not _OUTCOME][:1] or evidence[:1]
    proof = "; ".join(_brief(rep, m, ranges, paces, label) for m in shown)
    if stage == UNKNOWN_FOCUS:
        return _short(f"{proof}; no activity or quality range says why.", ADVICE[UNKNOWN_FOCUS])
    if top_third and stage in (TARGET_FOCUS, ""):
        what = "target" if stage else "range"
        return _short(f"{proof}, yet among the team's best by outcomes: check the {what}.", ADVICE[TARGET_FOCUS])
    if found is VOLUME:
        return _short(f"{proof}; conversion is in range: compare activity with the top reps.", "")
    prefix = ""
    if thin and need is not None:
        prefix = "No top reps to compare with: " if alone else "Thin evidence: "
    return _short(f"{prefix}{proof}.", ADVICE.get(stage, ""))


def _fmt_outcome(value: float, unit: Unit) -> str:
    if unit is Unit.CURRENCY:
        return format_value(value, unit)
    return f"{value:,.1f}" if abs(value) < 10 and round(value, 1) != round(value) else f"{value:,.0f}"


def _brief(rep: RepWeek, metric: Metric, ranges: Lookup, paces: dict[tuple[str, str], MonthlyPace],
           label: Callable[[str], str] = str) -> str:
    """A metric against its range in a few words: "Dials 20 vs 50–75", "SQLs on course for 3 of at least 5 a
    month"."""
    pace = paces.get((rep.rep, metric.name))
    if pace is not None and metric.name in rep.paced:
        projected = format_value(pace.projection, metric.unit, exact=True)
        return f"{label(metric.name)} on course for {projected} of {pace.range} a month"
    if metric.name in rep.thin:
        return f"{label(metric.name)} {rep.thin[metric.name]}"
    value = rep.values[metric.name]
    shown = rep.effective.get(metric.name) or _weekly_range(ranges, metric, rep.role)
    number = format_value(value, metric.unit, exact=True) if value is not None else "blank"
    return f"{label(metric.name)} {number} vs {shown}"


def _plan(funnel: RepFunnel, need: ActivityNeed, stage: str, gain: Gain | None, found: Diagnosis,
          label: Callable[[str], str] = str) -> str:
    """What the detail adds for a rep who is behind: the stage that costs the most (named as the focus is), the
    next biggest, and the activity the target takes. "The gap is volume" only where the focus is effort."""
    own = [r for r in funnel.rates if r.rate in need.rates and not r.thin]
    if gain is not None and not gain.effort and need.leak is not None and need.leak.rate == gain.metric:
        lead = f"Leak: {need.leak.sentence}."
    elif gain is not None and gain.effort:
        costs = amount(_fmt_outcome(gain.outcomes, need.unit), need.outcome)
        lead = (f"Costs the most: {lower(label(gain.metric))} at {_fmt_outcome(gain.mine, Unit.COUNT)} a week vs "
                f"at least {_fmt_outcome(gain.goal, Unit.COUNT)}, about {costs} a {need.period.value} at "
                f"{first_name(funnel.rep)}'s rates.")
        if (leak := need.leak) is not None:
            lead += (f" Next: {leak.rate} {_per(leak.unit, leak.rep)} vs {_per(leak.unit, leak.top)} for the top reps"
                     f" (about {amount(_fmt_outcome(leak.lost, need.unit), need.outcome)}).")
    elif own and not funnel.top_reps:
        lead = f"No top reps to compare with: {no_top_reps(funnel)}."
    elif need.compared:
        lead = "No stage converts below the top reps."
    else:
        lead = "Too few counts of the rep's own to say where the funnel leaks."
    sentence = need.sentence
    if stage != EFFORT_FOCUS and need.zero is None and all(v is not None for v in need.needed.values()):
        # the activity is not where the gap is: never say "your activity is enough" beside zero outcomes
        shown = [s for s in need.needed if s in need.this_week and need.this_week[s] is not None]
        if shown and all((need.this_week[s] or 0) >= (need.needed[s] or math.inf) for s in shown):
            sentence += f" Activity is not the gap: {first_name(funnel.rep)} is short at {stage.lower()}."
    return f"{lead} {sentence}".strip()

