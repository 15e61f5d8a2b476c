"""Many workbooks at once: the same summary per file, in parallel, one bad file never stopping the rest."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import glob
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from salesmetrics_xl import GC_THRESHOLD
from salesmetrics_xl.core.metrics import Category
from salesmetrics_xl.core.problems import Severity, WorkbookError
from salesmetrics_xl.core.ranking import OUTCOMES
from salesmetrics_xl.core.rollup import STATUSES as STATUSES  # re-exported: the batch's public names stay here
from salesmetrics_xl.core.rollup import FileResult, RepLine, TeamLine, below, common_root
from salesmetrics_xl.core.rollup import rollup as rollup
from salesmetrics_xl.core.rollup import shared_label as shared_label
from salesmetrics_xl.core.status import counts_as_in_range
from salesmetrics_xl.core.text import shorten, strict_json
from salesmetrics_xl.core.workbook import ROLLUP_SHEET
from salesmetrics_xl.layouts.rollup import rollup_sheet
from salesmetrics_xl.layouts.sheet import OWNED_NAME, WorkbookLayout, owned_entries, owned_formula
from salesmetrics_xl.layouts.summary import Formulas
from salesmetrics_xl.package import debugging
from salesmetrics_xl.reader import defined_names
from salesmetrics_xl.summarise import summarise_workbook  # imported once, before the workers fork
from salesmetrics_xl.xlsx import write_workbook

OUR_OUTPUTS = (".summary", ".baseline")


# The writer's reasons for not writing an output (the xlsx package and locks): the input itself was fine.
WRITE_FAILURES = frozenset({"cannot-write", "workbook-open", "not-ours", "out-is-input", "wrong-suffix",
                            "invalid-output", "is-a-folder", "no-folder"})


class OutputClashError(ValueError):
    """Two inputs would write the same output (or one would overwrite an input): refused before anything is written."""


def find_workbooks(paths: Iterable[str]) -> list[Path]:
    """Files, folders (searched recursively) and glob patterns; Excel's ~$ lock files and our outputs skipped."""
    found: dict[Path, Path] = {}  # by resolved path: teams/a.xlsx and ./teams/../teams/a.xlsx are one file
    for item in paths:
        searched = glob.has_magic(item) or Path(item).is_dir()  # a file named exactly is taken as given
        matches = [Path(p) for p in sorted(glob.glob(item, recursive=True))] or [Path(item)]
        for match in matches:
            for path in sorted(match.rglob("*")) if match.is_dir() else [match]:
                if path.is_dir():
                    continue
                if searched and (path.suffix.lower() not in (".xlsx", ".xlsm") or path.name.startswith("~$")
                                 or path.stem.endswith(OUR_OUTPUTS) or is_rollup(path)):
                    continue
                found.setdefault(path.resolve(), path)
    return list(found.values())


def plan_outputs(files: list[Path], out_dir: Path | None, in_place: bool) -> list[Path]:
    """Each file's output. Under --out-dir, each input's folder is mirrored below the common root of the inputs
    (emea/team.xlsx and amer/team.xlsx go to OUT/emea/team.summary.xlsx and OUT/amer/team.summary.xlsx). Raises
    OutputClashError when two inputs would still share an output, or an output would overwrite an input."""
    if in_place:
        return list(files)
    if out_dir is None:
        outputs = [f.with_name(f"{f.stem}.summary{f.suffix}") for f in files]
    else:
        root = common_root(files)
        outputs = [out_dir / below(f, root).parent / f"{f.stem}.summary{f.suffix}" for f in files]
    key = {str(f.resolve()).casefold(): f for f in files}  # casefolded: a shared drive may ignore case
    seen: dict[str, Path] = {}
    for source, output in zip(files, outputs, strict=True):
        k = str(output.resolve()).casefold()
        if k in seen:
            raise OutputClashError(f"{seen[k]} and {source} would both be written to {output}; nothing was written. "
                                   "Rename one of them, or run them separately with different --out-dir")
        if k in key:
            raise OutputClashError(f"the output of {source} would overwrite the input {key[k]}; nothing was "
                                   "written. Choose another --out-dir")
        seen[k] = source
    return outputs


