"""A sheet's XML in the package: found as Excel finds it (Transitional or Strict, part names in any case),
inflated once per read, for the sheet guard's scans; and the first shared strings, for fastexcel's header guess."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from salesmetrics_xl.ooxml import PartNames, is_utf16, rel_kind, resolve, sheet_rid, sheets_of, utf8_xml
from salesmetrics_xl.package import WORKBOOK_RELS, part_bytes
from salesmetrics_xl.sheet_head import first_strings


def sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip entry of a sheet, found as Excel finds it: Transitional or Strict, part names in any case."""
    return sheet_parts(zf)(name)


def sheet_parts(zf: zipfile.ZipFile) -> Callable[[str], str | None]:
    """sheet_part for every sheet, with the workbook and its relationships parsed once: the first sheet of a name
    and the first relationship of an id, as a search finds them."""
    names = PartNames(zf.namelist())
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = _workbook_rels(zf, names)
    rids: dict[str, str | None] = {}
    for sheet in sheets_of(workbook):
        rids.setdefault(sheet.get("name"), sheet_rid(sheet))  # type: ignore[attr-defined, arg-type]
    targets: dict[str | None, str | None] = {}
    for rel in rels:
        targets.setdefault(rel.get("Id"), rel.get("Target"))

    def part(name: str) -> str | None:
        target = targets.get(rids.get(name))
        found = resolve("xl", target) if target else None
        return names.find(found) if found else None
    return part


def _workbook_rels(zf: zipfile.ZipFile, names: PartNames) -> Any:
    """The workbook's relationships, parsed: the part found in any case, as Excel finds it."""
    return ElementTree.fromstring(zf.read(names.find(WORKBOOK_RELS) or WORKBOOK_RELS))


def strings_part(zf: zipfile.ZipFile) -> str | None:
    """The shared strings part, as the workbook's relationships name it (the first such relationship)."""
    names = PartNames(zf.namelist())
    rels = _workbook_rels(zf, names)
    for rel in rels:
        if rel_kind(rel.get("Type")) == "sharedStrings" and rel.get("TargetMode") != "External":
            found = resolve("xl", rel.get("Target") or "")
            return names.find(found) if found else None
    return None


def sheet_bytes(path: Path, name: str) -> bytes:
    """A sheet's XML, read once for the scans below (the zip limits above bound its size); as UTF-8 whatever its
    encoding, so the scans see what a parser sees."""
    return SheetParts(path).xml(name)


def utf16_parts(path: Path, name: str) -> bool:
    """Whether a sheet or the shared strings are stored as UTF-16: the native readers misread such parts (blank
    cells, "not well-formed"), openpyxl reads them as Excel does."""
    return SheetParts(path).utf16(name)


class SheetParts:
    """One read's way to a sheet's XML: the package's sheet list parsed once, each sheet inflated when asked."""

    def __init__(self, path: Path, kept: dict[str, bytes] | None = None):
        self.path = path
        self.kept = kept if kept is not None else {}  # sheets inflated already (package.check_package), by part
        self.found: Callable[[str], str | None] | None = None
        self.utf16s: dict[str, bool] = {}

    def _part(self, zf: zipfile.ZipFile, name: str) -> str | None:
        self.found = self.found or sheet_parts(zf)
        return self.found(name)

    def xml(self, name: str) -> bytes:
        with zipfile.ZipFile(self.path) as zf:
            part = self._part(zf, name)
            if part is None:
                return b""
            data = self.kept.pop(part, None)
            return utf8_xml(data if data is not None else part_bytes(zf, part))

    def strings(self, count: int) -> list[str]:
        """The first ``count`` shared strings, for the header guess (sheet_head.head_rows)."""
        with zipfile.ZipFile(self.path) as zf:
            return first_strings(zf, strings_part(zf), count)

    def shared_strings(self) -> bytes | None:
        """The shared strings part's XML, for null_text (None: the book has no shared strings)."""
        with zipfile.ZipFile(self.path) as zf:
            part = strings_part(zf)
            return part_bytes(zf, part) if part else None

    def utf16(self, name: str) -> bool:
        if name not in self.utf16s:
            with zipfile.ZipFile(self.path) as zf:
                parts = [self._part(zf, name), PartNames(zf.namelist()).find("xl/sharedStrings.xml")]
                self.utf16s[name] = False
                for part in parts:
                    if part is not None:
                        with zf.open(part) as fh:
                            if is_utf16(fh.read(4)):
                                self.utf16s[name] = True
                                break
        return self.utf16s[name]
