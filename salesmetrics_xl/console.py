"""How each command's result reads in a terminal, and the one way out for --json. No judgment is made here: every
number and sentence comes from the job's result."""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesmetrics_xl.baseline import BaselineReport
    from salesmetrics_xl.batch import FileResult, TeamLine
    from salesmetrics_xl.check import CheckReport
    from salesmetrics_xl.core.problems import Problem
    from salesmetrics_xl.core.summary import RepWeek
    from salesmetrics_xl.layouts.baseline import Plan
    from salesmetrics_xl.summarise import SummaryRun

# Imports of rich, pandas and pydantic happen inside the functions: `salesmetrics --help` then starts in a fraction
# of the time (benchmarks/startup.py measures it).


class _Console:
    """rich's Console, made on first use: importing rich costs more than all of `salesmetrics --help`."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Any = None

    def real(self) -> Any:
        if self._console is None:
            from rich.console import Console

            # emoji=False: a rep named ":fire:" is printed as typed (our own text has no emoji codes), and the
            # table of 4,000 emoji codes is never loaded
            self._console = Console(stderr=self._stderr, emoji=False)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


console = _Console()
console_err = _Console(stderr=True)


def ready_to_print(as_json: bool = False) -> None:
    """What a command prints with, loaded ahead: a summary calls this while fastexcel loads a big sheet, when its
    thread would only wait (rich and the console: 0.035 s of a 200,000-row summary; for --json, its report models)."""
    if as_json:
        import salesmetrics_xl.reports  # noqa: F401
    else:
        import rich.markup
        import rich.table  # noqa: F401

        console.real()


def working(message: str) -> AbstractContextManager[Any]:
    """A spinner on stderr while a command works, on a terminal only: elsewhere (a pipe, a log file) rich's
    transient status prints nothing, and its live display and thread would only add to the start-up. Where stderr
    is no terminal and nothing tells rich to take it for one, rich is not even loaded (`summary --json` prints
    without it)."""
    if not (_isatty(sys.stderr) or any(os.environ.get(v) is not None for v in ("TTY_COMPATIBLE", "FORCE_COLOR"))):
        return nullcontext()
    err = console_err.real()
    return err.status(message) if err.is_terminal else nullcontext()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or a closed stream: no terminal
        return False


def print_json(value: object, indent: int | None = 2) -> None:
    """Every command's --json goes out here, and only here: strict JSON (no Infinity or NaN). ``indent=None``
    writes it compact, for output that grows with the reps (a third of 10,000 reps' summary was indentation)."""
    from salesmetrics_xl.core.text import strict_json

    out = sys.stdout
    out.write(strict_json(value, indent))
    out.write("\n")
    out.flush()


# Warnings about how a workbook was read that change what its numbers mean (a month's target read as a week's):
# `summary` prints them, not only counts them.
READ_AS = ("period-assumed", "looks-monthly")
FIRST_ERRORS = 5
CONSOLE_REPS = 20  # a bigger team prints its first 20 reps who need attention; the sheet and --json hold all


def said(problem: Problem) -> str:
    """A problem's sentence on the command line: the core names the setting that answers it in the workbook's
    words; here it gains the option that gives the same setting from the command line."""
    if problem.setting:
        return f"{problem.message}; or --{problem.setting.replace('_', '-')} NAME"
    return problem.message


def first_errors(problems: list[Problem], limit: int = FIRST_ERRORS) -> list[str]:
    """The first errors found, each with its cell and sentence, for a command that writes anyway (summary,
    baseline, batch): what is wrong is shown where it is run, and `check` lists the rest."""
    from salesmetrics_xl.core.problems import Severity

    return [f"{p.where}: {said(p)}" if p.where else said(p)
            for p in problems if p.severity is Severity.ERROR][:limit]


def print_first_errors(problems: list[Problem], workbook: Path) -> None:
    from salesmetrics_xl.core.problems import Severity

    shown = first_errors(problems)
    for line in shown:
        console.print(f"[red]error[/]: {line}", highlight=False)
    total = sum(p.severity is Severity.ERROR for p in problems)
    if total > len(shown):
        console.print(f"... and {total - len(shown)} more error(s): run [bold]salesmetrics check {workbook}[/] for "
                      "all of them", highlight=False, soft_wrap=True)  # a path is copied whole, never folded


def print_error(problem: Problem) -> None:
    """The one problem that stops a command, on stderr."""
    where = f"{problem.where}: " if problem.where else ""
    console_err.print(f"[red]error[/]: {problem.file}: {where}{said(problem)}")


def print_check(report: CheckReport) -> None:
    from rich.table import Table

    colour = ("green", "yellow", "red")[report.exit_code]
    console.rule(f"[bold]{report.file}[/]")
    if report.latest_week:
        console.print(f"{report.reps} reps, {report.weeks} weeks ({report.first_week} to "
                      f"{report.latest_week}), {report.ranges} ranges")
    if report.problems:
        table = Table(show_header=True, header_style="bold", expand=False)
        for name in ("", "Where", "Problem"):
            table.add_column(name, overflow="fold")
        for problem in report.problems:
            style = {"error": "red", "warning": "yellow"}.get(problem.severity.value, "cyan")
            table.add_row(f"[{style}]{problem.severity.value}[/]", problem.where, said(problem))
        console.print(table)
    console.print(f"[{colour}]{report.status}[/]: {report.errors} error(s), {report.warnings} warning(s)")


def shown_reps(reps: list[RepWeek], every_rep: bool = False) -> tuple[list[RepWeek], str | None]:
    """The reps a person can read in a terminal, and the line that says who is left out. A team of up to
    CONSOLE_REPS is printed whole; a bigger one shows the first CONSOLE_REPS who need attention, in the sheet's
    order, because a screen of 10,000 lines is read by nobody and takes longer to print than to compute."""
    if every_rep or len(reps) <= CONSOLE_REPS:
        return reps, None
    from salesmetrics_xl.core.decision import LESS_ACTIVITY, ON_TRACK

    attention = [r for r in reps if r.verdict not in (ON_TRACK, LESS_ACTIVITY) and not r.off]  # watch included
    shown = attention[:CONSOLE_REPS]
    more = len(attention) - len(shown)
    rest = len(reps) - len(attention)
    left = (f"and {more:,} more who need attention, " if more else "") + \
        f"{rest:,} on track or off this week: see the Weekly Summary sheet, or add --all"
    return shown, left


def print_summary(run: SummaryRun, workbook: Path, detail: bool, every_rep: bool = False) -> None:
    from rich.markup import escape
    from rich.table import Table

    from salesmetrics_xl.core.problems import Severity
    from salesmetrics_xl.core.text import MESSAGE_LIMIT, shorten

    s = run.summary
    console.print(f"[bold]Weekly summary[/]: {workbook.name}, week {s.week_label} (from {s.week:%Y-%m-%d})")
    console.print(s.team_diagnosis)
    for note in s.range_review:
        console.print(f"[italic]{note}[/]")
    reps, left = shown_reps(s.reps, every_rep)
    if reps:  # one line per rep: verdict, focus, next action; --detail prints the rest under it
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("Rep")
        table.add_column("Verdict")
        table.add_column("Focus")
        table.add_column("Next action", overflow="fold")
        colour = {"On track": "green", "On track, less activity": "green", "Watch": "yellow", "Off track": "red"}
        for rep in reps:
            shown = escape(rep.verdict)
            if rep.verdict in colour:
                shown = f"[{colour[rep.verdict]}]{shown}[/]"
            action = escape(shorten(rep.action, MESSAGE_LIMIT))
            table.add_row(escape(shorten(rep.rep)), shown, escape(rep.focus), action)
            if detail and rep.detail:
                table.add_row("", "", "", f"[dim]{escape(shorten(rep.detail, MESSAGE_LIMIT))}[/]")
        console.print(table)
    if left:
        console.print(left, highlight=False)
    errors = sum(p.severity is Severity.ERROR for p in run.problems)
    for note in (p for p in run.problems if p.severity is Severity.NOTE):
        console.print(f"[cyan]note[/]: {note.message}")
    for kept in (p for p in run.problems if p.code == "sheet-kept"):
        console.print(f"[yellow]warning[/]: {kept.message}")
    for judged_by in (p for p in run.problems if p.code == "missing-sheet" and p.severity is Severity.WARNING):
        console.print(f"[yellow]warning[/]: {said(judged_by)}", highlight=False)  # every verdict rests on it
    for warned in (p for p in run.problems if p.code in READ_AS):
        console.print(f"[yellow]warning[/]: {warned.where}: {warned.message}", highlight=False)
    print_first_errors(run.problems, workbook)
    problems = [p for p in run.problems if p.severity is not Severity.NOTE]
    if problems:
        this_week = len([p for p in run.summary.problems if p.severity is not Severity.NOTE])
        console.print(f"[yellow]{len(problems)} data problem(s) in the workbook[/] ({errors} error(s); {this_week} of "
                      f"them listed on the Weekly Summary sheet); run [bold]salesmetrics check {workbook}[/] for "
                      "all of them, with the latest week's values out of range")
    checked = " and ".join(f"'{escape(name)}'" for name in run.checked)
    console.print(f"wrote [bold]{escape(str(run.output))}[/]: the Weekly Summary and Evaluation sheets"
                  + (f", and range checks on the {checked} sheet{'s' if len(run.checked) > 1 else ''}" if checked
                     else ""), highlight=False)


NO_NUMBER = ("no number: too few counts to know a rate (fewer than 20 of its denominator in the window), or a rate "
             "of 0, which no amount of activity gets past")


def print_baseline(report: BaselineReport, workbook: Path, apply: bool) -> None:
    from rich.padding import Padding

    print_first_errors(report.problems, workbook)
    for b in report.baselines:
        console.rule(f"[bold]{workbook.name}[/]" + (f": role {b.role}" if b.role else ""))
        console.print(f"{len(b.weeks)} complete weeks ({b.weeks[0]} to {b.weeks[-1]}).", highlight=False)
        console.print(f"Top performers: {b.basis}.", highlight=False)
        if b.changed:
            console.print(f"Against a week earlier: {b.changed}.", highlight=False)
        units = {m.metric: m.unit for m in b.metrics}
        for m in b.metrics:  # one block per metric: readable in an 80-column terminal, long text folded
            console.print(f"\n[bold]{report.label(m.metric)}[/], a {m.period.value}: suggested "
                          f"[bold]{m.suggested.describe(m.unit) if m.suggested else 'none'}[/] (current "
                          f"{m.current.describe(m.unit) if m.current else 'none'})", highlight=False)
            lines = [(2, f"Team median {_spread_text(m.team, m.unit)}; top performers' median "
                         f"{_spread_text(m.top, m.unit)}."),
                     (2, f"Why: {m.why}.")]
            if m.needed:
                lines.append((2, f"The targets take, in {report.label(m.metric)} a week (at the top "
                                 "performers' / the team's rates):"))
                lines += [(4, line) for line in _takes_text(m.needed, units, report.label)]
            for indent, line in lines:
                console.print(Padding(line, (0, 0, 0, indent), expand=False), highlight=False)
        if any(t.at_top is None or t.at_team is None for m in b.metrics for t in m.needed):
            console.print(f"\n{NO_NUMBER}", highlight=False)
        console.print()
        for note in b.notes:
            console.print(f"[yellow]note[/]: {note}", highlight=False)
        for flag in b.unreachable:
            console.print(f"[yellow]range check[/]: {flag}", highlight=False)
        if b.left_out:
            console.print(f"[dim]note[/]: {b.left_out}", highlight=False)
    for problem in report.kept:
        console.print(f"[yellow]warning[/]: {problem.message}")
    if report.plan is not None:
        _print_plan(report.plan, report.dry_run)
    if report.output:
        changed = report.plan is not None and report.plan.changed
        console.print(f"wrote [bold]{report.output}[/]: the Suggested Ranges sheet"
                      + ((", and the changes above into your Ranges table (old values kept in Notes)"
                          if changed else "; your Ranges table needed no change") if apply else ""))


def _print_plan(plan: Plan, dry_run: bool) -> None:
    """Every Ranges row --apply changes ("Dials: 50–75 → 40–70"), every row it leaves alone and why, and the
    suggestions with no row to go into; --dry-run prints the same and writes nothing."""
    from rich.padding import Padding

    heading = "would change (--dry-run: nothing written)" if dry_run else "changed"
    console.print(f"\n[bold]Ranges {heading}[/]: {len(plan.changed)} row{'s' if len(plan.changed) != 1 else ''}",
                  highlight=False)
    for change in plan.changed:
        console.print(Padding(change.line(), (0, 0, 0, 2), expand=False), highlight=False)
    console.print(f"[bold]Ranges left alone[/]: {len(plan.left_alone)} row{'s' if len(plan.left_alone) != 1 else ''}",
                  highlight=False)
    reasons: dict[str, list[Any]] = {}
    for change in plan.left_alone:
        reasons.setdefault(change.why, []).append(change)
    for why, changes in reasons.items():  # three rows or more for one reason: the reason once, then the rows
        if len(changes) < 3:
            for change in changes:
                console.print(Padding(change.line(), (0, 0, 0, 2), expand=False), highlight=False)
            continue
        console.print(Padding(f"{why}:", (0, 0, 0, 2), expand=False), highlight=False)
        for change in changes:
            console.print(Padding(f"{change.label}: {change.before}", (0, 0, 0, 4), expand=False), highlight=False)
    if plan.not_applied:
        console.print("[bold]Suggestions with no row in Ranges[/] (add them from the Suggested Ranges sheet):",
                      highlight=False)
        for role, m in plan.not_applied_by_role():
            console.print(Padding(f"{m.metric} a {m.period.value}{f' ({role})' if role else ''}: "
                                  f"{m.suggested.describe(m.unit)}", (0, 0, 0, 2), expand=False), highlight=False)


def _takes_text(needed: list[Any], units: dict[str, Any], label: Any = str) -> list[str]:
    """Per outcome target: the weekly activity it takes at the top performers' and at the team's rates."""
    from salesmetrics_xl.core.metrics import Unit, format_bound, singular

    def about(value: float | None) -> str:
        return "no number" if value is None else f"{value:,.0f}"

    def goal(t: Any) -> str:
        shown = format_bound(t.target, units.get(t.outcome, Unit.COUNT))
        name = label(t.outcome)
        return f"{shown} {singular(name) if shown == '1' and name == t.outcome else name}"

    return [f"{goal(t)} a {t.period.value}: "
            f"{about(t.at_top)} / {about(t.at_team)}"
            + (" [yellow](unreachable at the range's Max)[/]" if t.reachable is False else "") for t in needed]


def _spread_text(spread: Any, unit: Any) -> str:
    from salesmetrics_xl.core.baseline import format_value

    if spread is None:
        return "no data"
    return (f"{format_value(spread.median, unit)} (middle half {format_value(spread.p25, unit)}–"
            f"{format_value(spread.p75, unit)})")


def print_batch(files: int, results: list[FileResult], teams: list[TeamLine], interrupted: bool,
                report: Path | None, rollup: Path | None) -> None:
    from salesmetrics_xl.batch import OUTCOMES, STATUSES, shared_label

    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    console.print(f"{len(results)} of {files} workbooks: {counts['ok']} ok, {counts['warnings']} with warnings "
                  f"or reps needing attention, {counts['errors']} with errors (written, bad cells shown as NO DATA), "
                  + (f"{counts['could not write']} could not be written (read, but the output failed), "
                     if counts["could not write"] else "")
                  + f"{counts['unreadable']} unreadable (nothing written)"
                  + (" [yellow](interrupted: the rest were not started)[/]" if interrupted else ""))
    for result in results:
        if result.status in ("errors", "could not write", "unreadable"):  # problems list the errors first
            shown = result.problems[:min(FIRST_ERRORS, result.errors)] or [result.file]
            for line in shown:
                console.print(f"[red]{result.status}[/]: {line}", highlight=False, soft_wrap=True)
            if result.errors > len(shown):
                console.print(f"... and {result.errors - len(shown)} more error(s) in {result.file}: run "
                              f"[bold]salesmetrics check {result.file}[/] for all of them", highlight=False,
                              soft_wrap=True)
    if report:
        console.print(f"report: [bold]{report}[/]")
    if rollup:
        from rich.table import Table

        from salesmetrics_xl.core.metrics import NEW_MRR

        table = Table("Team", "File", header_style="bold", title="Teams, outcomes first (as in the rollup)")
        for name in ("Reps", "On track", "Need attention", *(shared_label(m, results) for m in OUTCOMES)):
            table.add_column(name, justify="right")
        for t in teams:
            table.add_row(t.team, t.file, str(t.reps), str(t.on_track), str(t.needs_attention),
                          *(f"${t.outcomes[m]:,.0f}" if m == NEW_MRR else f"{t.outcomes[m]:,g}" for m in OUTCOMES))
        console.print(table)
        console.print(f"rollup: [bold]{rollup}[/]")
