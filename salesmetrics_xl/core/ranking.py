"""Who the top performers are: one choice, made here, for the baseline, the summary's range check and each rep's
funnel comparison, so no two of them ever name different top reps.

The method, stated once:
- The outcomes, in funnel order: SQLs -> Opportunities -> Deals Won -> New MRR (OUTCOMES).
- Each role is ranked on its own (roles grouped as the ranges match them).
- A role's reps are ranked by the furthest-down outcome that the role has a target for (a Min above 0, a week or
  a month): Deals Won or New MRR for full-cycle reps, SQLs for SDRs. With targets for both Deals Won and New MRR,
  deals won rank and New MRR breaks ties: a count of wins is steadier from week to week than revenue, which one
  large deal moves. A later outcome is passed over only when no rep of the role has any of it in the window; with
  no target that has data, the furthest-down outcome with data ranks. Ties are broken by the other outcomes,
  furthest down first, then by name.
- The measure is each rep's outcome pooled over their full weeks in the trailing window (total / weeks), never one
  week: moving the window by a week changes the top set only when the pooled ranking changes.
- Left out before ranking: a rep who is off track on a later outcome the role has a target for, that is none of
  it from at least 10 of the outcome before it over the window (0 deals won from 12 opportunities); and a rep with
  full weeks in fewer than half of the window's weeks (a lucky week is not a typical one), unless no rep has more.
- The top performers are the top share of the ranked reps (a quarter unless asked), at least one; a rep with none
  of the outcome the role is ranked by is never one of them, whatever the share: when fewer reps than the share
  have any, the top set is those who have, and when none has any, there are no top performers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel

from salesmetrics_xl.core.defaults import TOP_SHARE
from salesmetrics_xl.core.evaluate import column_values, group_sums, week_stamps
from salesmetrics_xl.core.metrics import (
    DEALS_WON,
    NEW_MRR,
    OPPORTUNITIES,
    SQLS,
    Period,
    Unit,
    format_value,
    text_key,
)
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.text import joined, lower
from salesmetrics_xl.core.workbook import REP, ROLE, WEEK

METHOD = __doc__.split("The method, stated once:\n", 1)[1].strip()  # type: ignore[union-attr]
OUTCOMES = (SQLS, OPPORTUNITIES, DEALS_WON, NEW_MRR)  # the funnel's outcomes, earliest first
MANY = 10  # none of an outcome from at least this many of the one before it: off track, never a top performer


class Ranking(BaseModel):
    """One role's reps ranked by the outcome that pays, and why."""

    role: str | None  # as the data spells it; None: no Role column, or blank
    outcome: str | None  # the outcome the reps are ranked by; None: no outcome data in the window
    targeted: list[str]  # the outcomes the role has a target for, in funnel order
    weeks: int  # the weeks in the window
    reps: list[str]  # ranked, best first; the reps left out are not here
    top: list[str]
    per_week: dict[str, float]  # rep -> the ranking outcome per full week (a rep who entered none: not here)
    ties: dict[str, float] = {}  # rep -> New MRR per full week, when deals won rank and New MRR breaks their ties
    full_weeks: dict[str, int]  # rep -> full weeks in the window
    left_out: dict[str, str]  # rep -> why they are not ranked
    passed_over: list[str] = []  # targeted outcomes later than ``outcome`` that no rep of the role had
    tied: bool = False  # the last top rep and the next one are equal on every outcome: picked by name

    @property
    def group(self) -> str:
        """The reps as a sentence counts them: "SDRs", "reps"."""
        return f"{self.role}s" if self.role else "reps"

    def basis(self) -> str:
        """The real basis of the choice in one sentence: the role, the outcome, the reps, the weeks."""
        if not self.top:
            return f"no top performers: {self.empty_reason()}"
        names = joined(self.top)
        weeks = f"{self.weeks} week{'s' if self.weeks != 1 else ''}"
        if len(self.reps) == 1:
            text = f"{names}, the only {self.group[:-1]} ranked, over {weeks}"
        else:
            text = (f"{names}: the top {len(self.top)} of {len(self.reps)} {self.group} by {self.outcome} a full "
                    f"week{', New MRR breaking ties' if self.ties else ''}, pooled over {weeks}")
        having = sum(v > 0 for v in self.per_week.values())
        if having == len(self.top) < len(self.reps):  # the share was cut short: the rest had none
            text += f"; only {having} had any {self.outcome}"
        return text + (f" ({self._why_outcome()})" if self._why_outcome() else "")

    def _why_outcome(self) -> str:
        if self.passed_over:
            return (f"{joined(self.passed_over)} {'has' if len(self.passed_over) == 1 else 'have'} a target, but no "
                    f"{self.group[:-1]} had any in the window")
        if self.outcome is not None and self.outcome not in self.targeted:
            return f"no outcome with a target has data; {self.outcome} is the furthest-down outcome that has"
        return ""

    def empty_reason(self, brief: bool = False) -> str:
        """Why there are no top performers; ``brief``: without naming each rep left out (a sentence per rep)."""
        if self.outcome is None:
            return f"no {self.group[:-1]} has any outcome ({', '.join(OUTCOMES)}) in the window"
        left = "" if brief else "; ".join(f"{r}: {w}" for r, w in self.left_out.items())
        if not self.reps:
            return f"every {self.group[:-1]} was left out" + (f" ({left})" if left else "")
        return (f"no {self.group[:-1]} ranked had any {self.outcome} in the window"
                + (f" (left out: {left})" if left else ""))


