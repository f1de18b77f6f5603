"""Model calls that know whether the caller may block.

Graph nodes are coroutines. Under an async server they must await the async API; when a
caller used ``graph.invoke`` they run on a private per-thread loop where blocking is harmless,
and LangChain's async path would only add worker-thread hops (output parsers, sync
callbacks) that cost more than the node itself. The node wrapper marks that case.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig

_BLOCKING_OK: ContextVar[bool] = ContextVar("adaptive_react_blocking_ok", default=False)


@contextmanager
def blocking_allowed() -> Iterator[None]:
    """Mark the current context as a synchronous caller's private loop."""
    token = _BLOCKING_OK.set(True)
    try:
        yield
    finally:
        _BLOCKING_OK.reset(token)


def may_block() -> bool:
    """Whether the running node was invoked synchronously."""
    return _BLOCKING_OK.get()


async def ainvoke_model(
    model: BaseChatModel, messages: list[BaseMessage], *, config: RunnableConfig | None = None
) -> Any:
    """``model.invoke`` for synchronous callers, ``await model.ainvoke`` otherwise."""
    if may_block():
        return model.invoke(messages, config=config)
    return await model.ainvoke(messages, config=config)
