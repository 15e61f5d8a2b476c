"""The command line: parse arguments, call the library, report. Exit 0 ok, 1 findings, 2 bad input."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from salesmetrics_xl.core.defaults import TOP_SHARE, WEEKS, SettingError
from salesmetrics_xl.version import __version__

if TYPE_CHECKING:
    from salesmetrics_xl.core.problems import Problem

# Imports of pandas, pydantic and the readers happen inside the commands: `salesmetrics --help` then starts in a
# fraction of the time (benchmarks/startup.py measures it).


def _plain_help() -> None:
    """typer prints Python types in --help (`--json <bool>`, `<list[Path]>`); a user wants the flag, and for an
    option what it takes (its metavar: WEEK, PATH, native|udf)."""
    from typer.core import TyperArgument, TyperOption

    def shown(self: Any, ctx: Any) -> str | None:
        return self.metavar or None

    def usage(self: Any) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    TyperOption.display_type_rich = shown  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    if hasattr(TyperArgument, "_usage_display_name"):
        TyperArgument._usage_display_name = usage  # type: ignore[method-assign]


_plain_help()
FORMULAS = "native|udf"
TRACKING_SHEET_HELP = ("The tracking sheet, when its name is not one we recognise (Tracking, Weekly Activity, ...). "
                       "Wins over the workbook's defined name salesmetrics_tracking and its Settings row Tracking "
                       "Sheet.")
RANGES_SHEET_HELP = ("The ranges sheet, when its name is not one we recognise (Ranges, Targets, Goals, ...). Wins over "
                     "the workbook's defined name salesmetrics_ranges and its Settings row Ranges Sheet.")

app = typer.Typer(
    help="Sales activity, quality and outcome metrics against ranges, for tracking workbooks.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
)


class _Console:
    """rich's Console, made on first use: importing rich costs more than all of `salesmetrics --help`."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Any = None

    def real(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


console = _Console()
console_err = _Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"salesmetrics-xl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Print the cause of an error (the traceback), for a bug "
                                                        "report. Same as SALESMETRICS_DEBUG=1.")] = False,
) -> None:
    """salesmetrics: check tracking workbooks and build weekly summaries."""
    if debug:
        os.environ["SALESMETRICS_DEBUG"] = "1"  # batch's worker processes inherit it


def _print_cause(exc: BaseException) -> None:
    """With --debug, what really went wrong under a clean error, for a bug report."""
    from salesmetrics_xl.package import debugging

    cause = exc.__cause__ or exc.__context__
    if debugging() and cause is not None:
        traceback.print_exception(cause, file=sys.stderr)


def run() -> None:
    """The command line's entry point: whatever escapes a command (a bug, not bad input) is one sentence and exit
    2, never a traceback, unless --debug asks for it."""
    from salesmetrics_xl.package import debugging

    # A run builds hundreds of thousands of small objects (a cell each, a record per rep and metric) and drops
    # few cycles: the collector's default pace scanned them over and over, a fifth of a 10,000-rep summary.
    # Collected less often; the peak memory of that summary did not move. Batch workers inherit it.
    gc.set_threshold(100_000, 50, 100)
    try:
        app(prog_name="salesmetrics")
    except SystemExit:
        # Everything the command made is about to go away with the process: moving it out of the collector's
        # sight spares the last collection of pandas' and pydantic's many objects, a fifth of a small summary's
        # wall time. Finalizers, atexit handlers and stream flushing still run as usual.
        gc.freeze()
        raise
    except Exception as exc:
        if debugging() or "--debug" in sys.argv:
            traceback.print_exception(exc, file=sys.stderr)
        sentence = unexpected(exc)
        if "--json" in sys.argv[1:]:  # a --json run still prints JSON: the error, never nothing
            _print_json({"exit_code": 2, "error": {"severity": "error", "code": "unexpected", "message": sentence}})
        console_err.print(f"[red]error[/]: {sentence}")
        sys.exit(2)


def unexpected(exc: BaseException) -> str:
    """What a bug (not bad input) is called in a sentence, the same for the whole run and for one file."""
    from salesmetrics_xl.core.text import shorten

    return (f"salesmetrics stopped on an unexpected error ({type(exc).__name__}: {shorten(str(exc), 200)}); run it "
            "again with --debug and report what it prints")


