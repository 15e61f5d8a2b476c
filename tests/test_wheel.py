"""The package as a user installs it: a wheel built from this tree, installed in a fresh virtual environment.

Until salesmetrics-xl is on PyPI, the documented install is from a wheel (docs/excel.md). This builds it the
documented way, installs it with pip from that wheel alone (no index), and runs it from outside the source tree:
the command line, the add-in it carries, and the Lite main.py's imports.

Dependencies: the fresh environment sees the test environment's packages through a .pth line (after its own
site-packages, so the wheel's copy of salesmetrics_xl wins), which keeps this test off the network. That the
wheel declares them is checked separately, from its metadata and the imports in its modules.
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from salesmetrics_xl.excel.addin import XLAM

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel . -w dist`, on a copy of the source (building writes build/ and .egg-info/ beside it)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "salesmetrics_xl", src / "salesmetrics_xl", ignore=shutil.ignore_patterns("__pycache__"))
    built = _run(sys.executable, "-m", "pip", "wheel", src, "-w", work / "dist", "--no-deps", "--no-build-isolation",
                 "-q")
    assert built.returncode == 0, built.stderr
    (found,) = (work / "dist").glob("salesmetrics_xl-*-py3-none-any.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed by pip from the wheel's folder only."""
    home = tmp_path_factory.mktemp("venv") / "env"
    made = _run(sys.executable, "-m", "venv", "--without-pip", home)
    assert made.returncode == 0, made.stderr
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    Path(site, "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--find-links",
                     wheel.parent, "--no-deps", "--ignore-installed", "-q", "salesmetrics-xl")
    assert installed.returncode == 0, installed.stderr
    return home


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH pointing back at the source tree, no server runtime chosen for xlwings."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "XLWINGS_ON_SERVER", "XLWINGS_LICENSE_KEY")}


def test_the_wheel_carries_the_addin_and_declares_what_it_imports(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert zf.read("salesmetrics_xl/excel/salesmetrics_xl.xlam") == XLAM.read_bytes()
        meta = email.message_from_bytes(zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
        entry = zf.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
        sources = {n: zf.read(n).decode() for n in names if n.endswith(".py")}
    assert "salesmetrics = salesmetrics_xl.cli:run" in entry
    assert (ROOT / "lite" / "requirements.txt").read_text().strip().endswith("/" + wheel.name)  # the Lite line
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/")) or "__pycache__" in n]
    declared = {re.split(r"[ ;<>=!~\[]", r, maxsplit=1)[0].lower().replace("_", "-")
                for r in meta.get_all("Requires-Dist") or []}
    owners = importlib.metadata.packages_distributions()
    imported: set[str] = set()
    for text in sources.values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"salesmetrics_xl"}
    missing = {m: owners.get(m) for m in third_party
               if not {d.lower().replace("_", "-") for d in owners.get(m, [m])} & declared}
    assert {"xlwings", "pandas", "defusedxml", "typer"} <= third_party  # the check sees real imports
    assert missing == {}, f"imported but not declared in pyproject's dependencies: {missing}"


def test_the_installed_wheel_runs_from_a_fresh_environment(venv, tmp_path):
    env = _clean_env()
    where = _run(_bin(venv, "python"), "-c", "import salesmetrics_xl; print(salesmetrics_xl.__file__)",
                 cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    salesmetrics = _bin(venv, "salesmetrics")
    init = _run(salesmetrics, "init", "--example", "team.xlsx", cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    summary = _run(salesmetrics, "summary", "team.xlsx", cwd=tmp_path, env=env)
    assert summary.returncode in (0, 1), summary.stderr  # 1: the example has findings
    assert "Traceback" not in summary.stderr
    assert (tmp_path / "team.summary.xlsx").is_file()
    with zipfile.ZipFile(tmp_path / "team.summary.xlsx") as zf:
        assert "Weekly Summary" in zf.read("xl/workbook.xml").decode()


def test_the_installed_wheel_rebuilds_its_addin_byte_for_byte(venv, tmp_path):
    env = _clean_env()
    path = _run(_bin(venv, "salesmetrics"), "addin", "path", cwd=tmp_path, env=env)
    bundled = Path(path.stdout.strip())
    assert bundled.is_relative_to(venv) and bundled.read_bytes() == XLAM.read_bytes()
    built = _run(_bin(venv, "salesmetrics"), "addin", "build", "--out", "fresh.xlam", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "fresh.xlam").read_bytes() == bundled.read_bytes()


def test_the_lite_main_py_imports_from_the_installed_wheel(venv, tmp_path):
    """What xlwings Lite does with main.py: import it under the server runtime and list its functions/scripts."""
    shutil.copy2(ROOT / "lite" / "main.py", tmp_path / "main.py")
    env = {**_clean_env(), "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    probe = ("import json, main, salesmetrics_xl, xlwings.server as s; "
             "meta = s.custom_functions_meta(main); "
             "print(json.dumps({'file': salesmetrics_xl.__file__, "
             "'functions': sorted(f['name'] for f in meta['functions']), "
             "'scripts': sorted(n for n, f in vars(main).items() if hasattr(f, '__xlscript__'))}))")
    result = _run(_bin(venv, "python"), "-c", probe, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    import json

    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["file"]).is_relative_to(venv)
    assert "METRIC_STATUS" in found["functions"] and "FUNNEL_LEAK" in found["functions"]
    assert found["scripts"] == ["build_weekly_summary", "suggest_ranges"]
