"""A big Tracking sheet read column by column with fastexcel (the ``fast`` extra), on a thread of its own that
starts while the rest of the workbook is checked and read (reader.py decides when, and falls back to the row
books of row_books.py whenever this reader declines)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np

from salesmetrics_xl.core.cell_values import FIRST_YEAR, LAST_YEAR
from salesmetrics_xl.core.parse import HEADER_SEARCH_ROWS, Coded, Column, Header, Row, SheetColumns, filled, find_header
from salesmetrics_xl.core.workbook import REP, TRACKING, WEEK
from salesmetrics_xl.package import MAX_CELLS, is_panic, limit
from salesmetrics_xl.row_books import SPARSE_ROWS, CalamineBook, OpenpyxlBook
from salesmetrics_xl.sheet_guard import Bounds, bounded
from salesmetrics_xl.sheet_head import head_rows
from salesmetrics_xl.sheet_parts import SheetParts

# A Tracking sheet this big (its XML, in bytes) is read column by column when fastexcel is installed; below it,
# setting up the columnar reader costs more than it saves.
COLUMNAR_MIN_BYTES = 2 * 1024**2


def reads_columns(chosen: str, size: int) -> bool:
    """Whether a sheet of ``size`` bytes of XML is read column by column by the reader ``chosen``: always when the
    columnar reader is asked for by name, else (auto) only when it is big enough to repay setting fastexcel up."""
    return chosen == "columnar" or size >= COLUMNAR_MIN_BYTES


class _Load(threading.Thread):
    """fastexcel reading a sheet under its header in a thread: it releases the GIL, so the rest of the read (the
    sheet guard's full scan, the header, the other sheets) goes on beside it. Started only for a sheet the guard
    has shown to be bounded (sheet_bounds.bounded); whatever it raises is kept for the reader to judge."""

    def __init__(self, read: Callable[[], tuple[list[int], object]], skip: int):
        super().__init__(name="salesmetrics-fastexcel", daemon=True)
        self.read, self.skip = read, skip
        self.result: tuple[list[int], object] | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.read()
        except BaseException as exc:  # judged by the reader, in its thread
            self.error = exc


class ColumnarBook(CalamineBook):
    """A big Tracking sheet read column by column with fastexcel (the ``fast`` extra): its numbers and dates
    arrive as arrays, never as one Python object per cell, which was most of the time on a 200k-row sheet.
    Other sheets, and a sheet whose columns mix kinds of value, are read row by row as before."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.heads: OpenpyxlBook | None = None
        self.head_rows: dict[str, list[tuple[object, ...]]] = {}
        self.loads: dict[str, _Load] = {}
        self.nulls: dict[str, set[int]] = {}  # per sheet: the columns with text fastexcel reads as none (null_text)

    def _head(self, name: str) -> list[tuple[object, ...]]:
        """The rows where a header may be (openpyxl streams them, without parsing the whole sheet)."""
        if name not in self.head_rows:
            self.heads = self.heads or OpenpyxlBook(self.path)
            self.head_rows[name] = list(islice(self.heads.rows(name), HEADER_SEARCH_ROWS))
        return self.head_rows[name]

    def header_first(self, name: str) -> Iterator[tuple[object, ...]]:
        """The header rows first; the rest only when the parser asks, from calamine."""
        try:
            self.heads = self.heads or OpenpyxlBook(self.path)
        except Exception:  # a package openpyxl cannot open (a style list it rejects): calamine reads it all
            yield from self.rows(name)
            return
        head = self._head(name)  # what openpyxl raises while reading the rows is the reader's failure
        yield from head
        yield from islice(self.rows(name), len(head), None)

    def prefetch(self, name: str, head: list[Row]) -> None:
        """Start reading a Tracking sheet's columns now, under the header its first rows (``head``, read from its
        XML: sheet_head.head_rows) show: the one the parser will find in openpyxl's rows (parse.find_header, as
        read_tracking calls it), or columns() reads again. Only for a sheet sheet_bounds.bounded passed."""
        if name in self.loads:
            return
        header = find_header(head, TRACKING, (WEEK, REP))
        if header is not None:
            self.loads[name] = _Load(lambda: self._load(name, header.row), header.row)

    def _load(self, name: str, skip: int) -> tuple[list[int], object]:
        """The sheet's columns under row ``skip``: each column's place in the sheet, and the columns as arrow."""
        import fastexcel  # only for a big sheet: importing it and pyarrow costs time and memory

        # a column left blank (Start Date) is read as text, which is right; its log line is not for a user
        logging.getLogger("fastexcel").setLevel(logging.ERROR)
        # strict: a column that mixes numbers and text fails here, and its cells are judged one by one
        sheet = fastexcel.read_excel(str(self.path)).load_sheet(
            name, header_row=None, skip_rows=skip, schema_sample_rows=None, dtype_coercion="strict")
        return [info.absolute_index for info in sheet.selected_columns], sheet.to_arrow()  # selected: all, and free

    def columns(self, name: str, header: Header) -> SheetColumns | None:
        import pyarrow as pa

        load = self.loads.pop(name, None)
        if load is None or load.skip != header.row:
            if load is not None:
                load.join()  # its guess of the header missed: read as asked
            load = _Load(lambda: self._load(name, header.row), header.row)
        load.join()
        if load.error is not None:  # whatever the columnar reader cannot do (even a panic), the row reader does
            if not (isinstance(load.error, Exception) or is_panic(load.error)):
                raise load.error
            return None
        places, batch = load.result  # type: ignore[misc]
        nulls = self.nulls.get(name, set())
        values: dict[int, Column] = {}
        kept = np.zeros(batch.num_rows, dtype=bool)  # type: ignore[attr-defined]
        for at, column in zip(places, batch.columns, strict=True):  # type: ignore[attr-defined]
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_null(
                    column.type):  # names, or a column left blank: a few distinct values, each read once
                coded = column.dictionary_encode(null_encoding="encode")
                values[at] = Coded(coded.indices.to_numpy(zero_copy_only=False).astype(np.intp),
                                   coded.dictionary.to_pylist())
                kept |= np.array([filled(v) for v in values[at].values], dtype=bool)[values[at].codes]
                continue
            if at + 1 in nulls or 0 in nulls:
                return None  # text fastexcel took for no value ("N/A") among numbers or dates: the row reader says it
            kept |= column.is_valid().to_numpy(zero_copy_only=False)
            if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
                values[at] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
            elif pa.types.is_timestamp(column.type):
                stamps = column.to_numpy(zero_copy_only=False)
                first, after = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01")
                if ((stamps < first) | (stamps >= after)).any():
                    return None  # a date outside the years read (cell_values): the row reader reports its cell
                values[at] = stamps
            else:
                values[at] = column.to_pylist()
        return SheetColumns(first_row=header.row + 1, values=values, kept=kept)

    def close(self) -> None:
        for load in self.loads.values():  # started, then not wanted (the guard redirected or refused the sheet)
            load.join()
        super().close()
        if self.heads:
            self.heads.close()


def prefetch(book: ColumnarBook, parts: SheetParts, name: str, data: bytes) -> Bounds | None:
    """Let fastexcel start on a big sheet while the guard scans it, when a few fast scans prove it bounded
    (sheet_bounds.bounded; what they proved is returned for the guard). Whatever the full scan then finds is
    acted on as before: the guard refuses, or sends the sheet to another reader, and fastexcel's columns are
    dropped. Any doubt, or any error here: no head start (the reader then meets it in its usual order and says it
    in its usual words)."""
    try:
        bounds = bounded(data)
        if bounds is None or bounds.cells > limit("MAX_CELLS", MAX_CELLS):
            return None  # more cells than the guard lets through: it refuses the sheet before any native read
        if not (bounds.rows > SPARSE_ROWS and bounds.cells < bounds.rows) and not parts.utf16(name):
            with contextlib.suppress(Exception):  # no header guess, no head start; what is wrong is said in order
                book.prefetch(name, head_rows(data, parts.strings))  # (a sparse sheet: openpyxl, see reader._read_with)
        return bounds
    except Exception:  # said by the usual path, in its order
        return None
