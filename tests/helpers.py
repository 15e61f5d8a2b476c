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