def check_file(path: Path, tracking_sheet: str | None = None, ranges_sheet: str | None = None) -> dict[str, Any]:
    """One workbook's check as a stable JSON-ready record."""
    from salesmetrics_xl.core.evaluate import latest_week_findings
    from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError, exit_code
    from salesmetrics_xl.core.tracking import week_label
    from salesmetrics_xl.core.workbook import REP
    from salesmetrics_xl.reader import read_workbook

    record: dict[str, Any] = {"file": str(path), "reps": 0, "weeks": 0, "first_week": None, "latest_week": None,
                              "ranges": 0}
    try:
        data = read_workbook(path, tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet)
        problems = list(data.problems)
        record["ranges"] = len(data.ranges.rules)
        if data.tracking is not None and data.tracking.weeks:
            weeks = data.tracking.weeks
            record.update(reps=int(data.tracking.frame[REP].nunique()), weeks=len(weeks),
                          first_week=week_label(weeks[0]), latest_week=week_label(weeks[-1]))
            problems += latest_week_findings(data.tracking, data.ranges)
    except WorkbookError as exc:
        _print_cause(exc)
        problems = [exc.problem]
    except Exception as exc:  # a bug on one file: said for that file, and the other files still checked
        from salesmetrics_xl.package import debugging

        if debugging():
            traceback.print_exception(exc, file=sys.stderr)
        problems = [Problem(severity=Severity.ERROR, code="unexpected", message=unexpected(exc), file=str(path))]
    code = exit_code(problems)
    record.update(
        status=("ok", "warnings", "errors")[code], exit_code=code,
        errors=sum(p.severity is Severity.ERROR for p in problems),
        warnings=sum(p.severity is Severity.WARNING for p in problems),
        problems=[p.model_dump(mode="json") for p in problems],
    )
    return record


def _print_json(value: object, indent: int | None = 2) -> None:
    """Every command's --json goes out here, and only here: strict JSON (no Infinity or NaN). ``indent=None``
    writes it compact, for output that grows with the reps (a third of 10,000 reps' summary was indentation)."""
    from salesmetrics_xl.core.text import strict_json

    out = sys.stdout
    out.write(strict_json(value, indent))
    out.write("\n")
    out.flush()


def summary_record(summary: Any) -> dict[str, Any]:
    """A weekly summary as --json gives it: everything once. Each rep's funnel names how many top performers it is
    compared with (``top_reps``), not all of them again for every rep: with 10,000 reps that list alone was 300 MB."""
    record: dict[str, Any] = summary.model_dump(mode="json", exclude={"funnels": {"__all__": {"top_reps"}}})
    for funnel, dumped in zip(summary.funnels, record["funnels"], strict=True):
        dumped["top_reps"] = len(funnel.top_reps)
    return record


def _print_check(record: dict[str, Any]) -> None:
    from rich.table import Table

    from salesmetrics_xl.core.problems import Problem

    colour = ("green", "yellow", "red")[record["exit_code"]]
    console.rule(f"[bold]{record['file']}[/]")
    if record["latest_week"]:
        console.print(f"{record['reps']} reps, {record['weeks']} weeks ({record['first_week']} to "
                  f"{record['latest_week']}), {record['ranges']} ranges")
    if record["problems"]:
        table = Table(show_header=True, header_style="bold", expand=False)
        for name in ("", "Where", "Problem"):
            table.add_column(name, overflow="fold")
        for p in record["problems"]:
            problem = Problem(**p)
            style = {"error": "red", "warning": "yellow"}.get(problem.severity.value, "cyan")
            table.add_row(f"[{style}]{problem.severity.value}[/]", problem.where, problem.message)
        console.print(table)
    console.print(f"[{colour}]{record['status']}[/]: {record['errors']} error(s), {record['warnings']} warning(s)")


