"""observe: look at the content itself, classified by code rather than by the model."""

from __future__ import annotations

from typing import Any

from ..analysis import observe as observe_content
from ..state import ReactState


def observe(state: ReactState, runtime: object) -> dict[str, Any]:
    """Classify what the action produced and keep a bounded snippet."""
    assert state.result is not None and state.intent is not None
    return {"observation": observe_content(state.result, state.intent)}
