"""The actionplan mode as its own subgraph: plan a batch, check it, run it, review, retry.

```
intent_analyze -> generate_actions -> check_actions -> execute_action (per action)
                        ^                   |                  |
                        +--- rejected ------+                  v
                        +--- retry with findings --- decide_retry <- learn <- review <- observe
```

Intent analysis, observation, review (the validate node) and learning are the react loop's
own nodes, so both modes understand, check and learn the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from langchain_core.tools import BaseTool
from langgraph.graph import StateGraph

from ..nodes import intent_analyze, learn, observe, validate
from ..nodes.actionplan_check import make_check_actions
from ..nodes.actionplan_decide import decide_retry
from ..nodes.actionplan_execute import make_execute_action
from ..nodes.actionplan_generate import make_generate_actions
from ..state import Context
from ..state.workflow import ActionplanInput, ActionplanOutput, ActionplanState
from ..tools import ToolBox
from .retry import add_entry, add_path, add_step


def intent_understood(state: ActionplanState) -> Literal["generate_actions", "__end__"]:
    """Plan actions unless intent analysis rejected the task."""
    return "__end__" if state.intent is None else "generate_actions"


def actions_accepted(
    state: ActionplanState,
) -> Literal["execute_action", "generate_actions", "__end__"]:
    """Run an accepted batch; send a rejected one back while attempts remain.

    check_actions leaves its problems as the findings (none for an accepted batch), which
    is also what the next generate_actions is told to fix.
    """
    if not state.findings:
        return "execute_action"
    return "generate_actions" if state.attempt < state.max_attempts else "__end__"


def actions_remaining(state: ActionplanState) -> Literal["execute_action", "observe"]:
    """Keep executing until the batch is done or an action failed."""
    last = state.action_results[-1] if state.action_results else None
    if last is not None and last.success and state.cursor < len(state.actions):
        return "execute_action"
    return "observe"


def retry_with_findings(state: ActionplanState) -> Literal["generate_actions", "__end__"]:
    """Loop back to generation while decide_retry says to continue."""
    if state.decision is not None and state.decision.action == "continue":
        return "generate_actions"
    return "__end__"


def make_actionplan_builder(
    tools: Sequence[BaseTool] = (), *, allow_python: bool = True
) -> StateGraph[ActionplanState, Context, ActionplanInput, ActionplanOutput]:
    """The actionplan subgraph, uncompiled, with the given user tools added to the built-ins."""
    toolbox = ToolBox(tools, allow_python=allow_python)
    b = StateGraph(
        ActionplanState,
        context_schema=Context,
        input_schema=ActionplanInput,
        output_schema=ActionplanOutput,
    )
    add_entry(b, "intent_analyze", intent_analyze, intent_understood)
    add_path(
        b,
        {
            "generate_actions": make_generate_actions(toolbox),
            "check_actions": make_check_actions(toolbox),
        },
    )
    add_step(b, "execute_action", make_execute_action(toolbox))
    add_path(
        b, {"observe": observe, "review": validate, "learn": learn, "decide_retry": decide_retry}
    )
    b.add_conditional_edges("check_actions", actions_accepted)
    b.add_conditional_edges("execute_action", actions_remaining)
    b.add_conditional_edges("decide_retry", retry_with_findings)
    return b


actionplan_builder = make_actionplan_builder()
actionplan_graph = actionplan_builder.compile(name="actionplan")
