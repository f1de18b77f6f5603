"""The graph's state schemas: narrow input, full working state, narrow output.

Dataclasses rather than TypedDicts so defaults survive (a TypedDict silently drops them).
Only the run's own working memory lives here; what outlives a run lives in the store.
"""

from dataclasses import MISSING, dataclass, field, fields
from typing import Annotated, Any, get_args, get_type_hints

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
from .reducers import add_counts, add_or_reset, extend_or_reset, reset

_PER_ROUND = {"per_round": True}
_RESETTABLE = (add_counts, add_or_reset, extend_or_reset)


def per_round(**kwargs: Any) -> Any:
    """A field that belongs to one round and starts again from its default with the next.

    Marking the field where it is declared, instead of listing it in the node that starts
    a round, means a new field cannot be forgotten there (``round_reset``).
    """
    return field(metadata=_PER_ROUND, **kwargs)


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

    deliverable: str = per_round(default="")
    success: bool = per_round(default=False)
    # verified (success), rejected, or unverified: delivered but not every criterion proven.
    verdict: str = per_round(default="")
    validation: Validation | None = per_round(default=None)
    steps: Annotated[list[StepRecord], extend_or_reset] = per_round(default_factory=list)
    lessons: Annotated[list[str], extend_or_reset] = per_round(default_factory=list)
    final_message: str = per_round(default="")
    files_out: list[str] = per_round(default_factory=list)
    model_calls: Annotated[int, add_or_reset] = per_round(default=0)
    # Model faults survived by retry, repair or fallback, per kind ("rate_limit",
    # "malformed_output", ...): what failed and how often, even when the run succeeded.
    faults: Annotated[dict[str, int], add_counts] = per_round(default_factory=dict)


@dataclass(kw_only=True)
class ReactState(InputState, OutputState):
    """The react loop's working state."""

    intent: Intent | None = None
    # The rules' own reading of the request, before the model's was merged in: plan_select
    # lets the rules settle the first action only when they read the request unambiguously.
    rules_reading: Intent | None = per_round(default=None)
    selection: ActionSelection | None = per_round(default=None)
    result: ActionResult | None = per_round(default=None)
    observation: Observation | None = per_round(default=None)
    decision: Decision | None = per_round(default=None)
    progress: Progress = per_round(default_factory=Progress)
    failed_templates: Annotated[list[str], extend_or_reset] = per_round(default_factory=list)
    guidance: list[str] = per_round(default_factory=list)
    step: int = per_round(default=0)
    best_content: str = per_round(default="")
    best_score: float = per_round(default=-1.0)
    request_id: str = ""
    pattern: str = ""
    skill_tried: bool = per_round(default=False)
    # Where the current selection came from: skill, strategy, rules, model, default, or the
    # retry ladder's rung (the action_start event says the same).
    plan_source: str = per_round(default="")
    # This round's attempts (older rounds' are dropped as new ones are added): what each
    # program printed, so a retry can repair it and a repeated output is recognised.
    attempts: list[Attempt] = field(default_factory=list)


def round_reset(state_type: type[ReactState] = ReactState) -> dict[str, Any]:
    """The update that starts a new round: every ``per_round`` field back to its default.

    Accumulating fields get a ``reset`` update, since their reducer would otherwise add the
    default to what the last round left.
    """
    hints = get_type_hints(state_type, include_extras=True)
    update: dict[str, Any] = {}
    for f in fields(state_type):
        if not f.metadata.get("per_round"):
            continue
        value = f.default_factory() if f.default_factory is not MISSING else f.default
        reducers = get_args(hints[f.name])[1:]
        update[f.name] = reset(value) if any(r in _RESETTABLE for r in reducers) else value
    return update
