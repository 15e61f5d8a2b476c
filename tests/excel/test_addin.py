"""The classic add-in as installed: what its VBA (extracted with oletools) reads is what `addin install` writes.

Every fact about the VBA is read from the .xlam itself, the bundled one and the installed copy, never assumed.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from salesmetrics_xl.excel import addin
from salesmetrics_xl.excel.addin import BUILT_WITH, CONF_SHEET, NAME, PROJECT, UDF_MODULES, XLAM, build, install
from tests.helpers import run

WIN_PYTHON = r"C:\Users\Pat Doe\venvs\sales\Scripts\python.exe"


def vba(xlam: Path) -> dict[str, str]:
    """Module name -> source, as olevba extracts it."""
    parser = VBA_Parser(str(xlam))
    try:
        return {re.sub(r"\.(bas|cls|frm)$", "", name): code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def procedure(code: str, head: str) -> str:
    """The body of one Sub or Function, from its first line to its End."""
    start = re.search(rf"^(?:Public |Private )?(?:Sub|Function) {head}\b.*$", code, re.M)
    assert start, head
    end = re.compile(r"^End (?:Sub|Function)", re.M).search(code, start.end())
    assert end, head
    return code[start.start():end.end()]


def sheet_config(xlam: Path, sheet: str) -> dict[str, object]:
    """What GetConfigFromSheet returns for a sheet: keys from A1 down to the first blank (upper-cased), each with
    the value beside it in column B. Read with calamine, independently of our own reader and writer."""
    rows = CalamineWorkbook.from_path(str(xlam)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    out: dict[str, object] = {}
    for row in rows:
        if not row or row[0] in (None, ""):
            break
        out[str(row[0]).upper()] = row[1] if len(row) > 1 else None
    return out


def sheet_names(xlam: Path) -> list[str]:
    with zipfile.ZipFile(xlam) as zf:
        return re.findall(r'<sheet\b[^>]*\bname="([^"]+)"', zf.read("xl/workbook.xml").decode())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("home")
    return install(home / "XLSTART", system="windows", python=WIN_PYTHON)


@pytest.fixture(scope="module", params=["bundled", "installed"])
def code(request, installed) -> dict[str, str]:
    """The VBA, as olevba extracts it from the bundled add-in and from the installed copy: each test on both."""
    return vba(XLAM if request.param == "bundled" else installed)


def test_the_vba_project_and_the_sheet_it_reads_its_settings_from(code, installed):
    xlwings_module = code["xlwings"]
    assert f'Public Const PROJECT_NAME As String = "{PROJECT}"' in xlwings_module
    assert f'Public Const XLWINGS_VERSION As String = "{BUILT_WITH}"' in xlwings_module
    from_sheet = procedure(xlwings_module, "GetConfigFromSheet")
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in from_sheet  # the sheet's name: myaddin.conf
    assert "d.Add UCase(cell.Value), cell.Offset(0, 1).Value" in from_sheet  # key in A (any case), value in B
    assert 'Range(sht.Range("A1"), lastCell)' in from_sheet and 'sht.Range("A1").End(xlDown)' in from_sheet
    get_config = procedure(xlwings_module, "GetConfig")
    # the order it looks in: the active workbook's sheet, the add-in's own sheet, then the two files
    order = [get_config.index(s) for s in ('SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf")',
                                           'SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")',
                                           "GetDirectoryConfigFilePath()", "GetConfigFilePath()")]
    assert order == sorted(order)
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in \
        procedure(xlwings_module, "GetConfigFilePath")
    assert f"{PROJECT}.conf" == CONF_SHEET
    # shipped disabled, enabled in the installed copy, and nothing else renamed
    assert sheet_names(XLAM) == [f"_{CONF_SHEET}"]
    assert sheet_names(installed) == [CONF_SHEET]


def test_every_setting_install_writes_is_one_the_vba_asks_for(code, installed):
    xlwings_module = code["xlwings"]
    written = sheet_config(installed, CONF_SHEET)
    assert written["INTERPRETER_WIN"] == WIN_PYTHON and written["UDF MODULES"] == UDF_MODULES
    ours = {k for k, v in written.items() if v not in (None, "", False)}
    assert ours == {"INTERPRETER_WIN", "UDF MODULES"}
    for key in ours:
        assert f'GetConfig("{key}"' in xlwings_module, key
    run_python = procedure(xlwings_module, "RunPython")
    assert re.search(r'#If Mac Then\s+interpreter = GetConfig\("INTERPRETER_MAC", ""\)\s+#Else\s+'
                     r'interpreter = GetConfig\("INTERPRETER_WIN", ""\)', run_python)
    assert 'PYTHON_WIN = GetConfig("INTERPRETER_WIN", "")' in procedure(xlwings_module, "XLPyCommand")
    assert 'GetUdfModules = GetConfig("UDF MODULES")' in procedure(xlwings_module, "GetUdfModules")
    # the bundled add-in's sheet is disabled and empty: nothing is read from it
    assert {k: v for k, v in sheet_config(XLAM, f"_{CONF_SHEET}").items() if v not in (None, "", False)} == {}


def test_the_mac_settings_are_the_ones_the_vba_reads_on_a_mac(code, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    xlam = install(None, system="mac", python="/Users/pat/venv/bin/python")
    assert xlam == tmp_path / "Documents" / "salesmetrics-xl" / f"{NAME}.xlam"
    written = sheet_config(xlam, CONF_SHEET)
    assert written["INTERPRETER_MAC"] == "/Users/pat/venv/bin/python" and not written["INTERPRETER_WIN"]
    assert 'interpreter = GetConfig("INTERPRETER_MAC", "")' in code["xlwings"]
    # ExecuteMac runs Python through xlwings' AppleScript of the VBA's own version; install put it in place
    assert 'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"' in code["xlwings"]
    script = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel" / f"xlwings-{BUILT_WITH}.applescript"
    assert script.is_file()


def test_the_installed_copy_changes_only_the_settings_sheet_and_its_name(installed):
    with zipfile.ZipFile(XLAM) as a, zipfile.ZipFile(installed) as b:
        before = {i.filename: a.read(i) for i in a.infolist()}
        after = {i.filename: b.read(i) for i in b.infolist()}
    assert set(after) == set(before)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"xl/workbook.xml", "xl/worksheets/sheet1.xml"}
    assert before["xl/workbook.xml"].decode().replace(f'name="_{CONF_SHEET}"', f'name="{CONF_SHEET}"') == \
        after["xl/workbook.xml"].decode()
    assert vba(installed) == vba(XLAM)  # the same macros, the same ribbon
    assert after["customUI/customUI.xml"] == before["customUI/customUI.xml"]


@pytest.mark.parametrize("which", ["bundled", "installed"])
def test_every_ribbon_action_is_a_callback_in_the_vba(which, installed):
    xlam = XLAM if which == "bundled" else installed
    with zipfile.ZipFile(xlam) as zf:
        ui = zf.read("customUI/customUI.xml").decode()
    assert 'label="Sales Metrics"' in ui and 'label="Build Weekly Summary"' in ui and 'size="large"' in ui
    actions = re.findall(r'onAction="([\w.]+)"', ui)
    assert actions == ["RibbonMyAddin.RunMain"]
    modules = vba(xlam)
    for action in actions:
        module, proc = action.split(".")
        assert re.search(rf"^Sub {proc}\(control As IRibbonControl\)", modules[module], re.M), action
    run_main = modules["RibbonMyAddin"]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in run_main
    assert "ThisWorkbook.Name" in run_main  # the module is the add-in's own file name ...
    assert xlam.stem == NAME  # ... salesmetrics_xl, which exists and has main()
    assert callable(importlib.import_module(NAME).main)


def test_the_functions_import_mirrors_the_addins_own_macro(code):
    """The button imports the functions with xlwings' import_udfs into the add-in, with the module the add-in's
    settings name: exactly what the add-in's ImportPythonUDFsToAddin asks its Python to do."""
    xlwings_module = code["xlwings"]
    assert "ImportPythonUDFsBase addin:=True" in procedure(xlwings_module, "ImportPythonUDFsToAddin")
    base = procedure(xlwings_module, "ImportPythonUDFsBase")
    assert "Set wb = ThisWorkbook" in base
    assert 'XLPy.Call(XLPy.Module("xlwings"), "import_udfs", XLPy.Tuple(GetUdfModules(wb), wb))' in base


