"""What we measure: metrics, their categories, and the ranges they are judged against.

Pure Python: the UDFs, the CLI and the writers all import this, so it must stay free of any
spreadsheet library.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from salesmetrics_xl.core.text import listing, shorten


class Category(StrEnum):
    ACTIVITY = "activity"
    QUALITY = "quality"
    OUTCOME = "outcome"


class Unit(StrEnum):
    COUNT = "count"
    CURRENCY = "currency"
    RATE = "rate"


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


MONTHLY_FACTOR = 52 / 12  # weeks in an average month: a monthly target's weekly share is the target / this


class Metric(BaseModel):
    """A counted column (``column``) or a ratio of two counted columns (``numerator``/``denominator``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    category: Category
    unit: Unit
    column: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    description: str = ""

    @model_validator(mode="after")
    def _one_source(self) -> Metric:
        is_ratio = self.numerator is not None and self.denominator is not None
        if is_ratio == (self.column is not None):
            raise ValueError(f"metric {self.name!r} needs either a column or a numerator and a denominator")
        if is_ratio and self.unit is not Unit.RATE:
            raise ValueError(f"metric {self.name!r} is a ratio, so its unit must be 'rate'")
        return self

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None

    @property
    def formula(self) -> str:
        return f"{self.numerator} / {self.denominator}" if self.is_rate else ""

    @property
    def columns(self) -> tuple[str, ...]:
        """The tracking columns this metric is computed from."""
        return (self.numerator, self.denominator) if self.is_rate else (self.column,)  # type: ignore[return-value]


class Range(BaseModel):
    """Inclusive bounds; ``None`` leaves that side open (``at least 5`` has no max)."""

    model_config = ConfigDict(frozen=True)

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        return self

    @property
    def is_open(self) -> bool:
        """A range with neither bound judges nothing; the status rule treats it as no range."""
        return self.min is None and self.max is None

    def describe(self, unit: Unit = Unit.COUNT) -> str:
        def fmt(v: float) -> str:
            return format_bound(v, unit)

        if self.min is not None and self.max is not None:
            return f"{fmt(self.min)}–{fmt(self.max)}"
        if self.min is not None:
            return f"at least {fmt(self.min)}"
        if self.max is not None:
            return f"at most {fmt(self.max)}"
        return "no range"


def format_value(value: float, unit: Unit, exact: bool = False) -> str:
    """A number as a manager reads it: 12%, $4,500, 62. ``exact`` keeps one decimal where rounding would hide
    it (7.7% beside a bound of 8%, a projection of 3.3), for sentences that compare a value with its range."""
    if value != value:  # NaN is never found again as a key
        return _format_value(value, unit, exact)
    if value == 0:  # -0.0 equals 0.0 as a key but reads "-0": a zero is known by its sign
        return _format_zero(math.copysign(1.0, value) < 0, unit, exact)
    return _format_cached(value, unit, exact)


def _format_value(value: float, unit: Unit, exact: bool = False) -> str:
    if unit is Unit.RATE:
        percent = value * 100
        whole = half_up(percent, 0)
        return f"{one:.1f}%" if exact and (one := half_up(percent, 1)) != whole else f"{whole:.0f}%"
    if unit is Unit.CURRENCY:
        return f"${half_up(value, 0):,.0f}"
    whole = half_up(value, 0)
    return f"{one:,.1f}" if exact and (one := half_up(value, 1)) != whole else f"{whole:,.0f}"


# A summary formats the same few numbers (0 to 100 dials, whole percents) hundreds of thousands of times at 10,000
# reps: each (value, unit, exact) is worked out once.
_format_cached = functools.lru_cache(maxsize=65536)(_format_value)


@functools.cache
def _format_zero(negative: bool, unit: Unit, exact: bool) -> str:
    """A zero, worked out once per sign: most reps' deals won and MRR this week."""
    return _format_value(-0.0 if negative else 0.0, unit, exact)


def half_up(value: float, places: int) -> float:
    """Rounded as Excel shows a number (a half away from zero), not as Python rounds it (a half to even): the
    sentence's $1,929 and the cell's $1,929 beside it, never $1,928."""
    if not math.isfinite(value):
        return float(value)
    if float(value).is_integer() and abs(value) < 1e15:  # a whole number is its own rounding (most counts are)
        return float(value)
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def format_bound(value: float, unit: Unit) -> str:
    """A bound as a range shows it: 15%, 12.5%, $2,500, 1.96."""
    if unit is Unit.RATE:
        return f"{value:.0%}" if round(value * 100, 6) == round(value * 100) else f"{value:.1%}"
    if unit is Unit.CURRENCY:
        return f"${value:,.0f}"
    return f"{value:g}"


def format_beside(value: float, bound: float | None, unit: Unit) -> str:
    """_format_beside, each (value, bound, unit) worked out once: a team's reps stand beside the same few bounds.
    A zero (read by its sign) or NaN is never a key."""
    if value == 0 or value != value or not bound or bound != bound:
        return _format_beside(value, bound, unit)
    return _beside_cached(value, bound, unit)


def _format_beside(value: float, bound: float | None, unit: Unit) -> str:
    """A value in a sentence that compares it with a bound: with as many decimals as it takes for a value short of
    (or over) the bound to read that way, so a sentence never shows two equal numbers when one falls short
    ("1.96 ... the target is 2", never "2 ... the target is 2"). When even three more decimals would not tell
    them apart, it says so in words: "just under 2"."""
    text = format_value(value, unit, exact=True)
    if bound is None or value == bound:
        return text
    shown = _number(format_bound(bound, unit))
    under = value < bound
    if (_number(text) < shown) if under else (_number(text) > shown):
        return text
    for decimals in (1, 2, 3) if unit is Unit.COUNT else (2,) if unit is Unit.CURRENCY else (1, 2, 3):
        if unit is Unit.RATE:
            text = f"{value:.{decimals}%}"
        elif unit is Unit.CURRENCY:
            text = f"${value:,.{decimals}f}"
        else:
            text = f"{value:,.{decimals}f}"
        if (_number(text) < shown) if under else (_number(text) > shown):
            return text
    return f"just {'under' if under else 'over'} {format_bound(bound, unit)}"


_beside_cached = functools.lru_cache(maxsize=65536)(_format_beside)


def singular(name: str) -> str:
    """'Deals Won' -> 'Deal Won', 'Opportunities' -> 'Opportunity', for 'had 1 ...'; a name that is not a plural
    ('New MRR') stays as it is."""
    first, _, rest = name.partition(" ")
    if first.endswith("ies"):
        first = first[:-3] + "y"
    elif first.endswith("s") and not first.endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


def _number(text: str) -> float:
    """The number a formatted value shows (a percent as shown, not as a fraction)."""
    return float(text.replace("$", "").replace(",", "").replace("%", ""))


# The counted columns of the standard Tracking sheet, in template order.
DIALS, EMAILS, CONVERSATIONS, MEETINGS = "Dials", "Emails", "Conversations", "Meetings Booked"
SQLS, OPPORTUNITIES, DEALS_WON, NEW_MRR = "SQLs", "Opportunities", "Deals Won", "New MRR"


def _count(name: str, category: Category, description: str, unit: Unit = Unit.COUNT) -> Metric:
    return Metric(name=name, category=category, unit=unit, column=name, description=description)


def _rate(name: str, numerator: str, denominator: str, description: str) -> Metric:
    return Metric(
        name=name, category=Category.QUALITY, unit=Unit.RATE, numerator=numerator, denominator=denominator,
        description=description,
    )


CATALOG: tuple[Metric, ...] = (
    _count(DIALS, Category.ACTIVITY, "Outbound calls placed."),
    _count(EMAILS, Category.ACTIVITY, "Prospecting emails sent."),
    _count(CONVERSATIONS, Category.ACTIVITY, "Calls where a prospect picked up and talked."),
    _count(MEETINGS, Category.ACTIVITY, "Discovery meetings booked."),
    _rate("Connect Rate", CONVERSATIONS, DIALS, "Conversations / Dials: are we reaching people?"),
    _rate("Meeting Rate", MEETINGS, CONVERSATIONS, "Meetings Booked / Conversations: does the pitch land?"),
    _rate("Qualification Rate", SQLS, CONVERSATIONS, "SQLs / Conversations: are we talking to the right buyers?"),
    _rate("Win Rate", DEALS_WON, OPPORTUNITIES, "Deals Won / Opportunities: do we close?"),
    _count(SQLS, Category.OUTCOME, "Sales-qualified leads created."),
    _count(OPPORTUNITIES, Category.OUTCOME, "Opportunities opened in the CRM."),
    _count(DEALS_WON, Category.OUTCOME, "Deals closed-won."),
    _count(NEW_MRR, Category.OUTCOME, "New monthly recurring revenue closed.", Unit.CURRENCY),
)

COUNTED_COLUMNS: tuple[str, ...] = tuple(m.column for m in CATALOG if m.column is not None)


def find_metric(name: str, metrics: tuple[Metric, ...] | list[Metric] = CATALOG) -> Metric:
    """Case- and space-insensitive lookup with a did-you-mean, because people type metric names by hand."""
    wanted = normalise(name)
    for metric in metrics:
        if normalise(metric.name) == wanted:
            return metric
    raise KeyError(unknown_message("metric", name, [m.name for m in metrics]))


def normalise(text: object) -> str:
    """Header and name matching ignores case, spacing, and punctuation such as '#', '_' or '.'."""
    if type(text) is str:
        return _normalised(text)
    return "" if text is None else _normalised(str(text))


_NOT_KEPT = re.compile(r"[^0-9a-z%]+")


@functools.lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    """normalise() of a str, worked out once per text: every range lookup and column label asks again."""
    return _NOT_KEPT.sub("", text.casefold())


def trim(text: str) -> str:
    """Excel's TRIM: the ASCII space only (not tabs, line breaks or no-break spaces), dropped around the text and
    made single inside it. A formula we write applies TRIM to the same cell, so the core must trim alike."""
    return " ".join(part for part in text.split(" ") if part)


def text_key(text: object) -> str:
    """The key of a user's text that a formula we write also compares (a Role, a Rep name on the Reps sheet): two
    texts are the same when they are equal after TRIM and ignoring case, as ``TRIM(cell)="text"`` decides it in
    a spreadsheet. Unlike normalise(), punctuation and accents count ("S.D.R." is not "SDR", "Vèntes" is not
    "Ventes"), or the core and the workbook would judge the same row against different ranges.

    Case is folded by upper-casing, which is what LibreOffice's ``=`` does (ı, ſ and ς match I, S and σ; ﬁ
    matches FI) except that ß stays apart from SS (it matches ẞ). tests/layouts/test_summary.py holds LibreOffice
    to this on the letters of Latin, Greek, Cyrillic and Armenian; README lists the letters where it cannot agree.
    """
    if type(text) is str:
        return _text_key(text)
    return "" if text is None else _text_key(str(text))


@functools.lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    """text_key() of a str, worked out once per text (a role is looked up per rep and metric)."""
    return trim(text).replace("ß", "ẞ").upper()


def unknown_message(kind: str, name: str, known: list[str] | dict[str, tuple[str, ...]]) -> str:
    """'unknown metric ...; did you mean ...?' only for a close match; otherwise the list of what is known."""
    names = known if isinstance(known, dict) else {k: () for k in known}
    close = closest_name(name, names)
    if close:
        return f"unknown {kind} '{shorten(name)}'; did you mean '{shorten(close)}'?"
    return f"unknown {kind} '{shorten(name)}'; known: {listing(names, shown=30)}"


def match_name(text: object, names: dict[str, tuple[str, ...]]) -> str | None:
    """The one matcher for what people type: Tracking headers, Ranges metric names and sheet names all go through
    it. ``names`` maps each canonical name to its aliases; case, spacing and punctuation are ignored."""
    key = normalise(text)
    if not key:
        return None
    return next((name for name, aliases in names.items() if key in {normalise(n) for n in (name, *aliases)}), None)


def closest_name(text: object, names: dict[str, tuple[str, ...]], cutoff: float = 0.8) -> str | None:
    """A canonical name whose name or alias is a close match (a typo, a plural), else None: a far-fetched
    suggestion misleads more than none."""
    key = normalise(text)
    by_key = {normalise(n): name for name, aliases in names.items() for n in (name, *aliases)}
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=cutoff) if key else []
    return by_key[close[0]] if close else None


_RATIO = re.compile(r"^\s*=?\s*\[?(?P<num>[^/\[\]]+?)\]?\s*/\s*\[?(?P<den>[^/\[\]]+?)\]?\s*$")


def parse_ratio(formula: str, columns: list[str]) -> tuple[str, str]:
    """Read a user's ``Replies / Emails`` without eval: a ratio of two tracking columns is all we allow."""
    match = _RATIO.match(formula or "")
    if not match:
        raise ValueError(f"formula '{formula}' must be one column divided by another, like 'Replies / Emails'")
    by_key = {normalise(c): c for c in columns}
    parts = []
    for side in (match["num"], match["den"]):
        column = by_key.get(normalise(side))
        if column is None:
            raise ValueError(f"formula '{formula}': " + unknown_message("column", side.strip(), columns))
        parts.append(column)
    return parts[0], parts[1]
