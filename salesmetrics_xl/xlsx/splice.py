"""Splicing our entries into XML parts the user made, so each part differs from its original only by what we add:
the part's own namespace prefix kept, empty roots opened, sections put where the schema orders them."""

from __future__ import annotations

import re


class UnwritablePartError(Exception):
    """A part of the user's workbook we must edit is not what Excel writes: the sentence names the part and says
    what is wrong with it."""

    def __init__(self, part: str, what: str):
        super().__init__(f"{part} {what}")
        self.part, self.what = part, what


# ---- namespace prefixes -------------------------------------------------------------------------------------
# A part may bind its main namespace to a prefix (<x:styleSheet xmlns:x="...">, as the Open XML SDK writes)
# instead of making it the default. What we splice in must then carry the same prefix.

PREFIX = r"((?:[A-Za-z_][\w.-]*:)?)"  # an element's prefix with its colon, or nothing


def root_prefix(xml: str, root: str, part: str = "") -> str:
    """The prefix (with its colon, or "") of the part's root element ``root``."""
    m = re.search(rf"<{PREFIX}{root}[\s/>]", xml)
    if m is None:
        raise UnwritablePartError(part or f"the part that should be a {root}", f"has no {root} element")
    return m[1]


def prefixed(xml: str, prefix: str) -> str:
    """Our unprefixed elements renamed into ``prefix``; elements that already have one are left alone."""
    return re.sub(r"<(/?)(?=[A-Za-z_][\w.-]*[\s/>])", rf"<\g<1>{prefix}", xml) if prefix else xml


def append_to_root(xml: str, root: str, entries: str, part: str = "") -> str:
    """Add entries (written unprefixed) as the last children of the root element, in the root's prefix."""
    prefix = root_prefix(xml, root, part)
    at = xml.rindex(f"</{prefix}{root}>") if f"</{prefix}{root}>" in xml else None
    if at is None:  # an empty root written as <Types/>
        m = re.search(rf"<{re.escape(prefix)}{root}\b[^>]*?\s*/>", xml)
        if m is None:
            raise UnwritablePartError(part or f"the {root} part", f"has no end to its {root} element")
        opening = re.sub(r"\s*/>$", ">", m[0])
        return xml[:m.start()] + opening + prefixed(entries, prefix) + f"</{prefix}{root}>" + xml[m.end():]
    return xml[:at] + prefixed(entries, prefix) + xml[at:]


def insert_before_first(xml: str, prefix: str, names: tuple[str, ...], root: str, new: str) -> str:
    """Insert ``new`` where schema order puts it: before the first of ``names`` present, else before the root's end."""
    positions = [m.start() for n in names if (m := re.search(rf"<{prefix}{n}[\s>/]", xml))]
    if not positions and f"</{prefix}{root}>" not in xml:  # an empty root, <styleSheet/>: opened, then filled
        return append_to_root(xml, root, new)
    at = min(positions) if positions else xml.rindex(f"</{prefix}{root}>")
    return xml[:at] + new + xml[at:]
