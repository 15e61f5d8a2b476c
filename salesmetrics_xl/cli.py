"""The command line: parse arguments, call the library, report. Exit 0 ok, 1 findings, 2 bad input."""

# No `from __future__ import annotations` here: Typer reads the commands' annotations at every run, and as strings
# each one was compiled again (about 15 ms of every process).
import datetime as dt
import gc
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from salesmetrics_xl import GC_THRESHOLD
from salesmetrics_xl.console import CONSOLE_REPS, console, console_err, print_json, ready_to_print, working
from salesmetrics_xl.core.defaults import TOP_SHARE, WEEKS, SettingError
from salesmetrics_xl.version import __version__

if TYPE_CHECKING:
    from salesmetrics_xl.core.problems import WorkbookError

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


_collector_paused = False  # run() paused the garbage collector while the command's modules load


def _loaded() -> None:
    """Called by each command once its modules are imported. They live as long as the process: frozen (out of the
    collector's sight), they are not scanned again at each collection the command's work triggers, which was most
    of the collector's time (0.12 s of a 50,000-row summary in place, 0.08 s of a 1,000-row one, before)."""
    global _collector_paused
    if _collector_paused:  # only in our own process: a program that calls `app` keeps its collector as it was
        _collector_paused = False
        gc.freeze()
        gc.enable()


def run() -> None:
    """The command line's entry point: whatever escapes a command (a bug, not bad input) is one sentence and exit
    2, never a traceback, unless --debug asks for it."""
    global _collector_paused
    gc.set_threshold(*GC_THRESHOLD)
    # Loading pandas, pyarrow and pydantic creates a million objects and no garbage: collecting while they load only
    # scans them, over and over. Each command turns the collector back on once its modules are in (_loaded).
    gc.disable()
    _collector_paused = True
    try:
        app(prog_name="salesmetrics")
    except SystemExit:
        # Everything the command made is about to go away with the process: moving it out of the collector's
        # sight spares the last collection of pandas' and pydantic's many objects, a fifth of a small summary's
        # wall time. Finalizers, atexit handlers and stream flushing still run as usual.
        gc.freeze()
        raise
    except Exception as exc:
        from salesmetrics_xl.package import debugging

        if debugging() or "--debug" in sys.argv:
            traceback.print_exception(exc, file=sys.stderr)
        from salesmetrics_xl.check import unexpected

        sentence = unexpected(exc)
        if "--json" in sys.argv[1:]:  # a --json run still prints JSON: the error, never nothing
            from salesmetrics_xl.core.problems import Problem, Severity
            from salesmetrics_xl.reports import ErrorReport

            error = Problem(severity=Severity.ERROR, code="unexpected", message=sentence)
            print_json(ErrorReport(error=error).model_dump(mode="json"))
        console_err.print(f"[red]error[/]: {sentence}")
        sys.exit(2)
    finally:  # a caller that catches the exit (--help, --version, a usage error) gets its collector back
        if _collector_paused:
            _collector_paused = False
            gc.enable()


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
    from salesmetrics_xl.check import check_workbook
    from salesmetrics_xl.console import print_check

    _loaded()

    reports = [check_workbook(p, tracking_sheet, ranges_sheet) for p in workbooks]
    if as_json:
        print_json([r.model_dump(mode="json") for r in reports])
    else:
        for report in reports:
            print_check(report)
    raise typer.Exit(max(r.exit_code for r in reports))


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
    every_rep: Annotated[bool, typer.Option("--all", help=f"Print every rep; without it a team of more than "
                                                          f"{CONSOLE_REPS} prints the first {CONSOLE_REPS} who need "
                                                          "attention (the sheet and --json hold everyone).")] = False,
) -> None:
    """Build the Weekly Summary and Evaluation sheets and the range checks, in a copy beside the workbook
    (NAME.summary.xlsx), or in the workbook itself with --in-place.

    Exit 0 clean and all on track, 1 warnings or reps needing attention, 2 errors or unreadable input.
    """
    from salesmetrics_xl.core.problems import WorkbookError
    from salesmetrics_xl.summarise import summarise_workbook

    _loaded()

    if formulas not in ("native", "udf"):
        raise typer.BadParameter("--formulas must be 'native' or 'udf'")
    if in_place and out is not None:
        raise typer.BadParameter("use --out or --in-place, not both")
    if window < 1:
        raise typer.BadParameter("--window must be at least 1 week")
    try:
        with working(f"Summarising {workbook.name}..."):
            run = summarise_workbook(workbook, _week(week), out, in_place, formulas,  # type: ignore[arg-type]
                                     tracking_sheet=tracking_sheet, ranges_sheet=ranges_sheet, window=window,
                                     force=force, meanwhile=lambda: ready_to_print(as_json))
    except WorkbookError as exc:
        _fail(exc, as_json, workbook)
    if as_json:  # the report's models are built only for --json
        from salesmetrics_xl.reports import SummaryReport

        print_json(SummaryReport.of(run).model_dump(mode="json"), indent=None)
    else:
        from salesmetrics_xl.console import print_summary

        print_summary(run, workbook, detail, every_rep)
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
    from salesmetrics_xl.baseline import baseline_workbook
    from salesmetrics_xl.console import print_baseline
    from salesmetrics_xl.core.problems import WorkbookError

    _loaded()

    try:
        report = baseline_workbook(workbook, weeks=weeks, top=top, write=write, apply=apply, dry_run=dry_run,
                                   out=out, in_place=in_place, as_of=_as_of(as_of), tracking_sheet=tracking_sheet,
                                   ranges_sheet=ranges_sheet, force=force)
    except WorkbookError as exc:
        _fail(exc, as_json, workbook)
    except SettingError as exc:  # the core's sentence speaks of what the setting means; the CLI adds its flag
        from salesmetrics_xl.core.problems import Problem, Severity
        from salesmetrics_xl.core.problems import WorkbookError as Stop

        _fail(Stop(Problem(severity=Severity.ERROR, code="bad-input", message=f"--{exc.setting}: {exc}",
                           file=str(workbook))), as_json, workbook)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        print_baseline(report, workbook, apply)
    raise typer.Exit(report.exit_code)


