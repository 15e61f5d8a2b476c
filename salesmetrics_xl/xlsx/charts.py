"""Our charts: a clustered bar or column chart per Chart of a layout, with its cached values (so it draws before
Excel recalculates), and the drawing that anchors a sheet's charts to its cells. Written in Transitional words;
the writer turns them into a Strict book's (Namespaces.into)."""

from __future__ import annotations

import math
import re

from salesmetrics_xl.core.problems import split_range, split_ref
from salesmetrics_xl.layouts.sheet import Cell, Chart, SheetLayout, sheet_ref
from salesmetrics_xl.ooxml import TRANSITIONAL
from salesmetrics_xl.xlsx.xmltext import XML_DECL, number, text

CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
NS_REL = TRANSITIONAL.rel

_PALETTE = ("4472C4", "ED7D31", "70AD47", "FFC000", "5B9BD5", "A5A5A5")


def _range_cells(layout: SheetLayout, ref: str) -> list[Cell]:
    r1, c1, r2, c2 = split_range(ref)
    return [layout.cell(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _abs(sheet: str, ref: str) -> str:
    return sheet_ref(sheet, ":".join("$" + re.sub(r"(\d+)", r"$\1", part) for part in ref.split(":")))


def chart_xml(layout: SheetLayout, chart: Chart) -> str:
    def cache(cells: list[Cell], numeric: bool) -> str:
        points = []
        for i, cell in enumerate(cells):
            v = cell.value
            if numeric and isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                points.append(f'<c:pt idx="{i}"><c:v>{number(v)}</c:v></c:pt>')
            elif not numeric and v is not None:
                points.append(f'<c:pt idx="{i}"><c:v>{text(str(v))}</c:v></c:pt>')
        head = "<c:formatCode>General</c:formatCode>" if numeric else ""
        return f'{head}<c:ptCount val="{len(cells)}"/>{"".join(points)}'

    categories = _range_cells(layout, chart.categories)
    series = ""
    for i, s in enumerate(chart.series):
        color = s.color or _PALETTE[i % len(_PALETTE)]
        series += (
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:v>{text(s.name)}</c:v></c:tx>'
            f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>'
            f"<c:cat><c:strRef><c:f>{text(_abs(layout.name, chart.categories))}</c:f>"
            f"<c:strCache>{cache(categories, False)}</c:strCache></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{text(_abs(layout.name, s.values))}</c:f>"
            f"<c:numCache>{cache(_range_cells(layout, s.values), True)}</c:numCache></c:numRef></c:val></c:ser>")
    bar_dir = "bar" if chart.kind == "bar" else "col"
    cat_orientation = "maxMin" if chart.kind == "bar" else "minMax"
    return (
        XML_DECL + '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{NS_REL}"><c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr>'
        f'<a:defRPr sz="1200" b="1"/></a:pPr><a:r><a:rPr lang="en-US" sz="1200" b="1"/><a:t>{text(chart.title)}'
        '</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        f'<c:plotArea><c:layout/><c:barChart><c:barDir val="{bar_dir}"/><c:grouping val="clustered"/>'
        f'<c:varyColors val="0"/>{series}<c:gapWidth val="60"/><c:axId val="50010"/><c:axId val="50020"/>'
        f'</c:barChart><c:catAx><c:axId val="50010"/><c:scaling><c:orientation val="{cat_orientation}"/>'
        '</c:scaling><c:delete val="0"/><c:axPos val="' + ("l" if chart.kind == "bar" else "b") + '"/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="50020"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:tickLblSkip val="1"/></c:catAx>'
        '<c:valAx><c:axId val="50020"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="' + ("t" if chart.kind == "bar" else "l") + '"/><c:majorGridlines/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="50010"/>'
        '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')


def drawing_xml(charts: list[Chart]) -> str:
    anchors = ""
    for i, chart in enumerate(charts, start=1):
        row, col = split_ref(chart.anchor)
        anchors += (
            '<xdr:twoCellAnchor editAs="oneCell">'
            f"<xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{col - 1 + chart.width_cols}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row - 1 + chart.height_rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" name="Chart {i}"/>'
            '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '</xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            f'r:id="rId{i}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>')
    return (XML_DECL + '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{NS_REL}">{anchors}</xdr:wsDr>')
