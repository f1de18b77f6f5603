"""The public constructor: a compiled adaptive agent with the caller's model and persistence."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.base import maybe_add_typed_methods
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import StateGraph
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore

from .graph import RECURSION_LIMIT, make_builder
from .state import Context
from .state.serde import checkpoint_allowlist

MAX_STEPS_LIMIT = 30


def with_state_types(checkpointer: Any) -> Any:
    """The checkpointer with our state's types on its msgpack allowlist (a clone; see serde).

    LangGraph's default serializer allows every type and logs a warning per type on first
    read, and an allowlist added to it is ignored. Our state holds only our own types and
    LangGraph's safe ones, so a saver still on that default gets a serializer that allows
    exactly those: no warnings for users, and nothing else is revived from a checkpoint. A
    serializer the caller configured (strict, custom hook, encrypted) is extended instead.
    """
    if not isinstance(checkpointer, BaseCheckpointSaver):
        return checkpointer
    serde = checkpointer.serde
    permissive = (
        type(serde) is JsonPlusSerializer
        and getattr(serde, "_allowed_msgpack_modules", None) is True
        and not getattr(serde, "_custom_unpack_ext_hook", True)
    )
    if not permissive:
        return checkpointer.with_allowlist(checkpoint_allowlist())
    assert isinstance(serde, JsonPlusSerializer)
    explicit = JsonPlusSerializer(
        pickle_fallback=serde.pickle_fallback,
        allowed_json_modules=getattr(serde, "_allowed_json_modules", None),
        allowed_msgpack_modules=sorted(checkpoint_allowlist()),
    )
    clone = copy.copy(checkpointer)
    clone.serde = maybe_add_typed_methods(explicit)
    return clone


def _default_context(
    model: str | BaseChatModel,
    max_steps: int,
    namespace: str,
    allow_python: bool,
    require_approval: bool,
    extra: dict[str, Any],
) -> Context:
    """The Context both constructors bake in, checked before anything is compiled."""
    if not 1 <= max_steps <= MAX_STEPS_LIMIT:
        raise ValueError(f"max_steps must be between 1 and {MAX_STEPS_LIMIT}, got {max_steps}")
    if not namespace or "." in namespace:
        raise ValueError(f"namespace must be non-empty and contain no dots, got {namespace!r}")
    return Context(
        model=model,
        max_steps=max_steps,
        namespace=namespace,
        allow_python=allow_python,
        require_approval=require_approval,
        **extra,
    )


def create_adaptive_agent(
    model: str | BaseChatModel = "local",
    tools: Sequence[BaseTool] | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    max_steps: int = 8,
    *,
    namespace: str = "default",
    allow_python: bool = True,
    require_approval: bool = False,
    workflow: bool | Sequence[str] = False,
    **context: Any,
) -> Pregel[Any, Any, Any, Any]:
    """Compile the adaptive react loop with a model, tools and persistence.

    The returned graph carries a default ``Context`` built from these arguments, so callers can
    ``invoke`` it without passing ``context=``; passing one still overrides everything. With
    ``workflow`` (True, or the names of the modes tasks may use) it compiles the workflow
    instead: see :func:`create_workflow_agent`.

    Raises:
        ValueError: On an out-of-range step budget, an invalid namespace or an unknown mode.
    """
    default_context = _default_context(
        model, max_steps, namespace, allow_python, require_approval, context
    )
    if not workflow:
        builder = make_builder(tools or (), allow_python=allow_python)
        return _compile(builder, checkpointer, store, "adaptive-react", default_context)
    from .graph.workflow import WORKFLOW_RECURSION_LIMIT, make_workflow_builder

    modes = None if isinstance(workflow, bool) else workflow
    try:
        flow = make_workflow_builder(tools or (), allow_python=allow_python, modes=modes)
    except KeyError as exc:
        raise ValueError(f"unknown mode {exc.args[0]!r}") from None
    # _compile applies RECURSION_LIMIT, which is the workflow's limit too.
    assert WORKFLOW_RECURSION_LIMIT <= RECURSION_LIMIT
    return _compile(flow, checkpointer, store, "adaptive-workflow", default_context)


def create_workflow_agent(
    *args: Any, modes: Sequence[str] | None = None, **kwargs: Any
) -> Pregel[Any, Any, Any, Any]:
    """Compile the workflow: a task plan, each task in a mode, then a summary.

    Takes :func:`create_adaptive_agent`'s arguments; ``modes`` names the modes tasks may use
    (all by default). Input is ``{"request": ..., "files": [...], "mode": "auto" | "react" |
    "actionplan"}``; rounds on the same thread (with a checkpointer) see the earlier rounds.
    """
    return create_adaptive_agent(*args, workflow=modes or True, **kwargs)


def _compile(
    builder: StateGraph[Any, Any, Any, Any],
    checkpointer: BaseCheckpointSaver[Any] | None,
    store: BaseStore | None,
    name: str,
    ctx: Context,
) -> Pregel[Any, Any, Any, Any]:
    """The one way both constructors compile, so persistence and defaults cannot drift apart."""
    compiled = builder.compile(checkpointer=with_state_types(checkpointer), store=store, name=name)
    return _with_default_context(compiled, ctx)


def _with_default_context(
    compiled: Pregel[Any, Any, Any, Any], ctx: Context
) -> Pregel[Any, Any, Any, Any]:
    compiled = compiled.with_config(recursion_limit=RECURSION_LIMIT)
    for name in ("invoke", "ainvoke", "stream", "astream"):
        original = getattr(compiled, name)

        def bound(*args: Any, __orig: Any = original, **kwargs: Any) -> Any:
            kwargs.setdefault("context", ctx)
            return __orig(*args, **kwargs)

        setattr(compiled, name, bound)
    return compiled
