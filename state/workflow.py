"""State of a workflow (task plan -> tasks in a mode -> summary) and of the actionplan mode.

One event model, ``WorkflowMessage``, is everything a run streams: the workflow's phase reports
(kept in state too) and the react nodes' live narration, so a UI, the CLI and Studio read the
same thing.
Like the rest of ``state/``, this module holds data only.
"""

import operator
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .graph_state import InputState, OutputState, ReactState
from .models import ActionResult, RoundRecord, StepRecord, Validation

#: The custom stream event name the workflow's phase reports are sent under.
MESSAGE_EVENT = "message"


class MessageKind(StrEnum):
    """What an event reports: a workflow phase, whatever the mode, or a react node's step."""

    TASK_PLAN = "task_plan"
    TASK_START = "task_start"
    ACTION_START = "action_start"
    ACTION_RESULT = "action_result"
    RETRY = "retry"
    ERROR = "error"
    TASK_COMPLETE = "task_complete"
    WORKFLOW_COMPLETE = "workflow_complete"
    # Only as a react node's live narration:
    INTENT = "intent"
    VALIDATION = "validation"
    LESSON = "lesson"
    COMPLETE = "complete"


class WorkflowMessage(BaseModel):
    """One event of a run, as streamed (``model_dump(mode="json")``) and as kept in state.

    ``text`` is what a person reads (for a phase report our own wording, rendered from a
    template); ``data`` carries the facts behind it so a UI can render its own view without
    parsing the text. Consumers parse a streamed dict back with ``model_validate``.
    """

    model_config = ConfigDict(extra="forbid")

    # The name it is streamed under: "message" for a phase report kept in the workflow's log,
    # the kind itself for a react node's live narration.
    event: str = MESSAGE_EVENT
    kind: MessageKind
    text: str = ""
    round: int = 0
    task: int | None = Field(default=None, description="1-based task number, when in a task.")
    total_tasks: int | None = None
    mode: str = ""
    action: int | None = Field(default=None, description="1-based action number in a batch.")
    step: int | None = Field(default=None, description="The react loop's step (its attempt).")
    attempt: int | None = Field(default=None, description="The agent middleware's attempt.")
    success: bool | None = None
    verdict: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    ts: float = Field(default_factory=time.time)

    @model_validator(mode="before")
    @classmethod
    def _kind_from_event(cls, value: Any) -> Any:
        # A live event's name is its kind, so ``{"event": "action_start", ...}`` suffices.
        if isinstance(value, dict) and "kind" not in value and "event" in value:
            return {**value, "kind": value["event"]}
        return value


class TaskStep(BaseModel):
    """One step of a task plan: what to achieve and how to tell it was achieved."""

    objective: str = Field(description="What this step must deliver, as a self-contained request.")
    success_criteria: list[str] = Field(
        default_factory=list, description="Checkable statements that are true once it is done."
    )


class TaskPlan(BaseModel):
    """The ordered task steps a request was split into."""

    overview: str = Field(default="", description="One sentence on how the steps fit together.")
    tasks: list[TaskStep] = Field(description="The steps, in the order they must run.")


class PlannedAction(BaseModel):
    """One action of an actionplan batch, before it is checked and run."""

    tool: str = Field(description="Name of the tool to run.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="The tool's arguments.")
    rationale: str = Field(default="", description="Why this action is needed.")


class ActionList(BaseModel):
    """A batch of actions that together complete one task step."""

    actions: list[PlannedAction] = Field(description="The actions, in execution order.")


class TaskResult(BaseModel):
    """How one task step ended, as the workflow and its caller see it."""

    index: int
    objective: str
    mode: str
    success: bool
    verdict: str = Field(default="", description="verified, rejected or unverified.")
    deliverable: str = ""
    files: list[str] = Field(default_factory=list)
    final_message: str = ""
    quality_score: float = 0.0
    steps: list[StepRecord] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------
# The actionplan subgraph. It extends the react state so the shared nodes (intent analysis,
# observation, validation, learning) run on it unchanged.


@dataclass(kw_only=True)
class ActionplanInput(InputState):
    """What the workflow hands one actionplan task."""

    task_index: int = 1
    total_tasks: int = 1
    round: int = 1
    max_attempts: int = 3


@dataclass(kw_only=True)
class ActionplanOutput(OutputState):
    """What flows back to the parent: the react output plus the task's messages."""

    workflow_messages: Annotated[list[WorkflowMessage], operator.add] = field(default_factory=list)


@dataclass(kw_only=True)
class ActionplanState(ReactState, ActionplanInput, ActionplanOutput):
    """Working state of one actionplan task."""

    actions: list[PlannedAction] = field(default_factory=list)
    cursor: int = 0
    attempt: int = 0
    action_results: list[ActionResult] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    # The template of a learned skill or strategy replayed as a one-action batch, so the
    # batch is recorded under it; "" for a batch the model planned.
    plan_template: str = ""


# ---------------------------------------------------------------------------------------
# The workflow graph.


@dataclass(kw_only=True)
class WorkflowInput:
    """What a caller passes to the workflow: the request, its files and the mode."""

    request: str = ""
    files: list[str] = field(default_factory=list)
    mode: str = "auto"


@dataclass(kw_only=True)
class WorkflowOutput:
    """What a caller gets back from a round."""

    success: bool = False
    verdict: str = ""
    deliverable: str = ""
    final_message: str = ""
    files_out: list[str] = field(default_factory=list)
    task_plan: TaskPlan | None = None
    task_results: list[TaskResult] = field(default_factory=list)
    workflow_messages: Annotated[list[WorkflowMessage], operator.add] = field(default_factory=list)
    round: int = 0
    model_calls: Annotated[int, operator.add] = 0


@dataclass(kw_only=True)
class WorkflowState(WorkflowInput, WorkflowOutput):
    """The workflow's working state; the mode subgraphs write their outputs into it."""

    rounds: list[RoundRecord] = field(default_factory=list)
    context_files: list[str] = field(default_factory=list)
    cursor: int = 0
    task_mode: str = ""
    task_input: dict[str, Any] = field(default_factory=dict)
    plan_error: str = ""
    # Channels the mode subgraphs' outputs land in; task_finish folds them into a TaskResult.
    validation: Validation | None = None
    steps: Annotated[list[StepRecord], operator.add] = field(default_factory=list)
    lessons: Annotated[list[str], operator.add] = field(default_factory=list)
    steps_seen: int = 0
