"""The cross-team rollup, computed: what one workbook's summary gives it, and one line per team, outcomes first.

The batch job fills these records (one per file) and the rollup's layout (layouts/rollup.py) lays them out: both
import them from here, so the layout needs nothing of the job that runs the files."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from salesmetrics_xl.core.diagnosis import OFF_WEEK
from salesmetrics_xl.core.metrics import Category
from salesmetrics_xl.core.ranking import OUTCOMES, outcome_key


class RepLine(BaseModel):
    """One rep's week, as the rollup needs it."""

    rep: str
    team: str | None
    outcomes: dict[str, float | None]
    in_range: dict[Category, bool]
    diagnosis_code: str
    diagnosis_headline: str
    diagnosis: str
    on_track: bool
    busy_not_producing: bool
    verdict: str = ""  # the rep's one decision (core/decision.py), as the Weekly Summary gives it
    focus: str = ""
    action: str = ""


# What a file's status means, the same in the console, the report and the rollup:
# ok: written, no problem and every rep on track; warnings: written, with warnings or reps needing attention;
# errors: written, but some cells could not be judged (shown as NO DATA on the sheets, each listed with its cell);
# could not write: the file was read and summarised, but its output could not be written (a read-only folder, a
# full disk, the workbook open in Excel or LibreOffice for --in-place, a file of the user's in the way): the
# reason says which; unreadable: nothing was written, because the file could not be read or summarised.
STATUSES = ("ok", "warnings", "errors", "could not write", "unreadable")


class FileResult(BaseModel):
    file: str
    status: str  # one of STATUSES
    output: str | None = None
    week: str | None = None
    reps: int = 0
    in_range: dict[Category, int] = {}  # reps whose category is in range (see _in_range)
    needs_attention: int = 0
    warnings: int = 0
    errors: int = 0
    problems: list[str] = []  # file, sheet, cell and reason
    labels: dict[str, str] = {}  # outcome column -> as the workbook's header names it ("Closed Won (Deals Won)")
    seconds: float = 0.0
    lines: list[RepLine] = []

    @property
    def exit_code(self) -> int:
        return {"ok": 0, "warnings": 1}.get(self.status, 2)


class TeamLine(BaseModel):
    """A team is a team of one workbook: two files with a team of the same name are two lines."""

    team: str
    file: str  # the workbook, below the inputs' common root (emea/acme.xlsx), as --out-dir mirrors it
    reps: int
    outcomes: dict[str, float]
    on_track: int
    needs_attention: int
    busy_not_producing: int
    in_range: dict[Category, int]
    main_break: str  # the focus most reps behind share; "On track" when none is; "Off this week" when all are off


def common_root(files: Iterable[Path | str]) -> Path | None:
    """The deepest folder holding every input: what --out-dir mirrors below, and what the rollup names files from.
    None for inputs on different drives."""
    folders = [Path(f).resolve().parent for f in files]
    try:
        return Path(os.path.commonpath(folders)) if folders else None
    except ValueError:  # different drives: each whole path is kept
        return None


def below(file: Path | str, root: Path | None) -> Path:
    """A file's path below the inputs' common root (emea/acme.xlsx), or below its drive when there is none."""
    path = Path(file).resolve()
    return path.relative_to(root) if root else path.relative_to(path.anchor)


def shared_label(column: str, results: list[FileResult]) -> str:
    """An outcome column as the teams' headers name it ("Closed Won (Deals Won)"), when every workbook that has it
    names it alike; our name when they differ, as one column holds every team's."""
    labels = {r.labels[column] for r in results if column in r.labels}
    return labels.pop() if len(labels) == 1 else column


def rollup(results: list[FileResult], root: Path | None = None) -> list[TeamLine]:
    """One line per team of each file (a team is identified by its file and its name: emea/acme.xlsx's Enterprise
    and us/acme.xlsx's are two teams), ordered outcomes first (OUTCOME_ORDER). Files are named
    below ``root``, by default the common root of the results' files."""
    root = root if root is not None else common_root(r.file for r in results)
    teams: dict[tuple[str, str], list[RepLine]] = {}
    for result in results:
        for line in result.lines:
            key = (below(result.file, root).as_posix(), line.team or Path(result.file).stem)
            teams.setdefault(key, []).append(line)
    out = []
    for (file, team), lines in teams.items():
        judged = [line for line in lines if line.diagnosis_code != OFF_WEEK.code]  # a rep off this week: not judged
        breaks = Counter(line.focus or line.diagnosis_headline for line in judged if not line.on_track)
        out.append(TeamLine(
            team=team, file=file, reps=len(lines),
            outcomes={m: sum(line.outcomes.get(m) or 0 for line in lines) for m in OUTCOMES},
            on_track=sum(line.on_track for line in lines),
            needs_attention=sum(not line.on_track for line in judged),
            busy_not_producing=sum(line.busy_not_producing for line in lines),
            in_range={c: sum(line.in_range[c] for line in lines) for c in Category},
            main_break=breaks.most_common(1)[0][0] if breaks else "On track" if judged else "Off this week"))
    return sorted(out, key=lambda t: (*outcome_key(t.outcomes), t.team, t.file))