def test_install_writes_no_file_another_addin_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    xlam = install(None, system="windows", python=WIN_PYTHON)
    assert xlam == tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / f"{NAME}.xlam"
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == [f"AppData/Roaming/Microsoft/Excel/XLSTART/{NAME}.xlam"]  # no .myaddin/myaddin.conf


def test_another_xlwings_gets_an_addin_built_from_itself(tmp_path):
    """The functions load xlwings' DLL of the VBA's own version: with another xlwings, install builds the add-in
    from that one (here: told the bundled one is stale, it builds from the xlwings installed here)."""
    xlam = install(tmp_path, system="windows", python=WIN_PYTHON, xlwings_version="0.0.1")
    assert sheet_config(xlam, CONF_SHEET)["INTERPRETER_WIN"] == WIN_PYTHON
    assert vba(xlam) == vba(XLAM)


def test_the_bundled_addin_is_what_the_build_step_makes(tmp_path):
    fresh = build(tmp_path / "fresh.xlam")
    assert fresh.read_bytes() == XLAM.read_bytes()


def test_cli_on_linux_says_what_to_do_and_writes_nothing(tmp_path):
    if sys.platform.startswith("win") or sys.platform == "darwin":
        pytest.skip("this machine has Excel's folders")
    result = run("addin", "install")
    assert result.returncode == 0, result.stderr
    assert "Excel does not run on Linux" in result.stdout and "xlwings Lite" in result.stdout
    assert "--dest DIR" in result.stdout
    written = run("addin", "install", "--dest", str(tmp_path), "--python", WIN_PYTHON)
    assert written.returncode == 0, written.stderr
    assert sheet_config(tmp_path / f"{NAME}.xlam", CONF_SHEET)["INTERPRETER_WIN"] == WIN_PYTHON
    assert "Trust access to the VBA project object model" in " ".join(written.stdout.split())
    assert Path(run("addin", "path").stdout.strip()) == XLAM


