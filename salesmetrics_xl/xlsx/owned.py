"""Which sheets are ours: by the workbook's record of them (OWNED_NAME), or, in a workbook written before the
record existed, by our signature in the first cells of a sheet with one of our names. Only worksheets: never a
chart sheet, never a sheet the user made."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable

from defusedxml import ElementTree

from salesmetrics_xl.core.workbook import OUR_SHEETS
from salesmetrics_xl.layouts.sheet import OWNED_NAME, made_by_us, owned_entries
from salesmetrics_xl.ooxml import elements, sheet_rid, sheets_of, xml_text
from salesmetrics_xl.xlsx.relationships import REL_WORKSHEET, Relationship

# The sheets earlier versions wrote before the workbook recorded which sheets are ours (OWNED_NAME): a sheet with one
# of these names (or "Name (2)") is recognised as ours when its first cells carry our signature (layout.SIGNATURES).
LEGACY_SHEETS = OUR_SHEETS


def our_sheets(zf: zipfile.ZipFile, root: object, rels: list[Relationship], targets: dict[str, str],
               exists: Callable[[str], bool], shared_strings: str | None) -> set[str]:
    """The (casefolded) names of the sheets we made. ``targets`` maps each relationship id of the workbook to its
    part; ``shared_strings`` is the shared strings part, when there is one."""
    kinds = {r.id: r.type for r in rels}
    record = None
    for defined in elements(root, "definedName"):
        if defined.get("name") == OWNED_NAME and defined.get("localSheetId") is None:  # type: ignore[attr-defined]
            record = owned_entries(defined.text)  # type: ignore[attr-defined]
    owned = set()
    for s in sheets_of(root):
        name, sheet_id, rid = s.get("name") or "", s.get("sheetId"), sheet_rid(s)  # type: ignore[attr-defined]
        if kinds.get(rid) != REL_WORKSHEET or not exists(targets.get(rid, "")):  # type: ignore[arg-type]
            continue
        if record is not None:
            mine = any(n.casefold() == name.casefold() and i in (None, sheet_id) for i, n in record)
        else:
            mine = re.sub(r" \(\d+\)$", "", name) in LEGACY_SHEETS and made_by_us(
                first_cells(zf, targets[rid], shared_strings))  # type: ignore[index]
        if mine:
            owned.add(name.casefold())
    return owned


def first_cells(zf: zipfile.ZipFile, part: str, shared_strings: str | None) -> list[object]:
    """The text of A1 and A2, read from the start of the part (shared strings looked up as far as needed)."""
    with zf.open(part) as fh:
        head = xml_text(fh.read(1 << 16), partial=True)
    values: list[object] = []
    for ref in ("A1", "A2"):
        cell = re.search(rf'<(?:\w+:)?c\b([^>]*\br="{ref}"[^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', head, re.S)
        if cell is None or not cell[2]:
            continue
        kind = re.search(r'\bt="(\w+)"', cell[1])
        if kind and kind[1] == "s":
            index = re.search(r"<(?:\w+:)?v>(\d+)<", cell[2])
            values.append(shared_string(zf, shared_strings, int(index[1])) if index else None)
        elif kind and kind[1] in ("inlineStr", "str"):
            pieces = re.findall(r"<(?:\w+:)?[tv]\b[^>]*>([^<]*)<", cell[2])
            values.append(html.unescape("".join(pieces)))
    return values


def shared_string(zf: zipfile.ZipFile, part: str | None, index: int) -> str | None:
    """The shared string at ``index``, read only as far as it."""
    if part is None:
        return None
    with zf.open(part) as fh:
        for _, item in ElementTree.iterparse(fh):
            if not item.tag.endswith("}si"):
                continue
            if index == 0:
                return "".join(t.text or "" for t in item.iter() if t.tag.endswith("}t"))
            index -= 1
            item.clear()
    return None
