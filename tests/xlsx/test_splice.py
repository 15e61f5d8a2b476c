"""Parts written with a namespace prefix (as the Open XML SDK and other non-Excel tools write them) only gain
entries, in the part's own prefix."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl.xlsx import (
    iter_parts,
    write_workbook,
)
from tests.helpers import raw_entries
from tests.xlsx.books import MAY_CHANGE, fidelity_book, only_additions, summary_layout, tracking_part

PREFIXABLE = ("xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")


def _prefixed(xml: bytes, prefix: str) -> bytes:
    """The same XML with its default namespace bound to ``prefix`` and every unprefixed element renamed to match:
    ``<styleSheet xmlns="...">`` becomes ``<x:styleSheet xmlns:x="...">``. Equivalent XML, different text."""
    text = xml.decode("utf-8")
    text = re.sub(r"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", rf"<\1{prefix}:\2", text)
    return re.sub(r'\bxmlns="', f'xmlns:{prefix}="', text).encode("utf-8")


def _rewrite(source: Path, target: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, parts.get(info.filename, src.read(info)))
    return target


def _namespaces_and_names(xml: bytes) -> list[tuple[str, dict[str, str | None]]]:
    """Each element as (namespace-qualified tag, attributes): what a reader sees, whatever the prefixes."""
    from defusedxml import ElementTree
    return [(e.tag, dict(e.attrib)) for e in ElementTree.fromstring(xml).iter()]


@pytest.mark.parametrize("parts", [[p] for p in PREFIXABLE] + [[*PREFIXABLE, "tracking sheet"]],
                         ids=[*PREFIXABLE, "all four and the sheet"])
def test_namespace_prefixed_parts_only_gain_entries(tmp_path, parts):
    plain = fidelity_book(tmp_path, "plain.xlsx")
    parts = [tracking_part(plain) if p == "tracking sheet" else p for p in parts]
    with zipfile.ZipFile(plain) as zf:
        originals = {p: zf.read(p) for p in parts}
    source = _rewrite(plain, tmp_path / "prefixed.xlsx", {p: _prefixed(originals[p], "x") for p in parts})
    assert all(b"<x:" in zipfile.ZipFile(source).read(p) for p in parts)
    openpyxl.load_workbook(source)  # the prefixed input is itself a valid workbook
    expected = write_workbook(plain, summary_layout(), tmp_path / "plain.summary.xlsx")
    target = write_workbook(source, summary_layout(), tmp_path / "prefixed.summary.xlsx")

    before, after = raw_entries(source), raw_entries(target)
    untouched = [n for n in before if n not in MAY_CHANGE | {tracking_part(plain)}]
    assert untouched and [n for n in untouched if after[n] != before[n]] == []  # copied byte for byte
    old, new, want = dict(iter_parts(source)), dict(iter_parts(target)), dict(iter_parts(expected))
    for part in MAY_CHANGE:
        assert only_additions(old[part].decode(), new[part].decode()) == [], part
        # the same entries as when the part was unprefixed: prefixes change the text, never the meaning
        assert _namespaces_and_names(new[part]) == _namespaces_and_names(want[part]), part
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Tracking", "Notes", "Weekly Summary"]
    title = book["Weekly Summary"]["A1"].font
    assert (title.b, title.sz) == (True, 14)  # the style index we wrote points at the style we appended
    again = openpyxl.load_workbook(write_workbook(target, summary_layout(), tmp_path / "again.xlsx"))
    assert again.sheetnames == ["Tracking", "Notes", "Weekly Summary"]  # a second run replaces, never duplicates
    ours = [r for cf in again["Tracking"].conditional_formatting for r in cf.rules
            if "salesmetrics-xl" in str(r.formula)]
    assert len(ours) == 1
