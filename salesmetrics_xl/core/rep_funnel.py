"""A rep's funnel, as the summary shows it and the decision weighs it: the rates of each link over the window,
what each outcome target takes in weekly activity, where the funnel leaks, and the candidates for the rep's focus.

The records only; core/funnel.py computes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from pydantic import Field

from salesmetrics_xl.core.defaults import WEEKS as WINDOW_WEEKS
from salesmetrics_xl.core.metrics import Period, Unit


@dataclass
class StageRate:
    """One link of a rep's funnel over the window."""

    rate: str  # "Connect Rate"
    stage: str  # "Conversations": the numerator
    source: str  # "Dials": the denominator
    unit: Unit
    rep: float | None  # the rep's own pooled rate; None when there is no denominator
    count: float  # the rep's denominator over the window (how much the rate rests on)
    team: float | None  # the team's pooled rate (same role); None when the team's is thin too
    top: float | None  # the top performers' pooled rate
    used: float | None  # the rep's rate, or the team's when the rep's is thin; None: the chain stops here
    thin: bool  # the rep's own count is under MIN_COUNT (core/funnel.py)
    recent: bool = False  # ``used`` is the rate of the last RECENT_WEEKS weeks: it differs clearly from the pooled


@dataclass
class Leak:
    rate: str  # the link where the rep loses most against the top performers
    stage: str
    rep: float
    top: float
    lost: float  # outcomes a period (the target's) lost there at the rep's volume
    sentence: str
    unit: Unit = Unit.RATE
    source: str = ""  # the denominator: "Conversations"
    recent: bool = False


@dataclass
class Gain:
    """One candidate for a rep's focus: the outcomes a period (the target's) the rep would add by bringing one
    thing up, all else the rep's own. ``metric`` is an activity (up to its range's Min) or a rate (up to the top
    reps' rate); ``mine`` and ``goal`` are the two numbers that prove it."""

    metric: str
    stage: str  # the funnel column it feeds: "Dials" for effort, the rate's numerator for a rate
    source: str  # the rate's denominator; the activity itself for effort
    unit: Unit
    mine: float
    goal: float
    outcomes: float  # a period of the target
    effort: bool = False
    recent: bool = False


@dataclass
class ActivityNeed:
    """What one outcome target takes, in weekly activity, at the rep's own rates."""

    outcome: str
    unit: Unit
    period: Period  # the target's period
    target: float  # the rep's own target in its period: the range's Min x share
    target_per_week: float
    rates: list[str]  # the links used, nearest the outcome first
    needed: dict[str, float | None]  # stage -> count needed a week (None: unreachable at a zero rate)
    this_week: dict[str, float | None]  # stage -> the rep's count this week
    average: dict[str, float | None]  # stage -> the rep's weekly average over the window
    activity: str | None  # the first stage of the chain (Dials): where effort goes in
    projection: float | None  # a monthly target's month-end projection: the pace's, which judged the rep
    compared: list[str]  # the links with a rate of the rep's own, compared with the top performers'
    leak: Leak | None
    notes: list[str]  # thin rates replaced by the team's, rates of zero, a chain that stops
    sentence: str
    share: float = 1.0  # of the range's Min the rep is held to: days worked, FTE and ramp
    gains: list[Gain] = field(default_factory=list)  # the focus candidates, most outcomes first
    zero: str | None = None  # the rate of zero that no activity gets past, if any
    recent: list[str] = field(default_factory=list)  # the links and activities planned on the last weeks


@dataclass
class RepFunnel:
    rep: str
    role: str | None
    weeks: int  # weeks of the window with a row for this rep, OFF weeks left out
    rates: list[StageRate]
    needs: list[ActivityNeed]
    top_reps: list[str] = field(default_factory=list)  # the top performers compared with, the rep left out
    peers: int = 0  # reps of the role with a full week in the window, among whom the top ones are chosen
    behind_on: list[str] = field(default_factory=list)  # outcomes judged below this week: the needs shown
    window: int = WINDOW_WEEKS  # the weeks the rates are pooled over
    # why the role has no top performers at all (none had the outcome it is ranked by); the sentences say it, so
    # the JSON does not carry it once per rep
    no_top: Annotated[str, Field(exclude=True)] = ""
