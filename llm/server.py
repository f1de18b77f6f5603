"""The embedded model server: llama-cpp-python's OpenAI app behind a request adapter.

Run as a script by :mod:`.local` (``python path/to/server.py --model file.gguf --port N``);
of this package it imports only its sibling :mod:`.leases` (standard library only), so it
starts without the agent's dependencies. With ``--leases DIR`` it exits by itself once no
process has held a lease for ``--idle-exit`` seconds, so a killed user cannot orphan it.

Why an adapter: llama-cpp-python's server speaks an older dialect of the OpenAI API
than ``ChatOpenAI`` (langchain-openai 1.x) sends. Measured on 0.3.36:

- ``max_completion_tokens`` is ignored, so a request generates to the end of the context;
  we copy it to ``max_tokens``.
- ``response_format={"type": "json_schema", ...}`` (LangChain's default structured output)
  fails with HTTP 500; llama's own ``{"type": "json_object", "schema": ...}`` compiles the
  same schema into a grammar, so we translate it, and put the schema into the system
  prompt as OpenAI does (a grammar alone tells a 0.5B model nothing about field meaning).
- ``tool_choice="required"`` is ignored; with one tool we force that tool (grammar).
- With automatic tool choice the model writes its calls as text: ``<tool_call>{...}</tool_call>``,
  a bare JSON object, a ```json fence, or (measured on the 0.5B model's second turn of the
  ``create_agent`` baseline) the same call repeated on several lines, sometimes under a name of
  its own choosing (``"prime_numbers"``) with the one tool's arguments. We turn that text
  into real ``tool_calls``, one per distinct call (for streaming requests too, by generating
  without streaming and replaying the result as one SSE chunk).
- ``repeat_penalty`` defaults to 1.1, which corrupts repetitive output such as lists of
  numbers and code; OpenAI has no such penalty, so it defaults to 1.0 here.

Doing this in-process (ASGI middleware around the same app) costs no extra hop or
process; the request and response rewriting are pure functions, unit-tested without
a model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from . import leases
except ImportError:  # run by path, as local.py starts it: this folder is sys.path[0]
    import leases  # type: ignore[no-redef]

Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCHEMA_INSTRUCTION = "Reply with only a JSON object that matches this JSON schema:\n{schema}"
# Where a tool call may stand: (the regions of the text to search, group 1; where an object
# may open in them; what must follow it). Inside a <tool_call> tag any object counts;
# elsewhere only one that fills its line, so prose that merely quotes a call-shaped object
# mid-sentence is never executed. Earlier rows win where they overlap.
_CALL_SITES = (
    (
        re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.DOTALL),
        re.compile(r"(?=\{)"),
        re.compile(""),
    ),
    (
        re.compile(r"\A(.*)\Z", re.DOTALL),
        re.compile(r"^[ \t]*(?=\{)", re.MULTILINE),
        re.compile(r"[ \t]*(?:```|</tool_call>)?[ \t]*(?:\n|\Z)"),
    ),
)
# What is left of the places that held only calls, removed in this order: fences, then tags.
_EMPTY_HOLDERS = (
    re.compile(r"```[A-Za-z]*\s*```"),
    re.compile(r"<tool_call>\s*(?:</tool_call>)?|</tool_call>"),
)


@dataclass(frozen=True)
class Adaptation:
    """What the response side must do for a rewritten request."""

    tool_names: tuple[str, ...] = ()  # parse text tool calls for these tools
    replay_stream: bool = False  # client asked to stream; upstream was asked not to
    include_usage: bool = False
    # Each tool's (argument names, required names), from the request's schemas: they tell
    # a call the model named after its function from a call to a tool we do not have.
    # Derived from ``tool_names``' schemas, so not part of equality.
    tool_arguments: Mapping[str, tuple[frozenset[str], frozenset[str]]] = field(
        default_factory=dict, compare=False
    )


def adapt_request(payload: dict[str, Any]) -> tuple[dict[str, Any], Adaptation]:
    """Rewrite ``ChatOpenAI``'s request body; return the body to forward and what replies need."""
    body = dict(payload)
    limit = body.pop("max_completion_tokens", None)
    if limit is not None and body.get("max_tokens") is None:
        body["max_tokens"] = limit
    body.setdefault("repeat_penalty", 1.0)
    # OpenAI accepts an assistant turn that only carries tool calls with "content": null;
    # llama-cpp-python's request model rejects it with a 500, which broke every second turn
    # of a tool-calling conversation (measured: the create_agent baseline).
    if isinstance(body.get("messages"), list):
        body["messages"] = [
            {**m, "content": ""}
            if isinstance(m, dict) and m.get("role") == "assistant" and m.get("content") is None
            else m
            for m in body["messages"]
        ]

    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        body["response_format"] = {"type": "json_object", "schema": schema}
        body["messages"] = _with_system_note(
            list(body.get("messages") or []),
            SCHEMA_INSTRUCTION.format(schema=json.dumps(schema, ensure_ascii=False)),
        )

    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and "function" in t]
    choice = body.get("tool_choice")
    if tools and choice == "required" and len(tools) == 1:
        name = tools[0]["function"]["name"]
        body["tool_choice"] = choice = {"type": "function", "function": {"name": name}}
    if not tools or choice not in (None, "auto", "required"):
        return body, Adaptation()

    names = tuple(str(t["function"]["name"]) for t in tools)
    streaming = bool(body.get("stream"))
    usage = bool((body.get("stream_options") or {}).get("include_usage"))
    if streaming:
        body["stream"] = False
        body.pop("stream_options", None)
    return body, Adaptation(
        tool_names=names,
        replay_stream=streaming,
        include_usage=usage,
        tool_arguments={str(t["function"]["name"]): _argument_names(t) for t in tools},
    )


