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


# The ribbon button's first click, through stand-ins for Excel's COM objects: the add-in workbook (its VBA project,
# its names, Save) and the application (MacroOptions). xlwings' own import_udfs runs on them for real.
BUTTON = CLASSIC.split("    from salesmetrics_xl.excel import functions")[0] + textwrap.dedent("""
    import re, types
    import salesmetrics_xl.excel.run as run
    from salesmetrics_xl.excel import classic, functions

    class Components:  # Workbook.VBProject.VBComponents
        def __init__(self):
            self.modules, self.imports, self.removed, self.refuse = {}, 0, 0, False
        @property
        def Count(self):
            return len(self.modules)
        def __call__(self, name):
            if name not in self.modules:
                raise sys.modules["pywintypes"].com_error("no such component")
            return name
        def Remove(self, name):
            self.removed += 1
            del self.modules[name]
        def Import(self, path):
            if self.refuse:
                raise sys.modules["pywintypes"].com_error("Automation error 440")
            text = open(path).read()
            self.imports += 1
            self.modules[re.search(r'Attribute VB_Name = "(\\w+)"', text)[1]] = text

    class Application:
        Version = "16.0"
        def __init__(self):
            self.options = {}
        def MacroOptions(self, Macro, **kw):
            self.options[Macro] = kw
        def Run(self, macro, *args):  # xlwings' fallback when Import fails; refused alike here
            raise sys.modules["pywintypes"].com_error(f"Cannot run the macro '{macro}'")

    class AddinCOM:  # the add-in's Workbook object
        Name = "salesmetrics_xl.xlam"
        FullName = "C:/Users/pat/AppData/Roaming/Microsoft/Excel/XLSTART/" + Name
        def __init__(self, trusted=True, saves=True):
            self.trusted, self.saves, self.saved = trusted, saves, 0
            self.components, self.Application = Components(), Application()
        @property
        def VBProject(self):
            if not self.trusted:
                raise sys.modules["pywintypes"].com_error("Programmatic access to Visual Basic Project is not trusted")
            return types.SimpleNamespace(VBComponents=self.components)
        def Save(self):
            if not self.saves:
                raise sys.modules["pywintypes"].com_error("read-only")
            self.saved += 1

    class Name:
        def __init__(self, name, refers_to):
            self.name, self.refers_to = name, refers_to
    class Names(list):
        def add(self, name, refers_to):
            self.append(Name(name, refers_to))
    class Addin:  # xw.Book over it
        def __init__(self, api):
            self.api, self.names, self.fullname = api, Names(), api.FullName
    class App:
        def __init__(self, addin):
            self.addin, self.alerts = addin, []
        @property
        def books(self):
            if self.addin is None:
                raise AssertionError("the add-in was looked up")
            return {"salesmetrics_xl.xlam": self.addin}
        def alert(self, text, title=None):
            self.alerts.append(text)
    class UserBook:
        def __init__(self, app):
            self.app = app

    # xlwings looks at the add-in's sheets for embedded code before importing a module
    conf_sheet = types.SimpleNamespace(name="myaddin.conf")
    xlwings._xlwindows = types.SimpleNamespace(Book=lambda xl: types.SimpleNamespace(sheets=[conf_sheet]))
    built = []
    run.weekly_summary = lambda book, formulas="native", **kw: built.append(formulas)

    def click(addin, windows=True):
        app = App(addin)
        built.clear()
        classic.run_button(UserBook(app), windows=windows)
        api = addin.api if addin else None
        return {"formulas": built[0], "alerts": app.alerts,
                "imports": api.components.imports if api else 0, "removed": api.components.removed if api else 0,
                "saved": api.saved if api else 0,
                "recorded": [n.refers_to for n in addin.names if n.name == classic.FUNCTIONS_NAME] if addin else []}

    out = {}
    addin = Addin(AddinCOM())
    out["first"] = click(addin)
    out["module"] = addin.api.components.modules.get("xlwings_udfs", "")
    out["options"] = {k: v["Category"] for k, v in addin.api.Application.options.items()}
    out["second"] = click(addin)
    addin.names[0].refers_to = '="0.0.9 0123456789ab"'  # imported by an older version of the package
    out["upgraded"] = click(addin)
    out["untrusted"] = click(Addin(AddinCOM(trusted=False)))
    out["read_only"] = click(Addin(AddinCOM(saves=False)))
    refusing = Addin(AddinCOM())
    refusing.api.components.refuse = True
    out["refused"] = click(refusing)
    out["mac"] = click(None, windows=False)
    out["signature"] = classic.signature(functions)
    functions.metric_status.__xlfunc__["args"].append({"name": "new_argument"})  # a function changed in place
    out["changed_signature"] = classic.signature(functions)
    out["texts"] = {"NOT_TRUSTED": classic.NOT_TRUSTED}
    print(json.dumps(out))
""")


