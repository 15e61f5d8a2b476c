"""Shared by the benchmarks: generated tracking workbooks and a fair time/peak-memory measurement."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import xlsxwriter

from salesmetrics_xl.core.workbook import DAYS_WORKED, FTE, TRACKING, default_range_rows

_HEADER = [c.name for c in TRACKING.columns]
ROOT = Path(__file__).resolve().parent.parent


def user_env() -> dict[str, str]:
    """The environment of a `salesmetrics` process as a user's: this tree's package first on the path, and Python
    free to write and read its compiled bytecode. A shell that sets PYTHONDONTWRITEBYTECODE makes every process
    compile our modules again (about 0.1 s), which no installed package pays: pip compiles them when it installs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def salesmetrics(args: Sequence[str]) -> float:
    """Seconds of one `python -m salesmetrics_xl ARGS` process, as a user runs it (``user_env``); exit 0 or 1
    (findings are not failures), else it stops the benchmark with the command's error."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "salesmetrics_xl", *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=user_env(), cwd=ROOT, check=False)  # -m puts cwd first
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"salesmetrics {' '.join(args)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds


def bench_folder() -> Path:
    """Where the benchmarks keep their generated workbooks between runs (they are slow to make)."""
    folder = Path(tempfile.gettempdir()) / "salesmetrics-bench"
    folder.mkdir(exist_ok=True)
    return folder


def tracking_workbook(path: Path, rows: int, reps: int | None = None, funnel_every: int = 0, fair: bool = False
                      ) -> Path:
    """A standard tracking workbook with ``rows`` data rows (reps x weeks, at most 200 weeks), in constant memory.
    ``funnel_every=4`` gives every 4th row more deals won than opportunities (a funnel warning each); ``fair``
    fills Days Worked and FTE (short weeks, weeks off, part-timers), so every range is judged pro-rated."""
    if path.exists() and _header(path) == _HEADER:
        return path  # made by an earlier run; one made before the template's columns changed is made again
    reps = reps or max(20, rows // 200)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Tracking")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, _HEADER)
    last = dt.date(2026, 11, 16)
    weeks = -(-rows // reps)
    r = 1
    for w in range(weeks):
        week = dt.datetime.combine(last - dt.timedelta(weeks=weeks - 1 - w), dt.time())
        for rep in range(reps):
            if r > rows:
                break
            seed = (r * 2654435761) % 97
            dials = 45 + seed % 40
            conv = dials // 5
            sqls = conv // 6
            ws.write_datetime(r, 0, week, date)
            opps = max(sqls - 1, 0)
            won = opps + 1 if funnel_every and r % funnel_every == 0 else max(sqls - 2, 0)
            ws.write_row(r, 1, [f"Rep {rep:03d}", f"Team {rep % 4}", "SDR", dials, 100 + seed, conv, conv // 3,
                                sqls, opps, won, 900 * won])
            if fair:
                ws.write_number(r, _HEADER.index(DAYS_WORKED), 0 if seed == 3 else 3 if seed % 10 == 1 else 5)
                ws.write_number(r, _HEADER.index(FTE), 0.6 if rep % 7 == 0 else 1)
            r += 1
    ranges = wb.add_worksheet("Ranges")
    names = list(default_range_rows()[0])
    ranges.write_row(0, 0, names)
    for i, rec in enumerate(default_range_rows(), start=1):
        ranges.write_row(i, 0, [rec[n] for n in names])
    wb.close()
    return path


def _header(path: Path) -> list[object]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [c.value for c in next(book["Tracking"].iter_rows(max_row=1))]
    finally:
        book.close()


def _child(fn: Callable[[], object], queue: mp.Queue) -> None:
    start_rss = _rss_kib()
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((elapsed, max(peak - start_rss, 0) / 1024))


def _rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def measure(fn: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak MiB above the starting RSS) of ``fn`` run in a fresh forked process."""
    ctx = mp.get_context("fork")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def report(title: str, rows: list[tuple[str, float, float, float, float]]) -> None:
    print(f"\n{title}")
    print(f"{'case':>12} {'ours s':>9} {'base s':>9} {'speed-up':>9} {'ours MiB':>9} {'base MiB':>9} {'memory':>8}")
    for case, t_ours, t_base, m_ours, m_base in rows:
        print(f"{case:>12} {t_ours:9.2f} {t_base:9.2f} {t_base / t_ours:8.1f}x {m_ours:9.0f} {m_base:9.0f} "
              f"{m_ours / max(m_base, 1):7.2f}x")