def _argument_names(tool: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """A tool's declared argument names and the required ones, from its JSON schema."""
    schema = tool["function"].get("parameters") or {}
    properties = schema.get("properties") if isinstance(schema, dict) else None
    required = schema.get("required") if isinstance(schema, dict) else None
    return (
        frozenset(properties) if isinstance(properties, dict) else frozenset(),
        frozenset(str(r) for r in required) if isinstance(required, list) else frozenset(),
    )


def _with_system_note(messages: list[Any], note: str) -> list[Any]:
    if messages and isinstance(messages[0], dict) and messages[0].get("role") == "system":
        first = dict(messages[0])
        if isinstance(first.get("content"), str):
            first["content"] = f"{first['content']}\n\n{note}"
            return [first, *messages[1:]]
    return [{"role": "system", "content": note}, *messages]


def parse_tool_calls(
    text: str,
    tool_names: tuple[str, ...],
    tool_arguments: Mapping[str, tuple[frozenset[str], frozenset[str]]] | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """Find tool calls the model wrote as text; return them and the remaining text.

    A call is a JSON object ``{"name": ..., "arguments": {...}}`` (or ``"parameters"``;
    arguments may be an object or a JSON string) that stands in a ``<tool_call>`` block, or
    on lines of its own: bare, inside a fence, or one per line when the model repeats
    itself. Identical calls count once (the 0.5B model writes the same call five times; it
    means one run, and running it five times would only multiply side effects).

    Args:
        text: The reply's content.
        tool_names: The tools the request offered.
        tool_arguments: Per tool, its argument names and required names (see
            :class:`Adaptation`). With exactly one tool, a call under another name whose
            arguments fit that tool's schema is taken as a call to it; without this, or
            with several tools, calls to unknown tools stay text, because guessing would
            execute something the model did not ask for.

    Returns:
        The calls in OpenAI's ``tool_calls`` format, and the text left once they are removed.
    """
    found: list[tuple[int, int, dict[str, Any]]] = []
    for regions, opening, tail in _CALL_SITES:
        taken = [(start, end) for start, end, _ in found]
        for region in regions.finditer(text):
            for start, end, data in _objects_in(text, region.span(1), opening, tail):
                if not any(a <= start < b for a, b in taken):
                    found.append((start, end, data))
    calls: list[dict[str, Any]] = []
    seen: set[str] = set()
    spans: list[tuple[int, int]] = []
    for start, end, data in sorted(found, key=lambda item: item[0]):
        call = _as_call(data, tool_names, tool_arguments or {})
        if call is None:
            continue
        spans.append((start, end))
        key = json.dumps([call["function"]["name"], call["function"]["arguments"]])
        if key not in seen:
            seen.add(key)
            calls.append(call)
    return calls, _remaining(text, spans) if calls else text.strip()


def _objects_in(
    text: str, span: tuple[int, int], opening: re.Pattern[str], tail: re.Pattern[str]
) -> list[tuple[int, int, dict[str, Any]]]:
    """JSON objects in ``text[span]`` that open where ``opening`` matches, followed by ``tail``."""
    decoder = json.JSONDecoder()
    out: list[tuple[int, int, dict[str, Any]]] = []
    pos, end = span
    while (match := opening.search(text, pos, end)) is not None:
        brace = match.end()
        try:
            data, stop = decoder.raw_decode(text, brace)
        except ValueError:
            data, stop = None, brace
        if isinstance(data, dict) and tail.match(text, stop):
            out.append((brace, stop, data))
            pos = stop
        else:
            pos = brace + 1
    return out


def _as_call(
    data: dict[str, Any],
    tool_names: tuple[str, ...],
    tool_arguments: Mapping[str, tuple[frozenset[str], frozenset[str]]],
) -> dict[str, Any] | None:
    name = data.get("name")
    arguments = data.get("arguments", data.get("parameters", {}))
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            arguments = parsed
    if not isinstance(name, str) or set(data) - {"name", "arguments", "parameters", "id"}:
        return None
    if name not in tool_names:
        name = _sole_fitting_tool(arguments, tool_names, tool_arguments)
        if name is None:
            return None
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    return {
        "id": f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _sole_fitting_tool(
    arguments: Any,
    tool_names: tuple[str, ...],
    tool_arguments: Mapping[str, tuple[frozenset[str], frozenset[str]]],
) -> str | None:
    """The one offered tool whose schema the arguments fit (all required, nothing unknown)."""
    if len(tool_names) != 1 or not isinstance(arguments, dict) or not arguments:
        return None
    names, required = tool_arguments.get(tool_names[0], (frozenset(), frozenset()))
    keys = set(arguments)
    return tool_names[0] if names and required <= keys <= names else None


def _remaining(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without the calls, and without the fences and tags that held only them."""
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    rest = "".join(parts)
    for holder in _EMPTY_HOLDERS:
        rest = holder.sub("", rest)
    return "\n".join(line.rstrip() for line in rest.strip().splitlines() if line.strip())


def adapt_response(response: dict[str, Any], adaptation: Adaptation) -> dict[str, Any]:
    """Turn tool calls written as text into ``tool_calls`` in a completion response."""
    if not adaptation.tool_names:
        return response
    result = dict(response)
    choices = []
    for choice in result.get("choices") or []:
        message = dict(choice.get("message") or {})
        content = message.get("content")
        if not message.get("tool_calls") and isinstance(content, str):
            calls, rest = parse_tool_calls(
                content, adaptation.tool_names, adaptation.tool_arguments
            )
            if calls:
                message["tool_calls"] = calls
                message["content"] = rest or None
                choice = {**choice, "message": message, "finish_reason": "tool_calls"}
        choices.append(choice)
    result["choices"] = choices
    return result


def stream_events(response: dict[str, Any], adaptation: Adaptation) -> bytes:
    """Replay a complete response as the SSE chunks a streaming client expects."""
    base = {
        "id": response.get("id", f"chatcmpl-{uuid.uuid4().hex}"),
        "object": "chat.completion.chunk",
        "created": response.get("created", int(time.time())),
        "model": response.get("model", ""),
    }
    events: list[dict[str, Any]] = []
    for choice in response.get("choices") or []:
        message = choice.get("message") or {}
        delta: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
        if message.get("tool_calls"):
            delta["tool_calls"] = [
                {"index": i, **call} for i, call in enumerate(message["tool_calls"])
            ]
        index = choice.get("index", 0)
        events.append({**base, "choices": [{"index": index, "delta": delta}]})
        finish = {"index": index, "delta": {}, "finish_reason": choice.get("finish_reason")}
        events.append({**base, "choices": [finish]})
    if adaptation.include_usage and response.get("usage"):
        events.append({**base, "choices": [], "usage": response["usage"]})
    lines = [f"data: {json.dumps(event, ensure_ascii=False)}\n\n" for event in events]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


class OpenAIAdapter:
    """ASGI middleware applying :func:`adapt_request` / :func:`adapt_response`.

    It also answers ``GET /health`` itself: llama-cpp-python's ``/v1/models`` waits for the
    model lock, so while a long completion runs it looks dead, and a second process would
    start a second server instead of reusing this one.
    """

    def __init__(self, app: ASGIApp, model_id: str = "") -> None:
        self.app = app
        self.model_id = model_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite chat-completion requests; pass every other request through."""
        if scope["type"] == "http" and scope.get("path") == "/health":
            health = json.dumps({"status": "ok", "model_id": self.model_id, "pid": os.getpid()})
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": health.encode()})
            return
        if not (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and str(scope.get("path", "")).endswith("/chat/completions")
        ):
            await self.app(scope, receive, send)
            return
        raw = await _read_body(receive)
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            await self.app(scope, _replay(raw, receive), send)  # let the app report it
            return
        body, adaptation = adapt_request(payload)
        data = json.dumps(body).encode()
        scope = dict(scope)
        scope["headers"] = [
            (k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"
        ] + [(b"content-length", str(len(data)).encode())]
        if adaptation.tool_names:
            send = _Rewriter(send, adaptation)
        await self.app(scope, _replay(data, receive), send)


class _Rewriter:
    """Buffers one JSON response, rewrites it, and sends it (as SSE if asked)."""

    def __init__(self, send: Send, adaptation: Adaptation) -> None:
        self.send = send
        self.adaptation = adaptation
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        assert self.start is not None
        body = b"".join(self.chunks)
        status = int(self.start["status"])
        headers = [
            (k, v)
            for k, v in self.start.get("headers", [])
            if k.lower() not in (b"content-length", b"content-type")
        ]
        content_type = b"application/json"
        if status == 200:
            try:
                response = adapt_response(json.loads(body), self.adaptation)
            except ValueError:
                response = None
            if response is not None:
                if self.adaptation.replay_stream:
                    body = stream_events(response, self.adaptation)
                    content_type = b"text/event-stream; charset=utf-8"
                else:
                    body = json.dumps(response, ensure_ascii=False).encode()
        headers += [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body, "more_body": False})


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def build_app(
    model_path: str, model_id: str, *, n_ctx: int, n_threads: int, host: str, port: int
) -> ASGIApp:
    """llama-cpp-python's FastAPI app for one model, wrapped in the adapter."""
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    app = create_app(
        server_settings=ServerSettings(host=host, port=port),
        model_settings=[
            ModelSettings(
                model=model_path,
                model_alias=model_id,
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                verbose=False,
            )
        ],
    )
    return OpenAIAdapter(app, model_id)


def main() -> None:
    """Parse arguments and serve until terminated, or until no process holds a lease."""
    parser = argparse.ArgumentParser(description="adaptive-react embedded model server")
    parser.add_argument("--model", required=True, help="GGUF file")
    parser.add_argument("--model-id", required=True, help="name served at /v1/models")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--n-threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--leases", type=Path, default=None, help="lease folder to watch")
    parser.add_argument(
        "--idle-exit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="exit after this long without a live lease (0: never)",
    )
    args = parser.parse_args()
    import uvicorn  # after parsing, so --help works without the runtime

    if args.leases is not None and args.idle_exit > 0:
        # Before the model loads: a starter killed during a slow load must not leave us.
        leases.start_watchdog(args.leases, args.idle_exit)
    app = build_app(
        args.model,
        args.model_id,
        n_ctx=args.n_ctx,
        n_threads=args.n_threads,
        host=args.host,
        port=args.port,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