@app.command()
def check(
    workbooks: Annotated[list[Path], typer.Argument(help="Tracking workbooks (.xlsx/.xlsm) to check.",
                                                    metavar="WORKBOOK", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as one JSON array, with an object per "
                                                         "file (even for one file).")] = False,
    tracking_sheet: Annotated[str | None, typer.Option(help=TRACKING_SHEET_HELP, metavar="NAME")] = None,
    ranges_sheet: Annotated[str | None, typer.Option(help=RANGES_SHEET_HELP, metavar="NAME")] = None,
) -> None:
    """Check tracking workbooks: every data problem with its cell, and the latest week's values out of range.

    Never modifies a file. Exit 0 clean, 1 warnings only, 2 errors or unreadable input.
    """
    records = [check_file(p, tracking_sheet, ranges_sheet) for p in workbooks]
    if as_json:
        _print_json(records)
    else:
        for record in records:
            _print_check(record)
    raise typer.Exit(max(r["exit_code"] for r in records))


def _week(value: str | None) -> dt.date | None:
    if value is None:
        return None
    from salesmetrics_xl.core.parse import parse_week

    try:
        return parse_week(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def summary(
    workbook: Annotated[Path, typer.Argument(help="The tracking workbook (.xlsx/.xlsm).", metavar="WORKBOOK")],
    week: Annotated[str | None, typer.Option(help="Week to summarise: 2026-W47 or any date in it. Default: the "
                                                  "latest week with data.", metavar="WEEK")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here. Default: NAME.summary.xlsx beside the input.",
                                             metavar="PATH")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Add the sheets to the workbook itself (atomically; "
                                                              "refused while Excel has it open).")] = False,
    formulas: Annotated[str, typer.Option(help="Evaluation sheet formulas: 'native' Excel formulas, or 'udf' "
                                               "(=METRIC_STATUS, needs the add-in).", metavar=FORMULAS)] = "native",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    tracking_sheet: Annotated[str | None, typer.Option(help=TRACKING_SHEET_HELP, metavar="NAME")] = None,
    ranges_sheet: Annotated[str | None, typer.Option(help=RANGES_SHEET_HELP, metavar="NAME")] = None,
    window: Annotated[int, typer.Option(help="Weeks (ending with the summarised one) each rep's conversion rates "
                                             "are pooled over, for what the outcome targets take.",
                                        metavar="N")] = WEEKS,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file that salesmetrics-xl "
                                                        "did not write.")] = False,
    detail: Annotated[bool, typer.Option("--detail", help="Print each rep's detail (pacing, streaks, what it "
                                                          "takes, also below) under their line.")] = False,
) -> None:
    """Build the Weekly Summary and Evaluation sheets and the range checks, in a copy beside the workbook
    (NAME.summary.xlsx), or in the workbook itself with --in-place.

    Exit 0 clean and all on track, 1 warnings or reps needing attention, 2 errors or unreadable input.
    """
    from rich.markup import escape
    from rich.table import Table

    from salesmetrics_xl.core.problems import Severity, WorkbookError
    from salesmetrics_xl.core.text import MESSAGE_LIMIT, shorten
    from salesmetrics_xl.summarise import summarise_workbook

    if formulas not in ("native", "udf"):
        raise typer.BadParameter("--formulas must be 'native' or 'udf'")
    if in_place and out is not None:
        raise typer.BadParameter("use --out or --in-place, not both")
    if window < 1:
        raise typer.BadParameter("--window must be at least 1 week")
    try:
        with console_err.status(f"Summarising {workbook.name}..."):
            run = summarise_workbook(workbook, _week(week), out, in_place, formulas,  # type: ignore[arg-type]
                                     tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet, window=window,
                                     force=force)
    except WorkbookError as exc:
        _print_cause(exc)
        _fail(exc.problem, as_json, workbook)
    if as_json:
        _print_json({"file": str(workbook), "output": str(run.output), "exit_code": run.exit_code,
                     "summary": summary_record(run.summary),
                     "problems": [p.model_dump(mode="json") for p in run.problems]}, indent=None)
        raise typer.Exit(run.exit_code)
    s = run.summary
    console.print(f"[bold]Weekly summary[/]: {workbook.name}, week {s.week_label} (from {s.week:%Y-%m-%d})")
    console.print(s.team_diagnosis)
    for note in s.range_review:
        console.print(f"[italic]{note}[/]")
    if s.reps:  # one line per rep: verdict, focus, next action; --detail prints the rest under it
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("Rep")
        table.add_column("Verdict")
        table.add_column("Focus")
        table.add_column("Next action", overflow="fold")
        colour = {"On track": "green", "On track, less activity": "green", "Watch": "yellow", "Off track": "red"}
        for rep in s.reps:
            shown = escape(rep.verdict)
            if rep.verdict in colour:
                shown = f"[{colour[rep.verdict]}]{shown}[/]"
            action = escape(shorten(rep.action, MESSAGE_LIMIT))
            table.add_row(escape(shorten(rep.rep)), shown, escape(rep.focus), action)
            if detail and rep.detail:
                table.add_row("", "", "", f"[dim]{escape(shorten(rep.detail, MESSAGE_LIMIT))}[/]")
        console.print(table)
    errors = sum(p.severity is Severity.ERROR for p in run.problems)
    for note in (p for p in run.problems if p.severity is Severity.NOTE):
        console.print(f"[cyan]note[/]: {note.message}")
    for kept in (p for p in run.problems if p.code == "sheet-kept"):
        console.print(f"[yellow]warning[/]: {kept.message}")
    for warned in (p for p in run.problems if p.code in READ_AS):
        console.print(f"[yellow]warning[/]: {warned.where}: {warned.message}", highlight=False)
    _print_first_errors(run.problems, workbook)
    problems = [p for p in run.problems if p.severity is not Severity.NOTE]
    if problems:
        this_week = len([p for p in run.summary.problems if p.severity is not Severity.NOTE])
        console.print(f"[yellow]{len(problems)} data problem(s) in the workbook[/] ({errors} error(s); {this_week} "
                      f"in this week's rows, listed on the sheet); run [bold]salesmetrics check {workbook}[/] for "
                      "all of them, with the latest week's values out of range")
    console.print(f"wrote [bold]{run.output}[/]: the Weekly Summary and Evaluation sheets, and range checks on "
                  "the Tracking and Ranges sheets")
    raise typer.Exit(run.exit_code)


