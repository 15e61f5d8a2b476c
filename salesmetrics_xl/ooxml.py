"""The package rules Excel applies and our readers and writer share: the two flavours of namespaces (Transitional
and Strict Open XML), part names compared case-insensitively, free relationship ids, and XML parts in UTF-16.

Excel saves "Strict Open XML Spreadsheet" with other namespace and relationship-type URIs than its usual files; the
parts, content types and package relationships are otherwise the same. A part name is compared as Excel compares
it, without regard to case: ``xl/worksheets/Sheet1.xml`` and ``xl/worksheets/sheet1.xml`` are one part. Whatever we
choose, find or write goes through the rules here, so there is one answer to "is this the same part?".
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"  # the same in both flavours
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"


@dataclass(frozen=True)
class Namespaces:
    """The URIs of one flavour. ``rel`` is both the namespace of ``r:id`` attributes and the stem of the
    relationship types (``<rel>/worksheet``)."""

    main: str
    rel: str
    drawing: str
    chart: str
    spreadsheet_drawing: str

    @property
    def strict(self) -> bool:
        return self.main == STRICT.main

    def uris(self) -> tuple[str, ...]:
        return (self.main, self.rel, self.drawing, self.chart, self.spreadsheet_drawing)

    def into(self, xml: str) -> str:
        """XML we wrote in Transitional URIs, in this flavour's (nothing changes for a Transitional book)."""
        if not self.strict:
            return xml
        for ours, theirs in zip(TRANSITIONAL.uris(), self.uris(), strict=True):
            xml = xml.replace(ours, theirs)
        return xml

    def rel_type(self, kind: str) -> str:
        """The relationship type for ``worksheet``, ``styles``, ``drawing``, ... in this flavour."""
        return f"{self.rel}/{kind}"


TRANSITIONAL = Namespaces(
    main="http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    drawing="http://schemas.openxmlformats.org/drawingml/2006/main",
    chart="http://schemas.openxmlformats.org/drawingml/2006/chart",
    spreadsheet_drawing="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing")
STRICT = Namespaces(
    main="http://purl.oclc.org/ooxml/spreadsheetml/main",
    rel="http://purl.oclc.org/ooxml/officeDocument/relationships",
    drawing="http://purl.oclc.org/ooxml/drawingml/main",
    chart="http://purl.oclc.org/ooxml/drawingml/chart",
    spreadsheet_drawing="http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing")
MAIN_NAMESPACES = (TRANSITIONAL.main, STRICT.main)


def flavour_of(xml: str | bytes) -> Namespaces:
    """The flavour a part (the workbook, or any SpreadsheetML part) is written in."""
    head = xml[:4096] if isinstance(xml, str) else xml_text(xml[:4096], partial=True)
    return STRICT if STRICT.main in head else TRANSITIONAL


def rel_kind(rel_type: str | None) -> str:
    """The kind of a relationship whatever its flavour: ``worksheet``, ``styles``, ``sharedStrings``, ..."""
    return (rel_type or "").rsplit("/", 1)[-1]


def sheet_rid(element: object) -> str | None:
    """The r:id of a <sheet> (or any element pointing at a relationship), in either flavour."""
    get = element.get  # type: ignore[attr-defined]
    return get(f"{{{TRANSITIONAL.rel}}}id") or get(f"{{{STRICT.rel}}}id")


def sheets_of(workbook_root: object) -> list[object]:
    """The <sheet> elements of a parsed workbook part, in either flavour."""
    iterate = workbook_root.iter  # type: ignore[attr-defined]
    return [s for ns in MAIN_NAMESPACES for s in iterate(f"{{{ns}}}sheet")]


def elements(root: object, name: str) -> list[object]:
    """Elements of the SpreadsheetML namespace named ``name``, in either flavour."""
    iterate = root.iter  # type: ignore[attr-defined]
    return [e for ns in MAIN_NAMESPACES for e in iterate(f"{{{ns}}}{name}")]


# ---- part names ---------------------------------------------------------------------------------------------

def key(name: str) -> str:
    """A part name as Excel compares it."""
    return name.casefold()