def targeted(ranges: RangeSet | None, role: str | None) -> list[str]:
    """The outcomes a role is held to: a range with a Min above 0, a week or a month (the role's own or everyone's)."""
    if ranges is None:
        return []
    return [o for o in OUTCOMES if any((r := ranges.lookup(o, p, role)) is not None and r.min is not None
                                       and r.min > 0 for p in Period)]


OUTCOME_ORDER = ", then ".join(lower(o) for o in OUTCOMES)  # "SQLs, then opportunities, then deals won, ..."


def outcome_key(values: Mapping[str, float | None]) -> tuple[float, ...]:
    """A sort key that lists reps (or teams) outcomes first, in OUTCOMES order (OUTCOME_ORDER), more first."""
    return tuple(-(values.get(o) or 0) for o in OUTCOMES)


def rank_role(frame: pd.DataFrame, ranges: RangeSet | None = None, role: str | None = None,
              share: float = TOP_SHARE) -> Ranking:
    """One role's reps ranked (see the method); ``frame`` holds that role's full weeks in the window, one row per
    rep and week."""
    names = frame[REP].to_numpy() if REP in frame else np.empty(0, dtype=object)
    mine = np.asarray(pd.notna(names), dtype=bool)
    stamps = week_stamps(frame)[mine] if WEEK in frame else np.empty(0, dtype="datetime64[ns]")
    weeks = len(np.unique(stamps[~np.isnat(stamps)]))
    wanted = targeted(ranges, role)
    present = [o for o in OUTCOMES if o in frame]
    if not mine.any():
        return Ranking(role=role, outcome=None, targeted=wanted, weeks=weeks, reps=[], top=[], per_week={},
                       full_weeks={}, left_out={})
    codes, reps = pd.factorize(names[mine], sort=True)  # reps in name order, as groupby(sort=True) lists them
    n = len(reps)
    full_weeks = np.bincount(codes, minlength=n)
    totals: dict[str, np.ndarray] = {}  # outcome -> per rep, NaN where none was entered
    means: dict[str, np.ndarray] = {}
    for o in present:
        total, count = group_sums(codes, column_values(frame, o)[mine], n)
        with np.errstate(divide="ignore", invalid="ignore"):
            totals[o], means[o] = np.where(count > 0, total, np.nan), np.where(count > 0, total / count, np.nan)

    def has_data(outcome: str) -> bool:
        return outcome in totals and bool((totals[outcome] > 0).any())

    outcome = next((o for o in reversed(wanted) if has_data(o)), None)
    if outcome == NEW_MRR and DEALS_WON in wanted and has_data(DEALS_WON):
        outcome = DEALS_WON  # the steadier of the two; New MRR breaks the ties
    passed = [o for o in wanted if outcome is not None and OUTCOMES.index(o) > OUTCOMES.index(outcome)
              and not has_data(o)]
    if outcome is None:
        outcome = next((o for o in reversed(OUTCOMES) if has_data(o)), None)
        passed = [o for o in wanted if not has_data(o)]
        passed = [o for o in passed if outcome is not None and OUTCOMES.index(o) > OUTCOMES.index(outcome)]

    def weeks_of(k: int) -> str:
        return f"{full_weeks[k]} full week{'s' if full_weeks[k] != 1 else ''}"

    left_out: dict[str, str] = {}
    for later in dict.fromkeys([o for o in wanted if o in totals] + ([outcome] if outcome else [])):
        earlier = next((o for o in reversed(OUTCOMES[:OUTCOMES.index(later)]) if o in totals), None)
        if earlier is None:
            continue
        for k in np.flatnonzero((totals[earlier] >= MANY) & (totals[later] == 0)):
            left_out.setdefault(reps[k], f"off track: no {later} from {totals[earlier][k]:,.0f} {earlier} in "
                                         f"{weeks_of(k)}")
    need = math.ceil(weeks / 2)
    few = full_weeks < need
    if not few.all():
        for k in np.flatnonzero(few):
            left_out.setdefault(reps[k], f"{weeks_of(k)} of {weeks}, fewer than half")
    ranked: list[str] = []
    per_week: dict[str, float] = {}
    ties: dict[str, float] = {}
    tied = False
    top: list[str] = []
    eligible = [k for k in range(n) if reps[k] not in left_out]
    if outcome is not None and eligible:
        order = [outcome, *(o for o in reversed(OUTCOMES) if o != outcome and o in means)]
        keys = {k: tuple(-np.inf if (v := means[o][k]) != v else float(v) for o in order) for k in eligible}
        # more first on every outcome in turn, then by name (casefolded); equal names keep the name order
        placed = sorted(eligible, key=lambda k: (*(-v for v in keys[k]), str(reps[k]).casefold()))
        ranked = [str(reps[k]) for k in placed]
        per_week = {str(reps[k]): float(v) for k in placed if (v := means[outcome][k]) == v}  # none: not entered
        if outcome == DEALS_WON and NEW_MRR in means:
            ties = {str(reps[k]): float(v) for k in placed if (v := means[NEW_MRR][k]) == v}
        # the top share, at least one, but never a rep with none of the outcome ranked by (sorted last)
        having = sum(per_week.get(rep, 0) > 0 for rep in ranked)
        top = ranked[:min(max(1, math.ceil(share * len(ranked))), having)]
        if top and len(top) < len(ranked):
            tied = keys[placed[len(top) - 1]] == keys[placed[len(top)]]
    return Ranking(role=role, outcome=outcome, targeted=wanted, weeks=weeks, reps=ranked, top=top, per_week=per_week,
                   full_weeks={str(r): int(v) for r, v in zip(reps, full_weeks, strict=True)}, left_out=left_out,
                   passed_over=passed, tied=tied, ties=ties)