@app.command()
def baseline(
    workbook: Annotated[Path, typer.Argument(help="The tracking workbook (.xlsx/.xlsm).", metavar="WORKBOOK")],
    weeks: Annotated[int, typer.Option("--weeks", "--window", help="How many complete weeks to look back (for the "
                                                                   "ranges and the conversion rates).",
                                       metavar="N")] = WEEKS,
    top: Annotated[float, typer.Option(help="Share of reps counted as top performers, by outcomes.",
                                       metavar="SHARE")] = TOP_SHARE,
    write: Annotated[bool, typer.Option("--write", help="Add a Suggested Ranges sheet (to a new file beside the "
                                                        "workbook unless --in-place).")] = False,
    apply: Annotated[bool, typer.Option("--apply", help="Also write the suggestions into your Ranges table, keeping "
                                                        "the old values in its Notes column; lists every row changed "
                                                        "and every row left alone, and why.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what --apply would change in your Ranges table, "
                                                            "row by row, and write nothing.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write here. Default: NAME.baseline.xlsx beside the input.",
                                             metavar="PATH")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Write into the workbook itself.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the baseline as JSON.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Count the complete weeks before this date (2026-11-22 or "
                                                   "2026-W47), to redo an earlier baseline. Default: today.",
                                              metavar="DATE")] = None,
    tracking_sheet: Annotated[str | None, typer.Option(help=TRACKING_SHEET_HELP, metavar="NAME")] = None,
    ranges_sheet: Annotated[str | None, typer.Option(help=RANGES_SHEET_HELP, metavar="NAME")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file that salesmetrics-xl "
                                                        "did not write.")] = False,
) -> None:
    """Document today's numbers and suggest starting ranges from what the top performers (by outcomes) do.

    Prints the team's baseline and the suggestion beside the current range. Never changes your Ranges table
    unless --apply is given (--dry-run shows what it would change). Exit 0 ok (notes such as "only 3 complete
    weeks" are caveats, not findings), 1 when an activity range cannot reach an outcome target, 2 bad input
    (errors in the data are printed, the first five).
    """
    from rich.padding import Padding

    from salesmetrics_xl.core.baseline import build_baseline
    from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError
    from salesmetrics_xl.layouts.baseline import apply_suggestions, suggested_sheet
    from salesmetrics_xl.layouts.sheet import WorkbookLayout
    from salesmetrics_xl.reader import read_workbook
    from salesmetrics_xl.xlsx_writer import output_path, write_workbook

    try:
        data = read_workbook(workbook, tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet)
        if data.tracking is None:
            raise WorkbookError(next(p for p in data.problems if p.severity is Severity.ERROR))
        baselines = build_baseline(data.tracking, data.ranges, weeks=weeks, top=top, today=_week(as_of))
    except WorkbookError as exc:
        _print_cause(exc)
        _fail(exc.problem, as_json, workbook)
    except ValueError as exc:  # a setting's sentence speaks of what it means; the CLI adds the flag it came from
        said = f"--{exc.setting}: {exc}" if isinstance(exc, SettingError) else str(exc)
        _fail(Problem(severity=Severity.ERROR, code="bad-input", message=said, file=str(workbook)), as_json,
              workbook)
    target, plan, kept = None, None, []
    if apply or dry_run:
        edit, plan = apply_suggestions(baselines, data.ranges, _note_date(as_of))
    if (write or apply) and not dry_run:
        layout = WorkbookLayout([suggested_sheet(baselines, workbook.name, dt.datetime.now().replace(microsecond=0))])
        if apply and edit is not None:
            layout.edits.append(edit)
        try:
            target = write_workbook(workbook, layout, output_path(workbook, out, in_place, "baseline", force), kept)
        except WorkbookError as exc:
            _print_cause(exc)
            _fail(exc.problem, as_json, workbook)
    code = 2 if any(p.severity is Severity.ERROR for p in data.problems) else \
        1 if any(b.unreachable for b in baselines) else 0  # errors: written anyway, but said, as summary says them
    left = plan.not_applied_by_role() if plan is not None else []
    if as_json:
        _print_json({"file": str(workbook), "output": str(target) if target else None, "exit_code": code,
                     "baselines": [b.model_dump(mode="json") for b in baselines],
                     "dry_run": dry_run,
                     "changes": [c.model_dump(mode="json", exclude={"new"}) for c in plan.changes] if plan else [],
                     "not_applied": [{"role": role, **m.model_dump(mode="json")} for role, m in left]})
        raise typer.Exit(code)
    _print_first_errors(data.problems, workbook)
    for b in baselines:
        console.rule(f"[bold]{workbook.name}[/]" + (f": role {b.role}" if b.role else ""))
        console.print(f"{len(b.weeks)} complete weeks ({b.weeks[0]} to {b.weeks[-1]}).", highlight=False)
        console.print(f"Top performers: {b.basis}.", highlight=False)
        if b.changed:
            console.print(f"Against a week earlier: {b.changed}.", highlight=False)
        units = {m.metric: m.unit for m in b.metrics}
        for m in b.metrics:  # one block per metric: readable in an 80-column terminal, long text folded
            console.print(f"\n[bold]{data.tracking.label(m.metric)}[/], a {m.period.value}: suggested "
                          f"[bold]{m.suggested.describe(m.unit) if m.suggested else 'none'}[/] (current "
                          f"{m.current.describe(m.unit) if m.current else 'none'})", highlight=False)
            lines = [(2, f"Team median {_spread_text(m.team, m.unit)}; top performers' median "
                         f"{_spread_text(m.top, m.unit)}."),
                     (2, f"Why: {m.why}.")]
            if m.needed:
                lines.append((2, f"The targets take, in {data.tracking.label(m.metric)} a week (at the top "
                                 "performers' / the team's rates):"))
                lines += [(4, line) for line in _takes_text(m.needed, units, data.tracking.label)]
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
    for problem in kept:
        console.print(f"[yellow]warning[/]: {problem.message}")
    if plan is not None:
        _print_plan(plan, dry_run)
    if target:
        console.print(f"wrote [bold]{target}[/]: the Suggested Ranges sheet"
                      + ((", and the changes above into your Ranges table (old values kept in Notes)"
                          if plan is not None and plan.changed else "; your Ranges table needed no change") if apply
                         else ""))
    raise typer.Exit(code)


