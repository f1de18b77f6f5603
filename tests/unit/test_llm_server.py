"""The request adapter in front of llama-cpp-python's server, tested without a model."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from adaptive_react.llm.server import (
    Adaptation,
    OpenAIAdapter,
    adapt_request,
    adapt_response,
    parse_tool_calls,
    stream_events,
)

TOOL = {"type": "function", "function": {"name": "python", "parameters": {"type": "object"}}}


def test_max_completion_tokens_becomes_max_tokens() -> None:
    body, adaptation = adapt_request({"messages": [], "max_completion_tokens": 7})
    assert body["max_tokens"] == 7 and "max_completion_tokens" not in body
    assert body["repeat_penalty"] == 1.0
    assert adaptation == Adaptation()


def test_explicit_repeat_penalty_is_kept() -> None:
    body, _ = adapt_request({"messages": [], "repeat_penalty": 1.3})
    assert body["repeat_penalty"] == 1.3


def test_json_schema_becomes_llama_grammar_and_prompt_note() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    payload = {
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": schema}},
    }
    body, _ = adapt_request(payload)
    assert body["response_format"] == {"type": "json_object", "schema": schema}
    assert body["messages"][0]["content"].startswith("Be brief.")
    assert '"a"' in body["messages"][0]["content"]
    assert len(body["messages"]) == 2
    assert payload["messages"][0]["content"] == "Be brief."  # input not mutated


def test_json_schema_without_system_message_adds_one() -> None:
    payload = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"schema": {}}},
    }
    body, _ = adapt_request(payload)
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_required_with_one_tool_is_forced() -> None:
    body, adaptation = adapt_request({"messages": [], "tools": [TOOL], "tool_choice": "required"})
    assert body["tool_choice"] == {"type": "function", "function": {"name": "python"}}
    assert adaptation == Adaptation()  # the grammar produces real tool_calls


def test_auto_tools_stream_is_replayed() -> None:
    payload = {
        "messages": [],
        "tools": [TOOL],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    body, adaptation = adapt_request(payload)
    assert body["stream"] is False and "stream_options" not in body
    assert adaptation == Adaptation(("python",), replay_stream=True, include_usage=True)


def test_parse_qwen_tool_call_tags() -> None:
    call = '{"name": "python", "arguments": {"code": "print(1)"}}'
    text = f"Let me run it.\n<tool_call>\n{call}\n</tool_call>"
    calls, rest = parse_tool_calls(text, ("python",))
    assert len(calls) == 1
    assert calls[0]["function"] == {"name": "python", "arguments": '{"code": "print(1)"}'}
    assert calls[0]["id"].startswith("call_")
    assert rest == "Let me run it."


def test_parse_bare_and_fenced_json_calls() -> None:
    bare = '{"name": "python", "parameters": {"code": "x"}}'
    assert parse_tool_calls(bare, ("python",))[0][0]["function"]["arguments"] == '{"code": "x"}'
    fenced = f"```json\n{bare}\n```"
    assert len(parse_tool_calls(fenced, ("python",))[0]) == 1


def test_unknown_tools_and_prose_stay_text() -> None:
    assert parse_tool_calls('{"name": "rm", "arguments": {}}', ("python",)) == (
        [],
        '{"name": "rm", "arguments": {}}',
    )
    assert parse_tool_calls("The answer is 4.", ("python",)) == ([], "The answer is 4.")


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "c1",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def test_adapt_response_sets_tool_calls() -> None:
    text = '<tool_call>{"name": "python", "arguments": {"code": "1"}}</tool_call>'
    out = adapt_response(_completion(text), Adaptation(("python",)))
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "python"


def test_stream_events_replay() -> None:
    data = stream_events(_completion("hi"), Adaptation(("python",), True, True)).decode()
    events = [line[6:] for line in data.split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["content"] == "hi"
    assert chunks[1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[2]["usage"]["total_tokens"] == 5


class EchoApp:
    """Stands in for llama's app: records the body and answers with scripted text."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        if scope["path"].endswith("/chat/completions"):
            self.seen.append(json.loads(message["body"]))
        body = json.dumps(_completion(self.reply)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _post(app: Any, payload: dict[str, Any]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/v1/chat/completions", json=payload)

    return asyncio.run(go())


def test_middleware_rewrites_request_and_response() -> None:
    inner = EchoApp('<tool_call>{"name": "python", "arguments": {"code": "2+2"}}</tool_call>')
    response = _post(
        OpenAIAdapter(inner), {"messages": [], "tools": [TOOL], "max_completion_tokens": 9}
    )
    assert inner.seen[0]["max_tokens"] == 9
    assert response.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "python"


def test_middleware_streams_when_asked() -> None:
    inner = EchoApp("plain answer")
    response = _post(OpenAIAdapter(inner), {"messages": [], "tools": [TOOL], "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.endswith("data: [DONE]\n\n")
    assert inner.seen[0]["stream"] is False


def test_middleware_passes_other_paths_through() -> None:
    inner = EchoApp("x")

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=OpenAIAdapter(inner))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/v1/models")

    assert asyncio.run(go()).status_code == 200
    assert inner.seen == []


def test_health_answers_without_the_model() -> None:
    inner = EchoApp("x")

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=OpenAIAdapter(inner, "qwen"))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/health")

    response = asyncio.run(go())
    assert response.json()["model_id"] == "qwen"
    assert inner.seen == []


def test_assistant_tool_call_turn_without_content_is_accepted() -> None:
    # Regression: llama-cpp-python answered 500 to {"role": "assistant", "content": null}.
    from adaptive_react.llm.server import adapt_request

    call = {"id": "c1", "type": "function", "function": {"name": "python", "arguments": "{}"}}
    body, _ = adapt_request(
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "c1", "content": "2, 3"},
            ]
        }
    )
    assert body["messages"][1]["content"] == ""
    assert body["messages"][1]["tool_calls"] == [call]
    assert body["messages"][2]["content"] == "2, 3"
