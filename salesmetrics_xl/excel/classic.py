"""The ribbon button in classic Excel: the functions imported into the add-in on the first click, then the summary.

Classic Excel reaches Python functions through VBA wrappers in a workbook's VBA project. xlwings writes them
(``import_udfs``); we write them into the add-in itself, so they work in every workbook, and save the add-in, so
they stay there. A hidden name in the add-in records which functions were imported (this package's version and
its function names): the import runs on the first click, and again only after an upgrade changes them.

We call xlwings' ``import_udfs`` from the button's own Python rather than running the add-in's
``ImportPythonUDFsToAddin`` macro: the same code writes the same wrappers, but a failure comes back here as an
error we can explain in one sentence (instead of a VBA dialog), and no second Python process is started for it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from types import ModuleType

import xlwings as xw

from salesmetrics_xl.excel.addin import NAME, UDF_MODULES
from salesmetrics_xl.version import __version__

ADDIN_BOOK = f"{NAME}.xlam"
FUNCTIONS_NAME = "salesmetrics_xl_functions"  # in the add-in: which functions its VBA wrappers were made for
NOT_TRUSTED = ("The Sales Metrics functions (=METRIC_STATUS and the others) need one setting in Excel: File > "
               "Options > Trust Center > Trust Center Settings > Macro Settings, tick 'Trust access to the VBA "
               "project object model', then click Build Weekly Summary again. This time the Evaluation sheet uses "
               "Excel's own formulas.")
NOT_IMPORTED = ("The Sales Metrics functions could not be added to the add-in, so this time the Evaluation sheet "
                "uses Excel's own formulas. Excel said: {said}")
NOT_SAVED = ("The Sales Metrics functions are ready for this Excel session, but the add-in could not be saved "
             "({where}), so the next session imports them again on the first click.")


def signature(module: ModuleType) -> str:
    """Which wrappers the add-in must hold: the package version, and each decorated function's name and argument
    names (what the VBA wrapper is written from), so a changed function is imported again even within a version."""
    shapes = sorted((name, [a.get("name") for a in f.__xlfunc__.get("args", [])])
                    for name, f in vars(module).items() if hasattr(f, "__xlfunc__"))
    return f"{__version__} {hashlib.sha1(json.dumps(shapes).encode()).hexdigest()[:12]}"


def _recorded(addin: xw.Book) -> str | None:
    for name in addin.names:
        if name.name == FUNCTIONS_NAME:
            return name.refers_to
    return None


def import_functions(addin: xw.Book, module: ModuleType) -> tuple[bool, str | None]:
    """Import the functions into the add-in unless it already has these ones. Returns whether they are there now,
    and the sentence the user sees, if any."""
    wanted = '="' + signature(module) + '"'
    if _recorded(addin) == wanted:
        return True, None
    try:
        addin.api.VBProject.VBComponents.Count  # noqa: B018 - raises when Excel does not trust programmatic access
    except Exception:
        return False, NOT_TRUSTED
    from xlwings.udfs import import_udfs

    try:
        import_udfs(UDF_MODULES, addin.api)
    except Exception as exc:  # COM refused the new VBA module: the summary still runs, with Excel's formulas
        said = " ".join(str(exc).split())[:300]
        return False, NOT_IMPORTED.format(said=said or type(exc).__name__)
    existing = next((n for n in addin.names if n.name == FUNCTIONS_NAME), None)
    if existing is not None:
        existing.refers_to = wanted
    else:
        addin.names.add(FUNCTIONS_NAME, wanted)
    try:
        addin.api.Save()
    except Exception:  # a read-only add-in folder: the functions still work until Excel closes
        return True, NOT_SAVED.format(where=addin.fullname)
    return True, None


def run_button(book: xw.Book, windows: bool | None = None) -> None:
    """What the Build Weekly Summary button does in classic Excel. On Windows the Evaluation sheet is written as
    =METRIC_STATUS formulas once the functions are in the add-in (Excel's own formulas when they cannot be);
    on a Mac, where classic Excel has no Python functions, always as Excel's own formulas."""
    from salesmetrics_xl.excel.run import weekly_summary

    windows = sys.platform.startswith("win") if windows is None else windows
    available, message = False, None
    if windows:
        from salesmetrics_xl.excel import functions

        available, message = import_functions(addin_book(book.app), functions)
    weekly_summary(book, formulas="udf" if available else "native")
    if message:
        book.app.alert(message, title="salesmetrics-xl")


def addin_book(app: xw.App) -> xw.Book:
    """The add-in's own workbook: add-ins are not listed among the open books, but Excel finds one by its name."""
    return app.books[ADDIN_BOOK]
