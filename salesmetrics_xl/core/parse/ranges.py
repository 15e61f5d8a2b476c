"""The Ranges sheet: one row per metric (and period, and role) -> RangeSet; and the built-in ranges."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from salesmetrics_xl.core.cell_values import literal_reason, shown
from salesmetrics_xl.core.metrics import (
    CATALOG,
    Category,
    Metric,
    Period,
    Range,
    Unit,
    normalise,
    parse_ratio,
    text_key,
)
from salesmetrics_xl.core.names import split_period
from salesmetrics_xl.core.parse.header import find_header, missing_columns_problem
from salesmetrics_xl.core.parse.values import Row, cell_text, filled, parse_number, role_text
from salesmetrics_xl.core.periods import period_assumed_problem
from salesmetrics_xl.core.problems import Problem, Severity, column_letter
from salesmetrics_xl.core.ranges import RangeRule, RangeSet
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.core.workbook import (
    CATEGORY,
    FORMULA,
    MAX,
    METRIC,
    MIN,
    NOTES,
    PERIOD,
    RANGES,
    ROLE,
    UNIT,
    default_range_rows,
    metric_named,
    parse_category,
    parse_period,
    parse_unit,
)


def _bound(value: object, unit: Unit) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_number(value)
    if unit is Unit.RATE and number > 1:
        raise ValueError(f"{number:g} is a rate above 100%; write {number:g}% (or {number / 100:g})")
    return number


def default_ranges() -> RangeSet:
    """The built-in ranges, used when a workbook has no Ranges sheet (they live in no cell)."""
    ranges = parse_ranges(_rows_of(default_range_rows()), tracking_columns=[])[0]
    return RangeSet(rules=[r.model_copy(update={"cell": None, "min_cell": None, "max_cell": None})
                           for r in ranges.rules], sheet=None, letters={})


def _rows_of(records: list[dict[str, object]]) -> list[Row]:
    names = [c.name for c in RANGES.columns]
    return [tuple(names)] + [tuple(r.get(n) for n in names) for r in records]


def parse_ranges(rows: Iterable[Row], *, tracking_columns: list[str], file: str = "", sheet: str = RANGES.name
                 ) -> tuple[RangeSet, list[Problem]]:
    """The Ranges sheet's rows -> RangeSet. ``tracking_columns`` are the columns a user's formula may use."""
    materialised = [tuple(r) for r in rows]
    header = find_header(materialised, RANGES, (METRIC,))
    if header is None or not ({MIN, MAX} & header.columns.keys()):
        return RangeSet(rules=[]), [missing_columns_problem(materialised, RANGES, (METRIC,), file, sheet,
                                                            any_of=(MIN, MAX))]
    problems: list[Problem] = []
    rules: list[RangeRule] = []
    seen: dict[tuple[str, str, str], str] = {}
    read_as_week: list[tuple[int, str]] = []  # (row, metric): no period given anywhere, so read as a week's
    known_columns = list(dict.fromkeys([*(m.column for m in CATALOG if m.column), *tracking_columns]))

    for number, row in enumerate(materialised[header.row:], start=header.row + 1):
        def get(name: str, row: Row = row) -> object:
            index = header.columns.get(name)
            return row[index] if index is not None and index < len(row) else None

        def cell(name: str, number: int = number) -> str:
            index = header.columns.get(name, header.columns[METRIC])
            return f"{column_letter(index + 1)}{number}"

        def error(message: str, column: str) -> None:
            problems.append(Problem(severity=Severity.ERROR, code="bad-range", message=message, file=file,
                                    sheet=sheet, cell=cell(column)))

        name = cell_text(get(METRIC))
        if name is None:
            if any(cell_text(v) for v in row):
                error("this row has no metric name", METRIC)
            continue
        formula = cell_text(get(FORMULA))
        try:
            metric, named_period = _metric_for(name, formula, get, known_columns)
        except ValueError as exc:
            error(str(exc), FORMULA if formula and "formula" in str(exc) else METRIC)
            continue
        period = parse_period(get(PERIOD))
        if period is None:
            error(f"{shorten(name)}: period '{shorten(shown(get(PERIOD)))}' must be week or month", PERIOD)
            continue
        given = filled(get(PERIOD))
        if given and named_period is not None and named_period is not period:
            error(f"{name}: the name says a {named_period.value} but Period says {period.value}; make them agree",
                  PERIOD)
            continue
        # no period in a cell or in the name: a week's. A rate is the same share whatever the period, so only a
        # count or an amount can be misread (a month's 6 SQLs judged as a week's): those are warned about.
        assumed = not given and named_period is None and not metric.is_rate
        period = period if given else (named_period or Period.WEEK)
        try:
            low, high = _bound(get(MIN), metric.unit), _bound(get(MAX), metric.unit)
        except ValueError as exc:
            error(f"{shorten(name)}: {exc}", MIN if _bad(get(MIN), metric.unit) else MAX)
            continue
        if low is not None and high is not None and low > high:
            error(f"{shorten(name)}: Min {low:g} is greater than Max {high:g}", MIN)
            continue
        role = role_text(get(ROLE))
        if role and (reason := literal_reason(role)) is not None:  # the Evaluation sheet's formulas compare it
            error(f"{name}: the Role {reason}", ROLE if ROLE in header.columns else METRIC)
            continue
        key = (normalise(metric.name), period.value, text_key(role))
        if key in seen:
            again = shorten(name) if normalise(name) == normalise(metric.name) else f"{shorten(name)}: {metric.name}"
            error(f"{again} ({period.value}{', ' + shorten(role) if role else ''}) already has a range in "
                  f"{seen[key]}", METRIC)
            continue
        seen[key] = cell(METRIC)
        if assumed and PERIOD not in header.columns:
            read_as_week.append((number, name))
        rules.append(RangeRule(metric=metric, period=period, role=role, range=Range(min=low, max=high),
                               notes=cell_text(get(NOTES)) or "", cell=cell(METRIC), period_assumed=assumed,
                               min_cell=cell(MIN) if MIN in header.columns else None,
                               max_cell=cell(MAX) if MAX in header.columns else None))
    letters = {name: column_letter(i + 1) for name, i in header.columns.items()}
    if not rules and not any(p.severity is Severity.ERROR for p in problems):  # a header and nothing under it
        problems.append(Problem(severity=Severity.WARNING, code="no-ranges", file=file, sheet=sheet,
                                message="the Ranges sheet has its header but no ranges under it, so nothing is "
                                        "judged: add a row per metric (its period and a min or max), or run "
                                        "baseline for suggestions"))
    if read_as_week:
        problems.append(period_assumed_problem(read_as_week, PERIOD in header.columns, file, sheet,
                                               f"{column_letter(header.columns[METRIC] + 1)}{read_as_week[0][0]}"))
    return RangeSet(rules=rules, sheet=sheet, header_row=header.row, letters=letters), problems


def _bad(value: object, unit: Unit) -> bool:
    try:
        _bound(value, unit)
        return False
    except ValueError:
        return True


def _metric_for(name: str, formula: str | None, get: Callable[[str], object], known_columns: list[str]
                ) -> tuple[Metric, Period | None]:
    """A catalog metric by name, or the user's own: a ratio formula, or one of their extra tracking columns; with
    the period the name gives ("SQLs per month"), if it gives one."""
    period: Period | None = None
    try:
        metric, period = metric_named(name)
    except KeyError as exc:
        metric = None
        unknown = exc.args[0]
    if metric is not None and not (formula and metric.is_rate and normalise(formula) != normalise(metric.formula)):
        return metric, period
    category = parse_category(get(CATEGORY))
    if formula:
        numerator, denominator = parse_ratio(formula, known_columns)
        return Metric(name=name, category=category or (metric.category if metric else Category.QUALITY),
                      unit=Unit.RATE, numerator=numerator, denominator=denominator), period
    own, period = split_period(name)
    column = next((c for c in known_columns if normalise(c) in (normalise(name), normalise(own))), None)
    if column is not None and normalise(column) == normalise(name):
        own, period = name, None  # a column of theirs whose name only looks like it holds a period
    if column is None:
        raise ValueError(unknown + "; your own metric needs a Formula like 'Replies / Emails' or a Tracking "
                         "column of that name" if "; known: " in unknown else unknown)
    if category is None:
        raise ValueError(f"{shorten(name)}: your own metric needs a Category (activity, quality or outcome)")
    unit = parse_unit(get(UNIT)) or Unit.COUNT
    return Metric(name=own, category=category,
                  unit=unit if unit is not Unit.RATE else Unit.COUNT, column=column), period
