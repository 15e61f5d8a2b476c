"""Classic Excel (Windows, COM): the decorators and the VBA wrappers that importing the functions writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

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
