"""Callback handlers that count model calls and tokens, and time graph nodes."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult


class ModelUsage(BaseCallbackHandler):
    """Model calls, tokens and time spent inside the model, for one agent run.

    Attached to the chat model itself (not the run config), so every call counts once
    whichever path reaches the model (structured output, retries, tool loops). Tokens come
    from the provider's ``usage_metadata``; when a provider reports none, they are estimated
    as characters / 4 and ``estimated`` is set.
    """

    def __init__(self) -> None:
        self.calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.model_s = 0.0
        self.estimated = False
        self._starts: dict[UUID, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        """Count the call and remember when it started."""
        chars = sum(len(str(m.content)) for batch in messages for m in batch)
        with self._lock:
            self.calls += 1
            self._starts[run_id] = (time.perf_counter(), chars)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the call's tokens and duration."""
        with self._lock:
            start, chars = self._starts.pop(run_id, (time.perf_counter(), 0))
            self.model_s += time.perf_counter() - start
            usage = None
            for gens in response.generations:
                for gen in gens:
                    usage = getattr(getattr(gen, "message", None), "usage_metadata", None) or usage
            if usage:
                self.input_tokens += int(usage.get("input_tokens", 0))
                self.output_tokens += int(usage.get("output_tokens", 0))
            else:
                self.estimated = True
                text = sum(len(g.text) for gens in response.generations for g in gens)
                self.input_tokens += chars // 4
                self.output_tokens += text // 4

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """A failed call still took time."""
        with self._lock:
            start, _ = self._starts.pop(run_id, (time.perf_counter(), 0))
            self.model_s += time.perf_counter() - start


class NodeTimer(BaseCallbackHandler):
    """Wall time per top-level graph node (the graph's direct children), for overhead."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self._root: UUID | None = None
        self._open: dict[UUID, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        """Start timing a node run directly under the graph run."""
        with self._lock:
            if parent_run_id is None:
                self._root = run_id
            elif parent_run_id == self._root:
                name = kwargs.get("name") or (serialized or {}).get("name") or "?"
                self._open[run_id] = (str(name), time.perf_counter())

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Stop timing the node."""
        self._close(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """Interrupts and errors end a node too."""
        self._close(run_id)

    def _close(self, run_id: UUID) -> None:
        with self._lock:
            if run_id in self._open:
                name, start = self._open.pop(run_id)
                self.seconds[name] += time.perf_counter() - start
                self.counts[name] += 1
