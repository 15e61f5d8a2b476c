"""The live book reads the sheets a workbook names itself, as the file reader does."""

from __future__ import annotations

import openpyxl
import pytest
import xlwings as xw

from salesmetrics_xl.excel.book import read_book
from salesmetrics_xl.layouts.sheet import WorkbookLayout
from tests.excel.payloads import book_payload
from tests.own_workbooks import TARGETS, own_workbook


def test_the_button_reads_the_sheets_the_defined_names_point_at(tmp_path):
    source = own_workbook(tmp_path / "odd.xlsx", targets="Q4 numbers")
    wb = openpyxl.load_workbook(source)
    wb.create_sheet("Ranges").append(["Metric", "Min"])  # a decoy the defined name must win over
    wb["Ranges"].append(["Calls", 999])
    wb.save(source)
    payload = book_payload(source)
    plain = read_book(xw.Book(json=payload))
    assert [r.range.min for r in plain.ranges.rules] == [999]

    payload["names"] = [{"name": "salesmetrics_ranges", "book_scope": True, "scope_sheet_name": None,
                         "refers_to": "='Q4 numbers'!$A$1", "sheet_index": 1, "address": "A1"},
                        {"name": "salesmetrics_tracking", "book_scope": True, "scope_sheet_name": None,
                         "refers_to": '="Weekly Activity"', "sheet_index": None, "address": None}]
    named = read_book(xw.Book(json=payload))
    assert named.ranges.sheet == "Q4 numbers" and len(named.ranges.rules) == len(TARGETS) - 1
    assert named.tracking is not None and named.tracking.sheet == "Weekly Activity"
    assert not [p for p in named.problems if p.severity == "error"]


