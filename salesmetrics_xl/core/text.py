"""User text as our output quotes it, and the sizes Excel and a reader can take.

A rep name, sheet name, metric, role or cell value can be any length: a 40,000-character name pasted by mistake,
a 5 MB cell from a hostile sender. Every sentence, JSON field, console line and cell that *quotes* such text goes
through ``shorten``, so the output stays readable and its size follows our words, not the user's. The limits of
what Excel can hold are stated here once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

ELLIPSIS = "…"
QUOTE_LIMIT = 60  # characters of one piece of user text quoted in a sentence: a long name still reads as itself
MESSAGE_LIMIT = 1_000  # a whole problem sentence, our words included: the last guard, for a quote not shortened
LIST_LIMIT = 10  # names a sentence lists before "and N more"
CELL_LIMIT = 32_767  # characters Excel holds in a cell (UTF-16 units)
FITS_ANY_WAY = CELL_LIMIT // 2  # text this short fits in a cell however its characters are counted
FORMULA_LIMIT = 8_192  # characters Excel takes in a formula, the leading '=' not counted


def units(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (an emoji outside the basic plane is two)."""
    return len(text) + sum(ord(ch) > 0xFFFF for ch in text)


def shorten(text: object, limit: int = QUOTE_LIMIT) -> str:
    """``text`` as a sentence quotes it: whole when it has at most ``limit`` characters, else its first ones
    followed by an ellipsis, ``limit`` characters in all. Only the first ``limit`` characters are ever looked at
    beyond the length check, so a 5 MB value costs no more than a short one."""
    value = text if isinstance(text, str) else str(text)
    if len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def listing(names: Iterable[object], shown: int = LIST_LIMIT, limit: int = QUOTE_LIMIT) -> str:
    """Names joined for a sentence: "Ann, Bo, Cy", or the first ``shown`` of them and "and N more". Each name is
    shortened, so the sentence is bounded whatever the number or length of the names."""
    items = list(names)
    head = ", ".join(shorten(n, limit) for n in items[:shown])
    rest = len(items) - shown
    return f"{head} and {rest:,} more" if rest > 0 else head


def joined(items: list[str]) -> str:
    """A few of our own words joined as a sentence lists them: "Dials, Emails and SQLs" (``listing`` is for the
    user's names, bounded and shortened)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fit_cell(text: str) -> str:
    """Text cut to what one Excel cell holds (32,767 characters, counted as Excel counts them), saying so at its
    end. Text that fits is returned as it is."""
    if len(text) <= FITS_ANY_WAY or units(text) <= CELL_LIMIT:
        return text
    tail = f"{ELLIPSIS} (cut: the full text has {units(text):,} characters, more than a cell holds)"
    room = CELL_LIMIT - units(tail)
    end = used = 0
    for ch in text:  # characters outside the basic plane count twice
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            break
        end += 1
    return text[:end] + tail


def finite(value: object) -> object:
    """A value that strict JSON can hold: infinities and NaN (anywhere in lists and dicts) become None, so
    ``json.dumps(..., allow_nan=False)`` never fails on a number that is too large or not a number."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def strict_json(value: object, indent: int | None = 2) -> str:
    """The one way our output becomes JSON: strict (no ``Infinity`` or ``NaN``, which no JSON parser but Python's
    accepts), dates as ISO text, non-ASCII kept readable."""
    import json

    options = {"indent": indent, "ensure_ascii": False, "allow_nan": False, "default": str,
               "separators": None if indent is not None else (",", ":")}
    try:  # most output holds no such number: it is not walked twice
        return json.dumps(value, **options)  # type: ignore[arg-type]
    except ValueError:  # an infinity or NaN somewhere: made null, then written
        return json.dumps(finite(value), **options)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def lower(name: str) -> str:
    """A column name inside a sentence: "conversations", but "SQLs" and "new MRR" keep their capitals."""
    return " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in name.split())
