"""styles.xml: the cell and differential formats our sheets use, appended to the user's (completed first when it
is minimal); identical ones already there are reused, and no existing index ever moves."""

from __future__ import annotations

import html
import re
from typing import ClassVar

from salesmetrics_xl.layouts.sheet import Highlight, Style
from salesmetrics_xl.xlsx.splice import insert_before_first, prefixed, root_prefix
from salesmetrics_xl.xlsx.xmltext import attr

CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                    "mm-dd-yy": 14, "d-mmm-yy": 15, "d-mmm": 16, "mmm-yy": 17, "@": 49}


_FMT_ID = re.compile(r'numFmtId="(\d+)"')
_FMT_CODE = re.compile(r'formatCode=(["\'])(.*?)\1')


def _section(xml: str, prefix: str, name: str) -> re.Match[str] | None:
    p = re.escape(prefix)
    return re.search(rf"<{p}{name}\b[^>]*?(?:/>|>.*?</{p}{name}>)", xml, re.S)


def _children(section: str, prefix: str, child: str) -> list[str]:
    p = re.escape(prefix)
    return re.findall(rf"<{p}{child}\b(?:[^>]*?/>|[^>]*?>.*?</{p}{child}>)", section, re.S)


class Styles:
    """Appends the cell and differential formats we need; identical ones already there are reused."""

    _BY_ID = 4096
    _ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
              "tableStyles", "colors", "extLst")

    # What Excel needs at index 0 of each list (a minimal styleSheet, even <styleSheet/>, has none of them): the
    # default font, the two fills Excel reserves, an empty border, the Normal style and its cell format.
    _DEFAULTS: ClassVar[dict[str, tuple[str, ...]]] = {
        "fonts": ('<font><sz val="11"/><name val="Calibri"/></font>',),
        "fills": ('<fill><patternFill patternType="none"/></fill>',
                  '<fill><patternFill patternType="gray125"/></fill>'),
        "borders": ("<border><left/><right/><top/><bottom/><diagonal/></border>",),
        "cellStyleXfs": ('<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',),
        "cellXfs": ('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',),
        "cellStyles": ('<cellStyle name="Normal" xfId="0" builtinId="0"/>',),
    }
    _CHILD: ClassVar[dict[str, str]] = {
        "numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellStyleXfs": "xf",
        "cellXfs": "xf", "cellStyles": "cellStyle", "dxfs": "dxf"}

    def __init__(self, xml: str, part: str = "xl/styles.xml"):
        self.original = xml
        self.p = root_prefix(xml, "styleSheet", part)
        self.existing = {name: self._existing(name) for name in self._CHILD}
        self.added: dict[str, list[str]] = {name: [] for name in self.existing}
        for name, defaults in self._DEFAULTS.items():  # completed, so what we add sits at index 1 and beyond
            if not self.existing[name]:
                self.added[name] = [self._tag(d) for d in defaults]
        first_font = self.existing["fonts"][0] if self.existing["fonts"] else ""
        self.font_name = (re.search(r'<(?:\w+:)?name val="([^"]*)"', first_font) or [None, "Calibri"])[1]
        size = re.search(r'<(?:\w+:)?sz val="(\d{1,3}(?:\.\d+)?)"', first_font)  # a size Excel can show, or 11
        self.font_size = size[1] if size and 1 <= float(size[1]) <= 409 else "11"
        self._xf_cache: dict[Style, int] = {}
        # A layout reuses its Style objects (layouts/styles.py look()), so one object styles many cells: found by
        # identity first, without hashing and comparing its nine fields each time. Each entry keeps its object
        # alive, so the id stays its own; at most _BY_ID entries, so a layout that makes a Style per cell costs
        # no memory per cell.
        self._xf_by_id: dict[int, tuple[Style, int]] = {}
        self._dxf_cache: dict[Highlight, int] = {}
        self._fmt_cache: dict[str, int] = {}  # a format code's id, once found or added (ids never move)

    def _existing(self, name: str) -> list[str]:
        child = self._CHILD[name]
        found = _section(self.original, self.p, name)
        return _children(found[0], self.p, child) if found else []

    def _index(self, name: str, xml: str) -> int:
        """The index of an identical entry, or of a new one appended at the end (existing indices never move)."""
        pool = self.existing[name] + self.added[name]
        if xml in pool:
            return pool.index(xml)
        self.added[name].append(xml)
        return len(pool)

    def _tag(self, xml: str) -> str:
        return prefixed(xml, self.p)

    def _num_fmt(self, code: str | None) -> int:
        if not code or code == "General":
            return 0
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code in self._fmt_cache:
            return self._fmt_cache[code]
        for entry in self.existing["numFmts"] + self.added["numFmts"]:
            m = _FMT_ID.search(entry)
            found = _FMT_CODE.search(entry)
            if m and found and html.unescape(found[2]) == code:
                self._fmt_cache[code] = int(m[1])
                return int(m[1])
        used = [int(x) for e in self.existing["numFmts"] + self.added["numFmts"] for x in _FMT_ID.findall(e)]
        new_id = max([163, *used]) + 1
        self.added["numFmts"].append(self._tag(f'<numFmt numFmtId="{new_id}" formatCode={attr(code)}/>'))
        self._fmt_cache[code] = new_id
        return new_id

    def _font_xml(self, bold: bool, italic: bool, size: float | None, color: str | None, full: bool = True) -> str:
        parts = ("<b/>" if bold else "") + ("<i/>" if italic else "")
        if full:
            parts += f'<sz val="{size or self.font_size}"/>'
        if color:
            parts += f'<color rgb="FF{color}"/>'
        if full:
            parts += f'<name val="{self.font_name}"/>'
        return self._tag(f"<font>{parts}</font>")

    def cell_xf(self, style: Style | None) -> int:
        """The cellXfs index of ``style`` (0 for none), appended the first time an equal style is seen."""
        if style is None:
            return 0
        known = self._xf_by_id.get(id(style))
        if known is not None and known[0] is style:
            return known[1]
        if style in self._xf_cache:
            index = self._xf_cache[style]
            if len(self._xf_by_id) < self._BY_ID:
                self._xf_by_id[id(style)] = (style, index)
            return index
        num = self._num_fmt(style.number_format)
        font = self._index("fonts", self._font_xml(style.bold, style.italic, style.size, style.color))
        fill = 0 if not style.fill else self._index("fills", self._tag(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{style.fill}"/><bgColor indexed="64"/>'
            "</patternFill></fill>"))
        border = 0 if not style.border else self._index("borders", self._tag(
            '<border><left/><right/><top/><bottom style="thin"><color rgb="FF808080"/></bottom><diagonal/></border>'))
        align = ""
        if style.align or style.wrap:
            # centred vertically: in a row made tall by wrapped text, values sit beside it, not at the bottom
            align = self._tag("<alignment" + (f' horizontal="{style.align}"' if style.align else "")
                              + ' vertical="center"' + (' wrapText="1"' if style.wrap else "") + "/>")
        applies = (' applyNumberFormat="1"' if num else "") + ' applyFont="1"' + (
            ' applyFill="1"' if fill else "") + (' applyBorder="1"' if border else "")
        xf = f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applies}'
        xf = self._tag(xf + (f' applyAlignment="1">{align}</xf>' if align else "/>"))
        self._xf_cache[style] = index = self._index("cellXfs", xf)
        if len(self._xf_by_id) < self._BY_ID:
            self._xf_by_id[id(style)] = (style, index)
        return index

    def dxf(self, highlight: Highlight) -> int:
        if highlight not in self._dxf_cache:
            font = self._font_xml(highlight.bold, False, None, highlight.color, full=False) \
                if (highlight.bold or highlight.color) else ""
            fill = self._tag(f'<fill><patternFill patternType="solid"><bgColor rgb="FF{highlight.fill}"/>'
                             "</patternFill></fill>") if highlight.fill else ""
            self._dxf_cache[highlight] = self._index("dxfs", self._tag(f"<dxf>{font}{fill}</dxf>"))
        return self._dxf_cache[highlight]

    def xml(self) -> str | None:
        """The new styles.xml, or None when nothing was added."""
        xml = self.original
        if not any(self.added.values()):
            return None
        for name, added in self.added.items():
            if not added:
                continue
            found = _section(xml, self.p, name)
            count = len(self.existing[name]) + len(added)
            if found:
                block = found[0]
                if block.endswith("/>"):
                    opening = re.sub(r"\s*/>$", ">", block)
                    new = opening + "".join(added) + f"</{self.p}{name}>"
                else:
                    close = block.rindex(f"</{self.p}{name}>")
                    new = block[:close] + "".join(added) + block[close:]
                new = re.sub(r'(<\w*:?' + name + r'\b[^>]*?\bcount=")\d+(")', rf"\g<1>{count}\g<2>", new, count=1)
                xml = xml[:found.start()] + new + xml[found.end():]
            else:
                new = f'<{self.p}{name} count="{count}">' + "".join(added) + f"</{self.p}{name}>"
                xml = insert_before_first(xml, self.p, self._ORDER[self._ORDER.index(name) + 1:], "styleSheet", new)
        return xml
