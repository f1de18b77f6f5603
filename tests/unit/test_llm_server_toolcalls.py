"""Tool calls the embedded model writes as text become real tool calls (issue 13).

The replies below have the shapes recorded from the 0.5B model's second turn in the
``create_agent`` baseline (bench/results/local/results.json): the same call on several JSON
lines with the arguments as a JSON string, a ```json fence under a name the model made up,
a call followed by an invented tool result. Before the adapter learned these forms, each of
them reached the agent as its final text and no program ever ran.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_openai.chat_models.base import _convert_dict_to_message

from adaptive_react.llm.server import Adaptation, adapt_request, adapt_response, parse_tool_calls

PYTHON_TOOL = {
    "type": "function",
    "function": {
        "name": "python",
        "description": "Run a Python 3 program.",
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string"}},
            "required": ["code"],
        },
    },
}
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


def _adaptation(*tools: dict[str, Any]) -> Adaptation:
    _, adaptation = adapt_request({"messages": [], "tools": list(tools)})
    return adaptation


def _line(code: str, *, name: str = "python") -> str:
    """One call as the model writes it: the arguments JSON-encoded a second time."""
    return json.dumps({"name": name, "arguments": json.dumps({"code": code})})


def _replay(content: str, *tools: dict[str, Any]) -> list[dict[str, Any]]:
    """The reply through the adapter and then through ChatOpenAI's own message parsing."""
    completion = {
        "id": "c",
        "created": 0,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }
    out = adapt_response(completion, _adaptation(*(tools or (PYTHON_TOOL,))))
    message = _convert_dict_to_message(out["choices"][0]["message"])
    return list(getattr(message, "tool_calls", []))


def test_repeated_json_lines_are_one_call() -> None:
    code = "for i in range(1, 11): print(i * 7)"
    reply = "\n".join([_line(code)] * 5)
    calls = _replay(reply)
    assert [(c["name"], c["args"]) for c in calls] == [("python", {"code": code})]


def test_distinct_json_lines_are_several_calls_in_order() -> None:
    reply = f"{_line('print(1)')}\n{_line('print(2)')}\n{_line('print(1)')}"
    calls = _replay(reply)
    assert [c["args"]["code"] for c in calls] == ["print(1)", "print(2)"]
    assert len({c["id"] for c in calls}) == 2


def test_a_cut_off_last_line_leaves_the_complete_calls() -> None:
    code = "print(sum(range(5)))"
    reply = f"{_line(code)}\n{_line(code)}\n" + '{"name": "python", "argum'
    calls, rest = parse_tool_calls(reply, ("python",))
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [{"code": code}]
    assert rest == '{"name": "python", "argum'


def test_fenced_json_under_a_made_up_name_calls_the_only_tool() -> None:
    reply = (
        "```json\n"
        '{\n  "name": "sort_numbers",\n  "arguments": {\n'
        '    "code": "print(sorted([42, 7, 19]))"\n  }\n}\n```'
    )
    calls = _replay(reply)
    assert [(c["name"], c["args"]) for c in calls] == [
        ("python", {"code": "print(sorted([42, 7, 19]))"})
    ]


def test_a_made_up_name_is_not_guessed_among_several_tools() -> None:
    reply = '```json\n{"name": "sort_numbers", "arguments": {"code": "print(1)"}}\n```'
    assert _replay(reply, PYTHON_TOOL, SEARCH_TOOL) == []


def test_a_made_up_name_with_foreign_arguments_stays_text() -> None:
    reply = '{"name": "weather", "arguments": {"city": "Oslo"}}'
    assert _replay(reply) == []


def test_a_call_followed_by_an_invented_result_runs_the_call() -> None:
    reply = _line("print(12 * 1.609)") + '\n{"error": "SyntaxError: invalid syntax"}'
    calls, rest = parse_tool_calls(reply, ("python",))
    assert [json.loads(c["function"]["arguments"])["code"] for c in calls] == ["print(12 * 1.609)"]
    assert rest == '{"error": "SyntaxError: invalid syntax"}'


def test_tool_call_tags_with_a_repeat_inside() -> None:
    call = '{"name": "python", "arguments": {"code": "print(2 ** 10)"}}'
    reply = f"I will compute it.\n<tool_call>\n{call}\n{call}\n</tool_call>"
    calls, rest = parse_tool_calls(reply, ("python",))
    assert len(calls) == 1 and rest == "I will compute it."
    assert [c["args"] for c in _replay(reply)] == [{"code": "print(2 ** 10)"}]


def test_prose_then_a_fenced_call() -> None:
    reply = (
        "Let me run a short program.\n\n```json\n"
        + json.dumps({"name": "python", "parameters": {"code": "print(6 * 7)"}}, indent=2)
        + "\n```"
    )
    calls, rest = parse_tool_calls(reply, ("python",))
    assert len(calls) == 1 and rest == "Let me run a short program."


@pytest.mark.parametrize(
    "reply",
    [
        # JSON mentioned inside a sentence is an example, not a call.
        'A call looks like {"name": "python", "arguments": {"code": "print(1)"}} in JSON.',
        # A JSON deliverable whose "name" is data.
        '```json\n{"name": "Alice", "age": 31}\n```',
        # An object on its own line followed by prose on the same line.
        '{"name": "python", "arguments": {"code": "print(1)"}} is what I would send.',
        "The answer is 42. JSON is a text format for objects such as {}.",
        # Extra keys make it something else than a call.
        '{"name": "python", "arguments": {"code": "x"}, "result": 3}',
    ],
)
def test_prose_that_only_mentions_json_is_not_a_call(reply: str) -> None:
    calls, rest = parse_tool_calls(reply, ("python",), _adaptation(PYTHON_TOOL).tool_arguments)
    assert calls == [] and rest == reply.strip()
    assert _replay(reply) == []


def test_the_response_carries_calls_and_leftover_text() -> None:
    reply = "Running it now.\n" + "\n".join([_line("print(3)")] * 3)
    completion = {"choices": [{"index": 0, "message": {"content": reply}}]}
    out = adapt_response(completion, _adaptation(PYTHON_TOOL))
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert len(choice["message"]["tool_calls"]) == 1
    assert choice["message"]["content"] == "Running it now."
