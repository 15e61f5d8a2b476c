"""[Content_Types].xml as records: the Override of each part we add (its name and content type) is built once and
serialised once; the overrides of parts we removed are taken out, and the ``rels`` default added when missing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from salesmetrics_xl.ooxml import CT_RELS
from salesmetrics_xl.xlsx.splice import append_to_root, root_prefix
from salesmetrics_xl.xlsx.xmltext import attr


class Override(NamedTuple):
    """The content type of one part, by name (without the leading slash the entry writes)."""

    part: str
    content_type: str

    def xml(self) -> str:
        return f"<Override PartName={attr('/' + self.part)} ContentType={attr(self.content_type)}/>"


class Default(NamedTuple):
    """The content type of every part with this extension that has no Override."""

    extension: str
    content_type: str

    def xml(self) -> str:
        return f"<Default Extension={attr(self.extension)} ContentType={attr(self.content_type)}/>"


def updated_content_types(xml: str, part: str, removed: Iterable[str], added: Iterable[Override]) -> str:
    """The content types part ``part`` with the overrides of ``removed`` parts taken out and ``added`` put in (one
    the part already lists is kept as it is). Part names compare without regard to case, as Excel compares them."""
    p = re.escape(root_prefix(xml, "Types", part))

    def override(name: str) -> str:
        return rf"<{p}Override\b[^>]*\bPartName=[\"'](?i:/{re.escape(name)})[\"'][^>]*/>"

    for name in sorted(removed):
        xml = re.sub(override(name), "", xml)
    new: list[Override | Default] = [o for o in added if not re.search(override(o.part), xml)]
    if not re.search(rf"<{p}Default\b[^>]*\bExtension=[\"'](?i:rels)[\"']", xml):
        new.append(Default("rels", CT_RELS))  # for our .rels parts
    return append_to_root(xml, "Types", "".join(entry.xml() for entry in new), part)
