"""The books that hand the parser a sheet's rows, one tuple of plain values per row: openpyxl (always there),
python-calamine (the ``fast`` extra, about ten times faster), and openpyxl's own sheet parser for rows stored out
of order. reader.py picks one per workbook; columnar.py reads a big Tracking sheet's rows as columns instead."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from salesmetrics_xl.ooxml import as_transitional, flavour_of

# A sheet whose rows run past this, with fewer cells than rows (a stray value far below the data), is read row by
# row by openpyxl: a native reader would lay out the whole span in memory.
SPARSE_ROWS = 100_000


class OpenpyxlBook:
    """Rows of plain values from openpyxl in read-only mode: always there, slower on big sheets."""

    def __init__(self, path: Path):
        import openpyxl

        # openpyxl knows Transitional only: a Strict book is handed to it in Transitional words (ooxml.py)
        source = as_transitional(path) if is_strict(path) else path
        self.book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        self.sheetnames = list(self.book.sheetnames)

    def rows(self, name: str, is_sparse: bool = False, width: int | None = None) -> Iterator[tuple[object, ...]]:
        ws = self.book[name]
        ws.reset_dimensions()  # some writers store a wrong <dimension>; read what is really there
        # the width the guard found: openpyxl would otherwise cut each row at the column of its last stored cell
        return ws.iter_rows(max_col=width, values_only=True)

    def close(self) -> None:
        self.book.close()


class PlacedBook:
    """Rows placed by their references, for a sheet whose rows are stored out of order, twice or without
    references (see sheet_guard): openpyxl's own sheet parser (the one its readers use) reads only that sheet, and
    each cell is kept under its reference (a cell stored twice: the later one), which a streaming reader cannot
    do. Every reader choice reads such a sheet here, so they all give the same answer."""

    def __init__(self, path: Path):
        self.book = OpenpyxlBook(path).book

    def rows(self, name: str) -> Iterator[tuple[object, ...]]:
        from openpyxl.worksheet._reader import WorkSheetParser

        ws, by_row = self.book[name], {}
        with ws._get_source() as source:
            parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=self.book.epoch,
                                     date_formats=self.book._date_formats,
                                     timedelta_formats=self.book._timedelta_formats)
            for _, cells in parser.parse():
                for cell in cells:
                    by_row.setdefault(cell["row"], {})[cell["column"]] = cell["value"]
        for number in range(1, max(by_row, default=0) + 1):
            row = by_row.get(number)
            yield tuple(row.get(c) for c in range(1, max(row) + 1)) if row else ()


class CalamineBook:
    """Rows from python-calamine (the optional ``fast`` extra): the same values, about ten times faster."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook

        self.path = path
        self.book = CalamineWorkbook.from_path(str(path))
        self.sheetnames = list(self.book.sheet_names)
        self.fallback: OpenpyxlBook | None = None

    def rows(self, name: str, is_sparse: bool = False, width: int | None = None) -> Iterator[tuple[object, ...]]:
        if is_sparse:
            self.fallback = self.fallback or OpenpyxlBook(self.path)
            return self.fallback.rows(name, width=width)
        # empty cells come as "", which the parser treats as blank, like openpyxl's None
        sheet = self.book.get_sheet_by_name(name)
        rows = sheet.iter_rows()  # lazily: memory follows the data, not the sheet
        if sheet.start and sheet.start[1]:  # calamine starts rows at the first used column; cells are named from A
            pad = [""] * sheet.start[1]
            return (pad + row for row in rows)
        return rows

    def close(self) -> None:
        self.book.close()
        if self.fallback:
            self.fallback.close()


def is_strict(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf, zf.open("xl/workbook.xml") as fh:
        return flavour_of(fh.read(4096)).strict
