"""The --json reports that wrap another job's result (summary, an error that stops a command): pydantic models, so
that what is printed and what docs/json.md describes come from one declaration. The check, baseline and batch
reports live with their jobs (check.py, baseline.py, batch.py): `summary --json` loads none of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, field_serializer

from salesmetrics_xl.core.problems import Problem
from salesmetrics_xl.core.summary import WeeklySummary
from salesmetrics_xl.summary_record import SummaryRecord, summary_record

if TYPE_CHECKING:
    from salesmetrics_xl.summarise import SummaryRun


def __getattr__(name: str) -> Any:
    """BatchReport and BatchFile, where they were declared before (docs/make_reference.py reads them here)."""
    if name in ("BatchReport", "BatchFile"):
        from salesmetrics_xl import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'salesmetrics_xl.reports' has no attribute {name!r}")


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
    # Held as the core's WeeklySummary and printed as a SummaryRecord (model_json_schema says so): no model of the
    # printed shape is built for a run.
    summary: Any  # the week's summary: every number and sentence the sheets show, each once
    problems: list[Problem]  # everything the reader found; ``summary.problems`` names this week's by place

    @classmethod
    def of(cls, run: SummaryRun) -> SummaryReport:
        # the summary stays the core's WeeklySummary until it is printed: summary_record fills the printed shape
        return cls.model_construct(file=str(run.source), output=str(run.output), exit_code=run.exit_code,
                                   summary=run.summary, problems=run.problems)

    def model_dump(self, *, mode: str = "python", **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        """As pydantic dumps it, without pydantic's second walk over the record in JSON mode: summary_record fills
        it with JSON's own types only (str, int, float, bool, None, lists and dicts keyed by str), so walking it
        again changed nothing and cost a fifth of 10,000 reps' JSON (tests/test_summary_record.py holds the two
        equal)."""
        if mode != "json" or kwargs:
            return super().model_dump(mode=mode, **kwargs)
        rest = super().model_dump(mode="json", exclude={"summary"})
        record = summary_record(self.summary, self.problems)
        return {name: record if name == "summary" else rest[name] for name in type(self).model_fields}

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
