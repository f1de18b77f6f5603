"""Pydantic models for every boundary of the loop.

These are plain data: no behaviour lives here, so every other layer (prompts, analysis,
learning, tools, nodes) can depend on them without pulling in anything else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DataType(StrEnum):
    """What kind of content the user expects to receive."""

    NUMBERS = "numbers"
    TEXT = "text"
    TABLE = "table"
    CODE = "code"
    DOCUMENT = "document"
    ANALYSIS = "analysis"
    OTHER = "other"


class OutputFormat(StrEnum):
    """The shape the deliverable should take."""

    RAW_DATA = "raw_data"
    LIST = "list"
    CSV = "csv"
    JSON = "json"
    MARKDOWN = "markdown"
    PROSE = "prose"
    CODE = "code"
    XLSX = "xlsx"
    DOCX = "docx"
    PDF = "pdf"
    SINGLE_VALUE = "single_value"


class CriterionKind(StrEnum):
    """Checkable requirement kinds; verifiers are registered per kind (or per property)."""

    COUNT = "count"
    PROPERTY = "property"
    ORDERING = "ordering"
    RANGE = "range"
    FILE_TYPE = "file_type"
    CONTAINS = "contains"
    FIELDS = "fields"
    VALUE = "value"
    LAYOUT = "layout"
    ANSWER = "answer"
    OTHER = "other"


class Criterion(BaseModel):
    """One success criterion, structured so code can check it where possible."""

    model_config = ConfigDict(extra="ignore")

    kind: CriterionKind = Field(description="Which kind of requirement this is.")
    value: Any = Field(
        default=None,
        description="The requirement's value: 1000 for a count, 'prime' for a property, "
        "'ascending' for an ordering, [lo, hi] for a range, 'xlsx' for a file type.",
    )
    description: str = Field(default="", description="The requirement in the user's words.")


class QualityRequirements(BaseModel):
    """How strict the validator should be."""

    accuracy: float = Field(default=0.95, ge=0.0, le=1.0)
    completeness: float = Field(default=0.95, ge=0.0, le=1.0)


class Intent(BaseModel):
    """What the user really wants, as understood before any action is taken."""

    model_config = ConfigDict(extra="ignore")

    data_type: DataType = Field(description="The kind of content the user expects.")
    expected_format: OutputFormat = Field(description="The shape of the deliverable.")
    success_criteria: list[Criterion] = Field(default_factory=list)
    quality: QualityRequirements = Field(default_factory=QualityRequirements)
    subject: str = Field(
        default="",
        description="Short noun phrase naming what is asked for, e.g. 'prime numbers'.",
    )
    source: Literal["model", "rules", "merged"] = Field(
        default="rules", description="Whether the model or the deterministic rules produced it."
    )

    def criterion(self, kind: CriterionKind) -> Criterion | None:
        """Return the first criterion of a kind, if any."""
        return next((c for c in self.success_criteria if c.kind == kind), None)


class ActionSelection(BaseModel):
    """Exactly one action chosen by plan_select."""

    model_config = ConfigDict(extra="ignore")

    tool: str = Field(description="Name of the tool to run, e.g. 'ai_process' or 'python'.")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Arguments for the tool: 'prompt' for ai_process, 'code' for python.",
    )
    rationale: str = Field(default="", description="Why this action advances the request.")
    strategy_id: str | None = Field(
        default=None, description="The learned strategy this action follows, if any."
    )
    template: str = Field(
        default="",
        description="The action template (tool plus approach) that learning records against.",
    )


class ActionResult(BaseModel):
    """What running an action produced; failures are data, never exceptions."""

    tool: str = Field(description="The tool that ran, or 'agent' for a create_agent answer.")
    success: bool = Field(description="Whether the action ran; not whether its content is right.")
    content: str = Field(default="", description="What it printed or answered.")
    files: list[str] = Field(default_factory=list, description="Paths of the files it wrote.")
    error: str | None = Field(default=None, description="Why it failed, when it did.")
    duration_s: float = Field(default=0.0, description="Wall time of the action.")
    truncated: bool = Field(default=False, description="The content was cut to its limit.")
    model_calls: int = Field(default=0, description="Model calls the action made.")


class ContentKind(StrEnum):
    """What the delivered content looks like, decided by code rather than by a model."""

    NUMBERS = "numbers"
    CODE = "code"
    TABLE = "table"
    JSON = "json"
    TEXT = "text"
    FILE = "file"
    EMPTY = "empty"
    ERROR = "error"


class Observation(BaseModel):
    """A content-level look at an action result."""

    content_kind: ContentKind
    snippet: str = Field(default="", description="Bounded excerpt of the content.")
    length: int = 0
    numbers_found: int = 0
    files: list[str] = Field(default_factory=list)
    intent_match: bool = False
    notes: list[str] = Field(default_factory=list)


Evidence = Literal["rule", "execution", "agreement", "judge", "user", "none"]
"""What checked a criterion: a deterministic rule, running the delivered code, two independent
routes agreeing, a model judge, one of the user's own validators, or nothing at all."""

