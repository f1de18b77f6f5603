"""Plumbing shared by the nodes: how the graph runs one, and what every node reads.

Nodes are plain functions. ``graph.invoke`` runs them in the caller's thread; ``ainvoke`` and
an async server (``langgraph dev``, LangServe) run them on LangGraph's worker threads, where
blocking on a model, a store or a sandbox never stalls the event loop. One execution model,
no private event loops.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import inspect
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config, get_stream_writer
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from ..learning.strategies import StrategyStore
from ..llm import faults, load_chat_model
from ..state.context import Context
from ..state.workflow import MessageKind, WorkflowMessage
from ._tracing import annotate_node

NodeFn = Callable[[Any, Runtime[Context]], dict[str, Any]]

_FALLBACK_STORE = InMemoryStore()
_COPIES: dict[tuple[int, float], tuple[BaseChatModel, BaseChatModel]] = {}
_COPIES_LOCK = threading.Lock()


class as_node:  # noqa: N801 - used like the function it replaced: ``as_node(fn)``
    """Wrap a node so its output says which model faults it survived or raised.

    Faults of an attempt that raised wait in ``pending`` for the retry that succeeds: the
    failed attempt's state update is discarded, its tally must not be. The ledger belongs to
    this node of this graph, not to the process. LangGraph gives every attempt of one task the
    same task id, so the key cannot mix two runs or threads.

    A callable object rather than a closure: LangGraph looks for subgraphs hidden in a node
    by walking a plain function's bytecode at compile time, about 1 ms a node on every
    ``compile()``; an object is skipped, and no node of ours hides a subgraph (subgraphs are
    added as nodes of their own).
    """

    MAX_PENDING = 1024  # tasks whose retries ran out never come back for their tally

    def __init__(self, fn: NodeFn):
        self.fn = fn
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.pending: dict[str, Counter[str]] = {}
        self.lock = threading.Lock()

    def _key(self, runtime: Runtime[Context]) -> str:
        info = runtime.execution_info
        return info.task_id if info is not None and info.task_id else current_thread_id()

    def __call__(
        self, state: Any, config: RunnableConfig, runtime: Runtime[Context]
    ) -> dict[str, Any]:
        annotate_node(self.__name__, state, config)
        key = self._key(runtime)
        with faults.collecting() as tally:
            try:
                update = self.fn(state, runtime)
            except Exception as exc:
                kind = faults.transient_kind(exc)
                if kind:
                    tally[kind] += 1
                if tally:
                    self._hold(key, tally)
                raise
        with self.lock:
            tally.update(self.pending.pop(key, Counter()))
        if tally and isinstance(update, dict):
            update = {**update, "faults": dict(tally)}
        return update

    def _hold(self, key: str, tally: Counter[str]) -> None:
        with self.lock:
            self.pending.setdefault(key, Counter()).update(tally)
            while len(self.pending) > self.MAX_PENDING:
                self.pending.pop(next(iter(self.pending)))


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


def stream(message: WorkflowMessage) -> None:
    """Send one event to the run's custom stream; a no-op outside a streaming run.

    It goes as the model's JSON dump, so Studio, LangServe and a filter such as
    ``chunk["event"] == "validation"`` see plain data; readers parse it back with
    ``WorkflowMessage.model_validate``.
    """
    try:
        writer = get_stream_writer()
    except Exception:  # noqa: BLE001 - outside a graph run there is no writer
        return
    writer(message.model_dump(mode="json"))


def emit(kind: MessageKind, **fields: Any) -> None:
    """Stream a react node's live narration of one step: under its kind, kept in no log."""
    stream(WorkflowMessage(event=kind.value, kind=kind, **fields))


def current_thread_id() -> str:
    """The running thread's id, or "" outside a checkpointed run (unit tests, no saver)."""
    try:
        return str(get_config().get("configurable", {}).get("thread_id") or "")
    except RuntimeError:
        return ""


def call_with_timeout(fn: Callable[[], Any], timeout_s: float) -> Any:
    """``fn()`` on a helper thread, given up after ``timeout_s`` seconds (``TimeoutError``).

    For code the caller hands us (a tool, a check) that may hang or be a coroutine function:
    an awaitable result is run to completion on the helper thread's own loop, and cancelled
    there when the time is up. The thread is a daemon: a sync call that never returns keeps
    its thread, but neither the node nor the process's exit waits for it (a pool's worker
    would be joined at exit, and a test run hung there on a tool that ignored its timeout).
    """
    done: concurrent.futures.Future[Any] = concurrent.futures.Future()
    running: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = []

    async def finish(awaitable: Any) -> Any:
        task = asyncio.current_task()
        if task is not None:
            running.append((asyncio.get_running_loop(), task))
        return await awaitable

    def run() -> None:
        try:
            result = fn()
            if inspect.isawaitable(result):
                result = asyncio.run(finish(result))
            done.set_result(result)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            done.set_exception(exc)

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), name="ar-call", daemon=True).start()
    try:
        return done.result(timeout=timeout_s)
    except TimeoutError:
        for loop, task in running:
            loop.call_soon_threadsafe(task.cancel)
        raise
