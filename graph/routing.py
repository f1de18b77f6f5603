"""Routing functions, each named for the decision it makes."""

from __future__ import annotations

from typing import Literal

from ..state import ReactState


def request_is_actionable(state: ReactState) -> Literal["plan_select", "__end__"]:
    """Go on to planning unless intent analysis rejected the request."""
    return "__end__" if state.intent is None else "plan_select"


def keep_refining(state: ReactState) -> Literal["plan_select", "__end__"]:
    """Loop back to planning while refine_decide says to continue."""
    if state.decision is not None and state.decision.action == "continue":
        return "plan_select"
    return "__end__"
