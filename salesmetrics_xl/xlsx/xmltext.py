"""Text that goes into the XML we write: escaping, numbers, the declaration, and the check every part we wrote or
edited passes before the package is published (a damaged part would hand Excel a damaged workbook)."""

from __future__ import annotations

import re
from xml.parsers import expat

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TO_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what text() changes


def _escape(value: str) -> str:
    """&, < and > as entities: what xml.sax.saxutils.escape does, without the 14 modules (urllib, http, ssl) that
    importing it loads into every summary."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(value: str) -> str:
    """Escape for element text; drop the control characters XML cannot hold (they come from pasted data). Most
    text (names, labels, numbers as text) needs neither: one search says so and it goes out as it is."""
    if _TO_ESCAPE.search(value) is None:
        return value
    return _escape(_ILLEGAL_XML.sub("", value))


def attr(value: str) -> str:
    """A double-quoted attribute value, whatever quotes it holds (a format like "$"#,##0 has some)."""
    return '"' + _escape(_ILLEGAL_XML.sub("", value)).replace('"', "&quot;") + '"'


_EXACT = 2 ** 53  # every int below it is a float exactly


def number(value: float) -> str:
    """A cell or chart value as Excel writes it: whole numbers without a decimal point."""
    if type(value) is int and -_EXACT < value < _EXACT:  # a count: written as float(value) would write it
        return str(value)
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


# ---- every part we write is parsed before the package is published ----------------------------------------

INVALID_OUTPUT = "could not write a valid workbook; the original is untouched"


class InvalidPartError(Exception):
    """A part we wrote or edited is not well-formed XML: publishing it would hand Excel a damaged workbook."""


def _refuse_dtd(*_: object) -> None:
    raise InvalidPartError("it declares a DTD or entities")


def check_xml(data: bytes) -> None:
    """Raise InvalidPartError unless ``data`` is one well-formed XML document. Our parts never declare a DTD or
    entities; one that does is refused like any other damage."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InvalidPartError(f"not well-formed XML ({exc})") from None