NO_NUMBER = ("no number: too few counts to know a rate (fewer than 20 of its denominator in the window), or a rate "
             "of 0, which no amount of activity gets past")


def _print_plan(plan: Any, dry_run: bool) -> None:
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


def _note_date(as_of: str | None) -> dt.date:
    """The date an --apply note carries: --as-of as given (a week: its Monday), else today."""
    if as_of is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(as_of.strip())
    except ValueError:
        return _week(as_of) or dt.date.today()


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


# Warnings about how a workbook was read that change what its numbers mean (a month's target read as a week's):
# `summary` prints them, not only counts them.
READ_AS = ("period-assumed", "looks-monthly")
FIRST_ERRORS = 5


def first_errors(problems: list[Problem], limit: int = FIRST_ERRORS) -> list[str]:
    """The first errors found, each with its cell and sentence, for a command that writes anyway (summary,
    baseline, batch): what is wrong is shown where it is run, and `check` lists the rest."""
    from salesmetrics_xl.core.problems import Severity

    return [f"{p.where}: {p.message}" if p.where else p.message
            for p in problems if p.severity is Severity.ERROR][:limit]


def _print_first_errors(problems: list[Problem], workbook: Path) -> None:
    from salesmetrics_xl.core.problems import Severity

    shown = first_errors(problems)
    for line in shown:
        console.print(f"[red]error[/]: {line}", highlight=False)
    total = sum(p.severity is Severity.ERROR for p in problems)
    if total > len(shown):
        console.print(f"... and {total - len(shown)} more error(s): run [bold]salesmetrics check {workbook}[/] for "
                      "all of them", highlight=False, soft_wrap=True)  # a path is copied whole, never folded


