"""What a team calls things: a metric named with its period ("SQLs per month"), and a column under the team's own
header ("Calls (Dials)").

The one matcher for a Ranges metric name and the one label for a column, so that the reader, `check`, the
sheets and the sentences all read and say a team's words the same way. Pure Python.
"""

from __future__ import annotations

import functools
import re

from salesmetrics_xl.core.metrics import Period, closest_name, match_name, normalise

# How people put a period into a metric's name, on either side of it. Each pattern keeps the metric in "name".
_WEEK_WORDS = r"week|weekly|wk|wks|weeks|w"
_MONTH_WORDS = r"month|monthly|mo|mos|months|mth|mtd"
_PERIOD_WORD = rf"(?P<period>{_WEEK_WORDS}|{_MONTH_WORDS})"
_TARGET_WORDS = r"target|targets|goal|goals|quota|quotas|objective|min|minimum|range|kpi"
_PATTERNS = tuple(re.compile(p, re.I) for p in (
    rf"^(?P<name>.+?)\s*(?:\bper\b|\ba\b|\beach\b|/|\bby\b|\bevery\b)\s*{_PERIOD_WORD}\.?$",  # Calls per week
    rf"^(?P<name>.+?)\s*[(\[]\s*(?:per\s+|a\s+|/\s*)?{_PERIOD_WORD}\s*[)\]]$",                  # SQLs (month)
    rf"^{_PERIOD_WORD}\s+(?P<name>.+)$",                                                    # Monthly SQLs
    rf"^(?P<name>.+?)\s*[-–,:]\s*{_PERIOD_WORD}$",                                          # SQLs - monthly
    r"^(?P<name>.+?)\s+(?P<period>weekly|monthly)$",                                       # SQLs monthly
))
_TARGET = re.compile(rf"^(?P<name>.+?)\s*\b(?:{_TARGET_WORDS})\b\s*$|^(?:{_TARGET_WORDS})\s*[:-]?\s+(?P<after>.+)$",
                     re.I)


_PER_DAY = re.compile(r"^(?P<name>.+?)\s*(?:\bper\b|\ba\b|/|\beach\b)\s*(?:day|d)\.?$|^daily\s+(?P<after>.+)$"
                      r"|^(?P<before>.+?)\s*[(\[]\s*(?:per\s+|a\s+)?day\s*[)\]]$", re.I)


def per_day(text: object, names: dict[str, tuple[str, ...]]) -> str | None:
    """The metric, as written, of a name that gives a day as its period ("Calls per day", "Daily Dials"): a range is
    for a week or a month, so the reader can say how to write it instead of calling the metric unknown."""
    m = _PER_DAY.match("" if text is None else str(text).strip())
    if not m:
        return None
    written = (m["name"] or m["after"] or m["before"]).strip()
    return written if match_metric(written, names)[0] else None


def period_word(word: str) -> Period:
    return Period.MONTH if re.fullmatch(_MONTH_WORDS, word, re.I) else Period.WEEK


def split_period(text: str) -> tuple[str, Period | None]:
    """A metric's name and the period it names, if any: "Calls per week" -> ("Calls", week), "SQL target
    (month)" -> ("SQL", month), "Monthly SQLs" -> ("SQLs", month), "Dials" -> ("Dials", None). A word like
    target, goal or quota around the name is dropped: it says what the row is, not which metric."""
    name, period = text.strip(), None
    for _ in range(3):  # "Monthly SQL target", "SQL target (month)": peel a period and a target word, any order
        before = name
        for pattern in _PATTERNS:
            if period is None and (m := pattern.match(name)) and m["name"].strip():
                name, period = m["name"].strip(), period_word(m["period"])
                break
        if (m := _TARGET.match(name)) and (m["name"] or m["after"] or "").strip():
            name = (m["name"] or m["after"]).strip()
        if name == before:
            break
    return name, period


def _singular_plural(key: str) -> tuple[str, ...]:
    """The other forms of a normalised name: sql <-> sqls, opportunity <-> opportunities, deal <-> deals."""
    if key.endswith("ies"):
        return (key[:-3] + "y",)
    if key.endswith("y"):
        return (key[:-1] + "ies",)
    if key.endswith("s"):
        return (key[:-1],)
    return (key + "s",)


def match_metric(text: object, names: dict[str, tuple[str, ...]]) -> tuple[str | None, Period | None, str]:
    """The one matcher for a metric as a team names it in a Ranges row: the canonical metric (or None), the
    period its name gives (or None), and the name without the period words (for a message, or a metric of the
    team's own). ``names`` maps each canonical metric to its other names (match_name's form); singular and plural
    are the same metric (SQL, SQLs; Deal, Deals)."""
    raw = "" if text is None else str(text).strip()
    if found := match_name(raw, names):  # the whole name first: "Meetings Booked" is not "Meetings" + a period
        return found, None, raw
    name, period = split_period(raw)
    for candidate in (name, *_other_forms(name)):
        if found := match_name(candidate, names):
            return found, period, name
    return None, period, name


def _other_forms(name: str) -> list[str]:
    key = normalise(name)
    return list(_singular_plural(key)) if key else []


def did_you_mean(text: object, names: dict[str, tuple[str, ...]]) -> str | None:
    """A close match for a name no matcher took, with or without its period words; None when nothing is close,
    as a far-fetched suggestion misleads more than none."""
    name, _ = split_period("" if text is None else str(text))
    return closest_name(name, names) or closest_name(text, names)


@functools.lru_cache(maxsize=4096)
def label(column: str, header: str | None) -> str:
    """A column as the manager knows it, everywhere we name it: their header, with our name in brackets where it
    differs ("Calls (Dials)"), so their own word is first and the name our ranges and catalog use is beside it.
    Without a header of theirs (a default range, a column they do not have), our name alone."""
    text = (header or "").strip()
    return f"{text} ({column})" if text and normalise(text) != normalise(column) else column