def summarise_one(path: str, week: dt.date | None, out: str | None, in_place: bool, formulas: Formulas,
                  sheets: tuple[str | None, str | None] = (None, None), force: bool = False) -> FileResult:
    """Runs in a worker process; every failure becomes a record, never an exception."""
    start = time.perf_counter()
    source = Path(path)
    try:
        run = summarise_workbook(source, week=week, out=Path(out) if out else None, in_place=in_place,
                                 formulas=formulas, tracking_sheet=sheets[0], ranges_sheet=sheets[1], force=force)
    except WorkbookError as exc:
        if debugging() and (exc.__cause__ or exc.__context__):
            traceback.print_exception(exc.__cause__ or exc.__context__, file=sys.stderr)
        p = exc.problem
        where = f"{p.sheet}!{p.cell}" if p.sheet and p.cell else (p.sheet or "")
        status = "could not write" if p.code in WRITE_FAILURES else "unreadable"
        return FileResult(file=path, status=status, errors=1,
                          problems=[f"{p.file or path}: {where}: {p.message}" if where
                                    else f"{p.file or path}: {p.message}"],
                          seconds=time.perf_counter() - start)
    except MemoryError:  # a memory cap reached in Python code: this file alone, said in a sentence
        return FileResult(file=path, status="unreadable", errors=1, problems=[
            f"{path}: it ran out of memory while being summarised; nothing was written for this file. Try it alone "
            "with salesmetrics summary, on a machine with more memory"], seconds=time.perf_counter() - start)
    except Exception as exc:  # a bug or an OS error must not stop the other files
        if debugging():
            traceback.print_exception(exc, file=sys.stderr)
        return FileResult(file=path, status="unreadable", errors=1, problems=[
            f"{path}: unexpected error ({type(exc).__name__}: {shorten(str(exc))}); run again with --debug and "
            "report it"], seconds=time.perf_counter() - start)
    s = run.summary
    errors = [p for p in run.problems if p.severity is Severity.ERROR]
    lines = [RepLine(rep=r.rep, team=r.team, outcomes={m: r.values.get(m) for m in OUTCOMES},
                     in_range={c: counts_as_in_range(r.categories[c], c) for c in Category},
                     diagnosis_code=r.diagnosis_code, diagnosis_headline=r.diagnosis_headline,
                     diagnosis=r.diagnosis, on_track=r.on_track, busy_not_producing=r.busy_not_producing,
                     verdict=r.verdict, focus=r.focus, action=r.action)
             for r in s.reps]
    ordered = errors + [p for p in run.problems if p.severity is not Severity.ERROR]  # the errors first
    return FileResult(
        file=path, status="errors" if errors else ("warnings" if run.exit_code else "ok"), output=str(run.output),
        week=s.week_label, reps=len(s.reps),
        in_range={c: sum(line.in_range[c] for line in lines) for c in Category},
        needs_attention=len(s.needs_attention),
        warnings=sum(p.severity is Severity.WARNING for p in run.problems), errors=len(errors),
        problems=[f"{p.file}: {p.where}: {p.message}" if p.where else f"{p.file}: {p.message}" for p in ordered],
        labels={c.name: c.label for c in s.metrics if c.name in OUTCOMES and c.label},
        seconds=time.perf_counter() - start,
        lines=lines)


