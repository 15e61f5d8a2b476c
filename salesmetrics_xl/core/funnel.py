"""From outcomes to actions: each rep's funnel, the activity an outcome target takes, and where the funnel leaks.

The method, stated once:
- The funnel is declared by the metrics: every rate metric (the catalog's and a team's own from its Ranges
  table) links its denominator to its numerator (Dials -> Conversations by Connect Rate, Conversations -> SQLs
  by Qualification Rate, ...). Two links have no rate metric of their own and are declared here: SQLs ->
  Opportunities and Deals Won -> New MRR (average deal size). A link whose columns are not in the data is not
  there: the chain stops, and no rate is ever assumed.
- Rates are pooled from each rep's counts over a trailing window (8 weeks unless asked), never averaged from
  weekly ratios. A rate pooled from fewer than 20 of its denominator (20 conversations, 20 dials...) is too thin:
  the team's pooled rate (same role) stands in for it, and the sentence says so.
- An OFF week (0 days worked) is not a week of zeros: it is left out of the rep's rates and weekly averages.
- The weekly activity an outcome target takes: the rep's own target (the range's Min times the rep's share of it
  for days worked, FTE and ramp, as the pace judges it) per week (a monthly target times 12/52), divided by the
  chain's rates, stage by stage back to the first activity. A rate of zero reaches nothing: no number.
- Recent change wins: when a rate of the rep's last 3 weeks differs clearly from the pooled one (by half or more,
  and by at least 2 outcomes of what the pooled rate expects), the plan uses the last 3 weeks and says so; the
  same for a weekly activity average that moved by a quarter or more.
- The leaking stage: at each link with a rate of the rep's own, the outcomes the rep would add at the top
  performers' rate at the rep's own volume; the link that costs the most is the leak. Effort is weighed with the
  same numbers: the outcomes the rep would add with the first activity of the chain up to its range's Min, at the
  rep's own rates. The one that costs the most is the rep's focus (core/decision.py). The top performers are
  chosen as the baseline chooses them (the top quarter by outcomes, from full weeks only), and the rep is left
  out of the set they are compared with: a rep who is the top performer has no one to be compared with.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesmetrics_xl.core.defaults import WEEKS as WINDOW_WEEKS
from salesmetrics_xl.core.defaults import check_weeks
from salesmetrics_xl.core.effective import Scales, role_codes
from salesmetrics_xl.core.evaluate import column_values, pooled_columns, scorecard_metrics, week_stamps
from salesmetrics_xl.core.metrics import (
    CATALOG,
    DEALS_WON,
    MONTHLY_FACTOR,
    NEW_MRR,
    OPPORTUNITIES,
    SQLS,
    Category,
    Period,
    Unit,
    format_value,
    singular,
    text_key,
)
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.ranking import Rankings
from salesmetrics_xl.core.rep_funnel import ActivityNeed, Gain, Leak, RepFunnel, StageRate
from salesmetrics_xl.core.text import joined, lower, shorten
from salesmetrics_xl.core.workbook import REP, ROLE

METHOD = __doc__.split("The method, stated once:\n", 1)[1].strip()  # type: ignore[union-attr]
MIN_COUNT = 20  # a rate pooled from fewer of its denominator is too thin to plan with
RECENT_WEEKS = 3  # the last weeks that win over the pooled window when they differ clearly
PERIODS = tuple(Period)  # iterating the enum itself, once per rep and outcome, cost a tenth of a rep's funnel
_MONTH, _PER = Period.MONTH, {p: p.value for p in Period}  # read once: an enum's member or value runs Python code


@dataclass(frozen=True)
class Link:
    """One conversion: ``source`` (the denominator) becomes ``stage`` (the numerator) at rate ``name``."""

    name: str
    stage: str
    source: str
    unit: Unit = Unit.RATE
    step: str = ""  # how the loss reads: "lost at connecting"

    @functools.cached_property  # every rep's sentence names it: worked out once per link
    def short(self) -> str:
        """The rate as a sentence names it: "connect" for Connect Rate."""
        return _SHORT.get(self.name, self.name.removesuffix(" Rate").removesuffix(" rate").lower())


_SHORT = {"Connect Rate": "connect", "Meeting Rate": "meeting", "Qualification Rate": "qualification",
          "Win Rate": "win", "Opportunity Rate": "SQL-to-opportunity", "Average Deal Size": "average deal"}
_STEPS = {"Connect Rate": "connecting", "Meeting Rate": "booking meetings", "Qualification Rate": "qualifying",
          "Win Rate": "closing", "Opportunity Rate": "turning SQLs into opportunities",
          "Average Deal Size": "deal size"}
# The two links the funnel names that no rate metric declares.
BRIDGES = (Link("Opportunity Rate", OPPORTUNITIES, SQLS, step=_STEPS["Opportunity Rate"]),
           Link("Average Deal Size", NEW_MRR, DEALS_WON, Unit.CURRENCY, _STEPS["Average Deal Size"]))


def funnel_links(ranges: RangeSet | None = None, columns: Sequence[str] | None = None) -> tuple[Link, ...]:
    """Every link the metric declarations make, the catalog's first, then a team's own rates, then the bridges;
    with ``columns``, only the links whose two columns are in the data."""
    metrics = scorecard_metrics(ranges) if ranges is not None else list(CATALOG)
    links = [Link(m.name, m.numerator, m.denominator, step=_STEPS.get(m.name, f"the {m.numerator} stage"))  # type: ignore[arg-type]
             for m in metrics if m.is_rate]
    links += [b for b in BRIDGES if not any(link.stage == b.stage for link in links)]
    if columns is not None:
        links = [link for link in links if link.stage in columns and link.source in columns]
    return tuple(links)


def chain(outcome: str, links: Sequence[Link]) -> list[Link]:
    """The links that lead to ``outcome``, nearest first (SQLs: Qualification Rate, then Connect Rate)."""
    out: list[Link] = []
    seen = {outcome}
    stage = outcome
    while (link := next((x for x in links if x.stage == stage and x.source not in seen), None)) is not None:
        out.append(link)
        seen.add(link.source)
        stage = link.source
    return out


def per_week(target: float, period: Period) -> float:
    return target / MONTHLY_FACTOR if period is _MONTH else target


def activity_needed(target_per_week: float, rates: Sequence[float]) -> list[float | None]:
    """The weekly count needed at each stage back up the chain, nearest first: target / r1, / (r1 r2), ...;
    None from the first rate that is zero or unknown on (no amount of activity reaches the target there)."""
    out: list[float | None] = []
    need: float | None = float(target_per_week)
    for r in rates:
        need = None if need is None or r is None or not r > 0 or not math.isfinite(r) else need / r
        out.append(need)
    return out


def outcomes_lost(rep_rates: Sequence[float], top_rates: Sequence[float | None], volume: float
                  ) -> list[float | None]:
    """Per link, the outcomes a week the rep would add at the top performers' rate at that link, all else the
    rep's own: volume x (top - rep) x the product of the other rates. Never divides, so a zero rate is fine."""
    out: list[float | None] = []
    for k, (mine, top) in enumerate(zip(rep_rates, top_rates, strict=True)):
        if top is None or mine is None:
            out.append(None)
            continue
        others = math.prod(r for j, r in enumerate(rep_rates) if j != k)
        out.append(volume * (top - mine) * others)
    return out


