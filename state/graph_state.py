"""The graph's state schemas: narrow input, full working state, narrow output.

Dataclasses rather than TypedDicts so defaults survive (a TypedDict silently drops them).
Only the run's own working memory lives here; what outlives a run lives in the store.
"""


from dataclasses import dataclass, field
from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

from .attempts import Attempt
from .models import (
    ActionResult,
    ActionSelection,
    Decision,
    Intent,
    Observation,
    Progress,
    RoundRecord,
    StepRecord,
    Validation,
)
from .reducers import add_counts, add_or_reset, extend_or_reset


@dataclass(kw_only=True)
class InputState:
    """What a caller passes in: the request, optionally with prior messages and files."""

    request: str = ""
    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Earlier rounds; a new request on a finished thread adds the previous round here itself,
    # and a workflow passes its own rounds in.
    history: list[RoundRecord] = field(default_factory=list)


@dataclass(kw_only=True)
class OutputState:
    """What a caller gets back."""

    deliverable: str = ""
    success: bool = False
    # verified (success), rejected, or unverified: delivered but not every criterion proven.
    verdict: str = ""
    validation: Validation | None = None
    steps: Annotated[list[StepRecord], extend_or_reset] = field(default_factory=list)
    lessons: Annotated[list[str], extend_or_reset] = field(default_factory=list)
    final_message: str = ""
    files_out: list[str] = field(default_factory=list)
    model_calls: Annotated[int, add_or_reset] = 0
    # Model faults survived by retry, repair or fallback, per kind ("rate_limit",
    # "malformed_output", ...): what failed and how often, even when the run succeeded.
    faults: Annotated[dict[str, int], add_counts] = field(default_factory=dict)


@dataclass(kw_only=True)
class ReactState(InputState, OutputState):
    """The react loop's working state."""

    intent: Intent | None = None
    selection: ActionSelection | None = None
    result: ActionResult | None = None
    observation: Observation | None = None
    decision: Decision | None = None
    progress: Progress = field(default_factory=Progress)
    failed_templates: Annotated[list[str], extend_or_reset] = field(default_factory=list)
    guidance: list[str] = field(default_factory=list)
    step: int = 0
    best_content: str = ""
    best_score: float = -1.0
    request_id: str = ""
    pattern: str = ""
    skill_tried: bool = False
    # This round's attempts (older rounds' are dropped as new ones are added): what each
    # program printed, so a retry can repair it and a repeated output is recognised.
    attempts: list[Attempt] = field(default_factory=list)
    scratch: dict[str, Any] = field(default_factory=dict)
