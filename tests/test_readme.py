"""The README's tables come from the declarations; this keeps them true."""

from salesmetrics_xl.core.workbook import TRACKING, default_range_rows
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