class PartNames:
    """The names of a package's parts, looked up as Excel looks them up (without regard to case)."""

    def __init__(self, names: Iterable[str]):
        self.by_key: dict[str, str] = {}
        for name in names:
            self.by_key.setdefault(key(name), name)

    def find(self, name: str) -> str | None:
        """The stored spelling of the part ``name`` names, or None when there is no such part."""
        return self.by_key.get(key(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and key(name) in self.by_key

    def folder_spelling(self, folder: str) -> str:
        """A folder as the package already spells it (``xl/Worksheets``), so a new part sits beside its kin."""
        want = key(folder.rstrip("/") + "/")
        for stored in self.by_key.values():
            if key(stored).startswith(want):
                return stored[:len(want) - 1]
        return folder.rstrip("/")


def resolve(base: str, target: str) -> str | None:
    """A relationship target, relative to the folder ``base`` of the part holding it, as a part name; None when
    it climbs out of the package."""
    pieces = PurePosixPath(target[1:]).parts if target.startswith("/") else (PurePosixPath(base) / target).parts
    out: list[str] = []
    for piece in pieces:
        if piece == "..":
            if not out:
                return None
            out.pop()
        elif piece not in (".", ""):
            out.append(piece)
    return "/".join(out)


def rels_name(part: str) -> str:
    """Where a part's relationships are kept: ``xl/_rels/workbook.xml.rels`` for ``xl/workbook.xml``."""
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def free_id(used: Iterable[str], stem: str = "rId") -> str:
    """The first ``rId<n>`` not in ``used``: ids are any unique names, so the set is checked, never counted."""
    taken = set(used)
    return next(f"{stem}{n}" for n in itertools.count(1) if f"{stem}{n}" not in taken)


# ---- encodings ------------------------------------------------------------------------------------------------

_DECLARED = re.compile(r"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])([^"']*)\2""")


def encoding_of(head: bytes) -> str:
    """The encoding of an XML part from its first bytes: a byte-order mark, the pattern of the first characters
    (UTF-16 without a mark), else UTF-8 (what Excel writes and the declaration of any other part says)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    space = (b" ", b"\t", b"\r", b"\n")
    if head[:2] == b"<\x00" or (head[1:2] == b"\x00" and head[:1] in space):
        return "utf-16-le"
    if head[:2] == b"\x00<" or (head[:1] == b"\x00" and head[1:2] in space):
        return "utf-16-be"
    return "utf-8"


def is_utf16(head: bytes) -> bool:
    return encoding_of(head).startswith("utf-16")


def xml_text(data: bytes, partial: bool = False) -> str:
    """An XML part as text, whatever its encoding, with its declaration saying UTF-8: the text can be edited and
    written back as UTF-8, which every reader and Excel take. ``partial``: the first bytes of a part only (a
    character cut at the end is dropped)."""
    text = data.decode(encoding_of(data[:4]), "ignore" if partial else "strict")
    text = text.lstrip("\ufeff")
    m = _DECLARED.match(text)
    if m and m[3].lower().replace("_", "-") not in ("utf-8", "utf8"):
        text = text[:m.start(3)] + "UTF-8" + text[m.end(3):]
    return text


def utf8_xml(data: bytes) -> bytes:
    """A part's bytes as UTF-8 XML (unchanged when they already are): for byte scans written for UTF-8."""
    return data if encoding_of(data[:4]) == "utf-8" else xml_text(data).encode("utf-8")


# ---- Strict as Transitional, for a reader that knows only Transitional -------------------------------------

# Strict URIs that are not the Transitional one with another stem (the five of Namespaces are; rel types follow).
_STRICT_ONLY = (
    ("http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
     "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"),
    ("http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
     "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
    ("http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
     "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"),
)


def as_transitional(path: str | Path) -> io.BytesIO:
    """A Strict package rewritten in Transitional URIs, in memory, for openpyxl (which finds no sheets in a
    Strict book). Only the URIs change; the parts, their names and their cells are the same."""
    pairs = [*_STRICT_ONLY, *zip(STRICT.uris(), TRANSITIONAL.uris(), strict=True)]
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith((".xml", ".rels")) and "purl.oclc.org" in xml_text(data[:1 << 16], partial=True):
                text = xml_text(data)
                for strict, transitional in pairs:
                    text = text.replace(strict, transitional)
                data = text.encode("utf-8")
            dst.writestr(info.filename, data)
    out.seek(0)
    return out


def seek_entry_data(fh: IO[bytes], info: zipfile.ZipInfo) -> bool:
    """Move ``fh`` to an entry's compressed bytes, past its local header (30 bytes, then its name and extra field),
    as zipfile does before it inflates them; for reading or copying them without zipfile. False when no local
    header is there (the package is damaged: zipfile says so in its words)."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        return False
    name_length, extra_length = struct.unpack("<HH", head[26:30])
    fh.seek(info.header_offset + 30 + name_length + extra_length)
    return True