def run_batch(files: list[Path], week: dt.date | None = None, out_dir: Path | None = None, in_place: bool = False,
              formulas: Formulas = "native", jobs: int | None = None,
              on_start: Callable[[str], None] | None = None, on_done: Callable[[FileResult], None] | None = None,
              sheets: tuple[str | None, str | None] = (None, None), force: bool = False) -> list[FileResult]:
    """Every file in worker processes. On Ctrl-C, files not started are cancelled, running ones finish (their
    writes are atomic anyway), and what finished is returned: the caller reports it. Raises OutputClashError, before
    anything is written, when two files would share an output.

    A worker that dies (an abort in a native reader, a kill for running out of memory) breaks its pool and every
    file it held. Those files are then run again one at a time, each in a process of its own: the one that dies
    again is reported with a sentence, the others are summarised, and the rest of the batch goes on in a fresh
    pool. A crash costs its own file and nothing else.

    The largest files start first, so a big one never runs alone at the end while the other workers wait; the
    results come back in the order of ``files`` (``on_done`` is called as each one finishes)."""
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    jobs = max(1, min(jobs or cores(), len(files)))  # a worker per file at most: each one costs a fork
    outputs = dict(zip(files, plan_outputs(files, out_dir, in_place), strict=True))
    if out_dir is not None:
        for folder in sorted({o.parent for o in outputs.values()}):
            folder.mkdir(parents=True, exist_ok=True)
    results: list[FileResult] = []

    def job(file: Path) -> Job:
        return (str(file), week, str(outputs[file]) if out_dir else None, in_place, formulas, sheets, force)

    def finish(result: FileResult) -> None:
        results.append(result)
        if on_done:
            on_done(result)

    pending = sorted(files, key=_size, reverse=True)  # stable: files of one size keep their order
    try:
        while pending:
            suspects = _in_pool(pending, jobs, job, on_start, finish, results)
            for file in suspects:  # the files a dead worker took down: each alone, so a crash names its own file
                if on_start:
                    on_start(str(file))
                finish(_alone(job(file)))
    except (KeyboardInterrupt, BatchInterruptedError):
        raise BatchInterruptedError(_in_order(results, files)) from None
    return _in_order(results, files)


def cores() -> int:
    """The cores this process may run on: its CPU affinity (taskset, a container's cpuset), capped by a cgroup's CPU
    quota (docker --cpus=2 on a 64-core host), not every core of the machine: more workers than cores only adds
    memory and switching."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        count = os.cpu_count() or 1
    quota = _cpu_quota()
    return max(1, min(count, quota) if quota else count)


def _cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """A cgroup's CPU quota in whole cores, rounded up, or None when there is none (cgroup v2's cpu.max holds
    "200000 100000" or "max 100000"; v1 keeps the two numbers in cpu.cfs_quota_us and cpu.cfs_period_us)."""
    try:
        if (root / "cpu.max").is_file():
            quota, period = (root / "cpu.max").read_text().split()[:2]
        else:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text().strip()
        if quota in ("max", "-1") or int(period) <= 0:
            return None
        return max(1, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        return None


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:  # missing or unreadable: its worker says why, in its turn
        return 0


def _in_order(results: list[FileResult], files: list[Path]) -> list[FileResult]:
    """The results in the order the files were given (a worker finishes them in any order)."""
    rank = {str(f): i for i, f in enumerate(files)}
    return sorted(results, key=lambda r: rank.get(r.file, len(rank)))


Job = tuple[str, "dt.date | None", "str | None", bool, Formulas, tuple["str | None", "str | None"], bool]


def _in_pool(pending: list[Path], jobs: int, job: Callable[[Path], Job], on_start: Callable[[str], None] | None,
             finish: Callable[[FileResult], None], results: list[FileResult]) -> list[Path]:
    """Run files from ``pending`` (taking them off it) in one pool until it is empty or the pool breaks; returns the
    files the pool held when a worker died, to be run again alone."""
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_worker_start) as pool:
        running: dict[Future[FileResult], Path] = {}
        try:
            while pending or running:
                while pending and len(running) < jobs * 2:
                    file = pending.pop(0)
                    running[pool.submit(summarise_one, *job(file))] = file
                    if on_start:
                        on_start(str(file))
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    file = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:  # a worker died: this file, or another the pool held
                        broken = True
                        running[future] = file
                        continue
                    except Exception as exc:  # the result could not come back (a bug): this file alone
                        result = FileResult(file=str(file), status="unreadable", errors=1, problems=[
                            f"{file}: its result could not be returned ({type(exc).__name__}: {shorten(str(exc))}); "
                            "run again with --debug and report it"])
                    finish(result)
                if broken:
                    suspects = list(running.values())
                    pool.shutdown(wait=True, cancel_futures=True)
                    return suspects
        except KeyboardInterrupt:
            started = [f for f in running if not f.cancel()]  # not started: cancelled; started: let them finish
            pool.shutdown(wait=True, cancel_futures=True)
            for future in started:
                try:
                    result = future.result()
                except Exception:  # its worker died as the batch stopped: the file is reported, not lost
                    result = _crashed(str(running[future]), None)
                finish(result)  # the progress bar counts the files that finished after Ctrl-C too
            raise BatchInterruptedError(results) from None
    return []


def _alone(job: Job) -> FileResult:
    """One file in a process of its own; a process that dies is this file's crash, said in a sentence."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, job), daemon=True)
    child.start()
    send.close()
    try:
        result: FileResult | None = receive.recv()
    except EOFError:  # it died before sending anything
        result = None
    finally:
        child.join()
        receive.close()
    return result if result is not None else _crashed(job[0], child.exitcode)


