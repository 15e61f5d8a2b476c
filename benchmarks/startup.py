"""Start-up: what a user waits for before anything happens, against Python itself starting.

    python benchmarks/startup.py [--runs 7]

Runs, in this one invocation, each as a fresh process (best of ``--runs``, so a busy machine's noise is not
counted): ``python -c pass`` (the floor), ``salesmetrics --help``, and ``salesmetrics summary`` of a 1,000-row
workbook end to end (read, compute, write a copy). Targets: --help <= 0.3 s, the summary <= 0.7 s. On a machine
slower or busier than the one the targets were set on, read the time above the floor. ``import pandas`` is shown
as a second floor: the summary cannot start computing before it.

Each case runs once untimed first, then timed, without PYTHONDONTWRITEBYTECODE in its environment and with this
tree's package first on the path: a user's installed package has its compiled bytecode, so a process that compiles
every module again on each start (about 0.1 s) is not what a user waits for.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_folder, tracking_workbook, user_env

ENV = user_env()


def best(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=False, env=ENV)  # writes the bytecode caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = bench_folder()
    source = tracking_workbook(folder / "tracking_1000.xlsx", 1000)
    out = folder / "startup_1000.summary.xlsx"
    script = shutil.which("salesmetrics")  # the console script, as users run it
    tool = [script] if script else [sys.executable, "-m", "salesmetrics_xl"]
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("python -c 'import pandas'", [sys.executable, "-c", "import pandas"], None),
        ("salesmetrics --help", [*tool, "--help"], 0.3),
        ("summary, 1,000 rows", [*tool, "summary", str(source), "--out", str(out)], 0.7),
    ]
    floor = None
    print(f"{'case':>26} {'best s':>8} {'above python':>13} {'target':>8}")
    for name, command, target in cases:
        seconds = best(command, args.runs)
        floor = seconds if floor is None else floor
        verdict = "" if target is None else f"{'ok' if seconds <= target else 'MISSED'} {target:.1f} s"
        print(f"{name:>26} {seconds:8.3f} {seconds - floor:12.3f}s {verdict:>8}")


if __name__ == "__main__":
    main()
