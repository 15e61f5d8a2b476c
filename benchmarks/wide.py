"""10,000 reps in one week (two weeks of rows): `summary --json` as a user runs it, in a process of its own.

Prints the wall time, the peak resident memory of the process and the size of the JSON it prints, against the
targets of issue #28 (at most 10 s, 1 GiB and 20 MB on a 2-core machine), and the same for 1,000 and 5,000 reps so
that growth can be read as a ratio: linear growth keeps time and memory per rep about level.

    python benchmarks/wide.py                  # 1,000, 5,000 and 10,000 reps
    python benchmarks/wide.py 10000 --runs 3   # one size, best of three

Each run is a process as a user runs it (benchmarks.common.user_env: with compiled bytecode), after one untimed run
on the smallest book that compiles it.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import bench_folder, tracking_workbook, user_env  # noqa: E402

TARGETS = {"seconds": 10.0, "MiB": 1024.0, "JSON MB": 20.0}


def run(reps: int) -> tuple[float, float, float]:
    """(seconds, peak RSS MiB, JSON MB) of one `summary --json` on ``reps`` reps x 2 weeks."""
    book = tracking_workbook(bench_folder() / f"wide-{reps}.xlsx", 2 * reps, reps=reps)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wide.summary.xlsx"
        env = user_env()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        with open(Path(tmp) / "out.json", "wb") as sink:
            done = subprocess.run([sys.executable, "-m", "salesmetrics_xl", "summary", str(book), "--json", "--out",
                                   str(out)], stdout=sink, stderr=subprocess.PIPE, env=env, check=False)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far, KiB
        if done.returncode not in (0, 1):
            raise SystemExit(f"summary failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        size = (Path(tmp) / "out.json").stat().st_size
    if peak <= before:
        print(f"  (peak RSS of {reps:,} reps is not above an earlier, larger run's: run one size per invocation)")
    return seconds, peak / 1024, size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reps", nargs="*", type=int, default=[1_000, 5_000, 10_000], help="reps in the week")
    parser.add_argument("--runs", type=int, default=1, help="runs of each size; the fastest is kept")
    args = parser.parse_args()
    sizes = args.reps
    run(min(sizes))  # untimed: Python compiles our modules once, as pip does when it installs them
    print(f"{'reps':>8} {'seconds':>9} {'peak MiB':>9} {'JSON MB':>9} {'s/1k reps':>10} {'MiB/1k reps':>12}")
    rows = []
    for reps in sorted(sizes):
        seconds, mib, mb = min(run(reps) for _ in range(args.runs))
        rows.append((reps, seconds, mib, mb))
        print(f"{reps:>8,} {seconds:9.2f} {mib:9.0f} {mb:9.1f} {1000 * seconds / reps:10.2f} {1000 * mib / reps:12.1f}",
              flush=True)
    reps, seconds, mib, mb = rows[-1]
    verdict = {"seconds": seconds, "MiB": mib, "JSON MB": mb}
    print("targets at", f"{reps:,} reps:", ", ".join(
        f"{k} {v:,.1f} (target {TARGETS[k]:,.0f}: {'met' if v <= TARGETS[k] else 'MISSED'})"
        for k, v in verdict.items()))


if __name__ == "__main__":
    main()
