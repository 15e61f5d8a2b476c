"""The package's layers, read from its source: arrows point down (faces -> jobs -> layouts/writers -> core), never
in a loop. Every import counts, the lazy ones inside functions and the type-checking ones too: an import moved into
a function hides a loop from Python's start-up, not from a reader.

The rules are by prefix (``salesmetrics_xl.core.``, ``salesmetrics_xl.layouts.``), so they hold as modules move
into packages of their own (``core/parse/``, ``xlsx/``)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import default_ranges_rows
from tests.helpers import GOOD

PACKAGE = "salesmetrics_xl"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
SPREADSHEET_LIBRARIES = {"openpyxl", "xlwings", "fastexcel", "python_calamine", "lxml"}
LAYOUTS_MAY_USE = set(sys.stdlib_module_names) | {"pydantic", "__future__"}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path) -> dict[str, set[str]]:
    """Module -> every name it imports: modules of the package resolved to the module (``from a import b`` is
    ``a.b`` when b is a module, else ``a``), other packages by their top-level name."""
    paths = {module_name(p, root): p for p in root.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                deps.update(_resolved(a.name, paths) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's own package up
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    deps.add(full if full in paths else _resolved(base, paths))
        deps.discard(name)
        found[name] = deps
    return found


def _resolved(name: str, paths: dict[str, Path]) -> str:
    if name.split(".")[0] != PACKAGE:
        return name.split(".")[0]
    while name not in paths and "." in name:  # salesmetrics_xl.core.parse.x where x is not a module
        name = name.rpartition(".")[0]
    return name


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another, round and round (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in graph:
                continue
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def wrong_arrows(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points up or sideways out of a lower layer, as a sentence."""
    wrong = []
    for module, deps in sorted(graph.items()):
        for dep in sorted(deps):
            ours = dep == PACKAGE or dep.startswith(PACKAGE + ".")
            if module.startswith(f"{PACKAGE}.core."):
                if (ours and not dep.startswith(f"{PACKAGE}.core.")) or dep in SPREADSHEET_LIBRARIES:
                    wrong.append(f"{module} (core) imports {dep}")
            elif module.startswith(f"{PACKAGE}.layouts.") or module == f"{PACKAGE}.layouts":
                allowed = dep.startswith((f"{PACKAGE}.core.", f"{PACKAGE}.layouts.")) if ours else \
                    dep in LAYOUTS_MAY_USE
                if not allowed:
                    wrong.append(f"{module} (layouts) imports {dep}")
    return wrong


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return imports(ROOT)


def test_the_package_is_read_whole(graph: dict[str, set[str]]):
    # the checks below see every layer: a wrong root would pass them all on an empty graph
    assert f"{PACKAGE}.core.summary" in graph and f"{PACKAGE}.layouts.summary" in graph
    assert f"{PACKAGE}.core.metrics" in graph[f"{PACKAGE}.core.summary"]
    assert len([m for m in graph if m.startswith(f"{PACKAGE}.core.")]) >= 10


def test_no_module_imports_itself_back_through_others(graph: dict[str, set[str]]):
    assert loops(graph) == []


def test_the_core_imports_only_the_core_and_no_spreadsheet_library(graph: dict[str, set[str]]):
    assert [w for w in wrong_arrows(graph) if "(core)" in w] == []


def test_layouts_import_only_the_core_layouts_and_the_standard_library(graph: dict[str, set[str]]):
    assert [w for w in wrong_arrows(graph) if "(layouts)" in w] == []