def test_the_first_click_imports_the_functions_into_the_addin_once():
    env = {k: v for k, v in os.environ.items() if k not in ("XLWINGS_ON_SERVER", "XLWINGS_LICENSE_KEY")}
    result = subprocess.run([sys.executable, "-c", BUTTON], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    first, second = found["first"], found["second"]
    # first click: the wrappers go into the add-in, are registered under the category, the add-in is saved
    assert first == {"formulas": "udf", "alerts": [], "imports": 1, "removed": 0, "saved": 1,
                     "recorded": [f'="{found["signature"]}"']}
    module = found["module"]
    assert 'Attribute VB_Name = "xlwings_udfs"' in module
    assert len(re.findall(r"^Function ", module, re.M)) == 9
    assert 'XLPy.CallUDF("salesmetrics_xl.excel.functions", "metric_status"' in module
    assert found["options"]["'salesmetrics_xl.xlam'!metric_status"] == "Sales Metrics"
    assert set(found["options"].values()) == {"Sales Metrics"} and len(found["options"]) == 9
    # second click: nothing imported, nothing saved
    assert second == {**first, "imports": 1, "saved": 1}
    # after an upgrade the recorded functions differ: imported again, the old module replaced
    assert found["upgraded"]["imports"] == 2 and found["upgraded"]["removed"] == 1
    assert found["upgraded"]["recorded"] == first["recorded"] and found["upgraded"]["saved"] == 2
    # Excel does not trust programmatic access: the summary is still built, with Excel's own formulas, and the
    # message names the setting
    untrusted = found["untrusted"]
    assert untrusted["formulas"] == "native" and untrusted["imports"] == 0 and untrusted["recorded"] == []
    assert untrusted["alerts"] == [found["texts"]["NOT_TRUSTED"]]
    assert "Trust access to the VBA project object model" in untrusted["alerts"][0]
    # a read-only add-in: the functions work for this session, and the user is told why they come back next time
    read_only = found["read_only"]
    assert read_only["formulas"] == "udf" and read_only["imports"] == 1 and read_only["saved"] == 0
    assert len(read_only["alerts"]) == 1 and "could not be saved" in read_only["alerts"][0]
    assert "XLSTART" in read_only["alerts"][0]
    # Excel refuses the new VBA module: the summary is still built, with Excel's own formulas, and Excel's words
    refused = found["refused"]
    assert refused["formulas"] == "native" and refused["saved"] == 0 and refused["recorded"] == []
    assert len(refused["alerts"]) == 1 and "could not be added to the add-in" in refused["alerts"][0]
    assert "Cannot run the macro 'ImportXlwingsUdfsModule'" in refused["alerts"][0]
    # a function whose arguments change needs new wrappers, even within one version of the package
    assert found["changed_signature"] != found["signature"]
    assert found["changed_signature"].split()[0] == found["signature"].split()[0]
    # a Mac: classic Excel has no Python functions there; the add-in is never touched
    assert found["mac"] == {"formulas": "native", "alerts": [], "imports": 0, "removed": 0, "saved": 0,
                            "recorded": []}
