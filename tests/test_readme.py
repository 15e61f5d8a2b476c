"""The README's examples are what the commands print, and the tables of docs/workbook.md come from the
declarations, read as the markdown tables a reader sees: this keeps them true."""

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from salesmetrics_xl.core.metrics import Unit, format_bound
from salesmetrics_xl.core.workbook import RANGES, TRACKING, default_range_rows
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
WORKBOOK_DOC = (ROOT / "docs" / "workbook.md").read_text()


def test_readme_starts_with_the_two_fresh_machine_commands():
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "pip install -e '.[fast]' && salesmetrics summary examples/acme_sales_team.xlsx"
    assert block[1] == "pip install -e '.[dev]' && python -m pytest"


def test_ci_runs_the_readme_test_command():
    test_command = README.split("```bash\n", 1)[1].splitlines()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()


# "Example (`salesmetrics ...`, exit code N, ...):" followed by a fenced block: the command and what it prints.
EXAMPLES = re.findall(r"Example \(`(salesmetrics [^`]+)`, exit code (\d)[^)]*\):\n\n```\n(.*?)\n```", README, re.S)


def test_the_readme_shows_examples_with_their_output():
    assert [command for command, _, _ in EXAMPLES] == ["salesmetrics check examples/acme_sales_team.xlsx",
                                                       "salesmetrics summary examples/acme_sales_team.xlsx"]


@pytest.mark.parametrize(("command", "code", "shown"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_readme_example_prints_what_the_readme_shows(tmp_path, command, code, shown):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")  # run where the README runs it, on a copy
    result = subprocess.run([sys.executable, "-m", "salesmetrics_xl", *shlex.split(command)[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "120"})
    assert result.returncode == int(code), result.stderr
    assert [line.rstrip() for line in result.stdout.rstrip("\n").splitlines()] == shown.splitlines()


def test_the_readme_library_example_runs_as_shown(tmp_path, monkeypatch):
    """The three library jobs, exactly as the README shows them, on a copy of the example named team.xlsx."""
    code = README.split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copy(ROOT / "examples" / "acme_sales_team.xlsx", tmp_path / "team.xlsx")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    report, run, suggested = scope["report"], scope["run"], scope["suggested"]
    assert report.exit_code == 1 and any(p.cell for p in report.problems)  # type: ignore[attr-defined]
    assert (tmp_path / "team.summary.xlsx").exists() and run.summary.reps[0].verdict  # type: ignore[attr-defined]
    assert suggested.baselines and suggested.baselines[0].metrics  # type: ignore[attr-defined]


# ---- docs/workbook.md: its tables, as markdown ------------------------------------------------------------------

Table = tuple[list[str], list[list[str]]]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().removeprefix("|").removesuffix("|").split("|")]


def markdown_tables(text: str) -> list[Table]:
    """Every table as a markdown renderer reads it: a header row, a separator row (---), then the rows. A block of
    pipe lines without its separator under the first line is returned with no header, so it fails below."""
    tables: list[Table] = []
    block: list[str] = []
    fenced = False
    for line in [*text.splitlines(), ""]:
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("|"):
            block.append(line)
            continue
        if block:
            separator = len(block) > 1 and all(re.fullmatch(r":?-{3,}:?", c) for c in _cells(block[1]))
            tables.append((_cells(block[0]), [_cells(b) for b in block[2:]]) if separator else
                          ([], [_cells(b) for b in block]))
            block = []
    return tables


def table_headed(*header: str) -> list[list[str]]:
    found = [rows for head, rows in markdown_tables(WORKBOOK_DOC) if head == list(header)]
    assert found, f"docs/workbook.md has no table headed {header}"
    return found[0]


def test_every_table_has_a_header_row_and_rows_as_wide_as_it():
    tables = markdown_tables(WORKBOOK_DOC)
    assert len(tables) >= 8
    for head, rows in tables:
        assert head and all(head), rows[:1]
        assert rows and all(len(row) == len(head) for row in rows), head


def test_the_tables_of_columns_list_every_column_and_alias_the_reader_accepts():
    for spec in (TRACKING, RANGES):
        rows = [rows for head, rows in markdown_tables(WORKBOOK_DOC)
                if head == ["Column", "Also read under", "What it holds"]
                and rows[0][0].removesuffix(" (required)") == spec.columns[0].name]
        assert len(rows) == 1, spec.name
        assert rows[0] == [[f"{c.name}{' (required)' if c.required else ''}", ", ".join(c.aliases), c.help]
                           for c in spec.columns]


def test_the_default_ranges_table_is_the_default_ranges():
    def bound(value: object, unit: str) -> str:
        return "" if value is None else format_bound(value, Unit(unit))  # type: ignore[arg-type]

    rows = table_headed("Metric", "Period", "Min", "Max", "Where it comes from")
    assert rows == [[r["Metric"], r["Period"], bound(r["Min"], r["Unit"]), bound(r["Max"], r["Unit"]), r["Notes"]]
                    for r in default_range_rows()]


def test_the_sheet_names_table_lists_the_names_recognised():
    rows = table_headed("Sheet", "Found under these names (any case or spacing)", "Otherwise")
    assert [row[:2] for row in rows] == [[spec.name, ", ".join(spec.sheet_names)] for spec in (TRACKING, RANGES)]


def test_the_metric_names_table_says_what_the_matcher_reads():
    from salesmetrics_xl.core.names import match_metric
    from salesmetrics_xl.core.workbook import METRIC_NAMES

    rows = table_headed("Written", "Read as")
    assert len(rows) >= 5
    for written, read in rows:
        metric, period, _ = match_metric(written, METRIC_NAMES)
        said = f"{metric}, a {period.value}" if period else f"{metric}, the Period column's period"
        assert read.startswith(said), (written, read)


def test_a_table_without_its_header_row_is_caught():
    head, rows = markdown_tables("| Dials | week | 50 |\n| SQLs | month | 5 |\n")[0]
    assert head == [] and len(rows) == 2
