"""The sheet guard (sheet_guard.scan_sheet) on the 200,000-row Tracking sheet, this tree against an earlier commit's.

    python benchmarks/guard.py [--commit 37d2cc6] [--rows 200000] [--runs 5]

Both guards run in this one process on the same inflated sheet bytes, alternating, best of ``--runs``; their
conclusions (extent, special cells, order, repeats, which way it was checked) must be equal. The earlier guard is
taken with `git show COMMIT:salesmetrics_xl/sheet_guard.py` and imports the rest of the package from this tree.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import bench_folder, tracking_workbook  # noqa: E402
from salesmetrics_xl import sheet_guard  # noqa: E402


def earlier_guard(commit: str, folder: Path) -> object:
    source = subprocess.run(["git", "show", f"{commit}:salesmetrics_xl/sheet_guard.py"], cwd=ROOT, check=True,
                            capture_output=True).stdout
    path = folder / "sheet_guard_earlier.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("sheet_guard_earlier", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["sheet_guard_earlier"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commit", default="37d2cc6")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    book = tracking_workbook(bench_folder() / f"tracking_{args.rows}.xlsx", args.rows)
    with zipfile.ZipFile(book) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")
    with tempfile.TemporaryDirectory() as tmp:
        guards = {args.commit: earlier_guard(args.commit, Path(tmp)), "this tree": sheet_guard}
        times: dict[str, list[float]] = {name: [] for name in guards}
        seen = {}
        for _ in range(args.runs):
            for name, guard in guards.items():
                start = time.perf_counter()
                scan = guard.scan_sheet(data, book.name, "Tracking")  # type: ignore[attr-defined]
                times[name].append(time.perf_counter() - start)
                seen[name] = (scan.extent, scan.special, scan.placed, scan.repeated, scan.exact)
    assert len(set(map(repr, seen.values()))) == 1, seen
    before, after = (min(t) for t in times.values())
    print(f"scan_sheet on {len(data) / 1e6:.0f} MB of sheet XML ({args.rows:,} rows), best of {args.runs}, "
          "same conclusions")
    print(f"  {args.commit:>10}: {before:6.3f} s")
    print(f"  {'this tree':>10}: {after:6.3f} s   (ratio {after / before:.2f})")


if __name__ == "__main__":
    main()
