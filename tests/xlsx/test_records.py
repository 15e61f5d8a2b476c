"""Relationships and content types as records: what a .rels part or [Content_Types].xml says is read into records
once and written from them once, in the part's own prefix, never by taking XML text apart again."""

from __future__ import annotations

from defusedxml import ElementTree

from salesmetrics_xl.ooxml import CT_RELS, PACKAGE_RELS, STRICT, TRANSITIONAL
from salesmetrics_xl.xlsx.content_types import Override, updated_content_types
from salesmetrics_xl.xlsx.relationships import REL_WORKSHEET, Relationship, parse_rels, rels_xml
from salesmetrics_xl.xlsx.styles import CT_STYLES
from salesmetrics_xl.xlsx.worksheet import CT_WORKSHEET

LINK = TRANSITIONAL.rel_type("hyperlink")
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


def test_relationships_read_in_transitional_words_and_written_back_as_they_were():
    written = rels_xml([Relationship("rId1", REL_WORKSHEET, "worksheets/sheet1.xml"),
                        Relationship("rId2", LINK, "https://example.com/?a=1&b=2", "External")])
    assert parse_rels(written) == [Relationship("rId1", REL_WORKSHEET, "worksheets/sheet1.xml"),
                                   Relationship("rId2", LINK, "https://example.com/?a=1&b=2",
                                                "External")]
    strict = written.replace("http://schemas.openxmlformats.org/officeDocument/2006/relationships", STRICT.rel)
    strict = strict.replace(f'xmlns="{STRICT.rel}', f'xmlns="{PACKAGE_RELS}')
    sheet, link = parse_rels(strict)
    assert sheet.type == REL_WORKSHEET  # one comparison serves a Strict book too
    assert (sheet.part_target, link.part_target) == ("worksheets/sheet1.xml", "")  # a web link names no part


def test_a_target_with_xml_characters_is_escaped_once():
    rel = Relationship("rId7", REL_WORKSHEET, 'worksheets/R&D "team".xml')
    assert parse_rels(rels_xml([rel])) == [rel]


def test_content_types_lose_removed_parts_gain_ours_once_and_keep_their_prefix():
    xml = (f'<?xml version="1.0"?><t:Types xmlns:t="{TYPES}"><t:Default Extension="xml" ContentType="application/xml"/>'
           f'<t:Override PartName="/xl/Charts/Chart1.xml" ContentType="chart"/>'
           f'<t:Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/></t:Types>')
    out = updated_content_types(xml, "[Content_Types].xml", ["xl/charts/chart1.xml"],
                                [Override("xl/styles.xml", CT_STYLES),
                                 Override("xl/worksheets/sheet2.xml", CT_WORKSHEET)])
    entries = [(e.tag.split("}")[1], dict(e.attrib)) for e in ElementTree.fromstring(out)]
    assert entries == [
        ("Default", {"Extension": "xml", "ContentType": "application/xml"}),
        ("Override", {"PartName": "/xl/styles.xml", "ContentType": CT_STYLES}),  # listed already: not twice
        ("Override", {"PartName": "/xl/worksheets/sheet2.xml", "ContentType": CT_WORKSHEET}),
        ("Default", {"Extension": "rels", "ContentType": CT_RELS}),  # our .rels parts need it
    ]
    assert "<Override" not in out and "<t:Override PartName=\"/xl/worksheets/sheet2.xml\"" in out
    again = updated_content_types(out, "[Content_Types].xml", [], [Override("xl/worksheets/sheet2.xml", CT_WORKSHEET)])
    assert again == out  # nothing twice: the override and the rels default are there
