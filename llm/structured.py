"""Structured output that survives weak models: constrain, parse, repair once, give up.

The strategy, in order:

1. ``model.with_structured_output(schema, include_raw=True)``: the provider's own
   constrained path (OpenAI: strict JSON schema; our local server: JSON-schema grammar).
   For OpenAI-compatible servers that reject a method (HTTP 4xx/5xx), fall back to
   forced tool calling, then JSON mode.
2. If the parsed value is missing, salvage it deterministically from the raw text
   (fenced or embedded JSON, a single wrapping key) - measured on the 0.5B model,
   clean-up recovers more than model retries do.
3. One repair call that shows the model its own answer and the validation error.
4. Otherwise ``value=None`` with the errors; the caller applies its deterministic fallback.

Models without ``with_structured_output`` (it raises ``NotImplementedError``) get the same
loop over plain text with the JSON schema in the system prompt.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig, RunnableSequence
from pydantic import BaseModel, ValidationError

from ..prompts import render
from ..prompts import structured as prompts
from . import faults
from .text import extract_json

#: Methods tried in order on OpenAI-compatible clients; ``None`` is the provider default.
OPENAI_METHODS: tuple[str | None, ...] = (None, "function_calling", "json_mode")
_MAX_ERROR_CHARS = 800


@dataclass
class StructuredOutcome:
    """What a structured call produced, and what it cost.

    Attributes:
        value: A validated instance of the schema, or ``None`` when every attempt failed.
        calls: Model invocations made (including rejected requests and the repair).
        errors: One line per failed attempt, oldest first.
        raw: The last raw model text (JSON arguments for tool calls).
        method: The path that was used: ``default``, ``function_calling``, ``json_mode``
            or ``text``.
    """

    value: BaseModel | None = None
    calls: int = 0
    errors: list[str] = field(default_factory=list)
    raw: str = ""
    method: str = ""

    @property
    def ok(self) -> bool:
        """Whether a valid value was obtained."""
        return self.value is not None


def invoke_structured(
    model: BaseChatModel,
    schema: type[BaseModel],
    messages: list[BaseMessage],
    *,
    config: RunnableConfig | None = None,
) -> StructuredOutcome:
    """Ask ``model`` for an instance of ``schema``; never raises on invalid output.

    Args:
        model: Any chat model; fakes that implement ``with_structured_output`` work.
        schema: The pydantic model to produce.
        messages: The conversation; it is not modified.
        config: Passed to every model call (callbacks, tags, run name).

    Returns:
        The outcome; ``outcome.value`` is ``None`` if no valid instance was obtained.

    Raises:
        Exception: Transport failures (server down, authentication) propagate; they
            are not the model's fault and a fallback would hide them.
    """
    outcome = StructuredOutcome()
    methods = OPENAI_METHODS if _is_openai_client(model) else (None,)
    for position, method in enumerate(methods):
        runnable = _structured_runnable(model, schema, method)
        if runnable is None:
            break
        prompt = _with_schema_instruction(messages, schema) if method == "json_mode" else messages
        outcome.method = method or "default"
        try:
            result = runnable.invoke(prompt, config=config)
        except NotImplementedError:
            break
        except Exception as exc:
            outcome.calls += 1
            if position + 1 < len(methods) and _is_rejected_request(exc):
                outcome.errors.append(f"{outcome.method}: request rejected: {_short(exc)}")
                continue
            raise
        return _accept_or_repair(outcome, runnable, prompt, result, schema, config)

    # Plain-text path: the schema goes into the prompt and JSON is parsed from the reply.
    outcome.method = "text"
    prompt = _with_schema_instruction(messages, schema)
    result = model.invoke(prompt, config=config)
    return _accept_or_repair(outcome, model, prompt, result, schema, config)


def _accept_or_repair(
    outcome: StructuredOutcome,
    runnable: Runnable[Any, Any],
    prompt: list[BaseMessage],
    result: Any,
    schema: type[BaseModel],
    config: RunnableConfig | None,
) -> StructuredOutcome:
    """Count the answer, and ask once for a repair if it is invalid.

    Both paths (structured method and plain text) allow exactly one repair; sharing the step
    keeps their call counts and error records identical.
    """
    outcome.calls += 1
    if _accept(outcome, result, schema):
        return outcome
    repaired = runnable.invoke(_repair_messages(prompt, outcome, schema), config=config)
    outcome.calls += 1
    _accept(outcome, repaired, schema)
    return outcome


def _is_openai_client(model: BaseChatModel) -> bool:
    """Whether the model is langchain-openai's, without importing it (about a second) to ask.

    A model of that class exists only once its module is loaded, so an unloaded module
    answers no; a fake or local model on its first structured call no longer pays the import.
    """
    module = sys.modules.get("langchain_openai.chat_models.base")
    base = getattr(module, "BaseChatOpenAI", None)
    return base is not None and isinstance(model, base)


# Building a structured runnable renders the schema to JSON (milliseconds per call); the loop
# asks the same model for the same schemas on every step, so the runnables are kept. The
# cache holds its models strongly, so an id can never be reused while its entry lives.
_RUNNABLES: OrderedDict[tuple[int, type[BaseModel], str | None], Any] = OrderedDict()
_RUNNABLES_LOCK = threading.Lock()
_RUNNABLES_MAX = 128


def _structured_runnable(model: BaseChatModel, schema: type[BaseModel], method: str | None) -> Any:
    """A runnable answering ``{"raw", "parsed", "parsing_error"}`` (or the value), or None."""
    key = (id(model), schema, method)
    with _RUNNABLES_LOCK:
        hit = _RUNNABLES.get(key)
        if hit is not None and hit[0] is model:
            _RUNNABLES.move_to_end(key)
            return hit[1]
    # The JSON schema goes in as a dict: LangChain re-renders a pydantic class on every call
    # (for tracing metadata), which cost more than a whole node; the reply is validated
    # against the class here anyway.
    spec = copy.deepcopy(_schema_dict(schema))
    kwargs: dict[str, Any] = {} if method is None else {"method": method}
    runnable: Any
    try:
        plain = model.with_structured_output(spec, **kwargs)
        # Anything else (a custom model's own runnable) answers with the value itself,
        # which _interpret accepts as well.
        # ChatOpenAI's own JSON-schema path has more than one parsing step; all of them
        # after the model are the parser.
        runnable = (
            _RawThenParsed(plain.steps[0], _rest(plain.steps[1:]))
            if isinstance(plain, RunnableSequence) and len(plain.steps) >= 2
            else plain
        )
    except NotImplementedError:
        runnable = None
    with _RUNNABLES_LOCK:
        _RUNNABLES[key] = (model, runnable)
        if len(_RUNNABLES) > _RUNNABLES_MAX:
            _RUNNABLES.popitem(last=False)
    return runnable


# A structured answer of ours is a few hundred tokens; a weak model that loops would
# otherwise generate to its completion cap (minutes on a CPU) before failing anyway.
STRUCTURED_MAX_TOKENS = 1024


def _is_truncated(exc: Exception) -> bool:
    # openai's parse helper raises when the reply hit the token cap: malformed output for
    # us (repair, then the caller's fallback), not a transport failure.
    return type(exc).__name__ in {"LengthFinishReasonError", "ContentFilterFinishReasonError"}


def _rest(steps: list[Runnable[Any, Any]]) -> Runnable[Any, Any]:
    return steps[0] if len(steps) == 1 else RunnableSequence(*steps)


class _RawThenParsed:
    """``include_raw=True`` without its thread pool: the model call, then the parser.

    LangChain implements ``include_raw`` with a parallel map that starts worker threads on
    every call; running the two steps of the plain chain in order gives the same
    ``{"raw", "parsed", "parsing_error"}`` answer at a fraction of the cost.
    """

    def __init__(self, model: Runnable[Any, Any], parser: Runnable[Any, Any]):
        self.model, self.parser = model, parser

    def invoke(self, messages: Any, config: RunnableConfig | None = None) -> dict[str, Any]:
        try:
            raw = self.model.invoke(messages, config=config, max_tokens=STRUCTURED_MAX_TOKENS)
        except Exception as exc:
            if not _is_truncated(exc):
                raise
            return {"raw": AIMessage(content=""), "parsed": None, "parsing_error": exc}
        try:
            return {
                "raw": raw,
                "parsed": self.parser.invoke(raw, config=config),
                "parsing_error": None,
            }
        except Exception as exc:  # noqa: BLE001 - a parse failure is data for the repair
            return {"raw": raw, "parsed": None, "parsing_error": exc}


def _is_rejected_request(exc: Exception) -> bool:
    # A server that does not implement a response_format/tool_choice answers 400-501;
    # connection errors have no status and must propagate.
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and 400 <= status <= 501 and status not in (401, 403)


def _accept(outcome: StructuredOutcome, result: Any, schema: type[BaseModel]) -> bool:
    """Record ``result`` in ``outcome``; return whether it yielded a valid value."""
    value, raw, error = _interpret(result, schema)
    outcome.raw = raw
    if value is not None:
        outcome.value = value
        return True
    outcome.errors.append(f"{outcome.method}: {error}")
    faults.record("malformed_output")
    return False


def _interpret(result: Any, schema: type[BaseModel]) -> tuple[BaseModel | None, str, str]:
    """Turn whatever a structured runnable returned into (value, raw text, error)."""
    if isinstance(result, dict) and "raw" in result and "parsed" in result:
        raw = _raw_text(result["raw"])
        parsed, error = result["parsed"], result.get("parsing_error")
        if parsed is not None:
            value, problem = _validate(parsed, schema)
            if value is not None:
                return value, raw, ""
            error = error or problem
        value, problem = _salvage(raw, schema)
        if value is not None:
            return value, raw, ""
        return None, raw, _short(error) if error else problem
    if isinstance(result, BaseMessage):
        raw = _raw_text(result)
        value, problem = _salvage(raw, schema)
        return value, raw, problem
    # A fake (or custom model) that ignores include_raw returns the value itself.
    raw = _dump(result)
    value, problem = _validate(result, schema)
    return value, raw, problem


def _validate(candidate: Any, schema: type[BaseModel]) -> tuple[BaseModel | None, str]:
    if isinstance(candidate, schema):
        return candidate, ""
    if isinstance(candidate, BaseModel):
        candidate = candidate.model_dump()
    try:
        return schema.model_validate(candidate), ""
    except ValidationError as exc:
        return None, _short(exc)


def _salvage(raw: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str]:
    """Deterministic recovery from text: embedded JSON, then a single wrapping key."""
    data = extract_json(raw)
    if data is None:
        return None, f"no JSON object in the reply: {raw[:200]!r}"
    value, problem = _validate(data, schema)
    if value is None and isinstance(data, dict) and len(data) == 1:
        inner = next(iter(data.values()))  # {"Intent": {...}} or {"properties": {...}}
        if isinstance(inner, dict):
            value, _ = _validate(inner, schema)
    return value, problem


def _raw_text(message: Any) -> str:
    if not isinstance(message, BaseMessage):
        return _dump(message)
    if isinstance(message, AIMessage):
        if message.tool_calls:
            return json.dumps(message.tool_calls[0]["args"], ensure_ascii=False)
        if message.invalid_tool_calls:
            return str(message.invalid_tool_calls[0].get("args") or "")
        parsed = message.additional_kwargs.get("parsed")
        if parsed is not None and not message.content:
            return _dump(parsed)
    return message.text


def _dump(value: Any) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _short(error: object) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= _MAX_ERROR_CHARS else text[:_MAX_ERROR_CHARS] + "..."


@functools.lru_cache(maxsize=64)
def _schema_dict(schema: type[BaseModel]) -> dict[str, Any]:
    spec = schema.model_json_schema()
    spec.setdefault("description", (schema.__doc__ or schema.__name__).strip().split("\n")[0])
    return spec


@functools.lru_cache(maxsize=64)
def _schema_text(schema: type[BaseModel]) -> str:
    return json.dumps(schema.model_json_schema(), ensure_ascii=False)


def _with_schema_instruction(
    messages: list[BaseMessage], schema: type[BaseModel]
) -> list[BaseMessage]:
    instruction = render(prompts.SCHEMA_INSTRUCTION, schema=_schema_text(schema))
    if messages and isinstance(messages[0], SystemMessage) and isinstance(messages[0].content, str):
        first = SystemMessage(content=f"{messages[0].content}\n\n{instruction}")
        return [first, *messages[1:]]
    return [SystemMessage(content=instruction), *messages]


def _repair_messages(
    prompt: list[BaseMessage], outcome: StructuredOutcome, schema: type[BaseModel]
) -> list[BaseMessage]:
    error = outcome.errors[-1] if outcome.errors else "invalid output"
    repair = render(prompts.REPAIR, error=error, name=schema.__name__, schema=_schema_text(schema))
    return [*prompt, AIMessage(content=outcome.raw or "(empty reply)"), HumanMessage(repair)]