Verdict = Literal["verified", "rejected", "unverified"]
"""verified: every criterion checked by strong evidence and passed; rejected: some criterion
failed; unverified: nothing failed, but something was left unproven (or only weakly checked)."""


def verdict_of(verdict: str | None, success: bool | None) -> str:
    """The stated verdict; a result recorded before verdicts existed has only its success."""
    return verdict or ("verified" if success else "rejected")


_OLD_EVIDENCE = {"code": "rule", "model": "judge"}


class CriterionResult(BaseModel):
    """Outcome of checking one criterion, and what the outcome stands on."""

    criterion: Criterion
    passed: bool | None = Field(description="None when nothing could check it.")
    detail: str = ""
    checked_by: Evidence = "rule"
    weak: bool = Field(
        default=False,
        description="The check ran but cannot prove the criterion (a weak judge, tests the "
        "model wrote itself): a pass counts as unverified, a failure still rejects.",
    )

    @field_validator("checked_by", mode="before")
    @classmethod
    def _renamed_evidence(cls, value: Any) -> Any:
        # Checkpoints written before evidence had names said "code" and "model".
        return _OLD_EVIDENCE.get(value, value) if isinstance(value, str) else value


class Validation(BaseModel):
    """Whether the content matches the intent, and what to do better."""

    overall_success: bool
    data_type_match: bool
    format_match: bool
    criteria: list[CriterionResult] = Field(default_factory=list)
    quality_score: float = Field(ge=0.0, le=1.0)
    issues: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    cleaned_content: str | None = Field(
        default=None,
        description="The content after deterministic cleanup, when cleanup made it pass.",
    )
    verdict: Verdict = Field(
        default="rejected",
        description="verified, rejected or unverified; overall_success means verified.",
    )


class FailedAttempt(BaseModel):
    """An attempt that did not deliver, and why."""

    step: int
    template: str
    reason: str


class Progress(BaseModel):
    """What the run has achieved so far."""

    completed: list[str] = Field(default_factory=list)
    partial: list[str] = Field(default_factory=list)
    failed: list[FailedAttempt] = Field(default_factory=list)
    insights: list[str] = Field(default_factory=list)
    percent: float = Field(default=0.0, ge=0.0, le=100.0)
    best_score: float = 0.0


class Decision(BaseModel):
    """refine_decide's continue/stop verdict and its reason."""

    action: Literal["continue", "stop"]
    reason: str
    guidance: list[str] = Field(default_factory=list)


class StepRecord(BaseModel):
    """One completed act/validate cycle, as the caller sees it."""

    step: int
    tool: str
    template: str
    rationale: str = ""
    success: bool
    quality_score: float
    content_kind: ContentKind
    issues: list[str] = Field(default_factory=list)
    error: str | None = None
    strategy_id: str | None = None


class StrategyView(BaseModel):
    """A learned strategy as plan_select sees it: counts and our own guidance text.

    Guidance comes from a fixed vocabulary owned by the code, never from tool output or model
    answers, so nothing a tool prints can become an instruction in a later prompt.
    """

    pattern: str
    template: str
    attempts: int = 0
    successes: int = 0
    mean_score: float = 0.0
    guidance: str = ""
    lessons: list[str] = Field(default_factory=list)
    sampled: float | None = Field(
        default=None, description="The exploration draw that ranked it (Thompson sampling)."
    )

    @property
    def success_rate(self) -> float:
        """Observed success rate; 0 when never tried."""
        return self.successes / self.attempts if self.attempts else 0.0


class ToolSpec(BaseModel):
    """What the planner is told about a tool."""

    name: str
    description: str
    parameters: dict[str, str] = Field(default_factory=dict)


class RoundRecord(BaseModel):
    """A finished round of a thread, shown to later rounds as workflow history."""

    round: int
    request: str
    deliverable: str = ""
    files: list[str] = Field(default_factory=list)
    success: bool = False