def _child(send: Connection, job: Job) -> None:
    _worker_start()
    send.send(summarise_one(*job))
    send.close()


def _crashed(path: str, exitcode: int | None) -> FileResult:
    """A file whose process died: what we know of why, and what to do, in the report's words."""
    code = 128 - exitcode if exitcode is not None and exitcode < 0 else exitcode  # a signal, as a shell shows it
    if exitcode == -signal.SIGKILL:
        why = (f"the process summarising it was killed (exit {code}), most likely for running out of memory; try "
               "it alone with salesmetrics summary, on a machine with more memory, or make the workbook smaller")
    elif exitcode == -signal.SIGABRT:
        why = (f"the process summarising it aborted (exit {code}): a crash while reading the file, which may be "
               "damaged; open it in Excel and save it again, or run salesmetrics --debug summary on it and report "
               "what it prints")
    else:
        how = f" (exit {code})" if code is not None else ""
        why = (f"the process summarising it stopped abruptly{how}; run salesmetrics --debug summary on it and report "
               "what it prints")
    return FileResult(file=path, status="unreadable", errors=1,
                      problems=[f"{path}: {why}. Nothing was written for this file; the other files were summarised"])


def _context() -> multiprocessing.context.BaseContext:
    """The platform's way of starting workers. Where it forks (Linux before Python 3.14), a worker starts with the
    job already imported by the parent. Where a fork server starts them (Python 3.14 on Linux), the server imports
    the job once, and each worker is forked from it: no worker imports pandas on its own. Where workers are spawned
    (Windows, macOS), each imports the job once, then keeps it for every file it summarises."""
    context = multiprocessing.get_context()
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])  # type: ignore[attr-defined]  # this module imports the job
    return context


def _worker_start() -> None:
    """Once per worker, before its first file. Workers finish the file they are on: Ctrl-C reaches the whole process
    group, but only the parent decides. What a forked worker inherited (the imported modules: pandas, pyarrow,
    pydantic models) is moved out of the garbage collector's sight: it lives as long as the worker, and a full
    collection would touch it, so copy the pages the worker shares with its parent (about 14 MB of each worker's
    memory after a few files)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(*GC_THRESHOLD)  # the command line's pace, also for a worker another program starts
    gc.freeze()


class BatchInterruptedError(Exception):
    def __init__(self, finished: list[FileResult]):
        super().__init__(f"interrupted after {len(finished)} file(s)")
        self.finished = finished


def exit_code(results: list[FileResult]) -> int:
    return max((r.exit_code for r in results), default=0)


class BatchFile(FileResult):
    """One file of a batch as --json gives it: each rep's line is in the rollup workbook, not here."""

    lines: list[Any] = Field(default=[], exclude=True)


class BatchReport(BaseModel):
    """What `salesmetrics batch --json` prints."""

    files: int  # workbooks found
    finished: int  # workbooks done (fewer than files when interrupted)
    interrupted: bool
    exit_code: int  # 0 all ok, 1 some warnings, 2 some errors or unreadable, 130 interrupted
    results: list[BatchFile]
    teams: list[TeamLine]  # one line per team of each file, outcomes first

    @classmethod
    def of(cls, files: int, results: list[FileResult], teams: list[TeamLine], interrupted: bool,
           exit_code: int) -> BatchReport:
        """Each quote of user text (a team's name, an outcome column's header) shortened, as every quote is."""
        return cls(files=files, finished=len(results), interrupted=interrupted, exit_code=exit_code,
                   results=[BatchFile.model_construct(**{**dict(r), "labels": {k: shorten(v) for k, v in
                                                                                r.labels.items()}})
                            for r in results],
                   teams=[t.model_copy(update={"team": shorten(t.team)}) for t in teams])


