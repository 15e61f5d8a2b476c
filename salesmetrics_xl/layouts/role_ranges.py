"""Role ranges looked up in a table instead of chained into every formula, when a chain would not fit.

A metric's bound for a row is its role's own Min or Max when the row's Role has a range, else the general one.
For a few roles that is a chain of IFs inside the status formula, easy to read. With hundreds of roles (500 roles
x 10 ranges made formulas of 146,937 characters; Excel takes 8,192) the chain cannot be written, and a Role longer
than 255 characters cannot be a text constant at all. Such a metric's role ranges are then listed on the
Evaluation sheet (Metric, Role, Min, Max, the bounds live references to the Ranges cells) and each formula looks
the row's Role up there: the same rule (TRIM both sides, case ignored, the first matching row in Ranges order,
else the general range), in a formula whose length no longer depends on the number or length of the roles.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from salesmetrics_xl.core.cell_values import unwritable
from salesmetrics_xl.core.metrics import Period, trim
from salesmetrics_xl.core.problems import column_letter
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.text import FORMULA_LIMIT, units
from salesmetrics_xl.layouts.sheet import (
    MAX_LITERAL,
    SheetLayout,
    Style,
    same_text,
    same_text_in,
    sheet_ref,
)

# A bound appears up to 12 times in a status formula (three times per side in the status rule, twice again when it
# is scaled, both sides), beside a few hundred characters of its own: a chain is written only when 14 of it fit.
CHAIN_LIMIT = FORMULA_LIMIT // 14
# The longest Role reference a formula may use (a quoted 31-character sheet name and the last cell), so the choice
# between a chain and a look-up is the same for the Evaluation sheet and the Tracking sheet's checks.
_LONGEST_REF = "'" + "x" * 31 + "'!$XFD$1048576"
HEADERS = ("Metric (role ranges)", "Role", "Min", "Max")


def weekly_rules(ranges: RangeSet, metric: str) -> list[RangeRule]:
    return [r for r in ranges.rules if r.metric.name == metric and r.period is Period.WEEK]


def bound_ref(rule: RangeRule | None, side: str, ranges: RangeSet) -> str:
    """A rule's Min or Max as a formula expression: its Ranges cell (live), else its value, else blank."""
    if rule is None:
        return '""'
    value = rule.range.min if side == "min" else rule.range.max
    cell = rule.min_cell if side == "min" else rule.max_cell
    if cell and ranges.sheet:
        return sheet_ref(ranges.sheet, _absolute(cell))
    return '""' if value is None or not math.isfinite(value) else repr(value)


def _absolute(ref: str) -> str:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return f"${letters}${ref[len(letters):]}"


def chain(rules: list[RangeRule], side: str, role_ref: str, general: str, ranges: RangeSet,
          is_role: Callable[[str, RangeRule], str]) -> str:
    """The bound as IFs over the roles, the first role rule (in Ranges order) winning."""
    expr = general
    for rule in reversed([r for r in rules if r.role is not None]):
        expr = f"IF({is_role(role_ref, rule)},{bound_ref(rule, side, ranges)},{expr})"
    return expr


def chain_fits(rules: list[RangeRule], ranges: RangeSet) -> bool:
    """Whether this metric's roles are chained: the chain is short enough and every Role fits a text constant
    (at most 255 characters). A Role holding a character no workbook can hold is chained too: the chain says so,
    naming its Ranges cell."""
    roles = [trim(r.role) for r in rules if r.role is not None]
    if not roles or any(unwritable(role) is not None for role in roles):
        return True
    if any(units(role) > MAX_LITERAL for role in roles):
        return False
    return all(len(chain(rules, side, _LONGEST_REF, '""', ranges,
                         lambda ref, rule: same_text(ref, rule.role or ""))) <= CHAIN_LIMIT for side in ("min", "max"))


class RoleTable:
    """Where the looked-up metrics' role ranges sit on the Evaluation sheet: one block of rows per metric, in the
    Ranges sheet's order, from row 3 down, in four columns starting at ``column``."""

    def __init__(self, ranges: RangeSet, column: int):
        self.ranges, self.column = ranges, column
        self.blocks: dict[str, tuple[int, int]] = {}
        self.rows: list[RangeRule] = []
        row = 3
        for metric in dict.fromkeys(r.metric.name for r in ranges.rules):
            rules = weekly_rules(ranges, metric)
            roles = [r for r in rules if r.role is not None]
            if roles and not chain_fits(rules, ranges):
                self.blocks[metric] = (row, row + len(roles) - 1)
                self.rows += roles
                row += len(roles)

    def _range(self, offset: int, metric: str, sheet: str | None) -> str:
        first, last = self.blocks[metric]
        letter = column_letter(self.column + offset)
        ref = f"${letter}${first}:${letter}${last}"
        return sheet_ref(sheet, ref) if sheet else ref

    def lookup(self, metric: str, side: str, role_ref: str, general: str, sheet: str | None = None) -> str | None:
        """The bound as a look-up of the row's Role in the table, or None when the metric's roles are chained.
        ``sheet`` is the Evaluation sheet's name when the formula is on another sheet."""
        if metric not in self.blocks:
            return None
        found = same_text_in(role_ref, self._range(1, metric, sheet))
        return f"IFERROR(INDEX({self._range(2 if side == 'min' else 3, metric, sheet)},{found}),{general})"

    def write(self, sheet: SheetLayout, header: Style | None = None) -> None:
        """The table's cells: the Role as text (as the chain's constant would hold it), the bounds as live
        references to the Ranges cells, blank staying blank (a blank side is open)."""
        if not self.rows:
            return
        for k, name in enumerate(HEADERS):
            sheet.put(2, self.column + k, name, header)
            sheet.widths[self.column + k] = 22 if k < 2 else 9
        for n, rule in enumerate(self.rows, start=3):
            sheet.put(n, self.column, rule.metric.name)
            sheet.put(n, self.column + 1, trim(rule.role or ""))
            for k, side in ((2, "min"), (3, "max")):
                value = rule.range.min if side == "min" else rule.range.max
                cached = value if value is not None and math.isfinite(value) else ""
                ref = bound_ref(rule, side, self.ranges)
                if (rule.min_cell if side == "min" else rule.max_cell) and self.ranges.sheet:
                    sheet.put(n, self.column + k, cached, formula=f'IF(ISNUMBER({ref}),{ref},"")')
                else:
                    sheet.put(n, self.column + k, None if cached == "" else cached)
