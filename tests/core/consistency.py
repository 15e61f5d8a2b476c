"""One check every summary must pass: its verdicts, statuses and counts agree with each other."""

from __future__ import annotations

import re

from salesmetrics_xl.core.status import Status
from salesmetrics_xl.core.summary import WeeklySummary


def assert_consistent(summary: WeeklySummary) -> None:
    """What holds on every summary: the sentences agree with the cells beside them and the headline with the
    rows and the pacing block."""
    for rep in summary.reps:
        if rep.diagnosis_code == "no-row" or rep.off:
            continue
        for metric, value in rep.values.items():  # an empty cell is never coloured: no number, no verdict
            assert value is not None or rep.judged[metric] not in ("BELOW", "IN RANGE", "ABOVE"), (rep.rep, metric)
        for metric, status in rep.judged.items():  # every red cell is named in its row's sentence
            if status is Status.BELOW:
                assert metric in rep.diagnosis, (rep.rep, metric, rep.diagnosis)
        if rep.on_track:  # and an on-track sentence names every weekly miss too (a thin rate is not one)
            for metric, status in rep.statuses.items():
                if status is Status.BELOW and metric not in rep.thin:
                    assert metric in rep.diagnosis, (rep.rep, metric, rep.diagnosis)
            assert "work harder" not in rep.diagnosis and "Check time on task" not in rep.diagnosis
        for pace in (p for p in summary.monthly if p.rep == rep.rep):
            if next(m for m in summary.metrics if m.name == pace.metric).category == "outcome":
                assert rep.judged[pace.metric] is pace.status  # the verdict and the pacing block agree
    on = sum(r.on_track for r in summary.reps)
    away = sum(r.off for r in summary.reps)
    assert summary.team_diagnosis.startswith(f"{on} of {len(summary.reps) - away} reps on track") or \
        summary.team_diagnosis.startswith("Outcomes are not judged")
    # every rep not on track is counted once, under the verdict of their row, and each group's count adds up
    for verdict, phrase in (("Off track", "off track"), ("Watch", "to watch")):
        chosen = [r for r in summary.reps if r.verdict == verdict and not r.on_track]
        watched = [r.rep for r in summary.reps if r.verdict == verdict and r.on_track]  # on track, to watch
        if watched:
            assert f"{len(watched)} to watch: {', '.join(watched)})" in summary.team_diagnosis, summary.team_diagnosis
        if chosen:
            tail = summary.team_diagnosis.split(f"; {len(chosen)} {phrase}: ", 1)
            assert len(tail) == 2, (verdict, summary.team_diagnosis)
            groups = re.split(r"; (?=\d+ (?:off track|to watch|with)\b)", tail[1])[0]
            assert sum(int(n) for n in re.findall(r"(?:^|; )(\d+) ", groups)) == len(chosen), summary.team_diagnosis
            for r in chosen:
                assert r.rep in groups and (not r.focus or r.focus.lower() in groups)
    blank = [r for r in summary.reps if r.verdict == "No data" and r.row is not None]
    if blank:
        assert f"; {len(blank)} with numbers not entered yet" in summary.team_diagnosis
