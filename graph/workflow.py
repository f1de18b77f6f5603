"""The workflow: task plan -> each task in a mode (a subgraph) -> completion summary.

```
task_plan -> task_start -> <mode subgraph: react | actionplan | ...> -> task_finish -+
                 ^                                                                   |
                 +------------------------- next task -------------------------------+
                                                      last task / failure -> workflow_complete
```

Modes are a registry: ``register_mode`` adds one (a name, how to build its compiled subgraph,
and which learned templates are its own for ``auto``) without touching the existing ones.
Each task is sent to its mode with ``Send``, so the subgraph is a real node: it shows in
``get_graph(xray=True)``, streams with ``subgraphs=True`` and is checkpointed per task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.tools import BaseTool
from langgraph.graph import END, StateGraph
from langgraph.pregel import Pregel
from langgraph.types import Send

from ..nodes.task_plan import make_task_plan
from ..nodes.workflow import make_task_start, task_finish, workflow_complete
from ..state import Context
from ..state.workflow import WorkflowInput, WorkflowOutput, WorkflowState
from .actionplan import make_actionplan_builder
from .react import RECURSION_LIMIT, make_builder
from .retry import add_entry, add_step

SubgraphFactory = Callable[[Sequence[BaseTool], bool], Pregel[Any, Any, Any, Any]]


@dataclass(frozen=True)
class Mode:
    """A way of working on one task step.

    Attributes:
        name: The node name and the value of the ``mode`` input.
        build: Builds the compiled subgraph from the user tools and whether python is allowed.
            Its input schema must accept ``request`` and ``files``; its output should carry
            the react ``OutputState`` fields (and may carry ``workflow_messages``).
        template_prefix: Learned templates starting with this belong to the mode (``auto``
            compares modes on them); ``None`` claims every template no other mode claims.
    """

    name: str
    build: SubgraphFactory
    template_prefix: str | None = None


MODES: dict[str, Mode] = {}


def register_mode(mode: Mode) -> None:
    """Add (or replace) a mode; workflows built afterwards offer it."""
    if mode.name in {"auto", "task_plan", "task_start", "task_finish", "workflow_complete"}:
        raise ValueError(f"{mode.name!r} is reserved")
    MODES[mode.name] = mode


register_mode(
    Mode(
        "react",
        lambda tools, python: make_builder(tools, allow_python=python).compile(name="react"),
    )
)
register_mode(
    Mode(
        "actionplan",
        lambda tools, python: make_actionplan_builder(tools, allow_python=python).compile(
            name="actionplan"
        ),
        template_prefix="actionplan:",
    )
)


def plan_accepted(state: WorkflowState) -> Literal["task_start", "workflow_complete"]:
    """Start the first task, or report the rejected plan."""
    return "task_start" if state.task_plan is not None else "workflow_complete"


def dispatch_task(state: WorkflowState) -> Send:
    """Send the task's input to its mode's subgraph."""
    return Send(state.task_mode, state.task_input)


def next_task(state: WorkflowState) -> Literal["task_start", "workflow_complete"]:
    """Go on while tasks remain and the last one succeeded (later tasks build on it)."""
    last = state.task_results[-1] if state.task_results else None
    if last is None or not last.success or state.task_plan is None:
        return "workflow_complete"
    return "task_start" if state.cursor < len(state.task_plan.tasks) else "workflow_complete"


def make_workflow_builder(
    tools: Sequence[BaseTool] = (),
    *,
    allow_python: bool = True,
    modes: Sequence[str] | None = None,
) -> StateGraph[WorkflowState, Context, WorkflowInput, WorkflowOutput]:
    """The workflow graph, uncompiled, with every registered mode (or the named ones)."""
    chosen = [MODES[m] for m in (modes or list(MODES))]
    prefixes = {m.name: m.template_prefix for m in chosen}
    b = StateGraph(
        WorkflowState,
        context_schema=Context,
        input_schema=WorkflowInput,
        output_schema=WorkflowOutput,
    )
    add_entry(b, "task_plan", make_task_plan(list(prefixes)), plan_accepted)
    add_step(b, "task_start", make_task_start(prefixes))
    for mode in chosen:
        b.add_node(mode.name, mode.build(tools, allow_python))
        b.add_edge(mode.name, "task_finish")
    add_step(b, "task_finish", task_finish)
    add_step(b, "workflow_complete", workflow_complete)
    b.add_conditional_edges("task_start", dispatch_task, list(prefixes))
    b.add_conditional_edges("task_finish", next_task)
    b.add_edge("workflow_complete", END)
    return b


WORKFLOW_RECURSION_LIMIT = RECURSION_LIMIT

workflow_builder = make_workflow_builder()
workflow_graph = workflow_builder.compile(name="adaptive-workflow").with_config(
    recursion_limit=WORKFLOW_RECURSION_LIMIT
)