def role_groups(frame: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """The frame's rows by role, grouped as the ranges match roles (text_key); one group (None) without roles.
    With one role named, the rows with a blank Role are that team's too (one group, as before roles were
    written in); with several, they are a group of their own, judged by the ranges for everyone. A group is
    called by the spelling most of its rows have (a tie: the first in sorted order), trimmed."""
    raw = frame[ROLE].to_numpy(dtype=object) if ROLE in frame else np.empty(0, dtype=object)
    codes, uniques = pd.factorize(raw)  # each distinct spelling once; a blank (None, NaN) is -1
    if not (codes >= 0).any():
        return [(None, frame)]
    spelled = [u if type(u) is str else str(u) for u in uniques]
    keys = [text_key(text) for text in spelled]
    rows = np.bincount(codes[codes >= 0], minlength=len(spelled))

    def most(key: str) -> str:
        tally: dict[str, int] = {}
        for code, text in enumerate(spelled):
            if keys[code] == key:
                tally[text] = tally.get(text, 0) + int(rows[code])
        top = max(tally.values())
        return min(text for text, n in tally.items() if n == top).strip()

    named = sorted({key for key in keys if key})
    if len(named) == 1:
        return [(most(named[0]), frame)]
    groups = sorted(set(keys) | ({""} if (codes < 0).any() else set()))
    place = {key: g for g, key in enumerate(groups)}
    group_of = np.array([place[key] for key in keys] + [place.get("", -1)])[codes]  # -1 (blank): the last
    return [(most(key) if key else None, frame[group_of == g]) for g, key in enumerate(groups)]


class Rankings:
    """Each role's ranking, made once per frame of rows: a summary's funnel comparison and its range check ask about
    the same rows of one frame (told apart by their index labels), so they rank them once and never differ."""

    def __init__(self, ranges: RangeSet | None = None, share: float = TOP_SHARE):
        self.ranges, self.share = ranges, share
        self._made: dict[tuple[bytes, str | None], Ranking] = {}

    def of(self, frame: pd.DataFrame) -> list[Ranking]:
        """The rankings of the roles in ``frame`` (full weeks in the window, one row per rep and week)."""
        if not len(frame):
            return []
        out = []
        for role, rows in role_groups(frame):
            index = rows.index.to_numpy()
            if index.dtype.kind not in "iu":  # rows told apart by integer labels only
                out.append(rank_role(rows, self.ranges, role, self.share))
                continue
            key = (index.tobytes(), role)
            if key not in self._made:
                self._made[key] = rank_role(rows, self.ranges, role, self.share)
            out.append(self._made[key])
        return out

    def top(self, frame: pd.DataFrame) -> list[str]:
        """The top performers of each role in ``frame``."""
        return [rep for ranking in self.of(frame) for rep in ranking.top]


def top_performers(frame: pd.DataFrame, ranges: RangeSet | None = None, share: float = TOP_SHARE) -> list[str]:
    """The top performers of each role in ``frame`` (full weeks in the window, one row per rep and week): the one
    choice the baseline, the summary's range check and each rep's funnel comparison make."""
    return Rankings(ranges, share).top(frame)


def describe_change(before: Ranking, after: Ranking) -> str:
    """What moving the window a week changed in the top set, with each rep's pooled figures a week earlier and
    now (New MRR beside deals won, where it breaks their ties): the set changes only when the ranking did."""
    came = [r for r in after.top if r not in before.top]
    left = [r for r in before.top if r not in after.top]
    if not came and not left:
        return "the same top performers"

    def figure(ranking: Ranking, rep: str, values: dict[str, float], unit: Unit) -> str:
        found = values.get(rep)
        return ranking.left_out.get(rep, "none") if found is None else format_value(found, unit, exact=True)

    def moved(rep: str) -> str:
        unit = Unit.CURRENCY if after.outcome == NEW_MRR else Unit.COUNT
        text = (f"{after.outcome} {figure(before, rep, before.per_week, unit)} → "
                f"{figure(after, rep, after.per_week, unit)}")
        if after.ties:
            text += (f", New MRR {figure(before, rep, before.ties, Unit.CURRENCY)} → "
                     f"{figure(after, rep, after.ties, Unit.CURRENCY)}")
        return text

    text = f"the top performers were {joined(before.top) if before.top else 'none'}"
    if before.outcome != after.outcome:
        text += f", ranked by {before.outcome}; now they are ranked by {after.outcome}"
    moves = [f"{name} {'joined' if name in came else 'left'} ({moved(name)})" for name in [*came, *left]]
    return f"{text}; {'; '.join(moves)} (a full week, pooled)"
