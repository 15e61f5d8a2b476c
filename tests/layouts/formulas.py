"""What the formulas we write may call, and how a test reads them back from a written workbook."""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl.formula.tokenizer import Token, Tokenizer

from salesmetrics_xl.layouts.sheet import quote_sheet

# Every function a formula we write may call. Anything else in a formula came from someone's text.
OURS = {"IF", "IFERROR", "AND", "OR", "NOT", "ISNUMBER", "N", "CHAR", "METRIC_STATUS", "METRIC_RATE",
        # the fair-range rule (core/effective.py): month of tenure, ramp share, a Reps sheet look-up, the bound
        "ROUND", "WEEKDAY", "YEAR", "MONTH", "DAY", "INDEX", "MATCH", "ISTEXT",
        "TRIM"}  # roles and rep names match by core/metrics.py: text_key()


FORMULA_ELEMENTS = {"f", "formula", "formula1", "formula2", "definedName"}


def functions(formula: str) -> set[str]:
    """The functions a formula calls, as Excel's tokenizer reads it; raises TokenizerError when it is malformed."""
    tokens = Tokenizer("=" + formula).items
    return {t.value[:-1].upper() for t in tokens if t.type == Token.FUNC and t.subtype == Token.OPEN}


def sheets_referenced(formula: str) -> set[str]:
    return {t.value.rsplit("!", 1)[0] for t in Tokenizer("=" + formula).items
            if t.type == Token.OPERAND and t.subtype == Token.RANGE and "!" in t.value}


def formulas_in(path: Path) -> list[tuple[str, str]]:
    """(part, formula) for every formula anywhere in the package: cells, conditional formats, validations, chart
    series, defined names."""
    out = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            for element in ElementTree.fromstring(zf.read(name)).iter():
                if element.tag.rsplit("}", 1)[-1] in FORMULA_ELEMENTS and element.text:
                    out.append((name, element.text))
    return out


def assert_only_our_formulas(path: Path, sheets: set[str]) -> int:
    found = formulas_in(path)
    for part, formula in found:
        assert functions(formula) <= OURS, (part, formula)
        assert sheets_referenced(formula) <= {quote_sheet(s) for s in sheets}, (part, formula)
    return len(found)
