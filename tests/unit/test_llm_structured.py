"""Structured output with scripted fakes: constrained path, salvage, repair, give up."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field

from adaptive_react.fakes import ReplyingChatModel
from adaptive_react.llm import StructuredOutcome, invoke_structured


class Verdict(BaseModel):
    label: str
    count: int = Field(ge=0)


class ScriptedModel(ReplyingChatModel):
    """Returns scripted items in order; records every request it was sent."""

    script: list[Any]
    sent: list[list[BaseMessage]] = []
    structured: bool = True

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage]) -> Any:
        self.sent.append(list(messages))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def _next_reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        return str(self._next(messages))  # the plain-text path: the item as the reply's text

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        if not self.structured:
            raise NotImplementedError
        return RunnableLambda(self._next)


def raw(parsed: Any, text: str = "", error: Exception | None = None) -> dict[str, Any]:
    return {"raw": AIMessage(content=text), "parsed": parsed, "parsing_error": error}


PROMPT: list[BaseMessage] = [HumanMessage(content="classify")]


def test_valid_first_time() -> None:
    model = ScriptedModel(script=[raw(Verdict(label="a", count=1), '{"label":"a","count":1}')])
    outcome = invoke_structured(model, Verdict, PROMPT)
    assert outcome == StructuredOutcome(
        value=Verdict(label="a", count=1),
        calls=1,
        errors=[],
        raw='{"label":"a","count":1}',
        method="default",
    )
    assert outcome.ok


def test_fake_returning_the_instance_directly() -> None:
    model = ScriptedModel(script=[Verdict(label="b", count=2)])
    outcome = invoke_structured(model, Verdict, PROMPT)
    assert outcome.value == Verdict(label="b", count=2)


def test_salvage_from_fenced_raw_text_without_a_model_call() -> None:
    text = 'Here you go:\n```json\n{"label": "c", "count": 3}\n```'
    model = ScriptedModel(script=[raw(None, text, ValueError("not json"))])
    outcome = invoke_structured(model, Verdict, PROMPT)
    assert outcome.value == Verdict(label="c", count=3)
    assert outcome.calls == 1


def test_salvage_unwraps_a_single_key() -> None:
    model = ScriptedModel(script=[raw(None, '{"Verdict": {"label": "d", "count": 0}}')])
    assert invoke_structured(model, Verdict, PROMPT).value == Verdict(label="d", count=0)


def test_one_repair_retry_carries_the_error() -> None:
    model = ScriptedModel(
        script=[raw(None, '{"label": "e", "count": -1}'), raw(Verdict(label="e", count=1))]
    )
    outcome = invoke_structured(model, Verdict, PROMPT)
    assert outcome.value == Verdict(label="e", count=1)
    assert outcome.calls == 2
    assert len(outcome.errors) == 1 and "count" in outcome.errors[0]
    repair = model.sent[1]
    assert repair[: len(PROMPT)] == PROMPT
    assert isinstance(repair[-2], AIMessage) and "-1" in repair[-2].text
    assert isinstance(repair[-1], HumanMessage) and "count" in repair[-1].text


def test_gives_up_after_the_repair() -> None:
    model = ScriptedModel(script=[raw(None, "nope"), raw(None, "still nope")])
    outcome = invoke_structured(model, Verdict, PROMPT)
    assert outcome.value is None and not outcome.ok
    assert outcome.calls == 2
    assert len(outcome.errors) == 2
    assert outcome.raw == "still nope"


def test_text_only_model_gets_the_schema_in_the_prompt() -> None:
    model = ScriptedModel(
        structured=False, script=["I think:", 'ok {"label": "f", "count": 4} done']
    )
    system = [SystemMessage(content="You classify."), *PROMPT]
    outcome = invoke_structured(model, Verdict, system)
    assert outcome.value == Verdict(label="f", count=4)
    assert outcome.method == "text" and outcome.calls == 2
    first = model.sent[0]
    assert isinstance(first[0], SystemMessage)
    assert first[0].text.startswith("You classify.") and '"label"' in first[0].text
    assert len(first) == len(system)


def test_transport_errors_propagate() -> None:
    model = ScriptedModel(script=[ConnectionError("down")])
    with pytest.raises(ConnectionError):
        invoke_structured(model, Verdict, PROMPT)


class Rejected(Exception):
    status_code = 500


def test_openai_client_falls_back_when_a_method_is_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from langchain_openai import ChatOpenAI

    methods: list[str | None] = []
    script: list[Any] = [Rejected("json_schema unsupported"), raw(Verdict(label="h", count=6))]

    def fake_wso(self: Any, schema: Any, *, method: str | None = None, **_: Any) -> Any:
        methods.append(method)

        def call(messages: Any) -> Any:
            item = script.pop(0)
            if isinstance(item, Exception):
                raise item
            return item

        return RunnableLambda(call)

    monkeypatch.setattr(ChatOpenAI, "with_structured_output", fake_wso)
    model = ChatOpenAI(api_key="not-needed", base_url="http://127.0.0.1:9/v1")  # type: ignore[arg-type]
    outcome = invoke_structured(model, Verdict, PROMPT)
    assert outcome.value == Verdict(label="h", count=6)
    assert methods == [None, "function_calling"]
    assert outcome.method == "function_calling" and outcome.calls == 2
    assert "rejected" in outcome.errors[0]


@pytest.mark.parametrize("method", [None, "function_calling", "json_mode"])
def test_openai_structured_calls_keep_the_raw_reply(method: str | None) -> None:
    # Regression: ChatOpenAI's JSON-schema chain has more than two steps; it ran without the
    # raw reply, so a reply cut at the token cap (LengthFinishReasonError) ended the run.
    from langchain_openai import ChatOpenAI

    from adaptive_react.llm.structured import _RawThenParsed, _structured_runnable

    model = ChatOpenAI(model="gpt-4o-mini", api_key="x", base_url="http://127.0.0.1:9/v1")  # type: ignore[arg-type]
    assert isinstance(_structured_runnable(model, Verdict, method), _RawThenParsed)


def test_every_structured_prompt_renders() -> None:
    from jinja2 import UndefinedError

    from adaptive_react.prompts import render
    from adaptive_react.prompts import structured as prompts

    names = [name for name in dir(prompts) if name.isupper()]
    assert names
    for name in names:
        assert render(getattr(prompts, name), schema="{}", error="e", name="Verdict")
    with pytest.raises(UndefinedError):
        render(prompts.REPAIR, schema="{}")  # a missing placeholder fails loudly


def test_a_non_openai_model_does_not_import_langchain_openai() -> None:
    """Asking whether a model is OpenAI's once imported langchain-openai (about a second of
    a fake or local model's first structured call); an unloaded module already says no."""
    import subprocess
    import sys
    import textwrap

    program = textwrap.dedent(
        """
        import sys
        from tests.unit.test_llm_structured import PROMPT, ScriptedModel, Verdict, raw
        from adaptive_react.llm import invoke_structured
        model = ScriptedModel(script=[raw(Verdict(label="a", count=1))])
        assert invoke_structured(model, Verdict, PROMPT).value is not None
        print("langchain_openai" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "False", out.stderr
