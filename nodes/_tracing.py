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
        type(state).__name__, type(state).__name__.removesuffix("State").lower() or "unknown"
    )
    meta: dict[str, Any] = {"mode": _text(mode)}
    intent = _value(state, "intent")
    if intent is not None:
        meta["intent"] = (
            f"{_text(_value(intent, 'data_type'))}/{_text(_value(intent, 'expected_format'))}"
        )
    selection = _value(state, "selection")
    if selection is not None:
        meta["strategy"] = _value(selection, "strategy_id") or _value(selection, "template") or ""
        meta["tool"] = _value(selection, "tool") or ""
    for name in ("pattern", "step"):
        value = _value(state, name)
        if value not in (None, ""):
            meta[name] = value
    return meta


def annotate_node(name: str, state: Any, config: Mapping[str, Any] | None = None) -> None:
    """Tag and describe the current node's trace runs; a no-op when nothing traces.

    Called by the node wrapper before the node body runs. The runs are the objects LangChain's
    tracer posts when the node ends, so what is added here is sent with them: the wrapper's own
    run and, found through the tracer in ``config``, the graph's run for the node around it
    (the one LangSmith shows as the node).
    """
    from langsmith.run_helpers import get_current_run_tree

    run = get_current_run_tree()
    if run is None:
        return
    meta = {"node": name, **node_metadata(state)}
    tags = [TAG, f"node:{name}", f"mode:{meta['mode']}"]
    for target in (run, _parent_run(run, config)):
        if target is not None:
            target.metadata.update(meta)
            target.tags = list(dict.fromkeys([*(target.tags or []), *tags]))


def _parent_run(run: Any, config: Mapping[str, Any] | None) -> Any:
    parent_id = getattr(run, "parent_run_id", None)
    callbacks = (config or {}).get("callbacks")
    if parent_id is None or callbacks is None:
        return None
    for handler in getattr(callbacks, "handlers", None) or []:
        run_map = getattr(handler, "run_map", None)
        if isinstance(run_map, dict) and str(parent_id) in run_map:
            return run_map[str(parent_id)]
    return None
