"""The classic Excel add-in: build the ribbon .xlam from xlwings' own, and install a copy configured for this Python.

The .xlam is xlwings' custom ribbon add-in (``xlwings quickstart salesmetrics_xl --addin --ribbon``) with only its
``customUI/customUI.xml`` rewritten: a "Sales Metrics" tab whose large "Build Weekly Summary" button runs the
add-in's ``RunMain``, which does ``RunPython "import salesmetrics_xl; salesmetrics_xl.main()"`` (the module is the
add-in's file name, so the installed file keeps the name ``salesmetrics_xl.xlam``).

Where its settings live. The quickstart's VBA project is always ``myaddin`` (``PROJECT_NAME`` in its ``xlwings``
module), and its ``GetConfig`` looks, in this order, at: a ``myaddin.conf`` sheet in the active workbook, a
``myaddin.conf`` sheet in the add-in itself (shipped disabled as ``_myaddin.conf``), a ``myaddin.conf`` file beside
the active workbook, then ``myaddin.conf`` in the user's folder (``%USERPROFILE%\\.myaddin\\`` on Windows). Every
other quickstart add-in reads those same files, so install writes none of them: it writes a copy of the add-in
whose own sheet is enabled (renamed ``myaddin.conf``) and holds this Python and the function module. That sheet
wins over both files, so another add-in's settings never reach ours, and ours never reach it. Renaming the VBA
project instead would mean rewriting compiled VBA, which only Excel's VBA editor does soundly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

NAME = "salesmetrics_xl"
XLAM = Path(__file__).with_name(f"{NAME}.xlam")
UDF_MODULES = "salesmetrics_xl.excel.functions"
# The xlwings version whose VBA the bundled add-in holds. Its functions call xlwings' DLL of exactly this version
# (xlwings64-<version>.dll, beside the Python that runs them), so another xlwings gets an add-in built from itself.
BUILT_WITH = "0.37.8"
PROJECT = "myaddin"  # the quickstart VBA's PROJECT_NAME, whatever name the quickstart was given
CONF_SHEET = f"{PROJECT}.conf"  # the add-in's own settings sheet, as GetConfig reads it
SHIPPED_CONF_SHEET = f"_{CONF_SHEET}"  # ... and as xlwings ships it: disabled
System = Literal["windows", "mac", "linux"]
CUSTOM_UI = """<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
  <ribbon>
    <tabs>
      <tab id="salesMetricsTab" label="Sales Metrics">
        <group id="weeklyGroup" label="Weekly">
          <button id="buildWeeklySummary" label="Build Weekly Summary" size="large"
                  onAction="RibbonMyAddin.RunMain" imageMso="ChartInsert"
                  screentip="Build Weekly Summary"
                  supertip="Reads the Tracking and Ranges sheets and writes the Weekly Summary and Evaluation sheets."/>
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def this_system() -> System:
    if sys.platform.startswith("win"):
        return "windows"
    return "mac" if sys.platform == "darwin" else "linux"


def build(target: Path) -> Path:
    """Reproducible: xlwings' quickstart add-in (from the xlwings installed here), every part kept but the ribbon."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "XLWINGS_ON_SERVER"}
        subprocess.run([sys.executable, "-m", "xlwings.cli", "quickstart", NAME, "--addin", "--ribbon"], cwd=tmp,
                       check=True, capture_output=True, env=env)
        source = Path(tmp) / NAME / f"{NAME}.xlam"
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = CUSTOM_UI.encode() if info.filename == "customUI/customUI.xml" else src.read(info)
                out.writestr(info, data)
    return target


def settings(system: System, python: str | None) -> dict[str, str]:
    """What install writes, keyed as GetConfig asks for it: the Python that runs the button and the functions
    (INTERPRETER_WIN on Windows, INTERPRETER_MAC on a Mac), and the module the functions are imported from."""
    out = {"UDF MODULES": UDF_MODULES}
    if python:
        out["INTERPRETER_MAC" if system == "mac" else "INTERPRETER_WIN"] = python
    return out


@dataclass(frozen=True)
class ConfigSheet:
    """Where the add-in's settings sheet is: its name in workbook.xml, and the row of each key in column A."""

    name: str
    part: str
    rows: dict[str, int]  # KEY (upper-cased, as GetConfigFromSheet reads it) -> row
    end: int  # the last row of the block GetConfigFromSheet reads (A1 down to the first blank)