REPORT_SUFFIXES = (".json", ".csv")
REPORT_FIELDS = ("file", "status", "output", "week", "reps", "activity_in_range", "quality_in_range",
                 "outcome_in_range", "needs_attention", "warnings", "errors", "seconds", "problems")


def _row(r: FileResult) -> dict[str, object]:
    return {"file": r.file, "status": r.status, "output": r.output, "week": r.week, "reps": r.reps,
            **{f"{c.value}_in_range": r.in_range.get(c) for c in Category}, "needs_attention": r.needs_attention,
            "warnings": r.warnings, "errors": r.errors, "seconds": round(r.seconds, 3), "problems": r.problems}


def is_report(path: Path) -> bool:
    """A report an earlier batch wrote (our CSV header, or a JSON list of our records): the only existing file
    --report replaces without --force, so a quota sheet named report.csv is never lost to a typo."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".csv":
            return text.splitlines()[:1] == [",".join(REPORT_FIELDS)]
        rows = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(rows, list) and all(isinstance(r, dict) and {"file", "status"} <= set(r) for r in rows)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """A CSV field Excel will not run: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (a file named ``=1+2.xlsx``, a rep named ``@SUM(...)``) gets a leading ``'``, as OWASP advises against CSV
    injection; every text field is quoted. Numbers are ours and stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_report(results: list[FileResult], path: Path) -> Path:
    """JSON (a list of objects) or CSV (one row per file, problems joined by ' | '), by the file's suffix."""
    rows = [_row(r) for r in results]
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise ValueError(f"a report is written as .json or .csv, not {path.suffix or 'a file without a suffix'}")
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(REPORT_FIELDS)
            # every text field quoted (OWASP: prefix, then quote), numbers left as numbers
            writer = csv.DictWriter(fh, fieldnames=REPORT_FIELDS, quoting=csv.QUOTE_NONNUMERIC)
            for row in rows:
                joined = {**row, "problems": " | ".join(row["problems"])}  # type: ignore[arg-type]
                writer.writerow({k: inert(v) for k, v in joined.items()})
    else:
        path.write_text(strict_json(rows), encoding="utf-8")
    return path


# ---- the rollup workbook: found and written ---------------------------------------------------------------

ROLLUP_WORKBOOK_PART = 1 << 20  # bytes: a rollup's xl/workbook.xml is under 2 KB


def is_rollup(path: Path) -> bool:
    """A workbook that is a rollup we wrote (its record of our sheets holds the Rollup sheet and nothing else):
    the only existing file --rollup replaces, and one a batch over its folder does not take for a team's. It runs in
    the batch's own process, before any worker: a workbook part larger than any rollup's is not read at all, so a
    hostile file (a workbook.xml that inflates to gigabytes) costs nothing here and is judged by its worker."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > ROLLUP_WORKBOOK_PART:
                return False
            part = zf.read(info)
        # a batch asks this of every workbook it finds: one that does not name our record at all (a team's, as
        # Excel writes it, in UTF-8) is not parsed (a name is compared without regard to case, as Excel does)
        if not part.startswith((b"\xff\xfe", b"\xfe\xff")) and OWNED_NAME.casefold().encode() not in part.lower():
            return False
        record = defined_names(path).get(OWNED_NAME.casefold())
    except Exception:  # not a workbook at all: not ours either
        return False
    return [name for _, name in owned_entries(record)] == [ROLLUP_SHEET]


def write_rollup(path: Path, teams: list[TeamLine], results: list[FileResult], with_reps: bool) -> Path:
    """A new workbook holding the rollup, written like every other file: atomically, through the lossless writer."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        blank = Path(tmp) / "blank.xlsx"
        book = Workbook()
        book.active.title = ROLLUP_SHEET  # a stand-in the writer replaces: recorded as ours (openpyxl's sheet id 1)
        book.defined_names[OWNED_NAME] = DefinedName(OWNED_NAME, attr_text=owned_formula([("1", ROLLUP_SHEET)]),
                                                     hidden=True)
        book.save(blank)
        sheet = rollup_sheet(teams, results, with_reps, dt.datetime.now().replace(microsecond=0))
        return write_workbook(blank, WorkbookLayout([sheet]), path)
