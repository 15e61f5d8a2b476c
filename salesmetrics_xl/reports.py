"""The --json reports that wrap another job's result (summary, batch, an error that stops a command): pydantic
models, so that what is printed and what docs/json.md describes come from one declaration. The check and baseline
reports live with their jobs (check.py, baseline.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_serializer

from salesmetrics_xl.batch import FileResult, TeamLine
from salesmetrics_xl.core.problems import Problem
from salesmetrics_xl.core.summary import WeeklySummary
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
    summary: WeeklySummary  # the week's summary: every number and sentence the sheets show
    problems: list[Problem]  # everything the reader found, not only this week's rows

    @classmethod
    def of(cls, run: SummaryRun) -> SummaryReport:
        return cls(file=str(run.source), output=str(run.output), exit_code=run.exit_code, summary=run.summary,
                   problems=run.problems)

    @field_serializer("summary")
    def _summary(self, summary: WeeklySummary) -> Any:
        """Everything once. Each rep's funnel names how many top performers it is compared with (``top_reps``),
        not all of them again for every rep: with 10,000 reps that list alone was 300 MB."""
        record: dict[str, Any] = summary.model_dump(mode="json", exclude={"funnels": {"__all__": {"top_reps"}}})
        for funnel, dumped in zip(summary.funnels, record["funnels"], strict=True):
            dumped["top_reps"] = len(funnel.top_reps)
        return record

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """As printed: the summary's own schema, where a funnel's ``top_reps`` is a count (see ``_summary``)."""
        schema = super().model_json_schema(*args, **kwargs)
        summary = WeeklySummary.model_json_schema(*args, **kwargs)
        defs = schema.setdefault("$defs", {})
        defs.update(summary.pop("$defs", {}))
        defs["WeeklySummary"] = summary
        schema["properties"]["summary"] = {"$ref": "#/$defs/WeeklySummary"}
        defs["RepFunnel"]["properties"]["top_reps"] = {
            "title": "Top Reps", "type": "integer",
            "description": "how many top performers the rep is compared with (the rep left out)"}
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
        return cls(files=files, finished=len(results), interrupted=interrupted, exit_code=exit_code,
                   results=[BatchFile.model_construct(**dict(r)) for r in results], teams=teams)