def test_the_checks_find_a_loop_a_lazy_import_and_a_layout_doing_io(tmp_path: Path):
    """The checks themselves, on a small package built to break every rule: each break is reported."""
    root = tmp_path / PACKAGE
    for folder in (root, root / "core", root / "layouts"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (root / "batch.py").write_text("from salesmetrics_xl.layouts.rollup import sheet\n")
    (root / "layouts" / "rollup.py").write_text(
        "def sheet():\n    from salesmetrics_xl.batch import x\n    import openpyxl\n    from . import styles\n")
    (root / "layouts" / "styles.py").write_text("import datetime\nfrom pydantic import BaseModel\n")
    (root / "core" / "a.py").write_text("from salesmetrics_xl.core import b\nimport xlwings\n")
    (root / "core" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                        "    from salesmetrics_xl.core.a import A\n"
                                        "from ..layouts.styles import X\n")
    found = imports(root)
    assert f"{PACKAGE}.layouts.styles" in found[f"{PACKAGE}.layouts.rollup"]  # relative, resolved
    assert loops(found) == [[f"{PACKAGE}.batch", f"{PACKAGE}.layouts.rollup"],
                            [f"{PACKAGE}.core.a", f"{PACKAGE}.core.b"]]
    assert wrong_arrows(found) == [
        f"{PACKAGE}.core.a (core) imports xlwings",
        f"{PACKAGE}.core.b (core) imports {PACKAGE}.layouts.styles",
        f"{PACKAGE}.layouts.rollup (layouts) imports openpyxl",
        f"{PACKAGE}.layouts.rollup (layouts) imports {PACKAGE}.batch",
    ]


# What a command must not load: every process pays the import of each module it loads, whether the command uses it
# or not (issue #28: imports were most of a small summary's time). The batch job, its worker pool and the report
# models are loaded by the commands that use them, and --help by nothing heavier than the command line itself.
EXAMPLE = ROOT.parent / "examples" / "acme_sales_team.xlsx"
JOB_MODULES = {"salesmetrics_xl.batch", "multiprocessing", "salesmetrics_xl.layouts.rollup"}
NOT_LOADED = [
    (["--help"], {"pandas", "numpy", "pyarrow", "pydantic", "rich", "openpyxl", "salesmetrics_xl.package"},
     {"typer", "salesmetrics_xl.cli"}),
    (["summary", "{book}", "--out", "{out}"],
     JOB_MODULES | {"salesmetrics_xl.reports", "salesmetrics_xl.summary_record", "rich.progress", "rich.live",
                    "ssl", "http.client"},  # xml.sax.saxutils would bring both
     {"pandas", "salesmetrics_xl.summarise", "salesmetrics_xl.xlsx", "rich.table"}),
    (["summary", "{book}", "--out", "{out}", "--json"], JOB_MODULES | {"rich"},  # JSON into a pipe: no console
     {"salesmetrics_xl.reports", "salesmetrics_xl.summary_record"}),
    (["check", "{book}"], JOB_MODULES | {"salesmetrics_xl.xlsx", "salesmetrics_xl.layouts", "salesmetrics_xl.reports"},
     {"salesmetrics_xl.check", "salesmetrics_xl.reader"}),
    (["baseline", "{book}"], JOB_MODULES | {"salesmetrics_xl.xlsx", "salesmetrics_xl.reports"},
     {"salesmetrics_xl.baseline", "salesmetrics_xl.reader"}),
    (["baseline", "{book}", "--write", "--out", "{out}"], JOB_MODULES, {"salesmetrics_xl.xlsx"}),
]


@pytest.mark.parametrize(("args", "not_loaded", "loaded"), NOT_LOADED,
                         ids=[" ".join(args) for args, _, _ in NOT_LOADED])  # ids from the command: sets' order varies
def test_each_command_loads_only_what_it_uses(tmp_path: Path, args: list[str], not_loaded: set[str],
                                              loaded: set[str]):
    """A real `salesmetrics` process (its entry point, as the console script runs it), and the modules it has
    loaded when it exits. ``loaded`` shows the record is of the command that did its work."""
    record = tmp_path / "modules.txt"
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: open({str(record)!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
            "sys.argv = ['salesmetrics', *sys.argv[1:]]\n"
            "from salesmetrics_xl.cli import run\nrun()\n")
    argv = [a.format(book=EXAMPLE, out=tmp_path / "out.xlsx") for a in args]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    modules = set(record.read_text().split())
    assert loaded <= modules
    assert sorted(not_loaded & modules) == []


# A big Tracking sheet is loaded by fastexcel on a thread of its own, beside the rest of the read: whatever the main
# thread imports before that load starts is on every big run's critical path, and pandas was 0.2 s of it (issue #28).
# The job and its read side import pandas only inside the functions that use it (docs/development.md, "Imports").
READ_SIDE = ["salesmetrics_xl.summarise", "salesmetrics_xl.reader", "salesmetrics_xl.core.parse"]


@pytest.mark.parametrize("module", READ_SIDE)
def test_the_read_side_imports_no_pandas(module: str):
    code = f"import sys\nimport {module}\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_pandas_is_imported_after_fastexcel_has_started(tmp_path: Path, make_book):
    """A real `salesmetrics summary` with the columnar reader, on a sheet the guard can bound (its head start, as
    for a big sheet): when the fastexcel thread starts, pandas is not loaded yet. The record shows it did start."""
    book = make_book({"Tracking": GOOD, "Ranges": default_ranges_rows()})
    record = tmp_path / "started.txt"
    code = ("import atexit, sys, threading\n"
            "seen, start = [], threading.Thread.start\n"
            "def started(thread):\n"
            "    if thread.name == 'salesmetrics-fastexcel':\n"
            "        seen.append('pandas' in sys.modules)\n"
            "    return start(thread)\n"
            "threading.Thread.start = started\n"
            f"atexit.register(lambda: open({str(record)!r}, 'w').write(repr(seen)))\n"
            "sys.argv = ['salesmetrics', *sys.argv[1:]]\n"
            "from salesmetrics_xl.cli import run\nrun()\n")
    argv = ["summary", str(book), "--out", str(tmp_path / "out.xlsx")]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SALESMETRICS_READER": "columnar"})
    assert done.returncode in (0, 1), done.stderr
    assert (tmp_path / "out.xlsx").exists()
    assert record.read_text() == "[False]"  # one load, begun before pandas was imported