@pytest.mark.parametrize("system", ["mac", "windows"])
def test_cli_prints_each_systems_steps(system, tmp_path, monkeypatch):
    from salesmetrics_xl.cli import app

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    monkeypatch.setattr(addin, "this_system", lambda: system)
    result = CliRunner().invoke(app, ["addin", "install"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert f"It runs {sys.executable}" in out
    if system == "mac":
        assert "INTERPRETER_MAC" in out and "Tools > Excel Add-ins... > Browse..." in out
        assert str(tmp_path / "Documents" / "salesmetrics-xl" / f"{NAME}.xlam") in out
        assert "xlwings Lite" in out  # where the functions are on a Mac
    else:
        assert "INTERPRETER_WIN" in out and "Trust access to the VBA project object model" in out
        assert "first click also adds =METRIC_STATUS" in out
        assert (tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART" / f"{NAME}.xlam").is_file()


def test_cli_install_into_a_file_not_a_folder_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("addin", "install", "--dest", str(blocker))
    assert result.returncode == 2
    assert "could not write the add-in" in result.stderr and "Traceback" not in result.stderr


def test_an_xlwings_that_cannot_build_the_addin_is_one_sentence(tmp_path, monkeypatch):
    def failing(*args, **kwargs):
        raise subprocess.CalledProcessError(1, args[0], stderr=b"Traceback ...\nNo module named xlwings.cli\n")

    monkeypatch.setattr(addin.subprocess, "run", failing)
    with pytest.raises(ValueError, match=r"could not build the add-in from xlwings 9\.9\.9 \(xlwings quickstart "
                                         r"said: No module named xlwings.cli\)"):
        install(tmp_path, system="windows", python=WIN_PYTHON, xlwings_version="9.9.9")


def test_a_key_the_sheet_does_not_list_goes_right_under_its_block(tmp_path):
    """An add-in built from another xlwings may list other keys: ours are still written where GetConfigFromSheet
    reads (A1 down to the first blank row), never after a gap."""
    xlam = addin.configure(XLAM, tmp_path / f"{NAME}.xlam", {"UDF MODULES": UDF_MODULES, "LICENSE_KEY": "abc"})
    written = sheet_config(xlam, CONF_SHEET)
    assert written["UDF MODULES"] == UDF_MODULES and written["LICENSE_KEY"] == "abc"
    assert list(written)[-1] == "LICENSE_KEY" and len(written) == 10


def test_cli_refuses_a_python_that_is_not_there(tmp_path, monkeypatch):
    from salesmetrics_xl.cli import app

    monkeypatch.setattr(addin, "this_system", lambda: "windows")
    result = CliRunner().invoke(app, ["addin", "install", "--dest", str(tmp_path), "--python",
                                      str(tmp_path / "nope" / "python.exe")])
    assert result.exit_code == 2
    assert "there is no Python at" in " ".join(result.output.split())
    assert not (tmp_path / f"{NAME}.xlam").exists()


def test_cli_says_to_close_excel_when_the_addin_file_is_in_use(tmp_path, monkeypatch):
    """On Windows an open add-in cannot be replaced: one sentence, exit 2, and the file there is kept."""
    from salesmetrics_xl.cli import app
    from salesmetrics_xl.xlsx import outputs

    (tmp_path / f"{NAME}.xlam").write_bytes(b"the add-in Excel has open")

    def in_use(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(addin, "this_system", lambda: "windows")
    monkeypatch.setattr(outputs.os, "replace", in_use)
    result = CliRunner().invoke(app, ["addin", "install", "--dest", str(tmp_path)])
    out = " ".join(result.output.split())
    assert result.exit_code == 2, out
    assert "if Excel is open, close it and run this again" in out and "Traceback" not in out
    assert out.count("error") == 1 and "could not write salesmetrics_xl.xlam" in out
    assert (tmp_path / f"{NAME}.xlam").read_bytes() == b"the add-in Excel has open"
    assert [p.name for p in tmp_path.iterdir()] == [f"{NAME}.xlam"]  # no temporary file left behind