def config_sheet(xlam: Path) -> ConfigSheet:
    """Read the settings sheet's layout from the add-in: xlwings ships keys in column A, values empty in B."""
    with zipfile.ZipFile(xlam) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheet = next((s for s in root.iter(f"{_MAIN}sheet")
                      if s.get("name") in (CONF_SHEET, SHIPPED_CONF_SHEET)), None)
        if sheet is None:
            raise ValueError(f"{xlam.name} has no {SHIPPED_CONF_SHEET} sheet to hold the add-in's settings")
        target = targets[sheet.get(f"{_REL}id")]
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        shared = []
        if "xl/sharedStrings.xml" in zf.namelist():
            shared = ["".join(t.text or "" for t in si.iter(f"{_MAIN}t"))
                      for si in ElementTree.fromstring(zf.read("xl/sharedStrings.xml")).iter(f"{_MAIN}si")]
        cells: dict[int, str] = {}
        for c in ElementTree.fromstring(zf.read(part)).iter(f"{_MAIN}c"):
            in_a = re.fullmatch(r"A(\d+)", c.get("r") or "")
            if in_a is None:
                continue
            v = c.find(f"{_MAIN}v")
            is_t = c.find(f"{_MAIN}is")
            text = (shared[int(v.text)] if c.get("t") == "s" and v is not None and v.text
                    else "".join(t.text or "" for t in is_t.iter(f"{_MAIN}t")) if is_t is not None
                    else (v.text if v is not None else ""))
            if text:
                cells[int(in_a[1])] = text
    end = 0
    while end + 1 in cells:
        end += 1
    return ConfigSheet(sheet.get("name"), part, {cells[r].upper(): r for r in range(1, end + 1)}, end)


def configure(source: Path, target: Path, values: dict[str, str]) -> Path:
    """A copy of the add-in whose own settings sheet is enabled and holds ``values``, written by the lossless
    workbook writer: the VBA, the ribbon and every other part are copied as they are."""
    from salesmetrics_xl.layouts.sheet import CellValue, SheetEdit, WorkbookLayout
    from salesmetrics_xl.xlsx import WorkbookWriter

    sheet = config_sheet(source)
    cells: dict[str, CellValue] = {}
    extra = sheet.end
    for key, value in values.items():
        row = sheet.rows.get(key)
        if row is None:  # a key the sheet does not list: added right under the block, so it is still read
            extra += 1
            row = extra
            cells[f"A{row}"] = key
        cells[f"B{row}"] = value
    writer = WorkbookWriter(source)
    try:
        original = writer.read("xl/workbook.xml")
        writer.apply(WorkbookLayout(edits=[SheetEdit(name=sheet.name, values=cells)]))
        # The workbook part: only the sheet's name changes (the writer's record of its own sheets, and its
        # recalculation flag, belong in a user's workbook, not in the add-in).
        renamed = original.replace(f"name={quoteattr(sheet.name)}", f"name={quoteattr(CONF_SHEET)}", 1)
        if re.search(rf"name=[\"']{re.escape(CONF_SHEET)}[\"']", renamed) is None:
            raise ValueError(f"could not enable the {CONF_SHEET} sheet in {source.name}")
        writer.new["xl/workbook.xml"] = renamed.encode("utf-8")
        writer.save(target)
    finally:
        writer.close()
    return target


def addin_source(xlwings_version: str, folder: Path) -> Path:
    """The add-in to configure: the bundled one when it was built with this xlwings, else one built from it."""
    if xlwings_version == BUILT_WITH:
        return XLAM
    try:
        return build(folder / f"{NAME}.xlam")
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        raise ValueError(f"could not build the add-in from xlwings {xlwings_version} (xlwings quickstart said: "
                         f"{said[-1] if said else 'nothing'})") from None


def startup_folder(system: System) -> Path | None:
    """Where an add-in is opened from with every Excel session: Excel's start-up folder on Windows. On a Mac we
    write it to a folder the user picks it from once (Tools > Excel Add-ins > Browse); on Linux, nowhere."""
    if system == "windows":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "Microsoft" / "Excel" / \
            "XLSTART"
    if system == "mac":
        return Path.home() / "Documents" / "salesmetrics-xl"
    return None


def install(dest: Path | None = None, system: System | None = None, python: str | None = None,
            xlwings_version: str | None = None) -> Path | None:
    """Write the configured add-in into ``dest`` (default: see startup_folder). None when there is nowhere to put
    it (Linux without ``dest``): the caller says what to do instead."""
    import xlwings

    system = system or this_system()
    if python is None and system != "linux":
        python = sys.executable
    folder = dest or startup_folder(system)
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = addin_source(xlwings_version or xlwings.__version__, Path(tmp))
        written = configure(source, folder / XLAM.name, settings(system, python))
    if system == "mac":
        enable_runpython()
    return written


def enable_runpython() -> Path:
    """Excel for Mac starts Python through an AppleScript of xlwings' (the VBA's ExecuteMac calls
    xlwings-<version>.applescript); `xlwings runpython install` puts it where Excel may run it."""
    from xlwings import __version__
    from xlwings.cli import runpython_install

    runpython_install(None)
    folder = Path.home() / "Library" / "Application Scripts" / "com.microsoft.Excel"
    return folder / f"xlwings-{__version__}.applescript"
