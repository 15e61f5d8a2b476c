"""Relationships as records: read once from a .rels part, built once for our new parts, serialised once. Nothing
is kept as XML text to be taken apart again later."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from defusedxml import ElementTree

from salesmetrics_xl.ooxml import PACKAGE_RELS, TRANSITIONAL, rel_kind
from salesmetrics_xl.xlsx.xmltext import XML_DECL, attr

# Relationship types in Transitional words: a parsed relationship says its type so whatever the book's flavour.
REL_WORKSHEET = TRANSITIONAL.rel_type("worksheet")
REL_SHARED_STRINGS = TRANSITIONAL.rel_type("sharedStrings")
REL_DRAWING = TRANSITIONAL.rel_type("drawing")
REL_CHART = TRANSITIONAL.rel_type("chart")


class Relationship(NamedTuple):
    """One <Relationship>: ``mode`` is "External" for a link out of the package (a web address), else None."""

    id: str
    type: str
    target: str
    mode: str | None = None

    @property
    def part_target(self) -> str:
        """The target when it names a part of the package; "" for an external link, which names none."""
        return "" if self.mode == "External" else self.target

    def xml(self) -> str:
        mode = f" TargetMode={attr(self.mode)}" if self.mode else ""
        return f"<Relationship Id={attr(self.id)} Type={attr(self.type)} Target={attr(self.target)}{mode}/>"


def parse_rels(xml: str) -> list[Relationship]:
    """Each relationship of a .rels part; the type in Transitional words whatever the book's flavour, so one
    comparison (``rel.type == REL_WORKSHEET``) serves both."""
    root = ElementTree.fromstring(xml.encode("utf-8"))
    return [Relationship(r.get("Id") or "", TRANSITIONAL.rel_type(rel_kind(r.get("Type"))), r.get("Target") or "",
                         r.get("TargetMode")) for r in root]


def entries_xml(rels: Iterable[Relationship]) -> str:
    """The <Relationship> elements, to add to an existing part."""
    return "".join(r.xml() for r in rels)


def rels_xml(rels: Iterable[Relationship]) -> str:
    """A whole new .rels part."""
    return XML_DECL + f'<Relationships xmlns="{PACKAGE_RELS}">{entries_xml(rels)}</Relationships>'