def test_the_button_leaves_the_weekly_summary_on_screen(tmp_path):
    import asyncio

    import xlwings.server as server

    from salesmetrics_xl.excel import scripts
    from tests.conftest import EXAMPLE

    payload = book_payload(EXAMPLE)
    book = xw.Book(json=payload)
    asyncio.run(server.custom_scripts_call(scripts, "build_weekly_summary", typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    names = [s["name"] for s in payload["sheets"]] + added
    (shown,) = [a["args"][0] for a in actions if a["func"] == "activateSheet"]
    assert names[shown] == "Weekly Summary" and actions[-1]["func"] == "activateSheet"


def test_the_button_reads_the_sheets_the_settings_sheet_names(tmp_path):
    import asyncio

    import xlwings.server as server

    from salesmetrics_xl.excel import scripts
    from tests.own_workbooks import settings_workbook

    payload = book_payload(settings_workbook(tmp_path / "team.xlsx"))
    data = read_book(xw.Book(json=payload))
    assert data.tracking is not None and data.tracking.sheet == "Weekly Activity" and data.ranges.sheet == "Goals"
    assert len(data.tracking.frame) == 12 and not [p for p in data.problems if p.severity == "error"]

    book = xw.Book(json=payload)
    asyncio.run(server.custom_scripts_call(scripts, "build_weekly_summary", typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert "65–80" in written and "Ann Lee" in written  # Dials judged against Goals, the reps from Weekly Activity
    formulas = [v for v in written if isinstance(v, str) and v.startswith("=")]
    assert any("'Weekly Activity'!" in f and "Goals!" in f for f in formulas)

    # the defined name wins over Settings, as on the command line
    payload["names"] = [{"name": "salesmetrics_ranges", "book_scope": True, "scope_sheet_name": None,
                         "refers_to": "=Ranges!$A$1", "sheet_index": 2, "address": "A1"}]
    assert read_book(xw.Book(json=payload)).ranges.sheet == "Ranges"


def test_the_button_says_which_settings_cell_names_no_sheet(tmp_path):

    from salesmetrics_xl.excel.run import SalesMetricsError, weekly_summary
    from tests.own_workbooks import settings_workbook

    payload = book_payload(settings_workbook(tmp_path / "team.xlsx"))
    settings = next(s for s in payload["sheets"] if s["name"] == "Settings")
    settings["values"][2][1] = "#REF!"  # what Office.js sends for a cell showing an error
    with pytest.raises(SalesMetricsError, match=r"^Settings!B3: Tracking Sheet: the cell shows the Excel error "
                                                r"#REF!; type the sheet's name; sheets found: How to use, Tracking"):
        weekly_summary(xw.Book(json=payload))
    settings["values"][2][1] = "Weekly Activty"
    with pytest.raises(SalesMetricsError, match=r"did you mean 'Weekly Activity'\?$"):
        weekly_summary(xw.Book(json=payload))


# ---- print setup and chart labels: the live book gets what the file writer writes ---------------------------------

def _weekly_layout(tmp_path):
    """The example's Weekly Summary layout, and the file the command line's writer makes of it."""
    from salesmetrics_xl.core.summary import build_summary
    from salesmetrics_xl.layouts.summary import workbook_layout
    from salesmetrics_xl.reader import read_workbook
    from salesmetrics_xl.xlsx import write_workbook
    from tests.conftest import EXAMPLE

    data = read_workbook(EXAMPLE)
    layout = workbook_layout(build_summary(data.tracking, data.ranges, data.problems), data.tracking, data.ranges,
                             "native")
    out = write_workbook(EXAMPLE, layout, tmp_path / "written.xlsx")
    sheet = next(s for s in layout.sheets if s.name == "Weekly Summary")
    return sheet, out


class PageSetup:
    """Stands in for Excel's PageSetup over COM: only properties of Excel's object model can be set."""

    __slots__ = ("FitToPagesTall", "FitToPagesWide", "Orientation", "PrintTitleColumns", "PrintTitleRows", "Zoom",
                 "refuse")

    def __setattr__(self, name, value):
        if name != "refuse" and getattr(self, "refuse", False):
            raise OSError(f"Unable to set the {name} property of the PageSetup class")
        object.__setattr__(self, name, value)


class Application:
    __slots__ = ("held", "old")  # and PrintCommunication, recorded in held

    def __init__(self, old=False):
        self.held, self.old = [], old

    def __setattr__(self, name, value):
        if name == "PrintCommunication":
            if self.old:
                raise AttributeError("PrintCommunication")  # Excel 2007
            self.held.append(value)
        else:
            object.__setattr__(self, name, value)


@pytest.mark.parametrize("old", [False, True])
def test_classic_excel_prints_the_weekly_summary_as_the_file_does(tmp_path, old):
    from salesmetrics_xl.excel.book import windows_page_setup

    layout, written = _weekly_layout(tmp_path)
    setup, app = PageSetup(), Application(old=old)
    windows_page_setup(setup, layout, app)
    ws = openpyxl.load_workbook(written)["Weekly Summary"]
    assert ws.page_setup.orientation == "landscape" and setup.Orientation == xw.constants.PageOrientation.xlLandscape
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.Zoom is False
    assert (setup.FitToPagesWide, setup.FitToPagesTall) == (int(ws.page_setup.fitToWidth), False)
    assert int(ws.page_setup.fitToHeight) == 0  # as many pages down as needed, in both
    assert setup.PrintTitleRows == ws.print_title_rows == "$5:$7"
    assert setup.PrintTitleColumns == ws.print_title_cols == "$A:$B"
    assert app.held == ([] if old else [False, True])  # sent to the printer driver once, then released


def test_a_print_setup_excel_refuses_is_said_and_the_sheet_still_built(tmp_path):
    import types

    from salesmetrics_xl.excel.book import _print_setup

    layout, _ = _weekly_layout(tmp_path)
    setup, app = PageSetup(), Application()
    setup.refuse = True  # Excel with no printer installed
    book = types.SimpleNamespace(app=types.SimpleNamespace(engine=types.SimpleNamespace(type="desktop"), api=app))
    said = _print_setup(book, types.SimpleNamespace(page_setup=types.SimpleNamespace(api=setup)), layout)
    assert said == ("The sheet 'Weekly Summary' was built, but Excel did not take its print setup (landscape, 2 pages "
                    "wide, rows 5 to 7 and columns A to B on every page): set it under Page Layout before you print "
                    "it. Excel said: Unable to set the Orientation property of the PageSetup class")
    assert app.held == [False, True]  # released even so


def test_classic_excel_labels_every_rep_on_the_chart_as_the_file_does(tmp_path):
    import re
    import types
    import zipfile

    from salesmetrics_xl.excel.book import label_every_category

    _, written = _weekly_layout(tmp_path)
    with zipfile.ZipFile(written) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert charts and all(re.search(r'<c:catAx>.*<c:tickLblSkip val="1"/>.*</c:catAx>', c) for c in charts)

    class Axis:
        __slots__ = ("TickLabelSpacing",)

    axes = {}

    class ChartCOM:
        def Axes(self, kind):  # noqa: N802 (COM's name)
            return axes.setdefault(kind, Axis())

    label_every_category(types.SimpleNamespace(api=(object(), ChartCOM())))  # xlwings' chart.api on Windows
    assert list(axes) == [xw.constants.AxisType.xlCategory] and axes[1].TickLabelSpacing == 1


def test_lite_builds_the_weekly_summary_without_the_print_setup_it_cannot_send(tmp_path):
    """xlwings' remote engine has no page layout or axis label action: nothing is attempted there, nothing fails or
    warns, and the chart still gets its title."""
    from salesmetrics_xl.excel.book import render
    from tests.conftest import EXAMPLE

    sheet, _ = _weekly_layout(tmp_path)
    book = xw.Book(json=book_payload(EXAMPLE))
    assert render(book, WorkbookLayout([sheet])) == []
    actions = book.json()["actions"]
    assert [a["args"][-1] for a in actions if a["func"] == "setChartTitle"] == [c.title for c in sheet.charts]
    assert not [a for a in actions if "print" in a["func"].lower() or "page" in a["func"].lower()]
