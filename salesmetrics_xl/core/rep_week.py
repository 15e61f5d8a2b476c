"""One rep's week as the summary judged it, and the one decision it carries (core/decision.py decides it).

The records that the summary, the decision and the evidence all speak of, in a module below the three of them, so
none of them imports another back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from salesmetrics_xl.core.metrics import Category
from salesmetrics_xl.core.status import Status


class RepDecision(BaseModel):
    """What a manager reads for one rep: three short things, and the detail on demand."""

    verdict: str  # one of VERDICTS (core/decision.py)
    focus: str  # one of FOCUSES (core/decision.py), or "" when there is nothing to fix
    action: str  # at most MAX_WORDS words (core/decision.py)
    detail: str
    thin: bool = False  # the rule table decided: too few counts to compare with the top reps
    recent: bool = False  # the plan uses the last weeks: they differ clearly from the pooled window
    metric: str = ""  # what costs the most: the activity ("Dials") or the rate ("Qualification Rate") of the focus

    @property
    def text(self) -> str:
        """The whole decision as one paragraph: the summary's ``diagnosis``."""
        head = f"{self.verdict}: {self.focus}." if self.focus else f"{self.verdict}."
        return " ".join(x for x in (head, self.action, self.detail) if x)


class RepWeek(BaseModel):
    rep: str
    team: str | None
    role: str | None
    row: int | None  # the Tracking row, for links and messages; None for a rep with no row this week
    values: dict[str, float | None]
    statuses: dict[str, Status]  # each value against its weekly range; a metric with only a monthly range: its pace
    judged: dict[str, Status]  # what counts in the verdict, and colours the cell: a paced metric by the pace
    paced: list[str] = []  # metrics judged by the month's pace: outcomes with a monthly range
    changes: dict[str, float | None]  # from the previous week (rates: as a fraction, shown in percentage points)
    streaks: dict[str, int]  # weeks in a row out of range, this week included
    categories: dict[Category, Status]
    diagnosis_code: str  # the rule table's row (core/diagnosis.py)
    diagnosis_headline: str
    diagnosis: str  # the whole decision as one paragraph: verdict, focus, action, detail
    verdict: str = ""  # the decision (core/decision.py): what every face prints
    focus: str = ""
    action: str = ""
    detail: str = ""
    focus_metric: str = ""  # the activity or rate behind the focus, as What it takes shows it
    on_track: bool  # the outcome verdict: outcomes in range or above (or, with no outcome range, the rest)
    busy_not_producing: bool
    off: bool = False  # 0 days worked this week: not judged, not counted in the team's shares
    judged_on: str | None = None  # why the ranges are smaller this week: "3 of 5 days", "ramp 50 %"
    effective: dict[str, str] = {}  # metric -> its effective range, where it differs from the sheet's
    effective_why: dict[str, str] = {}  # metric -> why ("3 of 5 days, ramp 50 %"; outcomes leave the days out)
    scales: dict[str, float] = Field(default={}, exclude=True)  # metric -> the scale of its effective range
    thin: dict[str, str] = {}  # rate -> why its weekly number decides nothing: too few counts this week
    pooled: dict[str, float | None] = {}  # rate -> the pooled window's rate that judged it instead (None: too few)
    by_pace: list[str] = Field(default=[], exclude=True)  # statuses that are the pace's: no weekly range
    judged_by: dict[str, str] = {}  # metric -> its range, where the column's heading says "by role"

    def decided(self, decision: RepDecision) -> None:
        # into the record's fields as they are (plain text: nothing to validate, and pydantic's own setattr costs
        # more than the rest of this)
        self.__dict__.update(verdict=decision.verdict, focus=decision.focus, action=decision.action,
                             detail=decision.detail, focus_metric=decision.metric, diagnosis=decision.text)
        self.__pydantic_fields_set__.update(("verdict", "focus", "action", "detail", "focus_metric", "diagnosis"))

    @property
    def out_of_range(self) -> list[str]:
        """Metrics out of their weekly range, leaving out the outcomes judged by the month's pace."""
        return [m for m, s in self.statuses.items() if s in (Status.BELOW, Status.ABOVE) and m not in self.paced]

    @property
    def behind_pace(self) -> list[str]:
        return [m for m in self.paced if self.judged[m] is Status.BELOW]
