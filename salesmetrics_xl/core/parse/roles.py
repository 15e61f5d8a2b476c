"""Roles as the ranges know them: a Role with no range of its own is said once, and each Role is kept under
one spelling."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from salesmetrics_xl.core.effective import Roster
from salesmetrics_xl.core.metrics import closest_name, text_key, trim
from salesmetrics_xl.core.problems import Problem, Severity
from salesmetrics_xl.core.ranges import RangeSet
from salesmetrics_xl.core.text import listing, shorten
from salesmetrics_xl.core.tracking import ROW, TrackingData
from salesmetrics_xl.core.workbook import ROLE


def check_roles(tracking: TrackingData, ranges: RangeSet, reps: dict[str, dict[str, object]] | None = None,
                roster: Roster | None = None) -> list[Problem]:
    """A Role (in Tracking, or on the Reps sheet) that matches no Role of Ranges while Ranges has ranges of its
    own for some roles: its rows are judged by the general ranges, by the core and the formulas alike. Said once
    per role at its first cell, so a typo ("S.D.R.") is not silently judged as everyone else; a warning when a
    known Role is close to it, else a note (an AE judged by the general range may be meant)."""
    own = [r for r in ranges.rules if r.role is not None]
    if not own:
        return []
    known = list(dict.fromkeys(r.role for r in own if r.role))
    keys = {text_key(r) for r in known}
    metrics = ", ".join(dict.fromkeys(r.metric.name for r in own))
    found: list[tuple[str, str, str]] = []  # (role, sheet, cell) in reading order, Tracking first
    frame, letter = tracking.frame, tracking.letters.get(ROLE)
    if letter and ROLE in frame:
        firsts = frame.groupby(ROLE, sort=False)[ROW].min().sort_values()
        found += [(str(role), tracking.sheet, f"{letter}{int(row)}") for role, row in firsts.items()]
    if roster is not None and ROLE in roster.letters:
        found += [(str(rec[ROLE]), roster.sheet, f"{roster.letters[ROLE]}{rec['row']}") for rec in (reps or {}).values()
                  if rec.get(ROLE)]
    problems, seen = [], set(keys)
    for role, sheet, cell in found:
        if (key := text_key(role)) in seen:
            continue
        seen.add(key)
        close = closest_name(role, {k: () for k in known})
        problems.append(Problem(
            severity=Severity.WARNING if close else Severity.NOTE, code="unknown-role", file=tracking.file,
            sheet=sheet, cell=cell,
            message=f"the Role '{shorten(role)}' has no range of its own in {ranges.sheet or 'Ranges'} (Roles there: "
                    f"{listing(known)}), so its rows are judged by the general range of {metrics}"
                    + (f"; did you mean '{shorten(close)}'?" if close else "")))
    return problems


def one_spelling_per_role(tracking: TrackingData, ranges: RangeSet) -> TrackingData:
    """Each Role under one spelling, so that what groups reps by role (the baseline, the funnel's top reps, the
    roles a summary lists) sees " sdr " and "SDR" as the one role the ranges and formulas judge them as: the
    spelling of the Ranges row when it has one, else the most common in Tracking. Blank Roles become none."""
    import pandas as pd
    codes, spellings = pd.factorize(tracking.frame[ROLE])  # each spelling once, in order of first appearance
    rows = np.bincount(codes[codes >= 0], minlength=len(spellings))
    canonical = {text_key(rule.role): trim(rule.role) for rule in reversed(ranges.rules) if rule.role}
    counts: dict[str, dict[str, int]] = {}  # key -> trimmed spelling -> rows
    for role, n in zip(spellings, rows, strict=True):
        if isinstance(role, str) and (key := text_key(role)):
            spelled = counts.setdefault(key, {})
            spelled[trim(role)] = spelled.get(trim(role), 0) + int(n)
    for key, spelled in counts.items():
        canonical.setdefault(key, max(spelled, key=spelled.__getitem__))  # the first of the most common
    mapped = [canonical.get(text_key(r)) if isinstance(r, str) else None for r in spellings]
    if mapped == list(spellings) and not (codes < 0).any():
        return tracking
    frame = tracking.frame.copy()
    frame[ROLE] = pd.Series(np.array([*mapped, None], dtype=object)[codes], index=frame.index, dtype=object)
    return replace(tracking, frame=frame)
