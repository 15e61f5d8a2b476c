"""The command line: parse arguments, call the library, report. Exit 0 ok, 1 findings, 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from salesmetrics_xl import __version__
from salesmetrics_xl.core.evaluate import latest_week_findings
from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, exit_code
from salesmetrics_xl.core.tracking import week_label
from salesmetrics_xl.core.workbook import REP

app = typer.Typer(
    help="Sales activity, quality and outcome metrics against ranges, for tracking workbooks.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"salesmetrics-xl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """salesmetrics: check tracking workbooks and build weekly summaries."""


def check_file(path: Path) -> dict[str, Any]:
    """One workbook's check as a stable JSON-ready record."""
    from salesmetrics_xl.reader import read_workbook

    record: dict[str, Any] = {"file": str(path), "reps": 0, "weeks": 0, "first_week": None, "latest_week": None,
                              "ranges": 0}
    try:
        data = read_workbook(path)
    except WorkbookError as exc:
        problems = [exc.problem]
    else:
        problems = list(data.problems)
        record["ranges"] = len(data.ranges.rules)
        if data.tracking is not None and data.tracking.weeks:
            weeks = data.tracking.weeks
            record.update(reps=int(data.tracking.frame[REP].nunique()), weeks=len(weeks),
                          first_week=week_label(weeks[0]), latest_week=week_label(weeks[-1]))
            problems += latest_week_findings(data.tracking, data.ranges)
    code = exit_code(problems)
    record.update(
        status=("ok", "warnings", "errors")[code], exit_code=code,
        errors=sum(p.severity is Severity.ERROR for p in problems),
        warnings=sum(p.severity is Severity.WARNING for p in problems),
        problems=[p.model_dump(mode="json") for p in problems],
    )
    return record


def _print_check(record: dict[str, Any]) -> None:
    colour = ("green", "yellow", "red")[record["exit_code"]]
    out.rule(f"[bold]{record['file']}[/]")
    if record["latest_week"]:
        out.print(f"{record['reps']} reps, {record['weeks']} weeks ({record['first_week']} to "
                  f"{record['latest_week']}), {record['ranges']} ranges")
    if record["problems"]:
        table = Table(show_header=True, header_style="bold", expand=False)
        for name in ("", "Where", "Problem"):
            table.add_column(name, overflow="fold")
        for p in record["problems"]:
            problem = Problem(**p)
            style = "red" if problem.severity is Severity.ERROR else "yellow"
            table.add_row(f"[{style}]{problem.severity.value}[/]", problem.where, problem.message)
        out.print(table)
    out.print(f"[{colour}]{record['status']}[/]: {record['errors']} error(s), {record['warnings']} warning(s)")


@app.command()
def check(
    workbooks: Annotated[list[Path], typer.Argument(help="Tracking workbooks (.xlsx/.xlsm) to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per file.")] = False,
) -> None:
    """Check tracking workbooks: every data problem with its cell, and the latest week's values out of range.

    Never modifies a file. Exit 0 clean, 1 warnings only, 2 errors or unreadable input.
    """
    records = [check_file(p) for p in workbooks]
    if as_json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        for record in records:
            _print_check(record)
    raise typer.Exit(max(r["exit_code"] for r in records))


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the new workbook.")] = Path("sales_tracking.xlsx"),
    example: Annotated[bool, typer.Option("--example", help="Fill it with the Acme example data.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a new standard tracking workbook (How to use, Tracking, Ranges with default ranges)."""
    from salesmetrics_xl.template import build, build_example

    if path.exists() and not force:
        err.print(f"[red]error[/]: {path} exists; pass --force to replace it")
        raise typer.Exit(2)
    (build_example if example else build)(path)
    out.print(f"wrote {path}")
