"""What counts as evidence before a rep is judged, stated once:

- Small numbers are not evidence: a weekly rate resting on fewer counts than the funnel's minimum (MIN_COUNT of its
  denominator) is shown, but the rep's rate pooled over the window judges it (or, with too few even there, nothing
  does); when the last weeks differ clearly from the window, they judge it instead (recent change wins).
- An outcome target the role's top reps themselves project below (every top rep under the range's Min, the best
  at a quarter of it or more, in a role of 3 reps or more) looks out of reach: the range, not the reps.
- Effort is weighed up to each activity's weekly Min for the rep this week (moved by days worked, FTE and ramp).

The summary (core/summary.py) calls these per rep; the decision (core/decision.py) reads what they found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from salesmetrics_xl.core.decision import OutOfReach
from salesmetrics_xl.core.funnel import RECENT_WEEKS, Funnels, amount, differs, lower
from salesmetrics_xl.core.metrics import Category, Metric, Period, Range, format_value, text_key
from salesmetrics_xl.core.pace import MonthlyPace
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.status import Status


def floors(find: Callable[..., Range | None], activity: list[Metric], role: str | None, scales: dict[str, float]
            ) -> dict[str, float]:
    """Each activity's weekly Min for the rep this week (moved by days worked, FTE and ramp): effort is weighed
    up to it."""
    out = {}
    for m in activity:
        found = find(m.name, Period.WEEK, role)
        if found is not None and found.min is not None and m.column:
            out[m.column] = found.min * scales.get(m.name, 1.0)
    return out


_JUDGED = frozenset({Status.BELOW, Status.IN_RANGE, Status.ABOVE})


def thin_rates(rep: str, role: str | None, rates: list[Metric], counts: Mapping[str, Mapping[int, float]], i: int,
                judged: dict[str, Status], values: Mapping[str, Mapping[int, float]],
                find: Callable[..., Range | None], plan: Funnels
                ) -> tuple[dict[str, str], dict[str, float | None]]:
    """Small numbers are not evidence: a weekly rate resting on fewer counts than the funnel's minimum is shown,
    but the rep's rate pooled over the window judges it (or, with too few even there, nothing does). Changes
    ``judged`` in place; returns why, per rate, and the pooled rate. ``counts`` (each rate's denominator) and
    ``values`` by metric, then by row ``i``."""
    thin: dict[str, str] = {}
    pooled: dict[str, float | None] = {}
    for m in rates:
        count = counts[m.name][i]
        if judged[m.name] not in _JUDGED or not count < plan.min_count:
            continue
        weekly = format_value(values[m.name][i], m.unit, exact=True)
        found = find(m.name, Period.WEEK, role)
        sums = plan.pooled(rep, m.name)
        late = plan.recent(rep, m.name)
        if sums is not None and late is not None and late[1] >= plan.min_count and sums[1] > 0 and \
                differs(late[0], late[1], sums[0] / sums[1]):  # recent change wins here too
            sums, span = late, f"the last {RECENT_WEEKS} weeks"
        else:
            span = f"the last {plan.window} weeks"
        few = f"{weekly} this week rests on {amount(f'{count:g}', lower(m.denominator or ''))}"
        if sums is not None and sums[1] >= plan.min_count and found is not None:
            rate = sums[0] / sums[1]  # the status rule for one number, without an array for it
            status = Status.BELOW if found.min is not None and rate < found.min else \
                Status.ABOVE if found.max is not None and rate > found.max else Status.IN_RANGE
            judged[m.name], pooled[m.name] = status, rate
            thin[m.name] = (f"{few}: {format_value(rate, m.unit, exact=True)} over {span} ({sums[1]:g}) decides, "
                            f"{status.lower()} {found.describe(m.unit)}")
        else:
            judged[m.name], pooled[m.name] = Status.NO_DATA, None
            thin[m.name] = f"{few}, too few to judge even over the last {plan.window} weeks"
    return thin, pooled


def targets_out_of_reach(plan: Funnels, ranges: RangeSet, monthly: list[MonthlyPace],
                          people: list[tuple[str, str | None]]) -> dict[str, dict[tuple[str, Period], OutOfReach]]:
    """Per role (text_key), the outcome targets the role's top reps themselves project below: every top rep with a
    projection (a monthly target) or a weekly average (a weekly one) under the range's Min, the best at a quarter
    of it or more, in a role of 3 reps or more."""
    projection = {(p.rep, p.metric): p.projection for p in monthly}
    out: dict[str, dict[tuple[str, Period], OutOfReach]] = {}
    outcomes = [m for m in ranges.metrics if m.category is Category.OUTCOME and not m.is_rate and m.column]
    size: dict[str, int] = {}
    for _, role in people:
        key = text_key(role if isinstance(role, str) else "")
        size[key] = size.get(key, 0) + 1
    for role in dict.fromkeys(role if isinstance(role, str) and role.strip() else None for _, role in people):
        top = plan.top_of(role)
        if not top or size.get(text_key(role or ""), 0) < 3:  # fewer than 3 reps: no top reps to speak of
            continue
        found: dict[tuple[str, Period], OutOfReach] = {}
        for m in outcomes:
            for period in Period:
                rule = ranges.lookup(m.name, period, role)
                if rule is None or rule.min is None or rule.min <= 0:
                    continue
                seen = {rep: projection.get((rep, m.name)) if period is Period.MONTH
                        else plan.weekly_average(rep, m.column) for rep in top}  # type: ignore[arg-type]
                seen = {rep: v for rep, v in seen.items() if v is not None}
                # the top reps produce, but even they fall short: the target, not the reps. Top reps who produce
                # next to nothing (under a quarter of the target) point at the funnel, not the target
                if seen and all(v < rule.min for v in seen.values()) and max(seen.values()) >= rule.min / 4:
                    found[(m.name, period)] = check = OutOfReach(metric=m.name, period=period, role=role,
                                                                 target=rule.min, unit=m.unit, top=seen)
                    check.text = check.sentence()  # worded once, not once per rep behind on it
        out[text_key(role or "")] = found
    return out