def _as_of(value: str | None) -> dt.date | None:
    """--as-of as given: a date as it is (the --apply notes carry it), a week as its Monday."""
    day = _week(value)  # a week or a date, checked; None when not given
    try:
        return dt.date.fromisoformat(value.strip()) if value else day
    except ValueError:
        return day


def _fail(exc: "WorkbookError", as_json: bool, workbook: Path) -> NoReturn:
    """Print the one problem that stops this command (with --debug, its cause), and exit 2."""
    from salesmetrics_xl.check import print_cause
    from salesmetrics_xl.console import print_error

    print_cause(exc)
    if as_json:
        from salesmetrics_xl.reports import ErrorReport

        print_json(ErrorReport(file=str(workbook), error=exc.problem).model_dump(mode="json"))
    else:
        print_error(exc.problem)
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
    jobs: Annotated[int | None, typer.Option(min=1, help="Worker processes, at least 1 (default: the cores this "
                                                         "process may use, never more than the files).",
                                                    metavar="N")] = None,
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
        REPORT_SUFFIXES,
        BatchInterruptedError,
        OutputClashError,
        exit_code,
        find_workbooks,
        is_report,
        plan_outputs,
        run_batch,
        write_report,
    )
    from salesmetrics_xl.batch import rollup as team_rollup

    _loaded()  # before the workers are forked: they start with the modules already out of the collector's sight

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
        from salesmetrics_xl.xlsx import same_file

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
        from salesmetrics_xl.batch import BatchReport

        print_json(BatchReport.of(len(files), results, teams, interrupted, code).model_dump(mode="json"))
    else:
        from salesmetrics_xl.console import print_batch

        print_batch(len(files), results, teams, interrupted, report, rollup)
    raise typer.Exit(code)


addin_app = typer.Typer(help="The classic Excel add-in (Windows; the button also on a Mac): a Sales Metrics ribbon "
                                 "tab and the functions.", no_args_is_help=True)
app.add_typer(addin_app, name="addin")


@addin_app.command("path")
def addin_path() -> None:
    """Print where the bundled salesmetrics_xl.xlam is (not yet set up for a Python: use `addin install`)."""
    from salesmetrics_xl.excel.addin import XLAM

    _loaded()

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

    _loaded()

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

    _loaded()

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

    _loaded()

    if path.is_dir():
        _refuse(f"{path} is a folder; give the new workbook's file name, such as {path / 'sales_tracking.xlsx'}")
    if path.exists() and not force:
        _refuse(f"{path} exists; pass --force to replace it")
    if not path.parent.is_dir():
        _refuse(f"cannot write {path}: the folder {path.parent} does not exist; create it first")
    (build_example if example else build)(path)
    console.print(f"wrote {path}")
