"""The embedded model over real HTTP through ChatOpenAI (``pytest -m local_model``).

Needs the model file (``python scripts/fetch_model.py local``) and llama-cpp-python with
its server extra (``bash scripts/build_llama.sh``); skipped with the reason otherwise.
Asserts structure and validated outcomes, never wording. Temperature 0.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field, SecretStr

from adaptive_react.llm import ModelConfigError, ModelSettings, invoke_structured, local

pytestmark = pytest.mark.local_model


@pytest.fixture(scope="session")
def server() -> Iterator[local.ServerHandle]:
    settings = ModelSettings.load()
    if not local.runtime_available():
        pytest.skip("llama-cpp-python[server] is not installed (bash scripts/build_llama.sh)")
    try:
        path = local.ensure_model_file("local", settings)
    except ModelConfigError as exc:
        pytest.skip(f"embedded model not fetched: {exc}")
    # A fresh server on a free port, not a reused one: the test owns its lifecycle.
    handle = local.start_server(local.MODELS["local"], path, settings)
    try:
        yield handle
    finally:
        local.stop_server(handle, settings, "local-test")
        assert not local._pid_alive(handle.pid)


def _client(server: local.ServerHandle, **kwargs: object) -> ChatOpenAI:
    return ChatOpenAI(
        model=server.model_id,
        base_url=server.base_url,
        api_key=SecretStr("not-needed"),
        temperature=0,
        timeout=600,
        max_retries=0,
        **kwargs,  # type: ignore[arg-type]
    )


def test_plain_chat(server: local.ServerHandle) -> None:
    reply = _client(server, max_tokens=32).invoke("Reply with one short greeting.")
    assert isinstance(reply.content, str) and reply.content.strip()


def test_max_tokens_is_honoured(server: local.ServerHandle) -> None:
    reply = _client(server, max_tokens=8).invoke(
        "Count from 1 to 200, separated by spaces, without stopping."
    )
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] <= 8
    assert reply.response_metadata.get("finish_reason") == "length"


class Request(BaseModel):
    """What the user asked for."""

    kind: str = Field(description="one of: list, value, document, chat")
    count: int | None = Field(description="how many items the user wants, if stated")


def test_invoke_structured_returns_a_valid_instance(server: local.ServerHandle) -> None:
    messages = [
        SystemMessage("You classify user requests."),
        HumanMessage("List the first 20 prime numbers."),
    ]
    outcome = invoke_structured(_client(server, max_tokens=128), Request, messages)
    assert isinstance(outcome.value, Request), outcome.errors
    assert outcome.calls <= 2
    assert outcome.value.count == 20


def test_automatic_tool_choice_yields_a_tool_call(server: local.ServerHandle) -> None:
    @tool
    def python(code: str) -> str:
        """Run Python code and return what it prints."""
        return ""

    model = _client(server, max_tokens=256).bind_tools([python])
    reply = model.invoke([HumanMessage("Use the python tool to print 2**10.")])
    assert [call["name"] for call in reply.tool_calls] == ["python"]
    assert "code" in reply.tool_calls[0]["args"]