def _fail(problem: Problem, as_json: bool, workbook: Path) -> NoReturn:
    """Print the one problem that stops this command, and exit 2."""
    if as_json:
        _print_json({"file": str(workbook), "exit_code": 2, "error": problem.model_dump(mode="json")})
    else:
        where = f"{problem.where}: " if problem.where else ""
        console_err.print(f"[red]error[/]: {problem.file}: {where}{problem.message}")
    raise typer.Exit(2)


def _refuse(sentence: str) -> NoReturn:
    console_err.print(f"[red]error[/]: {sentence}")
    raise typer.Exit(2)


def _writable(option: str, target: Path) -> None:
    """An output file the command will write: one sentence and exit 2 when it cannot be, before any work."""
    if target.is_dir():
        _refuse(f"{option} {target} is a folder; give a file name in it")
    if not target.parent.is_dir():
        _refuse(f"{option} {target}: the folder {target.parent} does not exist; create it first")


@app.command()
def batch(
    paths: Annotated[list[str], typer.Argument(help="Workbooks, folders (searched recursively) or glob patterns.",
                                               metavar="PATH", show_default=False)],
    week: Annotated[str | None, typer.Option(help="Week to summarise in every file (default: each file's "
                                                  "latest).", metavar="WEEK")] = None,
    out_dir: Annotated[Path | None, typer.Option(help="Write the outputs here (default: beside each "
                                                      "workbook).", metavar="DIR")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Add the sheets to each workbook itself.")] = False,
    jobs: Annotated[int | None, typer.Option(min=1, help="Worker processes, at least 1 (default: the number of "
                                                         "cores).", metavar="N")] = None,
    formulas: Annotated[str, typer.Option(help="Evaluation formulas: native or udf.", metavar=FORMULAS)] = "native",
    report: Annotated[Path | None, typer.Option(help="Write a per-file report: report.json or report.csv.",
                                                metavar="PATH")] = None,
    rollup: Annotated[Path | None, typer.Option(help="Write a cross-team rollup workbook here.",
                                                metavar="PATH")] = None,
    rollup_reps: Annotated[bool, typer.Option("--rollup-reps", help="Also list every rep in the rollup.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the per-file results as JSON.")] = False,
    tracking_sheet: Annotated[str | None, typer.Option(help=TRACKING_SHEET_HELP, metavar="NAME")] = None,
    ranges_sheet: Annotated[str | None, typer.Option(help=RANGES_SHEET_HELP, metavar="NAME")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file that salesmetrics-xl "
                                                        "did not write.")] = False,
) -> None:
    """Summarise many workbooks in parallel; one bad file is recorded and the run goes on.

    Each file is ok, warnings, errors (written, bad cells shown as NO DATA), could not write (read, but its output
    could not be written: the reason is given) or unreadable (nothing written).
    Exit 0 all ok, 1 some warnings, 2 some errors or unreadable files (or bad arguments); 130 when interrupted
    (Ctrl-C), after reporting what finished.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from salesmetrics_xl.batch import (
        OUTCOMES,
        REPORT_SUFFIXES,
        STATUSES,
        BatchInterruptedError,
        OutputClashError,
        exit_code,
        find_workbooks,
        is_report,
        plan_outputs,
        run_batch,
        shared_label,
        write_report,
    )
    from salesmetrics_xl.batch import rollup as team_rollup

    if formulas not in ("native", "udf"):
        raise typer.BadParameter("--formulas must be 'native' or 'udf'")
    if in_place and out_dir is not None:
        raise typer.BadParameter("use --out-dir or --in-place, not both")
    for option, target in (("--report", report), ("--rollup", rollup)):
        if target is not None:
            _writable(option, target)
    if report and report.suffix.lower() not in REPORT_SUFFIXES:
        raise typer.BadParameter(f"--report {report}: the report is written as .json or .csv; name it report.json "
                                 "or report.csv")
    if report and report.is_file() and not force and not is_report(report):
        _refuse(f"--report {report} exists and is not a report written by salesmetrics-xl; nothing was written. "
                "Give the report a new file name, or pass --force to replace it")
    if rollup and rollup.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"--rollup {rollup}: the rollup is an Excel workbook; name it rollup.xlsx")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        _refuse(f"--out-dir {out_dir} is a file; give a folder (it is created when missing)")
    files = find_workbooks(paths)
    if not files:
        _refuse(f"no .xlsx/.xlsm workbooks found in {', '.join(paths)}")
    try:
        outputs = plan_outputs(files, out_dir, in_place)  # two inputs sharing an output: refused before writing
    except OutputClashError as exc:
        _refuse(str(exc))
    if rollup:
        from salesmetrics_xl.batch import is_rollup
        from salesmetrics_xl.xlsx_writer import same_file

        clash = next((f for f in (*files, *outputs) if same_file(rollup, f)), None)
        if clash is not None:
            _refuse(f"--rollup {rollup} would overwrite {clash}, {'an input' if clash in files else 'an output'} of "
                    "this run; nothing was written. Give the rollup its own file name")
        if rollup.exists() and not is_rollup(rollup):
            _refuse(f"--rollup {rollup} exists and is not a rollup written by salesmetrics-xl; nothing was written. "
                    "Give the rollup a new file name, or move that file away first")
    interrupted = False
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[current]}"), console=console_err.real(), transient=as_json) as progress:
        task = progress.add_task("Summarising", total=len(files), current="")
        try:
            results = run_batch(files, _week(week), out_dir, in_place, formulas, jobs,  # type: ignore[arg-type]
                                on_start=lambda path: progress.update(task, current=Path(path).name),
                                on_done=lambda result: progress.advance(task),
                                sheets=(tracking_sheet, ranges_sheet), force=force)
        except BatchInterruptedError as stop:
            results, interrupted = stop.finished, True
            progress.update(task, completed=len(results))  # the bar ends at the count the last line gives
    if report:
        write_report(results, report)
    teams = team_rollup(results)  # a team is (file, team): one line each, in the console, --json and the sheet
    if rollup:
        from salesmetrics_xl.batch import write_rollup

        write_rollup(rollup, teams, results, rollup_reps)
    code = 130 if interrupted else exit_code(results)
    if as_json:
        _print_json({"files": len(files), "finished": len(results), "interrupted": interrupted,
                     "exit_code": code, "results": [r.model_dump(mode="json", exclude={"lines"}) for r in results],
                     "teams": [t.model_dump(mode="json") for t in teams]})
        raise typer.Exit(code)
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    console.print(f"{len(results)} of {len(files)} workbooks: {counts['ok']} ok, {counts['warnings']} with warnings "
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
    raise typer.Exit(code)


addin_app = typer.Typer(help="The classic Excel add-in (Windows; the button also on a Mac): a Sales Metrics ribbon "
                                 "tab and the functions.", no_args_is_help=True)
app.add_typer(addin_app, name="addin")


@addin_app.command("path")
def addin_path() -> None:
    """Print where the bundled salesmetrics_xl.xlam is (not yet set up for a Python: use `addin install`)."""
    from salesmetrics_xl.excel.addin import XLAM

    print(XLAM)


@addin_app.command("install")
def addin_install(
    dest: Annotated[Path | None, typer.Option(help="Write the add-in here instead of Excel's start-up folder "
                                                   "(Windows) or ~/Documents/salesmetrics-xl (Mac).",
                                              metavar="DIR")] = None,
    python: Annotated[str | None, typer.Option(help="The Python the add-in runs (default: this one).",
                                               metavar="PATH")] = None,
) -> None:
    """Write the add-in, set up to run this Python and to offer the functions, where Excel opens it."""
    from salesmetrics_xl.core.problems import WorkbookError
    from salesmetrics_xl.excel.addin import install, this_system

    system = this_system()
    if python is not None and system != "linux" and not Path(python).is_file():
        _refuse(f"there is no Python at {python}; give the full path of the Python the add-in should run")
    try:
        xlam = install(dest, system, python)
    except WorkbookError as exc:
        _refuse(f"{exc.problem.message}; if Excel is open, close it and run this again")
    except OSError as exc:
        _refuse(f"could not write the add-in into {dest or 'the add-in folder'}: {exc.strerror or exc}")
    except ValueError as exc:  # an add-in built from another xlwings that is not laid out as ours
        _refuse(str(exc))
    if xlam is None:
        console.print(LINUX_STEPS, highlight=False, soft_wrap=True)
        return
    runs = python or (sys.executable if system != "linux" else None)
    where = (f"It runs {runs} (INTERPRETER_{'MAC' if system == 'mac' else 'WIN'} in the add-in's own myaddin.conf "
             "sheet)." if runs else "No Python is set: pass --python with the path of python.exe on the PC that will "
             "use it.")
    console.print(f"Wrote [bold]{xlam}[/]. {where}", highlight=False, soft_wrap=True)
    console.print(MAC_STEPS.format(xlam=xlam) if system == "mac" else WINDOWS_STEPS, highlight=False, soft_wrap=True)


WINDOWS_STEPS = """Next, in Excel:
  1. File > Options > Trust Center > Trust Center Settings > Macro Settings:
     tick 'Trust access to the VBA project object model' (the functions are added to the add-in through it).
  2. Restart Excel and open your tracking workbook. The Sales Metrics tab has the Build Weekly Summary button:
     its first click also adds =METRIC_STATUS and the other functions, for every workbook from then on."""
MAC_STEPS = """Next, in Excel for Mac (once):
  1. Tools > Excel Add-ins... > Browse..., choose {xlam}, and make sure it is ticked.
     (Excel for Mac starts Python through xlwings' AppleScript: this command has put it in place.)
  2. Open your tracking workbook: the Sales Metrics tab has the Build Weekly Summary button.
Classic Excel for Mac has no Python functions (=METRIC_STATUS): for those, use xlwings Lite (docs/excel.md)."""
LINUX_STEPS = """Excel does not run on Linux, so nothing was installed here. What to do instead:
  - On a Windows PC or a Mac: install this package there and run `salesmetrics addin install`.
  - In Excel on the web: use xlwings Lite (docs/excel.md, "Excel on the web").
  - To write the add-in into a folder anyway (for a Windows PC):
    salesmetrics addin install --dest DIR --python "C:\\path\\to\\python.exe" (the add-in is written for that PC)."""


@addin_app.command("build")
def addin_build(
    out: Annotated[Path, typer.Option(help="Where to write the .xlam.", metavar="PATH")] = Path("salesmetrics_xl.xlam"),
) -> None:
    """Rebuild the bundled add-in from xlwings' ribbon add-in: with the same xlwings, the same file byte for byte."""
    from salesmetrics_xl.excel.addin import build

    console.print(f"wrote {build(out)}")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the new workbook.", metavar="PATH")] = Path(
        "sales_tracking.xlsx"),
    example: Annotated[bool, typer.Option("--example", help="Fill it with the Acme example data.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a new standard tracking workbook (How to use, Tracking, Ranges with default ranges)."""
    from salesmetrics_xl.template import build, build_example

    if path.is_dir():
        _refuse(f"{path} is a folder; give the new workbook's file name, such as {path / 'sales_tracking.xlsx'}")
    if path.exists() and not force:
        _refuse(f"{path} exists; pass --force to replace it")
    if not path.parent.is_dir():
        _refuse(f"cannot write {path}: the folder {path.parent} does not exist; create it first")
    (build_example if example else build)(path)
    console.print(f"wrote {path}")
