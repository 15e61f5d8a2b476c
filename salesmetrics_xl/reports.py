"""The --json reports that wrap another job's result (summary, batch, an error that stops a command): pydantic
models, so that what is printed and what docs/json.md describes come from one declaration. The check and baseline
reports live with their jobs (check.py, baseline.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_serializer

from salesmetrics_xl.core.problems import Problem
from salesmetrics_xl.core.rollup import FileResult, TeamLine
from salesmetrics_xl.core.summary import WeeklySummary
from salesmetrics_xl.core.text import shorten
from salesmetrics_xl.summary_record import SummaryRecord, summary_record

if TYPE_CHECKING:
    from salesmetrics_xl.summarise import SummaryRun


class ErrorReport(BaseModel):
    """The one problem that stopped a command (exit 2): what --json prints instead of the command's report."""

    file: str | None = None  # the workbook; null when the whole run stopped on an unexpected error
    exit_code: int = 2
    error: Problem  # what stopped it, with its file, sheet and cell where there is one


class SummaryReport(BaseModel):
    """What `salesmetrics summary --json` prints."""

    file: str  # the tracking workbook, as given
    output: str  # the workbook written
    exit_code: int  # 0 clean and all on track, 1 warnings or reps needing attention, 2 errors
    summary: SummaryRecord  # the week's summary: every number and sentence the sheets show, each once
    problems: list[Problem]  # everything the reader found; ``summary.problems`` names this week's by place

    @classmethod
    def of(cls, run: SummaryRun) -> SummaryReport:
        # the summary stays the core's WeeklySummary until it is printed: summary_record fills the printed shape
        return cls.model_construct(file=str(run.source), output=str(run.output), exit_code=run.exit_code,
                                   summary=run.summary, problems=run.problems)

    @field_serializer("summary")
    def _summary(self, summary: WeeklySummary) -> Any:
        """Each rep's decision once, what is the same for many reps once (salesmetrics_xl/summary_record.py)."""
        return summary_record(summary, self.problems)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """As printed: ``summary`` is a SummaryRecord (the serializer's return type is not one pydantic reads)."""
        schema = super().model_json_schema(*args, **kwargs)
        record = SummaryRecord.model_json_schema(*args, **kwargs)
        defs = schema.setdefault("$defs", {})
        defs.update(record.pop("$defs", {}))
        defs["SummaryRecord"] = record
        schema["properties"]["summary"] = {"$ref": "#/$defs/SummaryRecord",
                                           "description": "the week's summary: every number and sentence the "
                                                          "sheets show, each once"}
        return schema


class BatchFile(FileResult):
    """One file of a batch as --json gives it: each rep's line is in the rollup workbook, not here."""

    lines: list[Any] = Field(default=[], exclude=True)


class BatchReport(BaseModel):
    """What `salesmetrics batch --json` prints."""

    files: int  # workbooks found
    finished: int  # workbooks done (fewer than files when interrupted)
    interrupted: bool
    exit_code: int  # 0 all ok, 1 some warnings, 2 some errors or unreadable, 130 interrupted
    results: list[BatchFile]
    teams: list[TeamLine]  # one line per team of each file, outcomes first

    @classmethod
    def of(cls, files: int, results: list[FileResult], teams: list[TeamLine], interrupted: bool,
           exit_code: int) -> BatchReport:
        """Each quote of user text (a team's name, an outcome column's header) shortened, as every quote is."""
        return cls(files=files, finished=len(results), interrupted=interrupted, exit_code=exit_code,
                   results=[BatchFile.model_construct(**{**dict(r), "labels": {k: shorten(v) for k, v in
                                                                                r.labels.items()}})
                            for r in results],
                   teams=[t.model_copy(update={"team": shorten(t.team)}) for t in teams])
