"""The standard tracking workbook, declared once.

The template builder, the reader, the writers and the README all read these declarations, so a
column added here appears everywhere at once. Pure data: no spreadsheet library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesmetrics_xl.core.metrics import (
    CATALOG,
    CONVERSATIONS,
    DEALS_WON,
    DIALS,
    EMAILS,
    MEETINGS,
    NEW_MRR,
    OPPORTUNITIES,
    SQLS,
    Category,
    Metric,
    Period,
    Unit,
    find_metric,
    match_name,
    normalise,
    unknown_message,
)
from salesmetrics_xl.core.names import did_you_mean, match_metric, per_day


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "date", "text", "count", "currency", "number", "rate"
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    width: float = 12

    @property
    def keys(self) -> set[str]:
        return {normalise(n) for n in (self.name, *self.aliases)}

    @property
    def accepted(self) -> str:
        """How a message names this column: 'Rep (or Sales Rep, Rep Name, ...)'."""
        return f"{self.name} (or {', '.join(self.aliases)})" if self.aliases else self.name


@dataclass(frozen=True)
class SheetSpec:
    name: str
    table: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def match(self, header: object) -> Column | None:
        """The declared column a header cell means, whatever its case, spacing or alias."""
        name = match_name(header, {c.name: c.aliases for c in self.columns})
        return None if name is None else self.column(name)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


WEEK, REP, TEAM, ROLE = "Week", "Rep", "Team", "Role"
# Headers that hold the last day of the week rather than its first: read the same (a date counts for the week that
# contains it), and said once in a note, so a team whose Friday dates land on that week's Monday knows why.
WEEK_ENDING = ("Week Ending", "Week Ended", "Week End", "W/E", "Week Ending Date", "W/E Date", "Wk Ending")
DAYS_WORKED, START_DATE, FTE = "Days Worked", "Start Date", "FTE"

TRACKING = SheetSpec(
    name="Tracking",
    table="Tracking",
    aliases=("Weekly Tracking", "Weekly Activity", "Activity", "Activity Log", "Sales Activity", "Tracking Data",
             "Data", "Tracker"),
    columns=(
        Column(WEEK, "date", True, ("Week Of", "Week Starting", "Week Start", "Week Beginning", "Week Commencing",
                                    "Date", "ISO Week", *WEEK_ENDING),
               "The Monday of the week (a date). Any date inside the week (a week-ending Friday or Sunday too), "
               "'2026-W47' or a text date also work.", 12),
        Column(REP, "text", True, ("Sales Rep", "Rep Name", "Name", "Owner", "Salesperson", "Seller",
                                   "Representative"),
               "The rep's name, spelled the same every week.", 22),
        Column(TEAM, "text", False, ("Team Name", "Squad", "Pod"), "Optional: the rep's team.", 14),
        Column(ROLE, "text", False, ("Title", "Position", "Rep Role"),
               "Optional: SDR, AE, ... Ranges with the same Role apply to these reps.", 10),
        Column(DIALS, "count", False, ("Calls", "Calls Made", "Outbound Calls", "Call Attempts", "Dials Made"),
               "Outbound calls placed this week."),
        Column(EMAILS, "count", False, ("Emails Sent", "Email", "Outbound Emails"), "Prospecting emails sent."),
        Column(CONVERSATIONS, "count", False, ("Connects", "Connected Calls", "Convos", "Conversations Held"),
               "Calls where the prospect talked with you.", 14),
        Column(MEETINGS, "count", False, ("Meetings", "Meetings Set", "Meetings Scheduled", "Appointments",
                                          "Demos Booked"), "Discovery meetings booked.", 14),
        Column(SQLS, "count", False, ("SQL", "Sales Qualified Leads", "Sales-Qualified Leads", "Qualified Leads"),
               "Sales-qualified leads created."),
        Column(OPPORTUNITIES, "count", False, ("Opps", "Opportunities Created", "New Opportunities"),
               "Opportunities opened.", 14),
        Column(DEALS_WON, "count", False, ("Won", "Closed Won", "Wins", "Deals Closed", "Deals"), "Deals closed-won."),
        Column(NEW_MRR, "currency", False, ("MRR", "New Monthly Recurring Revenue", "MRR Won", "Net New MRR"),
               "New monthly recurring revenue closed this week.", 12),
        # Optional: what makes a range fair to a rep who worked part of the week, part time or is new
        # (salesmetrics_xl/core/effective.py). Blank = a full week, full time, not ramping.
        Column(DAYS_WORKED, "days", False, ("Working Days", "Days", "Days Active"),
               "Optional: days worked this week (0 = off: the week is not judged). Blank = the full working week.",
               12),
        Column(START_DATE, "start", False, ("Hire Date", "Ramp Start", "Start"),
               "Optional: the rep's first day, for the ramp (see the Ramp sheet). Blank = not ramping.", 12),
        Column(FTE, "fte", False, ("Full Time Equivalent", "Part Time", "Part-Time"),
               "Optional: share of full time, 0 to 1 (0.6 = three days a week). Blank = 1.", 7),
    ),
)

METRIC, CATEGORY, FORMULA, PERIOD, MIN, MAX, UNIT, NOTES = (
    "Metric", "Category", "Formula", "Period", "Min", "Max", "Unit", "Notes",
)

RANGES = SheetSpec(
    name="Ranges",
    table="Ranges",
    aliases=("Targets", "Goals", "Range", "Metric Ranges", "Metric Targets", "Weekly Targets", "KPI Targets", "KPIs",
             "Quotas", "Benchmarks"),
    columns=(
        Column(METRIC, "text", True, ("Metric Name", "KPI"), "A metric from the catalog, or your own name.", 20),
        Column(CATEGORY, "text", False, ("Type", "Kind"), "activity, quality or outcome.", 11),
        Column(FORMULA, "text", False, ("Calculation",), "For your own rates: 'Replies / Emails'.", 26),
        Column(PERIOD, "text", False, ("Per", "Frequency"), "week (default) or month.", 9),
        Column(MIN, "number", False, ("Minimum", "Low", "From", "Floor", "Target", "Goal", "Quota", "At Least"),
               "Blank = no lower bound.", 10),
        Column(MAX, "number", False, ("Maximum", "High", "To", "Ceiling"), "Blank = no upper bound.", 10),
        Column(UNIT, "text", False, (), "count, currency or rate.", 9),
        Column(ROLE, "text", False, ("Applies To",), "Blank = everyone; else only reps with this Role.", 10),
        Column(NOTES, "text", False, ("Note", "Source", "Comment"), "Where the range comes from.", 70),
    ),
)

HOW_TO = "How to use"
# The sheets salesmetrics-xl writes, named once: never read back as a user's Tracking or Ranges sheet, and what the
# writer recognises as ours in a workbook from before it recorded which sheets are ours.
SUMMARY_SHEET, EVALUATION_SHEET = "Weekly Summary", "Evaluation"
SUGGESTED_SHEET, ROLLUP_SHEET = "Suggested Ranges", "Rollup"
OUR_SHEETS = (SUMMARY_SHEET, EVALUATION_SHEET, SUGGESTED_SHEET, ROLLUP_SHEET)
# Workbook-level defined names that say which sheet is which, for a workbook whose sheets have other names.
# Each may refer to any cell of the sheet (='Weekly Activity'!$A$1) or hold its name as text (="Weekly Activity").
TRACKING_SHEET_NAME, RANGES_SHEET_NAME = "salesmetrics_tracking", "salesmetrics_ranges"
FAIRNESS_COLUMNS = (DAYS_WORKED, START_DATE, FTE)

# A roster, as an alternative to Start Date, Role and FTE columns in Tracking: one row per rep.
REPS = SheetSpec(
    name="Reps",
    table="Reps",
    aliases=("Roster", "Team Members", "People"),
    columns=(
        Column(REP, "text", True, ("Sales Rep", "Rep Name", "Name", "Owner", "Salesperson", "Seller"),
               "The rep's name, spelled as in Tracking.", 22),
        Column(START_DATE, "start", False, ("Hire Date", "Ramp Start", "Start"), "The rep's first day.", 12),
        Column(ROLE, "text", False, ("Title", "Position", "Rep Role"), "Used where the Tracking row has none.", 10),
        Column(FTE, "fte", False, ("Full Time Equivalent", "Part Time", "Part-Time"), "0 to 1; blank = 1.", 7),
    ),
)

MONTH, SHARE = "Month", "Share"
RAMP = SheetSpec(
    name="Ramp",
    table="Ramp",
    aliases=("Ramp Up", "Ramping", "Onboarding"),
    columns=(
        Column(MONTH, "number", True, ("Month of Tenure", "Tenure Month", "Tenure"),
               "Month of tenure: 1 is the rep's first calendar month from the Start Date.", 10),
        Column(SHARE, "number", True, ("Ramp Share", "% of Range", "Percent", "Quota Share", "Ramp"),
               "Share of the range expected that month (months not listed: 100%).", 10),
        Column(ROLE, "text", False, ("Applies To",), "Blank = everyone; else only reps with this Role.", 10),
        Column(NOTES, "text", False, ("Note", "Source", "Comment"), "Where the share comes from.", 70),
    ),
)

_RAMP_SOURCE = ("Typical of sales platforms' ramped quotas (25-50% in month 1, 100% by month 3-4). "
                "Replace it with your own onboarding plan.")
DEFAULT_RAMP: tuple[tuple[int, float, str], ...] = (
    (1, 0.25, "Month 1: learning the product and the pitch. " + _RAMP_SOURCE),
    (2, 0.50, "Month 2: half the range. " + _RAMP_SOURCE),
    (3, 0.75, "Month 3: three quarters. From month 4 on, the full range."),
)

SETTING, VALUE = "Setting", "Value"
WORKING_WEEK = "Working Week"
DEFAULT_WORKING_WEEK = 5.0
SETTINGS = SheetSpec(
    name="Settings",
    table="Settings",
    aliases=("Options", "Config"),
    columns=(
        Column(SETTING, "text", True, ("Name", "Option"), "", 20),
        Column(VALUE, "number", True, ("Days",), "", 10),
        Column(NOTES, "text", False, ("Note", "Comment"), "", 70),
    ),
)
# The sheets to read, for a workbook whose sheets have other names (see parse.named_sheet for the precedence).
TRACKING_SHEET_SETTING, RANGES_SHEET_SETTING = "Tracking Sheet", "Ranges Sheet"
SHEET_SETTINGS: dict[str, tuple[str, ...]] = {
    TRACKING_SHEET_SETTING: ("Tracking", "Tracking Sheet Name", "Tracking Tab", "Activity Sheet", "Data Sheet"),
    RANGES_SHEET_SETTING: ("Ranges", "Ranges Sheet Name", "Ranges Tab", "Range Sheet", "Targets Sheet",
                           "Goals Sheet"),
}
DEFAULT_SETTINGS: tuple[tuple[str, float | None, str], ...] = (
    (WORKING_WEEK, DEFAULT_WORKING_WEEK, "Days in a full working week for the whole team. Days Worked in Tracking "
                                         "is read against it: 3 of 5 days is judged against 3/5 of each activity "
                                         "range."),
    (TRACKING_SHEET_SETTING, None, "The sheet with one row per rep per week, if it is not Tracking: type its "
                                   "name (e.g. Weekly Activity). Blank = Tracking."),
    (RANGES_SHEET_SETTING, None, "The sheet with the ranges, if it is not Ranges: type its name (e.g. Goals). "
                                 "Blank = Ranges."),
)

TRACKING_COUNTED = tuple(c.name for c in TRACKING.columns if c.kind in ("count", "currency"))
assert tuple(c.name for c in TRACKING.columns if c.kind in ("days", "start", "fte")) == FAIRNESS_COLUMNS
assert set(TRACKING_COUNTED) == {m.column for m in CATALOG if m.column}, "catalog and Tracking columns disagree"

# A Ranges sheet names its metrics the way the Tracking headers do: a counted metric takes its column's aliases
# (Calls is Dials there too), and the rates take a few of their own.
RATE_ALIASES: dict[str, tuple[str, ...]] = {
    "Connect Rate": ("Connection Rate", "Connect %", "Contact Rate"),
    "Meeting Rate": ("Meeting Conversion", "Meeting %", "Meetings Rate"),
    "Qualification Rate": ("SQL Rate", "Qualification %", "SQL Conversion"),
    "Win Rate": ("Close Rate", "Closing Rate", "Win %"),
}
METRIC_NAMES: dict[str, tuple[str, ...]] = {
    m.name: TRACKING.column(m.column).aliases if m.column else RATE_ALIASES.get(m.name, ()) for m in CATALOG}


def metric_named(name: str) -> tuple[Metric, Period | None]:
    """A catalog metric by its name or any alias, with the period its name gives ("SQLs per month"), through the
    one matcher (core.names.match_metric); KeyError says what was meant only when that is close."""
    found, period, _ = match_metric(name, METRIC_NAMES)
    if found is None and (daily := per_day(name, METRIC_NAMES)):
        raise KeyError(f"'{name}': a range is for a week or a month, not a day; write a week's numbers (a day's "
                       f"times the days in your working week) as '{daily} per week'")
    if found is None:
        close = did_you_mean(name, METRIC_NAMES)
        raise KeyError(f"unknown metric '{name}'; did you mean '{close}'?" if close else
                       unknown_message("metric", name, METRIC_NAMES))
    return find_metric(found), period


@dataclass(frozen=True)
class DefaultRange:
    metric: str
    period: Period
    min: float | None
    max: float | None
    notes: str


_OURS = "A salesmetrics-xl starting point: replace it with your team's own numbers after a few weeks of tracking."
DEFAULT_RANGES: tuple[DefaultRange, ...] = (
    DefaultRange(DIALS, Period.WEEK, 50, 75, "The sales-metrics framework's own example: 50 to 75 calls a week."),
    DefaultRange(EMAILS, Period.WEEK, 100, 200, "About 20 to 40 a working day. " + _OURS),
    DefaultRange(CONVERSATIONS, Period.WEEK, 10, 20, "Roughly 1 in 5 of 50-75 dials. " + _OURS),
    DefaultRange(MEETINGS, Period.WEEK, 3, 6, "About 1 meeting per 3 conversations. " + _OURS),
    DefaultRange("Connect Rate", Period.WEEK, 0.15, None, "At least 15% of dials become conversations. " + _OURS),
    DefaultRange("Meeting Rate", Period.WEEK, 0.20, None, "At least 1 in 5 conversations books a meeting. " + _OURS),
    DefaultRange("Qualification Rate", Period.WEEK, 0.08, None, "At least 8% of conversations become SQLs. " + _OURS),
    DefaultRange("Win Rate", Period.WEEK, 0.20, None, "At least 1 in 5 opportunities is won. " + _OURS),
    DefaultRange(SQLS, Period.WEEK, 1, None, "Weekly share of the framework's 5 SQLs a month."),
    DefaultRange(SQLS, Period.MONTH, 5, None, "The sales-metrics framework: at least 5 SQLs a month."),
    DefaultRange(OPPORTUNITIES, Period.WEEK, 1, None, "At least one new opportunity a week. " + _OURS),
    DefaultRange(DEALS_WON, Period.MONTH, 5, None, "The sales-metrics framework: at least 5 deals won a month."),
    DefaultRange(NEW_MRR, Period.MONTH, 5000, None, "Placeholder: set it to the rep's monthly quota."),
)


def default_range_rows() -> list[dict[str, object]]:
    """The Ranges table of a new workbook, one dict per row keyed by the declared column names."""
    by_name = {m.name: m for m in CATALOG}
    rows = []
    for d in DEFAULT_RANGES:
        metric = by_name[d.metric]
        rows.append({
            METRIC: d.metric, CATEGORY: metric.category.value, FORMULA: metric.formula, PERIOD: d.period.value,
            MIN: d.min, MAX: d.max, UNIT: metric.unit.value, ROLE: None, NOTES: d.notes,
        })
    return rows


def parse_category(text: object) -> Category | None:
    key = normalise(text)
    return next((c for c in Category if c.value == key), None)


def parse_period(text: object) -> Period | None:
    key = normalise(text)
    if key in ("", "week", "weekly", "wk", "perweek"):
        return Period.WEEK
    if key in ("month", "monthly", "mo", "permonth", "mtd"):
        return Period.MONTH
    return None


def parse_unit(text: object) -> Unit | None:
    key = normalise(text)
    aliases = {"count": Unit.COUNT, "number": Unit.COUNT, "currency": Unit.CURRENCY, "money": Unit.CURRENCY,
               "rate": Unit.RATE, "%": Unit.RATE, "percent": Unit.RATE, "percentage": Unit.RATE}
    return aliases.get(key)
