"""Trace annotations for node runs: tags and metadata from the state a node runs on.

Nodes know nothing of LangSmith; the node wrapper calls :func:`annotate_node`, which finds the
current trace run (only when LangChain's tracer is active) and labels it. See
``adaptive_react.tracing`` for how tracing is switched on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TAG = "adaptive-react"

#: State classes whose mode is not spelled in the state itself.
_MODE_OF_STATE = {"ReactState": "react"}


def _value(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


def node_metadata(state: Any) -> dict[str, Any]:
    """Mode, intent, strategy, pattern and step of the state a node runs on (no secrets)."""
    mode = _value(state, "mode") or _MODE_OF_STATE.get(
        type(state).__name__, type(state).__name__.removesuffix("State").lower() or "unknown")
    meta: dict[str, Any] = {"mode": _text(mode)}
    intent = _value(state, "intent")
    if intent is not None:
        meta["intent"] = f"{_text(_value(intent, 'data_type'))}/" \
                         f"{_text(_value(intent, 'expected_format'))}"
    selection = _value(state, "selection")
    if selection is not None:
        meta["strategy"] = _value(selection, "strategy_id") or _value(selection, "template") or ""
        meta["tool"] = _value(selection, "tool") or ""
    for name in ("pattern", "step"):
        value = _value(state, name)
        if value not in (None, ""):
            meta[name] = value
    return meta


def annotate_node(name: str, state: Any) -> None:
    """Add tags and metadata to the current node's trace run; a no-op when nothing traces.

    Called by the node wrapper before the node body runs. The run object is the one LangChain's
    tracer posts when the node ends, so what is added here lands on that run.
    """
    from langsmith.run_helpers import get_current_run_tree

    run = get_current_run_tree()
    if run is None:
        return
    meta = node_metadata(state)
    run.metadata.update({"node": name, **meta})
    tags = [TAG, f"node:{name}", f"mode:{meta['mode']}"]
    run.tags = list(dict.fromkeys([*(run.tags or []), *tags]))
