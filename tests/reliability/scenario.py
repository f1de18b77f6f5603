"""A deterministic two-step scenario and fault injection for the reliability suite.

The script answers from the prompt's content alone (no position in a list), so a process
killed mid-run and resumed in another process gets the same answers. Step 1 runs a python
program whose output is not the primes (a failed, learned outcome); step 2 asks the model
for the list (validated success).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
import openai
from langchain_core.messages import BaseMessage

from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.state import (
    ActionSelection,
    Criterion,
    CriterionKind,
    DataType,
    Intent,
    OutputFormat,
)
from tests.helpers import prompt_kind

N = 25
REQUEST = f"List the first {N} prime numbers"
PRIMES = ", ".join(map(str, expected_sequence("prime", N)))
INTENT = Intent(
    data_type=DataType.NUMBERS,
    expected_format=OutputFormat.RAW_DATA,
    success_criteria=[
        Criterion(kind=CriterionKind.COUNT, value=N),
        Criterion(kind=CriterionKind.PROPERTY, value="prime"),
    ],
    subject="prime numbers",
)
FIRST = ActionSelection(
    tool="python",
    parameters={"code": "print('these are not the primes')"},
    rationale="try a program",
)
SECOND = ActionSelection(
    tool="ai_process", parameters={"prompt": REQUEST}, rationale="ask for the list"
)


def _text(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages)


def answer(messages: list[BaseMessage]) -> Any:
    """The scenario's reply to one prompt."""
    kind = prompt_kind(messages)
    if kind == "intent":
        return INTENT
    if kind == "plan":
        return SECOND if "did not deliver" in _text(messages) else FIRST
    if kind == "ai":
        return PRIMES
    if kind == "codegen":
        return f"```python\nprint({PRIMES!r})\n```"
    if kind == "judge":
        return {"items": []}
    return "I cannot help with that."


def _request() -> httpx.Request:
    return httpx.Request("POST", "https://api.openai.com/v1/chat/completions")


def transport_error(kind: str) -> Exception:
    """An exception exactly as the openai client raises it."""
    if kind == "rate_limit":
        resp = httpx.Response(429, request=_request(), json={"error": {"message": "slow down"}})
        return openai.RateLimitError("Rate limit reached", response=resp, body=None)
    if kind == "timeout":
        return openai.APITimeoutError(request=_request())
    if kind == "connection":
        return openai.APIConnectionError(request=_request())
    raise ValueError(kind)


TRANSPORT = ("rate_limit", "timeout", "connection")


class FaultyScript:
    """Wrap :func:`answer`: a share of calls fails (transport error or malformed output)."""

    def __init__(
        self,
        rate: float = 0.3,
        seed: int = 0,
        *,
        kinds: tuple[str, ...] = (*TRANSPORT, "malformed_output"),
        always: str | None = None,
        delay_s: float = 0.0,
    ):
        self.rate, self.kinds, self.always, self.delay_s = rate, kinds, always, delay_s
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: dict[str, int] = {}
        self.calls = 0

    def __call__(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self.lock:
            self.calls += 1
            if self.always:
                fault: str | None = self.always
            elif self.rng.random() < self.rate:
                structured = prompt_kind(messages) in ("intent", "plan", "judge")
                options = [k for k in self.kinds if structured or k != "malformed_output"]
                fault = self.rng.choice(options) if options else None
            else:
                fault = None
            if fault:
                self.injected[fault] = self.injected.get(fault, 0) + 1
        if fault == "malformed_output":
            return '{"data_type": "numbers", "oops'  # truncated JSON, not even parseable
        if fault:
            raise transport_error(fault)
        return answer(messages)


def scenario_model(**faulty: Any) -> tuple[ScriptedChatModel, FaultyScript]:
    """The scenario's model; with ``rate=0`` (default here) it never fails."""
    faulty.setdefault("rate", 0.0)
    script = FaultyScript(**faulty)
    return ScriptedChatModel(script=script), script