def _fmt_count(value: float | None, unit: Unit = Unit.COUNT) -> str:
    if value is None:
        return "none"
    if unit is Unit.CURRENCY:
        return format_value(value, unit)
    return f"{value:,.1f}" if abs(value) < 10 and round(value, 1) != round(value) else f"{value:,.0f}"


def _fmt_rate(value: float, unit: Unit) -> str:
    return format_value(value, unit, exact=True) if unit is Unit.RATE and value < 0.1 else format_value(value, unit)


def amount(text: str, name: str) -> str:
    """A formatted count and what it counts, singular for one: "1 SQL", "2 SQLs", "1 Deal Won"."""
    return f"{text} {singular(name) if text == '1' else name}"


@functools.lru_cache(maxsize=65536)  # one per rep: a team of 10,000 asks for each name several times
def first_name(rep: str) -> str:
    """How a sentence calls the rep: the first word of the name, shortened like any quoted user text."""
    words = rep.split(maxsplit=1)
    return shorten(words[0] if words else rep)


def _sums(columns: dict[str, np.ndarray], codes: np.ndarray, n: int, link: Link, rows: np.ndarray | None = None
          ) -> tuple[list[float], list[float]]:
    """Per group, the numerator and denominator pooled over the rows where both are there (pooled_sums' rule, on
    columns already taken out); with ``rows``, over those rows only."""
    num, den = columns[link.stage], columns[link.source]
    if rows is not None:
        num, den, codes = num[rows], den[rows], codes[rows]
    nums, dens = pooled_columns(num, den, codes, n)
    return nums.tolist(), dens.tolist()  # a rep's funnel reads them one by one, where numpy scalars are slow


