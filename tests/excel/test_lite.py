"""xlwings Lite's main.py (lite/main.py) offers every function and every button the package has."""

from __future__ import annotations

import runpy

import xlwings.server as server

from salesmetrics_xl.excel import functions, scripts
from tests.conftest import ROOT


def test_lite_main_offers_every_function_and_script():
    main = runpy.run_path(str(ROOT / "lite" / "main.py"))
    offered = {name for name, f in main.items() if hasattr(f, "__xlfunc__")}
    everything = {name for name, f in vars(functions).items() if hasattr(f, "__xlfunc__")}
    assert offered == everything and "metric_scale" in offered
    assert {name for name, f in main.items() if hasattr(f, "__xlscript__")} == \
        {name for name, f in vars(scripts).items() if hasattr(f, "__xlscript__")} == \
        {"build_weekly_summary", "suggest_ranges"}
    names = {f["name"] for f in server.custom_functions_meta(functions)["functions"]}
    assert {n.upper() for n in offered} == names


def test_lite_requirements_name_the_wheel_this_version_builds():
    from salesmetrics_xl import __version__

    (line,) = [x for x in (ROOT / "lite" / "requirements.txt").read_text().splitlines() if x.strip()]
    assert line.startswith("https://") and line.endswith(f"/salesmetrics_xl-{__version__}-py3-none-any.whl")
