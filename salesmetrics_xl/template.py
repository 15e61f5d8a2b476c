"""Build the standard tracking workbook (and the bundled example) from the declarations.

This writes brand-new files only; a user's own workbook is never saved through openpyxl.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from salesmetrics_xl.core.metrics import CATALOG, DEALS_WON, NEW_MRR, Period, Unit
from salesmetrics_xl.core.workbook import (
    DAYS_WORKED,
    DEFAULT_RAMP,
    DEFAULT_SETTINGS,
    FTE,
    HOW_TO,
    MAX,
    METRIC,
    MIN,
    MONTH,
    NOTES,
    PERIOD,
    RAMP,
    RANGES,
    RANGES_SHEET_SETTING,
    SETTING,
    SETTINGS,
    SHARE,
    START_DATE,
    TRACKING,
    TRACKING_COUNTED,
    TRACKING_SHEET_SETTING,
    UNIT,
    VALUE,
    WORKING_WEEK,
    SheetSpec,
    default_range_rows,
)
from salesmetrics_xl.layouts.evaluation import ranges_validations
from salesmetrics_xl.xlsx import MARK

DATE_FORMAT = "yyyy-mm-dd"
CURRENCY_FORMAT = '"$"#,##0'
RATE_FORMAT = "0%"
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
BAND = PatternFill("solid", fgColor="DDEBF7")


def _table(ws: Worksheet, spec: SheetSpec, records: list[dict[str, object]]) -> None:
    """An Excel Table, so formulas and the add-in can refer to Tracking[Dials] whatever its length."""
    for col, column in enumerate(spec.columns, start=1):
        ws.cell(row=1, column=col, value=column.name)
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for row, record in enumerate(records, start=2):
        for col, column in enumerate(spec.columns, start=1):
            ws.cell(row=row, column=col, value=record.get(column.name))
    last = get_column_letter(len(spec.columns))
    ref = f"A1:{last}{max(len(records), 1) + 1}"
    table = Table(displayName=spec.table, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def _tracking(ws: Worksheet, records: list[dict[str, object]]) -> None:
    _table(ws, TRACKING, records)
    rows = max(len(records), 1) + 1
    for col, column in enumerate(TRACKING.columns, start=1):
        fmt = {"date": DATE_FORMAT, "start": DATE_FORMAT, "currency": CURRENCY_FORMAT}.get(column.kind)
        if fmt:
            for row in range(2, rows + 1):
                ws.cell(row=row, column=col).number_format = fmt
    names = [c.name for c in TRACKING.columns]
    letter = {name: get_column_letter(i) for i, name in enumerate(names, start=1)}
    counts = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Not a count",
                            error="Enter a number of zero or more (leave it blank if unknown).")
    counts.add(f"{letter[TRACKING_COUNTED[0]]}2:{letter[TRACKING_COUNTED[-1]]}5000")
    ws.add_data_validation(counts)
    days = DataValidation(type="custom", formula1=f"AND(ISNUMBER({letter[DAYS_WORKED]}2),{letter[DAYS_WORKED]}2>=0,"
                                                   f"{letter[DAYS_WORKED]}2<={SETTINGS.name}!$B$2)",
                          allow_blank=True, showErrorMessage=True, errorTitle="Not a number of days",
                          error="Days worked this week: 0 (off) up to the Working Week in Settings. Blank = a full "
                                "week.")
    days.add(f"{letter[DAYS_WORKED]}2:{letter[DAYS_WORKED]}5000")
    fte = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True,
                         showErrorMessage=True, errorTitle="Not an FTE",
                         error="A share of full time between 0 and 1: 0.6 is three days a week. Blank = 1.")
    fte.add(f"{letter[FTE]}2:{letter[FTE]}5000")
    ws.add_data_validation(fte)
    ws.add_data_validation(days)


def _ranges(ws: Worksheet, records: list[dict[str, object]]) -> None:
    _table(ws, RANGES, records)
    min_col = [c.name for c in RANGES.columns].index(MIN) + 1
    for row, record in enumerate(records, start=2):
        if record[UNIT] == Unit.RATE.value:
            for col in (min_col, min_col + 1):
                ws.cell(row=row, column=col).number_format = RATE_FORMAT
        elif record[UNIT] == Unit.CURRENCY.value:
            for col in (min_col, min_col + 1):
                ws.cell(row=row, column=col).number_format = CURRENCY_FORMAT
    # The same rules a summary run adds, marked as ours, so that run replaces them instead of stacking a second,
    # overlapping set (which Excel may offer to "repair").
    letters = {c.name: get_column_letter(i) for i, c in enumerate(RANGES.columns, start=1)}
    for rule in ranges_validations(letters, 2, 201):
        dv = DataValidation(type=rule.kind, formula1=rule.formula, allow_blank=rule.allow_blank, showErrorMessage=True,
                            errorTitle=MARK, error=rule.error)
        dv.add(rule.ref)
        ws.add_data_validation(dv)


def _ramp(ws: Worksheet) -> None:
    _table(ws, RAMP, [{MONTH: month, SHARE: share, NOTES: note} for month, share, note in DEFAULT_RAMP])
    for row in range(2, len(DEFAULT_RAMP) + 2):
        ws.cell(row=row, column=2).number_format = RATE_FORMAT


def _settings(ws: Worksheet) -> None:
    _table(ws, SETTINGS, [{SETTING: name, VALUE: value, NOTES: note} for name, value, note in DEFAULT_SETTINGS])


def _how_to(ws: Worksheet) -> None:
    lines: list[tuple[object, ...]] = [
        ("salesmetrics-xl: weekly sales metrics against ranges",),
        (),
        ("Outcomes come first: a rep with 400 dials and no SQLs is not a high performer. Each metric is judged "
         "against a range (a Min and a Max) as BELOW, IN RANGE or ABOVE.",),
        (),
        ("Sheet", "What it is for"),
        (TRACKING.name, "One row per rep per week. Week is the Monday of the week."),
        (RANGES.name, "The range for each metric. Blank Min or Max = open. Role = only reps with that Role. "
                      "Period = week or month."),
        (RAMP.name, "What a new rep is held to, by month of tenure from the Start Date in Tracking (months not "
                    "listed: 100%). A Role may have its own rows."),
        (SETTINGS.name, f"{WORKING_WEEK}: days in a full week for the whole team (Days Worked is read against "
                        f"it). {TRACKING_SHEET_SETTING} and {RANGES_SHEET_SETTING}: the sheets to read when yours "
                        "have other names (blank = Tracking and Ranges)."),
        (),
        ("Fair ranges", "Days Worked, Start Date and FTE in Tracking are optional. Blank = a full week, full "
                        "time, not ramping."),
        ("Activity ranges", "x Days Worked / Working Week x FTE x ramp share (3 of 5 days: 30-45 for 50-75)."),
        ("Outcome ranges", "x FTE x ramp share; monthly ones also x the share of the month's days worked."),
        ("Rates", "never scaled."),
        ("0 days worked", "OFF: the week is not judged, and streaks skip it."),
        (),
        ("Metric", "Category", "How it is computed", "What it tells you"),
        *[(m.name, m.category.value, m.formula or f"the {m.column} column", m.description) for m in CATALOG],
        (),
        ("Default range", "Period", MIN, MAX, "Where it comes from"),
        *[(r[METRIC], r["Period"], r[MIN], r[MAX], r[NOTES]) for r in default_range_rows()],
        (),
        ("Tracking column", "Also accepted as", "What to enter"),
        *[(c.name, ", ".join(c.aliases), c.help) for c in TRACKING.columns],
    ]
    for row, line in enumerate(lines, start=1):
        for col, value in enumerate(line, start=1):
            ws.cell(row=row, column=col, value=value)
    ws["A1"].font = TITLE
    for row, line in enumerate(lines, start=1):
        if len(line) > 1 and line[0] in ("Sheet", "Metric", "Default range", "Tracking column", "Fair ranges"):
            for col in range(1, len(line) + 1):
                ws.cell(row=row, column=col).font = BOLD
                ws.cell(row=row, column=col).fill = BAND
    widths = dict(zip("ABCDE", (22, 40, 30, 60, 70), strict=True))
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    # The title runs on one line across the page; the paragraph under it spans the table's width. Every other row
    # is as tall as its longest wrapped cell, so no text is cut or runs into the next row whatever the viewer.
    ws["A1"].alignment = Alignment(wrap_text=False, vertical="center")
    ws.row_dimensions[1].height = 24
    ws.merge_cells("A3:E3")
    for number, line in enumerate(lines, start=1):
        if number == 1 or not line:
            continue
        if number == 3:
            room = sum(widths.values())
            ws.row_dimensions[3].height = 15 * max(1, -(-len(str(line[0])) * 11 // 10 // room))
            continue
        wrapped = [-(-len(str(v)) * 11 // 10 // widths[get_column_letter(c)]) for c, v in enumerate(line, start=1)
                   if v is not None]
        ws.row_dimensions[number].height = 15 * max([1, *wrapped])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build(path: str | Path, records: list[dict[str, object]] | None = None, active: str = HOW_TO,
          ranges: list[dict[str, object]] | None = None) -> Path:
    """The standard workbook; with ``records`` it is a filled-in tracking workbook, with ``ranges`` its own
    Ranges table instead of the defaults."""
    book = Workbook()
    how_to = book.active
    how_to.title = HOW_TO
    _how_to(how_to)
    _tracking(book.create_sheet(TRACKING.name), records or [])
    _ranges(book.create_sheet(RANGES.name), ranges or default_range_rows())
    _ramp(book.create_sheet(RAMP.name))
    _settings(book.create_sheet(SETTINGS.name))
    book.active = book.sheetnames.index(active)
    path = Path(path)
    book.save(path)
    return path


# ---- the bundled example: Acme's two teams, with the stories the features must find -----------------------

EXAMPLE_LAST_WEEK = dt.date(2026, 11, 16)
EXAMPLE_WEEKS = 26

# name, team, (dials, emails, connect rate, meeting rate, qualification rate, opp rate, win rate)
_SOLID = (62, 150, 0.21, 0.32, 0.14, 0.8, 0.4)
_REPS: list[tuple[str, str, tuple[float, ...]]] = [
    ("Ava Thompson", "East", (66, 160, 0.22, 0.34, 0.15, 0.8, 0.45)),
    ("Ben Carter", "East", (73, 190, 0.20, 0.14, 0.025, 0.6, 0.2)),  # busy, not converting
    ("Chloe Nguyen", "East", (38, 90, 0.30, 0.40, 0.27, 0.85, 0.5)),  # low activity, strong outcomes
    ("Daniel Kim", "East", _SOLID),
    ("Emma Rossi", "East", (60, 140, 0.20, 0.30, 0.13, 0.8, 0.4)),  # missing a week
    ("Farid Haddad", "East", (58, 130, 0.19, 0.30, 0.12, 0.75, 0.35)),
    ("Grace Okafor", "West", (71, 170, 0.21, 0.30, 0.13, 0.8, 0.4)),  # above the Dials max in the last week
    ("Hiro Tanaka", "West", (64, 150, 0.22, 0.33, 0.14, 0.8, 0.4)),
    ("Isabel Martín", "West", (60, 140, 0.18, 0.28, 0.10, 0.7, 0.35)),  # new, ramping up
    ("Jonas Weber", "West", _SOLID),
    ("Keisha Brown", "West", (68, 170, 0.23, 0.35, 0.16, 0.85, 0.45)),
    ("Liam O'Connor", "West", (55, 120, 0.18, 0.28, 0.11, 0.75, 0.35)),
]
EXAMPLE_STORIES = {
    "busy_not_converting": "Ben Carter",
    "low_activity_high_outcome": "Chloe Nguyen",
    "missing_week": ("Emma Rossi", dt.date(2026, 10, 12)),
    "above_dials_max": "Grace Okafor",
    "ramping": ("Isabel Martín", dt.date(2026, 10, 5)),  # 6 weeks before the last week: month 2, ramp 50 %
    "part_time": ("Mei Chen", 0.6),
    "short_week": ("Daniel Kim", EXAMPLE_LAST_WEEK, 3),  # two days of holiday in the last week
    "off_week": ("Jonas Weber", dt.date(2026, 11, 2)),  # a week of holiday: OFF
}
# The part-timer, West, at 60 % of a solid rep's week (her own random numbers, so the others' stay as they were).
_PART_TIMER = ("Mei Chen", "West", (63, 150, 0.22, 0.33, 0.14, 0.8, 0.4))
_ACTIVITY = ("Dials", "Emails", "Conversations", "Meetings Booked")


def _about(rng: random.Random, expected: float, spread: float = 0.1) -> int:
    """A whole number near ``expected``: steady reps stay steady, so the planted stories stand out."""
    return int(expected * (1 - spread + 2 * spread * rng.random()) + rng.random())


def example_records() -> list[dict[str, object]]:
    """Deterministic from a fixed seed and only ``random()`` draws, so the committed file can be rebuilt."""
    rng, own = random.Random(2026), random.Random(18)  # ``own``: the newer stories, drawn apart from the rest
    first = EXAMPLE_LAST_WEEK - dt.timedelta(weeks=EXAMPLE_WEEKS - 1)
    ramp_name, ramp_start = EXAMPLE_STORIES["ramping"]
    gap_name, gap_week = EXAMPLE_STORIES["missing_week"]
    part_name, part_fte = EXAMPLE_STORIES["part_time"]
    short_name, short_week, short_days = EXAMPLE_STORIES["short_week"]
    off_name, off_week = EXAMPLE_STORIES["off_week"]
    drawn_from = dt.date(2026, 9, 21)  # the ramping rep's numbers were first drawn from here; kept, so the draws
    hired = {name: dt.date(2023, 1, 9) + dt.timedelta(days=int(900 * own.random())) for name, _, _ in _REPS}
    hired |= {ramp_name: ramp_start, part_name: dt.date(2025, 3, 3)}

    def draw(rng: random.Random, week: dt.date, name: str, team: str, profile: tuple[float, ...], ramp: float,
             fte: float = 1.0, converts: float | None = None) -> dict[str, object]:
        dials, emails, connect, meet, qual, opp, win = profile
        made = min(75, round(dials * ramp * fte * (0.9 + 0.2 * rng.random())))
        if name == EXAMPLE_STORIES["above_dials_max"] and week == EXAMPLE_LAST_WEEK:
            made = 92
        conversations = min(made, _about(rng, made * connect))
        meetings = min(conversations, _about(rng, conversations * meet))
        sqls = min(conversations, _about(rng, conversations * qual * (ramp if converts is None else converts), 0))
        opportunities = min(sqls, _about(rng, sqls * opp, 0))
        won = min(opportunities, _about(rng, opportunities * win, 0))
        return {
            "Week": week, "Rep": name, "Team": team, "Role": "SDR", "Dials": made,
            "Emails": round(emails * ramp * fte * (0.85 + 0.3 * rng.random())), "Conversations": conversations,
            "Meetings Booked": meetings, "SQLs": sqls, "Opportunities": opportunities, "Deals Won": won,
            "New MRR": sum(round(800 + 900 * rng.random(), -1) for _ in range(won)),
            DAYS_WORKED: 5, START_DATE: hired[name], FTE: fte,
        }

    records = []
    for w in range(EXAMPLE_WEEKS):
        week = first + dt.timedelta(weeks=w)
        for name, team, profile in _REPS:
            if (name == ramp_name and week < drawn_from) or (name == gap_name and week == gap_week):
                continue
            ramp = min(1.0, 0.25 + 0.075 * ((week - drawn_from).days // 7)) if name == ramp_name else 1.0
            record = draw(rng, week, name, team, profile, ramp)
            if name == ramp_name:  # the new rep: from the start date, a ramp of her own
                if week < ramp_start:
                    continue
                record = draw(own, week, name, team, (60, 140, 0.20, 0.30, 0.25, 0.8, 0.4),
                              0.3 + 0.045 * ((week - ramp_start).days // 7), converts=1.0)
            elif name == short_name and week == short_week:  # two days off: a short week's activity
                record |= {DAYS_WORKED: short_days, **{c: round(record[c] * short_days / 5) for c in _ACTIVITY}}
                record["SQLs"] = min(record["SQLs"], record["Conversations"])
            elif name == off_name and week == off_week:  # a week of holiday: OFF, nothing done
                record |= {DAYS_WORKED: 0, **{c: 0 for c in (*_ACTIVITY, "SQLs", "Opportunities", "Deals Won",
                                                             "New MRR")}}
            records.append(record)
        records.append(draw(own, week, *_PART_TIMER, 1.0, part_fte))
    return records


# Acme set its own monthly outcome targets, as a team does once it has a few months of data: the framework's
# 5 deals won a month and the $5,000 placeholder quota are more than even its best SDR closes.
EXAMPLE_TARGETS = {DEALS_WON: (2, "Acme's own target: its reps close 2 to 5 deals a month."),
                   NEW_MRR: (2500, "Acme's own monthly quota per rep.")}


def example_range_rows() -> list[dict[str, object]]:
    rows = default_range_rows()
    for row in rows:
        if row[METRIC] in EXAMPLE_TARGETS and row[PERIOD] == Period.MONTH.value:
            row[MIN], row[NOTES] = EXAMPLE_TARGETS[row[METRIC]]  # type: ignore[index]
    return rows


def build_example(path: str | Path) -> Path:
    return build(path, example_records(), active=TRACKING.name, ranges=example_range_rows())
