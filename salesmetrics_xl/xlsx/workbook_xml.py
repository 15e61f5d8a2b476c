"""workbook.xml, edited by splicing: our new sheets listed, the record of our sheets and each sheet's print titles
as defined names, the tab the workbook opens on, and recalculation on open. Every other byte stays as it was."""

from __future__ import annotations

import re
from typing import NamedTuple

from defusedxml import ElementTree

from salesmetrics_xl.core.problems import column_letter
from salesmetrics_xl.layouts.sheet import SheetLayout
from salesmetrics_xl.ooxml import Namespaces, sheets_of
from salesmetrics_xl.xlsx.splice import PREFIX, insert_before_first, root_prefix
from salesmetrics_xl.xlsx.xmltext import attr, text


class NewSheet(NamedTuple):
    """A <sheet> entry for a sheet we add: its name, its sheet id and the id of its relationship."""

    name: str
    sheet_id: int
    rid: str


def _workbook_prefix(workbook: str) -> str:
    return (re.search(r"<(\w+:)?workbook\b", workbook) or [None, ""])[1] or ""


def add_sheets(workbook: str, sheets: list[NewSheet], ns: Namespaces) -> str | None:
    """The workbook with ``sheets`` listed after its own, in the part's prefixes (its relationship namespace
    declared on each entry when the part has none); None when the part lists no sheets."""
    m = re.search(rf"</{PREFIX}sheets>", workbook)
    if m is None:
        return None
    p = m[1]
    root_tag = re.search(r"<(?!\?)[^>]+>", workbook)
    assert root_tag is not None
    r_prefix = re.search(rf'xmlns:([\w.-]+)=["\']{re.escape(ns.rel)}["\']', root_tag[0])
    declare = "" if r_prefix else f' xmlns:r="{ns.rel}"'
    r = r_prefix[1] if r_prefix else "r"
    entries = "".join(f'<{p}sheet name={attr(s.name)} sheetId="{s.sheet_id}"{declare} {r}:id="{s.rid}"/>'
                      for s in sheets)
    return workbook[:m.start()] + entries + workbook[m.start():]


def print_titles(workbook: str, name: str, layout: SheetLayout) -> str:
    """The rows (and columns) repeated on every printed page of one of our sheets: the sheet's _xlnm.Print_Titles
    name, an earlier one for the same sheet replaced."""
    if layout.print_rows is None and layout.print_columns is None:
        return workbook
    root = ElementTree.fromstring(workbook.encode("utf-8"))
    names = [(s.get("name") or "").casefold() for s in root.iter() if s.tag.endswith("}sheet")]
    if name.casefold() not in names:
        return workbook
    index = names.index(name.casefold())
    quoted = "'" + name.replace("'", "''") + "'"
    parts = []
    if layout.print_columns:
        a, b = layout.print_columns
        parts.append(f"{quoted}!${column_letter(a)}:${column_letter(b)}")
    if layout.print_rows:
        parts.append(f"{quoted}!${layout.print_rows[0]}:${layout.print_rows[1]}")
    p = _workbook_prefix(workbook)
    entry = f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{index}">{text(",".join(parts))}</{p}definedName>'
    which = rf'(?=[^>]*\bname="_xlnm.Print_Titles")(?=[^>]*\blocalSheetId="{index}")'
    return _put_defined_name(workbook, p, which, entry, first=True)  # Excel lists _xlnm names first


def _put_defined_name(workbook: str, p: str, which: str, entry: str, first: bool) -> str:
    """``entry`` in place of the definedName that ``which`` (lookaheads on its attributes) finds, else added to
    the list, first or last; a workbook without a list gets one."""
    old = re.search(rf'<{p}definedName\b{which}[^>]*?(?:/>|>.*?</{p}definedName>)', workbook, re.S)
    if old:
        return workbook[:old.start()] + entry + workbook[old.end():]
    if m := re.search(rf"<{p}definedNames>" if first else rf"</{p}definedNames>", workbook):
        at = m.end() if first else m.start()
        return workbook[:at] + entry + workbook[at:]
    return _new_defined_names(workbook, p, entry)


def _new_defined_names(workbook: str, p: str, entry: str) -> str:
    """A workbook without a definedNames list gets one holding ``entry``, where the schema puts it."""
    if m := re.search(rf"<{p}definedNames\s*/>", workbook):
        return workbook[:m.start()] + f"<{p}definedNames>{entry}</{p}definedNames>" + workbook[m.end():]
    return insert_before_first(workbook, p, ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
                                             "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                             "webPublishObjects", "extLst"), "workbook",
                               f"<{p}definedNames>{entry}</{p}definedNames>")


def set_defined_name(workbook: str, name: str, value: str) -> str:
    """A hidden workbook-level name with this value: our earlier one replaced, any other name left alone."""
    p = _workbook_prefix(workbook)
    entry = f'<{p}definedName name="{name}" hidden="1">{text(value)}</{p}definedName>'
    which = rf'(?=[^>]*\bname="{re.escape(name)}")(?![^>]*\blocalSheetId=)'  # ours: workbook-level only
    return _put_defined_name(workbook, p, which, entry, first=False)


def open_on(workbook: str, name: str) -> str:
    """Make one sheet the tab the workbook opens on: activeTab (and firstSheet, so its tab is in view) of the
    first workbookView, added when the workbook has none. An additive edit: nothing else in bookViews moves."""
    root = ElementTree.fromstring(workbook.encode("utf-8"))
    names = [(s.get("name") or "").casefold() for s in sheets_of(root)]
    index = names.index(name.casefold())
    m = re.search(r"<(\w+:)?workbookView\b([^>]*?)(/?)>", workbook)
    if m is None:
        p = _workbook_prefix(workbook)
        return insert_before_first(workbook, p, ("sheets",), "workbook",
                                   f'<{p}bookViews><{p}workbookView activeTab="{index}"/></{p}bookViews>')
    attrs = re.sub(r'\sactiveTab="[^"]*"', "", m[2]) + f' activeTab="{index}"'
    first = re.search(r'\sfirstSheet="(\d+)"', attrs)
    if first and int(first[1]) > index:
        attrs = attrs.replace(first[0], f' firstSheet="{index}"')
    return workbook[:m.start(2)] + attrs + workbook[m.end(2):]


def full_calc_on_load(workbook: str) -> str:
    """Ask Excel to recalculate on open: the formulas we wrote must reflect the user's latest numbers."""
    m = re.search(rf"<{PREFIX}calcPr\b([^>]*?)(/?)>", workbook)
    if m:
        if "fullCalcOnLoad" in m[2]:
            return re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', workbook, count=1)
        return workbook[:m.end(2)] + ' fullCalcOnLoad="1"' + workbook[m.end(2):]
    p = root_prefix(workbook, "workbook", "the workbook part")
    return insert_before_first(workbook, p, ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                                             "smartTagTypes", "webPublishing", "fileRecoveryPr",
                                             "webPublishObjects", "extLst"), "workbook",
                               f'<{p}calcPr fullCalcOnLoad="1"/>')
