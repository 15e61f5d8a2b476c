"""Where the funnel breaks: one rule table, read top to bottom, first match wins.

The summary, the METRIC_DIAGNOSIS Excel function and the team view all use this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from salesmetrics_xl.core.status import Status

BELOW, IN, ABOVE, NO_DATA = Status.BELOW, Status.IN_RANGE, Status.ABOVE, Status.NO_DATA
ANY = frozenset(Status)
OK = frozenset({IN, ABOVE})


@dataclass(frozen=True)
class Diagnosis:
    code: str
    headline: str  # what a manager says in one breath
    advice: str  # what to do about it

    @property
    def sentence(self) -> str:
        return f"{self.headline}: {self.advice}"


EFFORT = Diagnosis("effort", "Effort or capacity",
                   "activity is below range; check time on task, territory and workload before coaching skills.")
VOLUME_OVER_QUALITY = Diagnosis("volume-over-quality", "Volume at the expense of quality",
                                "activity is above range and conversion is below; slow down and work fewer, "
                                "better-fit leads.")
MESSAGING = Diagnosis("messaging", "Messaging or lead targeting",
                      "the effort is there but it is not converting; review call recordings, the pitch and the "
                      "lead list.")
PIPELINE = Diagnosis("pipeline", "Volume or pipeline stage",
                     "conversion is fine but too little reaches the finish; add top-of-funnel volume or push "
                     "stalled deals.")
ON_TRACK = Diagnosis("on-track", "On track", "activity, quality and outcomes are in range; keep going.")
NOT_ENOUGH_DATA = Diagnosis("no-data", "Not enough data", "fill in this week's numbers and set the missing ranges.")

# (activity, quality, outcome) -> diagnosis; each cell is the set of category statuses it matches.
RULES: tuple[tuple[frozenset[Status], frozenset[Status], frozenset[Status], Diagnosis], ...] = (
    (frozenset({BELOW}), ANY, ANY, EFFORT),
    (frozenset({ABOVE}), frozenset({BELOW}), ANY, VOLUME_OVER_QUALITY),
    (OK, frozenset({BELOW}), ANY, MESSAGING),
    (ANY, OK, frozenset({BELOW}), PIPELINE),
    (OK, OK, OK, ON_TRACK),
)


def category_status(statuses: Iterable[str]) -> Status:
    """One status for a category: BELOW when at least half of its judged metrics are below, else ABOVE when at
    least half are above, else IN RANGE; NO DATA when none is judged.

    Half, not any: one activity metric that lags because of a conversion problem (few meetings booked from
    plenty of conversations) should not make the diagnosis about effort.
    """
    judged = [Status(s) for s in statuses if Status(s) in (BELOW, IN, ABOVE)]
    if not judged:
        return NO_DATA
    for status in (BELOW, ABOVE):
        if 2 * judged.count(status) >= len(judged):
            return status
    return IN


def diagnose(activity: str, quality: str, outcome: str) -> Diagnosis:
    a, q, o = Status(activity), Status(quality), Status(outcome)
    for acts, quals, outs, diagnosis in RULES:
        if a in acts and q in quals and o in outs:
            return diagnosis
    return NOT_ENOUGH_DATA


def busy_not_producing(activity: str, outcome: str) -> bool:
    """Activity in range or above while outcomes are below: effort that does not pay."""
    return Status(activity) in OK and Status(outcome) is BELOW
