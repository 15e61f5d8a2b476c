"""Shared fixtures: small real workbooks made on the fly."""

from __future__ import annotations

import os

# xlwings picks its runtime when first imported. Lite's runtime (xlwings.server: Office.js payloads, the remote
# book) is the Excel layer Linux can run end to end; outside Lite its code paths need this noncommercial key, for
# tests only.
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import settings

from salesmetrics_xl.core.workbook import RANGES, TRACKING, default_range_rows

# No test may depend on wall-clock speed: on a shared 2-core machine a Hypothesis deadline fails at random.
settings.register_profile("no-deadlines", deadline=None)
settings.load_profile("no-deadlines")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme_sales_team.xlsx"
TRACKING_HEADER = [c.name for c in TRACKING.columns]
RANGES_HEADER = [c.name for c in RANGES.columns]


def default_ranges_rows() -> list[list[object]]:
    return [RANGES_HEADER] + [[r[c] for c in RANGES_HEADER] for r in default_range_rows()]


def encrypted_workbook(path: Path) -> Path:
    """A real password-protected workbook (the example, encrypted with msoffcrypto-tool)."""
    import io

    import msoffcrypto.format.ooxml

    buffer = io.BytesIO()
    with EXAMPLE.open("rb") as fh:
        msoffcrypto.format.ooxml.OOXMLFile(fh).encrypt("secret", buffer)
    path.write_bytes(buffer.getvalue())
    return path


def xls_workbook(path: Path) -> Path:
    """A real Excel 97-2003 file (xlwt), whatever the name says."""
    import xlwt

    wb = xlwt.Workbook()
    wb.add_sheet("Tracking").write(0, 0, "Week")
    wb.save(str(path))
    return path


MakeBook = Callable[..., Path]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz-long", action="store_true", help="run the hostile-file fuzz test on 3,000 workbooks "
                                                              "instead of 300")


@pytest.fixture
def make_book(tmp_path: Path) -> MakeBook:
    """make_book({"Tracking": rows, "Ranges": rows}, name="x.xlsx"): a real .xlsx written by openpyxl."""

    def make(sheets: dict[str, list[list[object]]], name: str = "book.xlsx") -> Path:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            ws = book.create_sheet(title)
            for row in rows:
                ws.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    return make


@pytest.fixture
def columnar_reads(monkeypatch) -> list[bool]:
    """Whether each columnar read of a Tracking sheet went column by column (True) or declined (False)."""
    seen: list[bool] = []
    from salesmetrics_xl.columnar import ColumnarBook

    original = ColumnarBook.columns

    def spy(self, name, header):
        found = original(self, name, header)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(ColumnarBook, "columns", spy)
    return seen
