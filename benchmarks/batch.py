"""salesmetrics batch on 200 team workbooks against a plain sequential pandas + openpyxl script doing the same job.

    python benchmarks/batch.py [--files 200] [--big 200000]

Each generated workbook has about 1,000 rows (20 reps x 52 weeks). Both routes run in this invocation, one after
the other, and the ratio and its goal are printed at the end; the ratio is what matters (on a loaded machine our
workers compete for the cores, the sequential script does not). Targets: >= 10x faster than the plain script
(issue #28) for the files on a 2-core machine; the 200,000-row workbook in <= 5 s. Every file must be summarised
(status ok or warnings): a batch that fails files fast is not a fast batch.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_folder, tracking_workbook
from benchmarks.summary import plain_route
from salesmetrics_xl.batch import cores, find_workbooks, run_batch, summarise_one

SUMMARISED = ("ok", "warnings")  # the generated teams have reps needing attention: warnings, never errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--big", type=int, default=200_000, help="rows of the one big workbook (0: skip it)")
    args = parser.parse_args()
    root = bench_folder()
    template = tracking_workbook(root / "tracking_1040.xlsx", 1040, reps=20)
    ours_dir, plain_dir = root / "batch-ours", root / "batch-plain"
    for folder in (ours_dir, plain_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for n in range(args.files):
            shutil.copy(template, folder / f"team{n:03d}.xlsx")

    start = time.perf_counter()
    results = run_batch(find_workbooks([str(ours_dir)]), in_place=True)
    ours = time.perf_counter() - start
    failed = [r for r in results if r.status not in SUMMARISED]
    if len(results) != args.files or failed:
        raise SystemExit(f"{len(results)} of {args.files} files came back, {len(failed)} not summarised: "
                         f"{[r.problems for r in failed][:3]}")

    start = time.perf_counter()
    for path in sorted(plain_dir.glob("*.xlsx")):
        plain_route(path)
    plain = time.perf_counter() - start

    print(f"batch of {args.files} workbooks (~1,000 rows each), {len(results)} summarised in place, "
          f"{min(cores(), args.files)} worker(s)")
    print(f"  salesmetrics batch:          {ours:8.1f} s")
    print(f"  plain sequential script:     {plain:8.1f} s")
    print(f"  batch ratio:                 {plain / ours:8.1f}x   (issue #28's target >= 10x: "
          f"{'met' if plain / ours >= 10 else 'MISSED'})", flush=True)
    if args.big:
        big = tracking_workbook(root / f"tracking_{args.big}.xlsx", args.big)
        copy = root / "batch-big.xlsx"
        shutil.copy(big, copy)
        start = time.perf_counter()
        result = summarise_one(str(copy), None, None, True, "native")
        big_seconds = time.perf_counter() - start
        if result.status not in SUMMARISED:
            raise SystemExit(f"the {args.big:,}-row workbook was not summarised: {result.problems}")
        print(f"one {args.big:,}-row workbook:     {big_seconds:8.1f} s   (target <= 5 s)")


if __name__ == "__main__":
    main()
