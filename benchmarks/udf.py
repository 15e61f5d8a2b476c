"""=METRIC_STATUS over a 100,000-value column: one spilled call against a loop of single-cell calls.

    python benchmarks/udf.py

Times our code only (what Excel passes in, what it gets back), both in this run. Target: <= 50 ms per call.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from salesmetrics_xl.excel.functions import metric_rate, metric_status


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(7)
    column = [[float(v)] if v >= 0 else [None] for v in rng.integers(-5, 100, 100_000)]
    denominators = [[float(v)] for v in rng.integers(0, 100, 100_000)]
    one_call = best(lambda: metric_status(column, 50, 75))
    rate_call = best(lambda: metric_rate(column, denominators))
    per_cell = best(lambda: [metric_status(cell, 50, 75) for cell in column], repeat=1)
    print("METRIC_STATUS over 100,000 values (Excel passes a column, the result spills)")
    print(f"  one call:        {one_call * 1000:8.1f} ms   (target <= 50 ms)")
    print(f"  per-cell loop:   {per_cell * 1000:8.1f} ms")
    print(f"  speed-up:        {per_cell / one_call:8.1f}x")
    print(f"METRIC_RATE over 100,000 pairs, one call: {rate_call * 1000:.1f} ms")


if __name__ == "__main__":
    main()
