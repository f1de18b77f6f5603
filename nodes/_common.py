"""Plumbing shared by the nodes: one coroutine per node, usable from sync and async callers.

Each node is written once as a coroutine (so it can use the store's and model's async APIs
under an async server) and wrapped so ``graph.invoke`` runs it too: on a private event loop,
or on a helper thread when the caller is itself inside a running loop (a notebook).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph._internal._runnable import RunnableCallable
from langgraph.config import get_config, get_stream_writer
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from ..learning.strategies import StrategyStore
from ..llm import faults, load_chat_model
from ..llm.calls import blocking_allowed
from ..state.context import Context
from ._tracing import annotate_node

NodeFn = Callable[[Any, Runtime[Context]], Coroutine[Any, Any, dict[str, Any]]]

_FALLBACK_STORE = InMemoryStore()
_COPIES: dict[tuple[int, float], tuple[BaseChatModel, BaseChatModel]] = {}
_COPIES_LOCK = threading.Lock()


_THREAD = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    # One loop per thread, reused by every node it runs: a fresh loop per node (and the
    # teardown of its default executor) cost more than the node's own work.
    loop: asyncio.AbstractEventLoop | None = getattr(_THREAD, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _THREAD.loop = loop
    return loop


async def _blocking(coro: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    with blocking_allowed():
        return await coro


def _run_sync(coro: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _thread_loop().run_until_complete(_blocking(coro))
    ctx = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ctx.run, asyncio.run, _blocking(coro)).result()


# Faults of an attempt that raised wait here, keyed by (thread, node), for the retry that
# succeeds: the failed attempt's state update is discarded, its tally must not be.
_PENDING_FAULTS: dict[tuple[str, str], Counter[str]] = {}
_PENDING_LOCK = threading.Lock()


async def _counted(fn: NodeFn, state: Any, runtime: Runtime[Context]) -> dict[str, Any]:
    """Run a node and add the model faults it survived or raised to its ``faults`` output."""
    key = (current_thread_id(), fn.__name__)
    with faults.collecting() as tally:
        try:
            update = await fn(state, runtime)
        except Exception as exc:
            kind = faults.transient_kind(exc)
            if kind:
                tally[kind] += 1
            if tally:
                with _PENDING_LOCK:
                    _PENDING_FAULTS.setdefault(key, Counter()).update(tally)
            raise
    with _PENDING_LOCK:
        tally.update(_PENDING_FAULTS.pop(key, Counter()))
    if tally and isinstance(update, dict):
        update = {**update, "faults": dict(tally)}
    return update


def as_node(fn: NodeFn) -> RunnableCallable:
    """Wrap a node coroutine so the graph can run it sync or async.

    LangGraph's own callable wrapper injects ``config`` and ``runtime`` from signatures read
    once at build time; a ``RunnableLambda`` re-inspected them on every call, which cost more
    than most nodes' own work.
    """

    def sync(state: Any, config: RunnableConfig, runtime: Runtime[Context]) -> dict[str, Any]:
        annotate_node(fn.__name__, state, config)
        return _run_sync(_counted(fn, state, runtime))

    async def run_async(
        state: Any, config: RunnableConfig, runtime: Runtime[Context]
    ) -> dict[str, Any]:
        annotate_node(fn.__name__, state, config)
        await _load_model_off_loop(runtime)
        return await _counted(fn, state, runtime)

    return RunnableCallable(sync, run_async, name=fn.__name__)


async def _load_model_off_loop(runtime: Runtime[Context]) -> None:
    """Load (and cache) the run's model on a worker thread before an async node runs.

    Loading may probe a model server or start the local one: blocking work that must not run
    on an async server's event loop (``langgraph dev`` refuses it). ``model_of`` then hits the
    cache. A failure is left for ``model_of`` to raise where the node handles it.
    """
    ctx = context_of(runtime)
    if not isinstance(ctx.model, str):
        return
    for temperature in dict.fromkeys((ctx.temperature, ctx.retry_temperature)):
        try:
            await asyncio.to_thread(load_chat_model, ctx.model, temperature=temperature)
        except Exception:  # noqa: BLE001 - reported by model_of at the point of use
            return


def context_of(runtime: Runtime[Context]) -> Context:
    """The run's context; a default one when a caller passed none (e.g. through LangServe)."""
    ctx = runtime.context
    if ctx is None:
        return Context()
    if isinstance(ctx, dict):
        return Context(**ctx)
    return ctx


def store_of(runtime: Runtime[Context]) -> BaseStore:
    """The run's store; a process-local memory store when the graph was compiled without one."""
    return runtime.store if runtime.store is not None else _FALLBACK_STORE


def strategies_of(runtime: Runtime[Context]) -> StrategyStore:
    """The strategy store for this run's namespace."""
    ctx = context_of(runtime)
    return StrategyStore(store_of(runtime), ctx.namespace, ctx.shared_namespace)


def model_of(runtime: Runtime[Context], temperature: float | None = None) -> BaseChatModel:
    """The run's chat model, at the requested temperature when it can be set per call."""
    ctx = context_of(runtime)
    temp = ctx.temperature if temperature is None else temperature
    model = load_chat_model(ctx.model, temperature=temp)
    if (
        not isinstance(ctx.model, str)
        and temperature is not None
        and "temperature" in type(model).model_fields
    ):
        # An object from Python keeps its own settings except the temperature of a retry;
        # one copy per temperature, so per-model caches (structured runnables) stay warm.
        key = (id(model), temp)
        with _COPIES_LOCK:
            hit = _COPIES.get(key)
            if hit is None or hit[0] is not model:
                hit = (model, model.model_copy(update={"temperature": temp}))
                _COPIES[key] = hit
                if len(_COPIES) > 64:
                    _COPIES.pop(next(iter(_COPIES)))
        return hit[1]
    return model


def emit(kind: str, **data: Any) -> None:
    """A custom stream event; a no-op outside a streaming run."""
    try:
        writer = get_stream_writer()
    except Exception:  # noqa: BLE001 - outside a graph run there is no writer
        return
    writer({"event": kind, **data})


def current_thread_id() -> str:
    """The running thread's id, or "" outside a checkpointed run (unit tests, no saver)."""
    try:
        return str(get_config().get("configurable", {}).get("thread_id") or "")
    except RuntimeError:
        return ""
