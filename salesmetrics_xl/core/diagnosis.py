"""Where the funnel breaks: one rule table, read top to bottom, first match wins.

Outcomes first. The outcome verdict decides whether a rep is on track; activity and quality only explain why
not, and what to change. A category with no range (or no numbers) is "not judged" and never blocks the
diagnosis: a team that starts with a Dials range and an SQLs range still gets an answer for every rep.

The summary, the team line, the batch rollup and the METRIC_DIAGNOSIS Excel function all use this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from salesmetrics_xl.core.status import Status

BELOW, IN, ABOVE, NO_DATA, NO_RANGE = Status.BELOW, Status.IN_RANGE, Status.ABOVE, Status.NO_DATA, Status.NO_RANGE
ANY = frozenset(Status)
OK = frozenset({IN, ABOVE})
UNJUDGED = frozenset({NO_DATA, NO_RANGE})  # no range applies, or no number to judge


@dataclass(frozen=True)
class Diagnosis:
    code: str
    headline: str  # what a manager says in one breath
    why: str  # the evidence in general words; the summary replaces it with the rep's own numbers
    action: str  # what to do about it
    on_track: bool = False

    @property
    def sentence(self) -> str:
        return f"{self.headline}: {self.why}; {self.action}"


ON_TRACK = Diagnosis("on-track", "On track", "outcomes are in range or above", "keep going.", on_track=True)
EFFICIENT = Diagnosis("efficient", "On track with less activity",
                      "outcomes are in range or above with activity below its range",
                      "learn from how this rep works.", on_track=True)
IN_RANGE = Diagnosis("in-range", "In range on activity and quality",
                     "no outcome range applies, so results are not judged", "add an SQLs range to judge them.",
                     on_track=True)
EFFORT = Diagnosis("effort", "Effort or capacity", "outcomes and activity are both below range",
                   "check time on task, territory and workload before coaching skills.")
VOLUME_OVER_QUALITY = Diagnosis("volume-over-quality", "Volume at the expense of quality",
                                "activity is above range and conversion is below",
                                "slow down and work fewer, better-fit leads.")
MESSAGING = Diagnosis("messaging", "Messaging or lead targeting", "the effort is there but it is not converting",
                      "review call recordings, the pitch and the lead list.")
PIPELINE = Diagnosis("pipeline", "Pipeline or later stage", "effort and conversion are in range but outcomes are not",
                     "look at stalled opportunities and deal size, and check that the activity ranges add up to the "
                     "outcome target.")
VOLUME = Diagnosis("volume", "Volume", "conversion is in range but too little reaches the finish",
                   "compare activity with the top reps (no activity range is set).")
OUTCOME_BELOW = Diagnosis("outcome-below", "Outcomes below", "no activity or quality range says why",
                          "set ranges for Dials or Conversations and the conversion rates.")
ACTIVITY_BELOW = Diagnosis("activity-below", "Activity below range",
                           "outcomes are not judged (no outcome range applies)",
                           "check time on task, territory and workload.")
NOT_ENOUGH_DATA = Diagnosis("no-data", "Not enough data",
                            "numbers not entered yet (no metric with a range has a number this week)",
                            "fill in this week's numbers or set ranges.")
NO_ROW = Diagnosis("no-row", "No row this week", "this rep had rows in recent weeks but none this week",
                   "add the week's numbers to Tracking.")

# (activity, quality, outcome) -> diagnosis; each cell is the set of category statuses it matches.
RULES: tuple[tuple[frozenset[Status], frozenset[Status], frozenset[Status], Diagnosis], ...] = (
    # outcomes in range or above: on track, whatever the activity
    (frozenset({BELOW}), ANY, OK, EFFICIENT),
    (ANY, ANY, OK, ON_TRACK),
    # outcomes below: find the bottleneck, effort first
    (frozenset({BELOW}), ANY, frozenset({BELOW}), EFFORT),
    (frozenset({ABOVE}), frozenset({BELOW}), frozenset({BELOW}), VOLUME_OVER_QUALITY),
    (OK | UNJUDGED, frozenset({BELOW}), frozenset({BELOW}), MESSAGING),
    (OK, UNJUDGED, frozenset({BELOW}), MESSAGING),  # busy, no quality range: not converting
    (OK, OK, frozenset({BELOW}), PIPELINE),
    (UNJUDGED, OK, frozenset({BELOW}), VOLUME),
    (UNJUDGED, UNJUDGED, frozenset({BELOW}), OUTCOME_BELOW),
    # outcomes not judged: still say what activity and quality show
    (frozenset({BELOW}), ANY, UNJUDGED, ACTIVITY_BELOW),
    (frozenset({ABOVE}), frozenset({BELOW}), UNJUDGED, VOLUME_OVER_QUALITY),
    (ANY, frozenset({BELOW}), UNJUDGED, MESSAGING),
    # no outcome range: in range on the rest; outcomes with a range but no number are not entered yet (NOT ENOUGH
    # DATA below), never on track
    (OK, OK | UNJUDGED, frozenset({NO_RANGE}), IN_RANGE),
    (UNJUDGED, OK, frozenset({NO_RANGE}), IN_RANGE),
)
OFF_WEEK = Diagnosis("off", "Off this week", "0 days worked", "not judged, and no streak counts this week.")
DIAGNOSES = (*dict.fromkeys(d for *_, d in RULES), NOT_ENOUGH_DATA, NO_ROW, OFF_WEEK)


def category_status(statuses: Iterable[str]) -> Status:
    """One status for a category: BELOW when at least half of its judged metrics are below, else ABOVE when at
    least half are above, else IN RANGE; when none is judged, NO DATA if one has a range but no number (not
    entered yet), else NO RANGE.

    Half, not any: one activity metric that lags because of a conversion problem (few meetings booked from
    plenty of conversations) should not make the diagnosis about effort.
    """
    given = [_status(s) for s in statuses]
    judged = [s for s in given if s in (BELOW, IN, ABOVE)]
    if not judged:
        return NO_DATA if NO_DATA in given else NO_RANGE
    for status in (BELOW, ABOVE):
        if 2 * judged.count(status) >= len(judged):
            return status
    return IN


def diagnose(activity: str, quality: str, outcome: str) -> Diagnosis:
    a, q, o = _status(activity), _status(quality), _status(outcome)
    for acts, quals, outs, diagnosis in RULES:
        if a in acts and q in quals and o in outs:
            return diagnosis
    return NOT_ENOUGH_DATA


def busy_not_producing(activity: str, quality: Iterable[str], outcomes: Iterable[str]) -> bool:
    """Activity above its range and every judged outcome below: effort spent that produces nothing in range. Only
    above: a rep whose activity is inside its range is not "busy", whatever the outcomes (the focus says where the
    funnel breaks). ``quality`` is kept for the callers; conversion does not change what the words mean."""
    judged = [s for s in map(_status, outcomes) if s in (BELOW, IN, ABOVE)]
    return _status(activity) is ABOVE and bool(judged) and all(s is BELOW for s in judged)


def _status(value: str) -> Status:
    """A status, from its text or as it is: the summary asks per rep and metric, where Status() costs a lookup."""
    return value if value.__class__ is Status else Status(value)  # type: ignore[return-value]
