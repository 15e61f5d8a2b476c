"""What we write, as cells, before any writer sees it: ``sheet`` is the vocabulary (a SheetLayout of cells, styles,
formulas, conditional formats, charts), and each other module lays out one of our sheets from a computed result.
The lossless writer (the xlsx package) and the live workbook (excel/book) render the same layout."""
