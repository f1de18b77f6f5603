"""The adaptive react loop as a LangGraph state machine.

``builder`` is uncompiled so each caller chooses persistence (tests, the CLI and Studio each
bring their own); ``graph`` is compiled without a checkpointer for the LangGraph server.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.tools import BaseTool
from langgraph.graph import StateGraph

from ..nodes import (
    intent_analyze,
    learn,
    make_act,
    make_plan_select,
    observe,
    refine_decide,
    validate,
)
from ..state import Context, InputState, OutputState, ReactState
from ..tools import ToolBox
from .retry import add_entry, add_path
from .routing import keep_refining, request_is_actionable

# Six nodes per step plus intent analysis: enough for a 30-step budget, which Context caps.
RECURSION_LIMIT = 200


def make_builder(
    tools: Sequence[BaseTool] = (), *, allow_python: bool = True
) -> StateGraph[ReactState, Context, InputState, OutputState]:
    """The react loop, uncompiled, with the given user tools added to the built-ins."""
    toolbox = ToolBox(tools, allow_python=allow_python)
    b = StateGraph(
        ReactState, context_schema=Context, input_schema=InputState, output_schema=OutputState
    )
    add_entry(b, "intent_analyze", intent_analyze, request_is_actionable)
    add_path(
        b,
        {
            "plan_select": make_plan_select(toolbox),
            "act": make_act(toolbox),
            "observe": observe,
            "validate": validate,
            "learn": learn,
            "refine_decide": refine_decide,
        },
    )
    b.add_conditional_edges("refine_decide", keep_refining)
    return b


builder = make_builder()
graph = builder.compile(name="adaptive-react").with_config(recursion_limit=RECURSION_LIMIT)
