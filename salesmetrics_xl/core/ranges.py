"""The ranges a team has set: which range applies to which rep, metric and period."""

from __future__ import annotations

import functools

import numpy as np
from pydantic import BaseModel, ConfigDict, PrivateAttr

from salesmetrics_xl.core.effective import Fairness, role_codes
from salesmetrics_xl.core.metrics import Metric, Period, Range, normalise, text_key


class RangeRule(BaseModel):
    """One row of the Ranges table."""

    model_config = ConfigDict(frozen=True)

    metric: Metric
    period: Period = Period.WEEK
    role: str | None = None
    range: Range
    notes: str = ""
    period_assumed: bool = False  # no Period cell and none in the name: read as a week's (core.periods warns)
    cell: str | None = None  # where the row lives, for messages
    min_cell: str | None = None  # where Min and Max live, so formulas we write can refer to them
    max_cell: str | None = None


class RangeSet(BaseModel):
    rules: list[RangeRule]
    sheet: str | None = None  # the Ranges sheet the rules came from; None for the built-in defaults
    header_row: int = 1
    letters: dict[str, str] = {}  # Ranges column name -> Excel column letter
    fairness: Fairness = Fairness()  # the working week, the ramp and any Reps sheet: how bounds move per row
    _by_metric: dict[tuple[str, Period], tuple[Range | None, dict[str, Range]]] | None = PrivateAttr(None)

    _metrics: list[Metric] | None = PrivateAttr(None)

    @property
    def metrics(self) -> list[Metric]:
        """Each metric once, in table order: the columns of a scorecard. Made once, like the index below: with
        5,000 ranges, making it again for each metric was most of `check`'s time."""
        if self._metrics is None:
            seen: dict[str, Metric] = {}
            for rule in self.rules:
                seen.setdefault(rule.metric.name, rule.metric)
            self._metrics = list(seen.values())
        return list(self._metrics)

    def lookup(self, metric: str, period: Period = Period.WEEK, role: str | None = None) -> Range | None:
        """A role's own range wins over the general one, because an SDR and an AE are judged differently. Roles
        match by text_key(), as the formulas we write match them."""
        general, own = self._index().get((normalise(metric), period), (None, {}))
        wanted = text_key(role) if role is not None else ""
        return own.get(wanted, general) if wanted else general

    def _index(self) -> dict[tuple[str, Period], tuple[Range | None, dict[str, Range]]]:
        """The rules by metric and period, made once: the summary looks a range up per rep and metric. The last
        general row counts, and a role's first row (as the formulas we write pick them)."""
        if (made := self._by_metric) is not None:  # read once: a private attribute is a slow read in pydantic
            return made
        index: dict[tuple[str, Period], tuple[Range | None, dict[str, Range]]] = {}
        for rule in self.rules:
            general, own = index.get((normalise(rule.metric.name), rule.period), (None, {}))
            if rule.role is None:
                general = rule.range
            elif text_key(rule.role):
                own.setdefault(text_key(rule.role), rule.range)
            index[(normalise(rule.metric.name), rule.period)] = (general, own)
        self._by_metric = index
        return index

    def bounds(self, metric: str, period: Period, roles: object) -> tuple[np.ndarray, np.ndarray]:
        """Per-row min and max (NaN = open) for a column of roles, for vectorised evaluation."""
        codes, uniques = role_codes(roles)  # look each distinct role up once
        lo = np.full(len(codes), np.nan)
        hi = np.full(len(codes), np.nan)
        for code, role in enumerate(uniques):
            found = self.lookup(metric, period, role or None)
            if found is not None:
                mask = codes == code
                lo[mask] = np.nan if found.min is None else found.min
                hi[mask] = np.nan if found.max is None else found.max
        return lo, hi


class KnownRanges:
    """A RangeSet's answers, each (metric, period, role) looked up once: a summary asks again for every rep and
    metric. Read like the RangeSet where only ``lookup`` is read (core/decision.py); the RangeSet itself keeps no
    answers, so two RangeSets of the same rules stay equal however they were asked."""

    def __init__(self, ranges: RangeSet) -> None:
        self.ranges = ranges
        self.lookup = functools.lru_cache(maxsize=None)(ranges.lookup)


Lookup = RangeSet | KnownRanges  # what looks a range up
