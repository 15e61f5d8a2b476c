"""Classic Excel (Windows, COM): the decorators, the VBA that Import Functions writes, and the ribbon add-in."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from oletools.olevba import VBA_Parser

from salesmetrics_xl.excel.addin import NAME, XLAM, build, config_text
from tests.test_cli import run

ROOT = Path(__file__).parents[2]

# On Linux, xlwings' classic decorators load once COM's modules exist; stubs stand in for them.
CLASSIC = textwrap.dedent("""
    import io, json, sys, types
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["win32com.client"].Dispatch = lambda *a, **k: None
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["pythoncom"].com_error = sys.modules["pywintypes"].com_error = Exception
    import xlwings, xlwings.udfs as udfs
    # what `from xlwings import func` gives on Windows with pywin32
    xlwings.func, xlwings.arg, xlwings.ret, xlwings.script = udfs.xlfunc, udfs.xlarg, udfs.xlret, udfs.xlsub
    from salesmetrics_xl.excel import functions
    vba = io.StringIO()
    class Book:
        Name, FullName = "team.xlsx", "C:/team.xlsx"
    udfs.generate_vba_wrapper("salesmetrics_xl.excel.functions", functions, vba, Book())
    meta = {n: {"category": f.__xlfunc__["category"], "args": [a["name"] for a in f.__xlfunc__["args"]],
                "optional": [("optional" in a) for a in f.__xlfunc__["args"]], "doc": f.__xlfunc__["ret"]["doc"]}
            for n, f in vars(functions).items() if hasattr(f, "__xlfunc__")}
    print(json.dumps({"meta": meta, "vba": vba.getvalue()}))
""")


def test_classic_decorators_and_the_vba_wrapper():
    env = {k: v for k, v in os.environ.items() if k not in ("XLWINGS_ON_SERVER", "XLWINGS_LICENSE_KEY")}
    result = subprocess.run([sys.executable, "-c", CLASSIC], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    meta, vba = found["meta"], found["vba"]
    assert set(meta) == {"metric_status", "metric_rate", "metric_score", "metric_diagnosis", "metric_range",
                         "suggest_range", "activity_needed", "funnel_leak", "metric_scale"}
    assert {m["category"] for m in meta.values()} == {"Sales Metrics"}
    assert meta["metric_status"]["args"] == ["value", "min_or_metric", "max_or_ranges", "role", "period", "scale"]
    assert meta["metric_status"]["optional"] == [False, True, True, True, True, True]
    assert "Function metric_status(value, Optional min_or_metric, Optional max_or_ranges, Optional role, " \
           "Optional period, Optional scale)" in vba
    assert 'XLPy.CallUDF("salesmetrics_xl.excel.functions", "metric_status", Array(value, min_or_metric, ' \
           'max_or_ranges, role, period, scale)' in vba
    assert len(re.findall(r"^Function ", vba, re.M)) == 9
    assert "Function activity_needed(target, ParamArray rates())" in vba  # =ACTIVITY_NEEDED(5, 7%, 19%, "month")
    assert "Function funnel_leak(stages, rep_rates, top_rates, Optional volume, Optional period)" in vba


def test_ribbon_button_runs_main_through_a_real_vba_callback():
    with zipfile.ZipFile(XLAM) as zf:
        ui = zf.read("customUI/customUI.xml").decode()
    assert 'label="Sales Metrics"' in ui and 'label="Build Weekly Summary"' in ui and 'size="large"' in ui
    actions = re.findall(r'onAction="([\w.]+)"', ui)
    assert actions == ["RibbonMyAddin.RunMain"]
    modules = {name.removesuffix(".bas"): code for _, _, name, code in VBA_Parser(str(XLAM)).extract_macros()}
    for action in actions:
        module, proc = action.split(".")
        assert re.search(rf"^Sub {proc}\(control As IRibbonControl\)", modules[module], re.M), action
    run_main = modules["RibbonMyAddin"]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in run_main
    assert "ThisWorkbook.Name" in run_main  # the module is the add-in's own name ...
    assert XLAM.stem == NAME  # ... salesmetrics_xl, which exists and has main()
    assert callable(importlib.import_module(NAME).main)


def test_the_bundled_addin_is_what_the_build_step_makes(tmp_path):
    fresh = build(tmp_path / "fresh.xlam")
    with zipfile.ZipFile(XLAM) as a, zipfile.ZipFile(fresh) as b:
        assert {i.filename: a.read(i) for i in a.infolist()} == {i.filename: b.read(i) for i in b.infolist()}


def test_addin_install_and_path(tmp_path):
    result = run("addin", "install", "--dest", str(tmp_path / "XLSTART"), "--config-dir", str(tmp_path / "conf"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "XLSTART" / "salesmetrics_xl.xlam").read_bytes() == XLAM.read_bytes()
    conf = (tmp_path / "conf" / "salesmetrics_xl.conf").read_text()
    assert conf == config_text(sys.executable) and '"UDF MODULES","salesmetrics_xl.excel.functions"' in conf
    assert Path(run("addin", "path").stdout.strip()) == XLAM
    if not sys.platform.startswith("win"):
        refused = run("addin", "install")
        assert refused.returncode == 2 and "xlwings Lite" in refused.stderr