def _rate(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


def rep_funnels(frame: pd.DataFrame, ranges: RangeSet, week: pd.Timestamp, people: list[tuple[str, str | None]],
                window: int = WINDOW_WEEKS, month: dict[tuple[str, str], float] | None = None,
                min_count: float = MIN_COUNT, scales: Scales | None = None) -> dict[str, RepFunnel]:
    """Each rep's funnel, every outcome target planned (see Funnels)."""
    plan = Funnels(frame, ranges, week, window, month, min_count, scales)
    return {rep: found for rep, role in people if (found := plan.rep(rep, role)) is not None}


class Funnels:
    """The window's counts pooled once for every rep, role and role's top performers (vectorised); a rep's
    funnel is then built on demand, so a summary pays only for the reps it plans for.

    ``frame`` has one row per rep and week, indexed 0..n-1 like ``scales`` (core/effective.py); the window is the
    ``window`` weeks ending with ``week``. ``month`` gives, per (rep, outcome), the pace's month-end projection.
    With ``scales``, OFF weeks are left out, and the top performers are chosen from full weeks, as the baseline
    chooses them."""

    def __init__(self, frame: pd.DataFrame, ranges: RangeSet, week: pd.Timestamp, window: int = WINDOW_WEEKS,
                 month: dict[tuple[str, str], float] | None = None, min_count: float = MIN_COUNT,
                 scales: Scales | None = None, label: Callable[[str], str] = str, rankings: Rankings | None = None):
        check_weeks(window, "window")
        self.ranges, self.month, self.min_count, self.window = ranges, month or {}, min_count, window
        self.label = label  # a column as the manager calls it ("Connects (Conversations)"), in every sentence
        self.word = Words(label).__getitem__
        self.links = links = funnel_links(ranges, list(frame.columns))
        # the window's rows, by position (picked with plain comparisons: pandas' cost more than the work here)
        stamps, end = week_stamps(frame), pd.Timestamp(week).to_datetime64()
        inside = (stamps <= end) & (stamps > end - np.timedelta64(7 * window, "D"))
        if scales is not None:  # an OFF week is not a week of zeros; only full weeks choose the top performers
            inside &= ~scales.off
        rows = np.flatnonzero(inside)
        full = np.ones(len(rows), dtype=bool) if scales is None else scales.activity[rows] == 1
        reps = frame[REP].to_numpy()[rows]
        rep_codes, rep_names = pd.factorize(reps)
        place = {name: i for i, name in enumerate(rep_names)}
        self.where = place if links else {}
        n = len(rep_names)
        roles = np.full(len(rows), "")
        if ROLE in frame:  # a role is the one the ranges match: "sdr " is "SDR" (text_key)
            codes, spelled = role_codes(frame[ROLE].to_numpy(dtype=object)[rows])
            roles = np.array([text_key(text) for text in spelled], dtype=object)[codes]
        role_codes_, role_names = pd.factorize(roles)
        self.role_of = {name: i for i, name in enumerate(role_names)}
        top_mask = np.zeros(len(rows), dtype=bool)
        self.top_reps: list[list[str]] = []
        self.top_sets: list[set[str]] = []
        self.top_place: list[dict[str, int]] = []  # a top rep's place in their role's list, to leave them out
        self.peers: list[int] = []
        self.no_top: list[str] = []  # per role, why it has no top performers at all ("" when it has)
        rankings = rankings or Rankings(ranges)
        for r in range(len(role_names)):
            chosen = full & (role_codes_ == r)
            found = rankings.of(frame.iloc[rows[chosen]])
            self.top_reps.append([rep for ranking in found for rep in ranking.top])
            self.top_sets.append(set(self.top_reps[-1]))
            self.top_place.append({rep: k for k, rep in enumerate(self.top_reps[-1])})
            self.peers.append(len(np.unique(rep_codes[chosen & (rep_codes >= 0)])))
            self.no_top.append("" if self.top_reps[-1] else "; ".join(x.empty_reason(brief=True) for x in found))
            top_mask |= chosen & np.isin(rep_codes, [place[rep] for rep in self.top_reps[-1] if rep in place])
        self.columns = columns = list(dict.fromkeys(c for x in links for c in (x.stage, x.source)))
        col = {c: column_values(frame, c)[rows] for c in columns}  # each column taken out once, as floats
        roles_n = len(role_names)
        self.rep_sums = {x.name: _sums(col, rep_codes, n, x) for x in links}
        late = stamps[rows] > end - np.timedelta64(7 * RECENT_WEEKS, "D") if window > RECENT_WEEKS \
            else np.zeros(len(rows), dtype=bool)
        self.recent_sums = {x.name: _sums(col, rep_codes, n, x, late) for x in links}
        self.recent_average: dict[str, list[float | None]] = {}
        self.team_sums = {x.name: _sums(col, role_codes_, roles_n, x) for x in links}
        self.top_sums = {x.name: _sums(col, role_codes_, roles_n, x, top_mask) for x in links}
        # each top performer's own part of the top sums: taken out when that rep is the one compared
        self.own_top_sums = {x.name: _sums(col, rep_codes, n, x, top_mask) for x in links}
        self.average: dict[str, list[float | None]] = {}  # per column, each rep's weekly average
        for c in columns:
            values = col[c]
            for where, out in ((np.ones(len(rows), dtype=bool), self.average), (late, self.recent_average)):
                ok = ~np.isnan(values) & where
                totals = np.bincount(rep_codes[ok], values[ok], minlength=n)
                counts = np.bincount(rep_codes[ok], minlength=n)
                with np.errstate(divide="ignore", invalid="ignore"):
                    out[c] = [None if k == 0 else v for v, k in zip((totals / counts).tolist(), counts.tolist(),
                                                                    strict=True)]
        self.by_link = [self._link_rates(x.name) for x in links]
        self.weeks = np.bincount(rep_codes, minlength=n).tolist()
        at = np.flatnonzero(stamps[rows] == end)
        shown = {c: col[c][at].tolist() for c in columns if c in frame}
        # this week's numbers per rep (a rep's last row, should there be two)
        self.latest = {rep: {c: v[k] for c, v in shown.items()} for k, rep in enumerate(reps[at])}
        metrics = scorecard_metrics(ranges)
        self.activity = {m.column for m in metrics if m.category is Category.ACTIVITY and m.column}
        self.paths = [(m, path) for m in metrics if m.category is Category.OUTCOME and not m.is_rate
                      and (path := chain(m.column, links))]  # type: ignore[arg-type]
        self._targets: dict[tuple[str, Period, str | None], float | None] = {}

    def _link_rates(self, rate: str) -> tuple[list, ...]:
        """One link's rates for every rep and role at once, as rep() reads them: per rep, the rep's own (None
        without a denominator), its count, whether it is thin, the rate the plan uses where it is not (the last
        weeks' where they differ clearly) and whether that is the last weeks'; per role, the team's (None where
        thin too) and the top reps'. numpy's float arithmetic is the one Python's floats do, figure by figure
        (tests/core/test_funnel.py holds them equal to one rep's sums worked out alone)."""
        num, den = (np.asarray(v, dtype=float) for v in self.rep_sums[rate])
        late_num, late_den = (np.asarray(v, dtype=float) for v in self.recent_sums[rate])
        with np.errstate(divide="ignore", invalid="ignore"):
            own, late = num / den, late_num / late_den
            thin = den < self.min_count
            # differs(), for every rep: by at least CHANGE_OUTCOMES of what the pooled rate expects, and by
            # CHANGE_SHARE of it
            recent = ~thin & (den > 0) & (late_den > 0) & (np.abs(late_num - own * late_den) >= CHANGE_OUTCOMES) & (
                np.abs(late - own) >= CHANGE_SHARE * own)
        mine = [v if ok else None for v, ok in zip(own.tolist(), (den > 0).tolist(), strict=True)]
        used = [v if r else m for v, r, m in zip(late.tolist(), recent.tolist(), mine, strict=True)]
        team = [_rate(a, b) if b >= self.min_count else None for a, b in zip(*self.team_sums[rate], strict=True)]
        top = [_rate(a, b) for a, b in zip(*self.top_sums[rate], strict=True)]
        return mine, self.rep_sums[rate][1], thin.tolist(), used, recent.tolist(), team, top

    def target(self, metric: str, period: Period, role: str | None) -> float | None:
        """The outcome range's Min for a role (looked up once per role, not once per rep)."""
        key = (metric, period, role)
        if key not in self._targets:
            found = self.ranges.lookup(metric, period, role)
            self._targets[key] = found.min if found is not None and found.min is not None and found.min > 0 \
                else None
        return self._targets[key]

    def top_of(self, role: str | None) -> list[str]:
        """The top performers of a role, as the baseline chooses them."""
        g = self.role_of.get(text_key(role) if isinstance(role, str) else "", None)
        return list(self.top_reps[g]) if g is not None and self.top_reps else []

    def pooled(self, rep: str, rate: str) -> tuple[float, float] | None:
        """A rep's numerator and denominator of a rate, pooled over the window; None when not in the data."""
        i = self.where.get(rep)
        if i is None or rate not in self.rep_sums:
            return None
        return self.rep_sums[rate][0][i], self.rep_sums[rate][1][i]

    def recent(self, rep: str, rate: str) -> tuple[float, float] | None:
        """The same over the last RECENT_WEEKS weeks."""
        i = self.where.get(rep)
        if i is None or rate not in self.recent_sums:
            return None
        return self.recent_sums[rate][0][i], self.recent_sums[rate][1][i]

    def weekly_average(self, rep: str, column: str) -> float | None:
        i = self.where.get(rep)
        return None if i is None or column not in self.average else self.average[column][i]

    def rep(self, rep: str, given_role: str | None, outcomes: Sequence[str] | None = None,
            shares: dict[tuple[str, Period], float] | None = None, floors: dict[str, float] | None = None
            ) -> RepFunnel | None:
        """One rep's rates and what each outcome target takes; with ``outcomes`` (those behind, in order), only
        the targets of the first of them that can be planned. ``shares`` (outcome, period) -> the share of the
        range's Min the rep is held to (days worked, FTE, ramp), as the verdict holds them; ``floors``: activity ->
        the Min of its range this week (effort is weighed up to it)."""
        i = self.where.get(rep)
        if i is None:
            return None
        role = given_role if isinstance(given_role, str) and given_role.strip() else None
        g = self.role_of.get(text_key(role), 0)
        group = self.top_reps[g] if self.top_reps else []
        is_top = rep in self.top_sets[g] if self.top_reps else False
        # the group's own list for a rep outside it (shared, not copied: 10,000 reps made 25 million references)
        top_reps = group[:(k := self.top_place[g][rep])] + group[k + 1:] if is_top else group
        rates = []
        for link, (mine, count, thin, used, recent, team, top) in zip(self.links, self.by_link, strict=True):
            if is_top:  # compared with the other top performers, never with themselves
                top_num, top_den = (s[g] for s in self.top_sums[link.name])
                top_num -= self.own_top_sums[link.name][0][i]
                top_den -= self.own_top_sums[link.name][1][i]
                best = _rate(top_num, top_den) if top_reps else None
            else:
                best = top[g] if top_reps else None
            # a thin rate: the team's is used; else the rep's (the last weeks' if they win). Given in StageRate's
            # order (rate, stage, source, unit, rep, count, team, top, used, thin, recent): by name took twice as long
            rates.append(StageRate(link.name, link.stage, link.source, link.unit, mine[i], count[i], team[g], best,
                                   team[g] if thin[i] else used[i], thin[i], recent[i]))
        by_name = {r.rate: r for r in rates}
        this_week = {c: None if v is None or v != v else float(v) for c, v in self.latest.get(rep, {}).items()}
        average = {c: self.average[c][i] for c in self.columns}
        moved = []
        for c in self.columns:  # an activity that moved by a quarter or more lately: the last weeks plan
            late, pooled = self.recent_average[c][i], average[c]
            if c in self.activity and late is not None and pooled and abs(late - pooled) >= 0.25 * pooled:
                average[c] = late
                moved.append(c)
        needs = []
        paths = self.paths if outcomes is None else [p for name in outcomes for p in self.paths if p[0].name == name]
        for metric, path in paths:
            for period in PERIODS:
                goal = self.target(metric.name, period, role)
                if goal is not None:
                    share = (shares or {}).get((metric.name, period), 1.0)
                    projection = self.month.get((rep, metric.name)) if period is _MONTH else None
                    needs.append(_need(rep, metric.name, metric.unit, period, goal * share, path, by_name,
                                       this_week, average, self.activity, projection, self.window, share,
                                       floors or {}, moved, self.word))
            if outcomes is not None and any(n.needed for n in needs):
                break  # the first outcome behind that can be planned is the one the summary plans
        return RepFunnel(rep=rep, role=role, weeks=int(self.weeks[i]), rates=rates, needs=needs, top_reps=top_reps,
                         peers=self.peers[g] if self.peers else 0, window=self.window,
                         no_top=self.no_top[g] if self.no_top else "")


CHANGE_OUTCOMES = 2  # a rate's change counts from this many outcomes off what the pooled rate expects
CHANGE_SHARE = 0.5  # and from this share of the pooled rate


def differs(num: float, den: float, pooled: float) -> bool:
    """Whether the last weeks' rate (num / den) differs clearly from the pooled one: by CHANGE_SHARE of it or more,
    and by at least CHANGE_OUTCOMES of what the pooled rate expects (one lost SQL is not a change)."""
    expected = pooled * den
    return abs(num - expected) >= CHANGE_OUTCOMES and abs(num / den - pooled) >= CHANGE_SHARE * pooled


class Words(dict[str, str]):
    """A column in the user's own word inside a sentence ("connects (conversations)"), worked out once per column:
    every rep's sentences name the same few."""

    def __init__(self, label: Callable[[str], str] = str) -> None:
        super().__init__()
        self.label = label

    def __missing__(self, column: str) -> str:
        found = self[column] = lower(self.label(column))
        return found


def _need(rep: str, outcome: str, unit: Unit, period: Period, target: float, path: list[Link],
          rates: dict[str, StageRate], this_week: dict[str, float | None], average: dict[str, float | None],
          activity: set[str], projection: float | None, window: int = WINDOW_WEEKS, share: float = 1.0,
          floors: dict[str, float] | None = None, moved: Sequence[str] = (), word: Callable[[str], str] = lower
          ) -> ActivityNeed:
    """``word``: a column in the user's own word inside a sentence (Words)."""
    name = first_name(rep)
    weekly = per_week(target, period)
    goal = amount(_fmt_target(target, unit), outcome)  # as the pace line shows the rep's own range
    over = f"over the last {window} weeks" if window > 1 else "this week"
    lately = f"in the last {RECENT_WEEKS} weeks"
    factor = MONTHLY_FACTOR if period is _MONTH else 1.0
    per = _PER[period]  # "week", "month"
    used, notes, links = [], [], []
    for link in path:
        r = rates[link.name]
        if r.used is None:
            notes.append(f"{link.name}: too few {word(link.source)} ({r.count:g}) to know the rate, even for the "
                         "team; the chain stops there")
            break
        if r.thin:
            notes.append(f"{link.name}: {name} had {r.count:g} {word(link.source)} {over}, too few for a "
                         f"rate of {name}'s own; the team's {_fmt_rate(r.used, link.unit)} is used")
        links.append(link)
        used.append(r.used)
    counts = activity_needed(weekly, used)
    needed = {link.source: count for link, count in zip(links, counts, strict=True)}
    zero = None
    for link, count in zip(links, counts, strict=True):
        if count is None:
            when = lately if rates[link.name].recent else over
            notes.append(f"{link.name} is 0% ({rates[link.name].count:g} {word(link.source)} {over}, none "
                         f"converted {when}): no amount of {word(link.source)} reaches {goal} at it"
                         if rates[link.name].recent else
                         f"{link.name} is 0% ({rates[link.name].count:g} {word(link.source)} {over}): "
                         f"no amount of {word(link.source)} reaches {goal} at it")
            zero = link.name
            break
    root = links[-1].source if links else None
    leak = None
    gains: list[Gain] = []
    compared = [x.name for x in links if not rates[x.name].thin and rates[x.name].top is not None]
    if compared and average.get(root) is not None:  # type: ignore[arg-type]
        # a thin link cannot be judged, but its (team) rate still carries the rep's volume through
        tops = [rates[x.name].top if x.name in compared else None for x in links]
        lost = outcomes_lost(used, tops, average[root] or 0.0)  # type: ignore[index]
        for k, v in enumerate(lost):
            if v is not None and v > 0:
                r = rates[links[k].name]
                gains.append(Gain(links[k].name, links[k].stage, links[k].source, links[k].unit, r.used, r.top,  # type: ignore[arg-type]
                                  v * factor, recent=r.recent))
        best = max((k for k, v in enumerate(lost) if v is not None and v > 0), key=lambda k: lost[k], default=None)
        if best is not None:
            link, r = links[best], rates[links[best].name]
            lost_here = lost[best] * factor  # type: ignore[operator]
            leak = Leak(rate=link.name, stage=link.stage, rep=r.used, top=r.top, lost=lost_here,  # type: ignore[arg-type]
                        sentence=f"{link.name} {_fmt_rate(r.used, link.unit)} {lately if r.recent else over} vs "  # type: ignore[arg-type]
                                 f"{_fmt_rate(r.top, link.unit)} for the top reps: about "  # type: ignore[arg-type]
                                 f"{amount(_fmt_count(lost_here, unit), outcome)} a {per} "
                                 f"lost at {link.step}", unit=link.unit, source=link.source, recent=r.recent)
    # effort, with the same numbers: the first activity of the chain with a range, up to its Min, at the rep's
    # own rates from there to the outcome
    for k in range(len(links) - 1, -1, -1):
        source = links[k].source
        floor, mine = (floors or {}).get(source), average.get(source)
        if floor is None or mine is None:
            continue
        if floor > mine and (more := (floor - mine) * math.prod(used[:k + 1]) * factor) > 0:
            gains.append(Gain(source, source, source, Unit.COUNT, mine, floor,
                              more, effort=True,
                              recent=source in moved))
        break
    gains.sort(key=lambda g: -g.outcomes)
    shown = [s for s in needed if s in activity] or list(needed)
    sentence = ""
    if links:
        late = f" (last {RECENT_WEEKS} weeks)"
        own = [f"{_fmt_rate(r, x.unit)} {x.short}{late if rates[x.name].recent else ''}"
               for x, r in zip(links, used, strict=True) if not rates[x.name].thin]
        team = [f"{_fmt_rate(r, x.unit)} {x.short}" for x, r in zip(links, used, strict=True) if rates[x.name].thin]
        what = f"{goal} a {per} at "
        if own:
            what += f"{name}'s {joined(own)} rate{'s' if len(own) > 1 else ''} {over}"
            if team:
                what += f" (the team's {joined(team)} rate{'s' if len(team) > 1 else ''}: too few of {name}'s own)"
        else:
            what += f"the team's {joined(team)} rate{'s' if len(team) > 1 else ''} (too few of {name}'s own)"
        if all(needed[s] is not None for s in shown):
            takes = ", or ".join(f"about {_fmt_count(needed[s])} {word(s)}" for s in shown)
            did = [_fmt_count(this_week.get(s)) for s in shown]
            sentence = f"{what} takes {takes}, a week. {name} did {joined(did)}"
            if moved and (late := [s for s in shown if s in moved]):
                sentence += (f" this week, and averaged {joined([_fmt_count(average.get(s)) for s in late])} "
                             f"{joined([word(s) for s in late])} in the last {RECENT_WEEKS} weeks")
            sentence += "."
        else:
            sentence = f"{what} cannot be reached by more activity: {notes[-1]}."
    return ActivityNeed(
        outcome=outcome, unit=unit, period=period, target=target, target_per_week=weekly,
        rates=[x.name for x in links], needed=needed, this_week={s: this_week.get(s) for s in needed},
        average={s: average.get(s) for s in needed}, activity=root, projection=projection, compared=compared,
        leak=leak, notes=notes, sentence=sentence, share=share, gains=gains, zero=zero,
        recent=[x.name for x in links if rates[x.name].recent] + [s for s in moved if s in needed])


def _fmt_target(value: float, unit: Unit) -> str:
    """A rep's own target as the pace line shows it (core/effective.describe): one decimal at most."""
    return format_value(round(value, 0 if unit is Unit.CURRENCY else 1), unit, exact=True)


def goal_text(need: ActivityNeed) -> str:
    """The target a need plans for, as the sentence says it: "1.6 Deals Won a month", "1 SQL a week"."""
    return f"{amount(_fmt_target(need.target, need.unit), need.outcome)} a {need.period.value}"


def no_top_reps(funnel: RepFunnel) -> str:
    """Why a rep has no top performers to be compared with: alone in the role, the top one, or no one of the role
    had a full week to be chosen from (OFF, short, part-time and ramp weeks never choose the top performers)."""
    who = funnel.role or "rep"
    if funnel.peers == 0:
        return f"no {who} had a full week in the window"
    if funnel.no_top:  # none of the role had the outcome it is ranked by: no one is a top performer
        return funnel.no_top
    return f"{first_name(funnel.rep)} is the {'only' if funnel.peers == 1 else 'top'} {who}"


def focus(funnel: RepFunnel) -> ActivityNeed | None:
    """The need a summary shows for a rep who is behind: the first outcome behind (a monthly target before a
    weekly one, as the verdict judges monthly outcomes by pace) that has a chain to plan with."""
    for outcome in funnel.behind_on:
        found = [n for n in funnel.needs if n.outcome == outcome and n.needed]
        if found:
            return sorted(found, key=lambda n: n.period is not Period.MONTH)[0]
    return None


def funnel_sentence(funnel: RepFunnel | None, rate_below: bool = False) -> str:
    """What the diagnosis adds for a rep who is behind: where the funnel leaks and the activity the target takes.
    "The gap is volume" only where it is true: the rep converts as well as the top reps at every stage, no rate
    is below its range (``rate_below``) and more activity reaches the target."""
    need = focus(funnel) if funnel is not None else None
    if need is None or funnel is None:
        return ""
    own = [r for r in funnel.rates if r.rate in need.rates and not r.thin]
    if need.leak is not None:
        leak = f"Leak: {need.leak.sentence}."
    elif own and not funnel.top_reps:
        leak = f"No top reps to compare with: {no_top_reps(funnel)}."
    elif need.compared:
        leak = "No stage converts below the top reps"
        volume = not rate_below and all(v is not None for v in need.needed.values())
        leak += "; the gap is volume." if volume else "."
    else:
        leak = "Too few counts of the rep's own to say where the funnel leaks."
    return f"{leak} {need.sentence}"
