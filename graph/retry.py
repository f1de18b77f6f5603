"""Retry policy for the nodes that call the model.

Rate limits, timeouts, dropped connections and 5xx answers are retried with exponential
backoff and jitter (LangGraph ``RetryPolicy``); anything else (a bug, invalid configuration)
fails at once. When the attempts run out the last error propagates, so a model that never
recovers ends the run with that error instead of hanging; the checkpoint of the last
completed node stays, and the run can be resumed (``adaptive-react run --thread``).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

from ..llm.faults import is_transient
from ..nodes import as_node

#: Nodes whose work includes model calls, in every graph (react, actionplan, workflow).
MODEL_NODES = frozenset(
    {
        "intent_analyze",
        "plan_select",
        "act",
        "validate",  # react
        "generate_actions",
        "execute_action",
        "review",  # actionplan (review is validate)
        "task_plan",  # workflow
    }
)

# About 0.5 + 1 + 2 + 4 + 8 = 15.5 s of waiting (plus jitter) over six attempts: at a 30%
# fault rate one node gives up once in ~1,400 calls (0.3 ** 6).
MAX_ATTEMPTS = 6
INITIAL_INTERVAL_S = 0.5
BACKOFF_FACTOR = 2.0
MAX_INTERVAL_S = 16.0


def model_retry_policy() -> RetryPolicy:
    """The policy for model-calling nodes, built from this module's settings at call time.

    Jitter is ``RetryPolicy``'s default, so nodes that failed together do not retry in step.
    """
    return RetryPolicy(
        initial_interval=INITIAL_INTERVAL_S,
        backoff_factor=BACKOFF_FACTOR,
        max_interval=MAX_INTERVAL_S,
        max_attempts=MAX_ATTEMPTS,
        retry_on=is_transient,
    )


def add_step(builder: StateGraph[Any, Any, Any, Any], name: str, node: Callable[..., Any]) -> None:
    """Add a node the way every graph does, so no graph forgets the model retry policy.

    The actionplan and workflow graphs once wired their nodes by hand and lost it: one
    dropped connection there ended the run while the react graph would have retried.
    """
    policy = model_retry_policy() if name in MODEL_NODES else None
    builder.add_node(name, as_node(node), retry_policy=policy)  # type: ignore[call-overload]


def add_entry(
    builder: StateGraph[Any, Any, Any, Any],
    name: str,
    node: Callable[..., Any],
    route: Callable[..., Any],
) -> None:
    """Start a graph at ``node`` and route on its result: how every graph begins."""
    add_step(builder, name, node)
    builder.add_edge(START, name)
    builder.add_conditional_edges(name, route)


def add_path(builder: StateGraph[Any, Any, Any, Any], steps: dict[str, Callable[..., Any]]) -> None:
    """Add nodes that always follow one another, in order, so a graph reads as its pipeline."""
    for name, node in steps.items():
        add_step(builder, name, node)
    for source, target in pairwise(steps):
        builder.add_edge(source, target)
