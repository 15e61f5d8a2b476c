"""The README's tables come from the declarations, and its examples are what the commands print: this keeps
them true."""

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from salesmetrics_xl.core.workbook import RANGES, TRACKING, default_range_rows
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_starts_with_the_two_fresh_machine_commands():
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "pip install -e '.[fast]' && salesmetrics summary examples/acme_sales_team.xlsx"
    assert block[1] == "pip install -e '.[dev]' && python -m pytest"


def test_readme_lists_every_tracking_column_and_alias():
    for c in TRACKING.columns:
        row = f"| {c.name}{' (required)' if c.required else ''} | {', '.join(c.aliases)} | {c.help} |"
        assert row in README


def test_readme_lists_every_default_range_with_its_source():
    for r in default_range_rows():
        assert f"| {r['Metric']} | {r['Period']} |" in README and r["Notes"] in README


def test_ci_runs_the_readme_test_command():
    test_command = README.split("```bash\n", 1)[1].splitlines()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()


# "Example (`salesmetrics ...`, exit code N, ...):" followed by a fenced block: the command and what it prints.
EXAMPLES = re.findall(r"Example \(`(salesmetrics [^`]+)`, exit code (\d)[^)]*\):\n\n```\n(.*?)\n```", README, re.S)


def test_the_readme_shows_examples_with_their_output():
    assert [command for command, _, _ in EXAMPLES] == ["salesmetrics check examples/acme_sales_team.xlsx"]


@pytest.mark.parametrize(("command", "code", "shown"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_readme_example_prints_what_the_readme_shows(tmp_path, command, code, shown):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")  # run where the README runs it, on a copy
    result = subprocess.run([sys.executable, "-m", "salesmetrics_xl", *shlex.split(command)[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "120"})
    assert result.returncode == int(code), result.stderr
    assert [line.rstrip() for line in result.stdout.rstrip("\n").splitlines()] == shown.splitlines()


def test_readme_lists_the_sheet_names_recognised():
    for spec in (TRACKING, RANGES):
        assert f"| {spec.name} | {', '.join(spec.sheet_names)} |" in README
