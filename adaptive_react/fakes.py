"""Scripted chat models for tests, notebooks and benchmarks: no network, fully recorded.

``ScriptedChatModel`` answers from a script (a list, or a function of the prompt), goes
through LangChain's real ``bind_tools``/``with_structured_output`` machinery (answers for a
structured call become tool calls that LangChain's own parser validates), and records every
prompt it is sent so tests can assert what the loop told the model.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, PrivateAttr

Reply = str | AIMessage | BaseModel | dict[str, Any] | Exception
Script = Sequence[Reply] | Callable[[list[BaseMessage], dict[str, Any]], Reply]


class ScriptExhausted(AssertionError):
    """The model was called more often than the script allows."""


class ReplyingChatModel(BaseChatModel):
    """The LangChain plumbing every fake model needs; a subclass only decides the reply.

    The scripted model here and the benchmark's flawed model answer through the same path
    (exceptions raised, structured replies as OpenAI-format tool calls), so a fake can never
    behave differently from another one merely because it wired LangChain by hand.
    """

    def _next_reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Reply:
        """The one hook a fake implements (and a test may wrap to record what was produced)."""
        raise NotImplementedError

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._next_reply(messages, kwargs)
        if isinstance(reply, Exception):
            raise reply
        return ChatResult(generations=[ChatGeneration(message=as_message(reply, kwargs))])

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools the way real providers do (OpenAI tool format)."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)


class ScriptedChatModel(ReplyingChatModel):
    """A chat model that replies from a script and records every prompt."""

    script: Any
    temperature: float = 0.0

    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _kwargs: list[dict[str, Any]] = PrivateAttr(default_factory=list)
    _index: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> list[list[BaseMessage]]:
        """Every prompt received, in order."""
        return self._calls

    @property
    def prompts(self) -> list[str]:
        """Every prompt received, flattened to text."""
        return ["\n".join(str(m.content) for m in msgs) for msgs in self._calls]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """Copies share the script position and the record, like one model at two settings."""
        clone = super().model_copy(update=update, deep=deep)
        clone._calls, clone._kwargs, clone._lock = self._calls, self._kwargs, self._lock
        clone.__dict__["_shared_owner"] = self.__dict__.get("_shared_owner", self)
        return clone

    def _owner(self) -> ScriptedChatModel:
        owner = self.__dict__.get("_shared_owner", self)
        assert isinstance(owner, ScriptedChatModel)
        return owner

    def _next_reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Reply:
        owner = self._owner()
        with self._lock:
            self._calls.append(list(messages))
            self._kwargs.append(dict(kwargs, temperature=self.temperature))
            if callable(self.script):
                scripted: Reply = self.script(list(messages), kwargs)
                return scripted
            if owner._index >= len(self.script):
                raise ScriptExhausted(
                    f"script has {len(self.script)} replies; call {owner._index + 1}"
                )
            reply = self.script[owner._index]
            owner._index += 1
            return reply  # type: ignore[no-any-return]

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        # Answering is instant; the default would hop to a worker thread for every call,
        # which is what the overhead benchmark would then measure instead of the loop.
        return self._generate(messages, stop=stop, **kwargs)


def as_message(
    reply: str | AIMessage | BaseModel | dict[str, Any], kwargs: dict[str, Any]
) -> AIMessage:
    """A reply as the provider would send it: structured data becomes a call of the bound tool.

    Without a bound tool the data is JSON text, which is what a JSON-mode provider answers.
    """
    if isinstance(reply, AIMessage):
        return reply
    if isinstance(reply, str):
        return AIMessage(content=reply)
    args = reply.model_dump(mode="json") if isinstance(reply, BaseModel) else dict(reply)
    tools = kwargs.get("tools") or []
    if not tools:
        return AIMessage(content=json.dumps(args))
    name = tools[0]["function"]["name"]
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:8]}"}]
    )
