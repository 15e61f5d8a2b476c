"""Helpers shared by several test modules (import them from here, never from another test module)."""

from __future__ import annotations

import contextlib
import datetime as dt
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import TRACKING_HEADER


def raw_entries(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each entry's CRC, compressed size and compressed bytes: equal means copied, never re-inflated."""
    out = {}
    with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset + 26)
            n, m = struct.unpack("<HH", fh.read(4))
            fh.seek(info.header_offset + 30 + n + m)
            out[info.filename] = (info.CRC, info.compress_size, fh.read(info.compress_size))
    return out


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m salesmetrics_xl ARGS` in a real child process: for what only a process shows (the entry point,
    the exit code the shell sees, batch's worker processes, the unexpected-error guard of `run()`)."""
    return subprocess.run([sys.executable, "-m", "salesmetrics_xl", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)  # a hang guard only, generous for a loaded machine


def invoke(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The same command in this process, through Typer's runner: the same stdout, stderr and exit code, without a
    new Python to start. A bug is raised here, never mistaken for an exit code."""
    from typer.testing import CliRunner

    from salesmetrics_xl.cli import app

    with contextlib.chdir(cwd or Path.cwd()):
        result = CliRunner().invoke(app, list(args), prog_name="salesmetrics", catch_exceptions=False)
    return subprocess.CompletedProcess(["salesmetrics", *args], result.exit_code, result.stdout, result.stderr)


# A small clean team: two reps, two weeks, every value in the default ranges.
W1, W2 = dt.date(2026, 11, 9), dt.date(2026, 11, 16)
#            Week Rep    Team    Role  Dials Emails Conv Meet SQL Opp Won MRR
GOOD = [TRACKING_HEADER,
        [W1, "Ann", "East", "SDR", 60, 120, 12, 4, 2, 1, 1, 900],
        [W1, "Bob", "East", "SDR", 55, 110, 11, 3, 1, 1, 0, 0],
        [W2, "Ann", "East", "SDR", 62, 130, 13, 4, 2, 2, 1, 1200],
        [W2, "Bob", "East", "SDR", 58, 100, 10, 3, 1, 1, 1, 700]]


def full_reps(summary: dict) -> list[dict]:
    """Each rep of `summary --json` with its maps whole, as a program reading the JSON rebuilds them from what the
    record says once (docs/json.md): values, changes, judged, statuses, streaks and categories for every metric,
    the month's pace by metric, and the funnel's links with the role's rates, thin links and outcomes behind."""
    names = [m["name"] for m in summary["metrics"]]
    paced = [p["metric"] for p in summary["paced"]]
    shared = {p["metric"]: p["range"] for p in summary["paced"]}
    roles = {r["role"]: r for r in summary["roles"]}
    outcomes = [m["name"] for m in summary["metrics"] if m["category"] == "outcome"]
    out = []
    for rep in summary["reps"]:
        full = dict(rep)
        judged = {m: rep.get("judged", {}).get(m, "IN RANGE") for m in names}
        full["values"] = dict(zip(names, rep["values"], strict=True))
        full["changes"] = dict(zip(names, rep["changes"], strict=True))
        full["judged"] = judged
        full["statuses"] = {m: rep.get("statuses", {}).get(m, judged[m]) for m in names}
        full["streaks"] = {m: rep.get("streaks", {}).get(m, 0) for m in names}
        full["categories"] = {c: rep.get("categories", {}).get(c, "IN RANGE") for c in ("activity", "quality",
                                                                                      "outcome")}
        full["paced"] = rep.get("paced", paced)
        monthly = rep.get("monthly")
        full["monthly"] = {} if monthly is None else {
            m: {"month_to_date": mtd, "projection": projection, "range": monthly.get("range", {}).get(m, shared[m]),
                "status": monthly.get("status", {}).get(m, judged.get(m)), "share": monthly.get("share", {}).get(m, 1)}
            for m, mtd, projection in zip(paced, monthly["month_to_date"], monthly["projection"], strict=True)
            if mtd is not None}
        funnel = rep.get("funnel")
        if funnel is not None:
            role = roles[rep.get("role")]
            links = [link["rate"] for link in role["links"]]
            full["funnel"] = {
                **funnel, "top_reps": funnel.get("top_reps", role["top_reps"]),
                "peers": funnel.get("peers", role["peers"]),
                "behind_on": [m for m in outcomes if judged[m] == "BELOW"],
                "rates": {name: {"rep": funnel["rates"]["rep"][i], "count": funnel["rates"]["count"][i],
                                 "used": funnel["rates"]["used"][i],
                                 "team": funnel.get("team", {}).get(name, role["links"][i]["team"]),
                                 "top": funnel.get("top", {}).get(name, role["links"][i]["top"]),
                                 "thin": funnel["rates"]["count"][i] < summary["min_count"],
                                 "recent": name in funnel.get("recent", [])}
                          for i, name in enumerate(links)},
                "needs": [{**need, "rates": need.get("rates", role["chains"].get(need["outcome"], []))}
                          for need in funnel.get("needs", [])]}
        out.append(full)
    return out


ENGINES = ("columnar", "calamine", "openpyxl")  # every reader, each told apart by SALESMETRICS_READER
READ_TODAY = dt.date(2026, 11, 22)  # the day the reading tests are read on


def assert_identical(path: Path) -> None:
    """Every reader gives the same data and the same problems, cell for cell."""
    import pandas as pd

    from salesmetrics_xl.reader import read_workbook

    plain, *others = (read_workbook(path, today=READ_TODAY, engine=e) for e in reversed(ENGINES))
    for other in others:
        assert other.problems == plain.problems and other.ranges == plain.ranges
        if plain.tracking is None:
            assert other.tracking is None
            continue
        pd.testing.assert_frame_equal(other.tracking.frame, plain.tracking.frame)
        for field in ("letters", "header_row", "last_row", "sheet"):
            assert getattr(other.tracking, field) == getattr(plain.tracking, field), field
