"""Validation and learning for agents built with LangChain's ``create_agent``.

An existing agent gets what the adaptive loop does around its model by adding one middleware:

    agent = create_agent(model, tools, store=store, middleware=[AdaptiveMiddleware()])

Before the run's first model call the request is read (rules first, a model only when the
rules cannot read it) and its requirements, with what earlier runs learned for this kind of
request, are added to the system prompt. The agent's final answer (an AI message without tool
calls, or a structured response) is then validated with the same evidence the react graph
gathers: rules, the caller's validators, agreement and a judge for what rules leave open. A
rejected answer goes back to the model with the findings (never the reference they were
compared with), within ``max_retries``; the run then ends honestly with ``success`` (verified
only), ``verdict`` and ``validation`` in the agent's output. Every checked answer is recorded
in the store the agent was compiled with, under the same poisoning guard as the loop's own
lessons, so the next thread on that store starts from what this one learned.

Hooks used: ``before_agent`` (read the request once per run), ``wrap_model_call`` (add the
prompt block to whatever system prompt the agent has), ``after_model`` (validate a final
answer, jump back to the model on rejection). Tool calls are left alone, so the agent's own
tools, ``HumanInTheLoopMiddleware`` and ``ModelCallLimitMiddleware`` work as before.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, NotRequired

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain.agents.middleware.types import (
    ExtendedModelResponse,
    OmitFromInput,
    PrivateStateAttr,
    hook_config,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from .analysis import classify, merge_intents, rules_confident, rules_intent, validate_content
from .learning import LearningEngine, StrategyStore, request_pattern
from .learning.auto_trainer import ReflectiveMemory
from .learning.repair import numbers_in, producer_safe
from .learning.verified import VerifiedIntents, request_key
from .llm import invoke_structured, load_chat_model
from .nodes import _evidence as evidence
from .nodes._common import current_thread_id, emit
from .nodes.learn import lesson_for
from .prompts import elements, render, templates
from .prompts import middleware as prompts
from .state import ActionResult, Context, CriterionKind, Intent, Validation
from .state.workflow import MessageKind

__all__ = ["AdaptiveMiddleware", "AdaptiveState", "fit_context", "producer_findings"]

FINDINGS_ID_PREFIX = "adaptive-findings-"
# About 5k tokens of conversation: with the system prompt and a reply it fits the embedded
# model's 8192-token context, which three long rejected attempts were seen to overflow.
CONTEXT_CHARS = 18_000
_TEMPLATE_PREFIX = "agent:"


class AdaptiveState(AgentState[Any]):
    """The agent state keys this middleware adds.

    ``success``, ``verdict`` and ``validation`` are part of the agent's output; the run's
    notes are private. Values are plain JSON so any checkpointer can store them without a
    type allowlist.
    """

    success: NotRequired[Annotated[bool, OmitFromInput]]
    verdict: NotRequired[Annotated[str | None, OmitFromInput]]
    validation: NotRequired[Annotated[dict[str, Any] | None, OmitFromInput]]
    adaptive_run: NotRequired[Annotated[dict[str, Any], PrivateStateAttr]]


class RunNotes(BaseModel):
    """What ``before_agent`` read about this run, handed to the later hooks through state."""

    run_id: str = ""
    request: str = ""
    intent: Intent | None = None
    pattern: str = ""
    prompt: str = Field(default="", description="The block added to the system prompt.")
    retries: int = Field(default=0, description="Rejected answers sent back so far.")
    output_tools: list[str] = Field(
        default_factory=list,
        description="Tools that delivered a structured response: a way to answer, not a tool.",
    )

    @classmethod
    def of(cls, state: dict[str, Any]) -> RunNotes:
        """The notes in a state, empty when ``before_agent`` found no request."""
        return cls.model_validate(state.get("adaptive_run") or {})


class AdaptiveMiddleware(AgentMiddleware[AdaptiveState, Any, Any]):
    """Intent and learned advice in, validated answers out, outcomes into the store.

    Args:
        model: A chat model (or ``"provider:model"`` spec) for what rules cannot do: reading a
            request the rules cannot read, the judge, the agreement check. ``None`` makes no
            model calls of its own: what no rule or validator can check then ends unverified.
        namespace: The user or tenant the learned strategies belong to.
        max_retries: Rejected final answers sent back to the model before giving up.
        validators: The caller's own checks, ``(request, intent, deliverable)`` -> bool,
            ``(passed, detail)`` or ``{"passed", "detail"}``, sync or async.
        trust_judge: Whether the judge's approval proves a requirement; ``None`` decides by
            model (the embedded models' judgement is weak evidence).
        learning: Record outcomes and read learned advice (needs ``create_agent(store=...)``).
        check_agreement: Prove a single value no rule can check by an independent second
            route (runs a program in the sandbox); off by default.
        context_chars: The most characters of conversation sent to the model; beyond it the
            oldest rejected attempts of this request are left out (never the request, the
            latest attempt or its findings). ``None`` sends everything.
    """

    state_schema = AdaptiveState

    def __init__(
        self,
        model: BaseChatModel | str | None = None,
        *,
        namespace: str = "default",
        max_retries: int = 2,
        validators: Sequence[Callable[..., Any]] | Callable[..., Any] = (),
        trust_judge: bool | None = None,
        learning: bool = True,
        check_agreement: bool = False,
        context_chars: int | None = CONTEXT_CHARS,
    ) -> None:
        super().__init__()
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        if context_chars is not None and context_chars < 1:
            raise ValueError(f"context_chars must be positive or None, got {context_chars}")
        self.context_chars = context_chars
        if not namespace or "." in namespace:
            raise ValueError(f"invalid namespace {namespace!r} (non-empty, no dots)")
        self.model = model
        self.namespace = namespace
        self.max_retries = max_retries
        self.learning = learning
        self.check_agreement = check_agreement
        # The evidence steps read their settings from a Context, as in the react graph.
        self._ctx = Context(
            model=model if model is not None else "",
            namespace=namespace,
            validators=validators,
            trust_judge=trust_judge,
            learning=learning,
            check_agreement=check_agreement,
        )

    # -- hooks --------------------------------------------------------------------------

    def before_agent(self, state: AdaptiveState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Read the request and what was learned for it, once per run."""
        return self._start(state, runtime)

    async def abefore_agent(
        self, state: AdaptiveState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """:meth:`before_agent` on a worker thread: its model and store calls block."""
        return await asyncio.to_thread(self._start, state, runtime)

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any] | AIMessage | ExtendedModelResponse[Any]:
        """Add the requirements and learned advice to the agent's own system prompt."""
        return handler(_with_prompt(request, self.context_chars))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any] | AIMessage | ExtendedModelResponse[Any]:
        """Async twin of :meth:`wrap_model_call`."""
        return await handler(_with_prompt(request, self.context_chars))

    @hook_config(can_jump_to=["model"])
    def after_model(self, state: AdaptiveState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Validate a final answer; send a rejected one back with the findings."""
        return self._check(state, runtime)

    @hook_config(can_jump_to=["model"])
    async def aafter_model(
        self, state: AdaptiveState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """:meth:`after_model` on a worker thread: its model and store calls block."""
        return await asyncio.to_thread(self._check, state, runtime)

    # -- before the first model call ----------------------------------------------------

    def _start(self, state: AdaptiveState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        request = _last_request(state["messages"])
        fresh: dict[str, Any] = {"success": False, "verdict": None, "validation": None}
        if not request:
            return {**fresh, "adaptive_run": RunNotes().model_dump(mode="json")}
        intent = self._intent(request, runtime.store)
        pattern = request_pattern(intent)
        strategies, heuristics = self._learned(runtime.store, pattern)
        prompt = render(
            prompts.ADAPTIVE_SYSTEM,
            wants=prompts.wants(intent),
            format=intent.expected_format.value,
            requirements=prompts.requirements(intent),
            strategies=elements.learned_strategies(strategies) if strategies else "",
            heuristics=elements.learned_heuristics(heuristics),
        )
        notes = RunNotes(
            run_id=uuid.uuid4().hex, request=request, intent=intent, pattern=pattern, prompt=prompt
        )
        emit(
            MessageKind.INTENT,
            data={"pattern": pattern, "source": intent.source, "learned": len(strategies)},
        )
        return {**fresh, "adaptive_run": notes.model_dump(mode="json")}

    def _intent(self, request: str, store: BaseStore | None) -> Intent:
        """The rules' reading; the model's only when the rules cannot read the request.

        A reading that led to a verified answer of this exact request is kept on the agent's
        store (as the react graph keeps it), so a repeat costs no second reading.
        """
        rules = rules_intent(request)
        if rules_confident(rules) or self.model is None:
            return rules
        kept = self._readings(store)
        recalled = kept.recall(request_key(request, ())) if kept else None
        if recalled is not None:
            return merge_intents(recalled, rules, request)
        messages = [
            SystemMessage(templates.INTENT_SYSTEM),
            HumanMessage(
                render(templates.INTENT_USER, request=request, rules_reading=prompts.reading(rules))
            ),
        ]
        outcome = invoke_structured(self._model(), Intent, messages)
        model_intent = outcome.value if isinstance(outcome.value, Intent) else None
        return merge_intents(model_intent, rules, request)

    def _learned(self, store: BaseStore | None, pattern: str) -> tuple[list[Any], list[str]]:
        """Strategies and recurring advice recorded for the pattern, when learning is on."""
        if store is None or not self.learning:
            return [], []
        choice = LearningEngine(StrategyStore(store, self.namespace)).get_improved_strategy(pattern)
        advice = ReflectiveMemory(store, self.namespace).heuristics_for(pattern)
        return list(choice.ranked), advice

    # -- after a final answer -----------------------------------------------------------

    def _check(self, state: AdaptiveState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        notes = RunNotes.of(dict(state))
        if notes.intent is None:
            return None
        messages = state["messages"]
        last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
        structured = state.get("structured_response")
        if last is None or (last.tool_calls and structured is None):
            return None  # a tool call, not a final answer: the agent's loop goes on
        answer = _answer_text(last, structured)
        if structured is not None:
            delivered_by = {c["name"] for c in last.tool_calls}
            notes.output_tools = sorted(delivered_by.union(notes.output_tools))
        validation = self._validate(notes, notes.intent, answer, runtime.store)
        if runtime.store is not None and self.learning:
            self._record(runtime.store, notes, notes.intent, validation, answer, messages)
        update: dict[str, Any] = {
            "success": validation.overall_success,
            "verdict": validation.verdict,
            "validation": validation.model_dump(mode="json"),
        }
        findings = producer_findings(validation, notes.request, answer)
        emit(
            MessageKind.VALIDATION,
            verdict=validation.verdict,
            success=validation.overall_success,
            attempt=notes.retries + 1,
            data={"findings": findings},
        )
        if validation.verdict == "rejected" and notes.retries < self.max_retries:
            notes.retries += 1
            feedback = render(
                prompts.ADAPTIVE_FINDINGS,
                findings=findings,
                attempt=notes.retries + 1,
                total=self.max_retries + 1,
            )
            msg_id = f"{FINDINGS_ID_PREFIX}{notes.run_id[:12]}-{notes.retries}"
            update["messages"] = [HumanMessage(feedback, id=msg_id)]
            update["jump_to"] = "model"
        update["adaptive_run"] = notes.model_dump(mode="json")
        return update

    def _validate(
        self, notes: RunNotes, intent: Intent, answer: str, store: BaseStore | None
    ) -> Validation:
        """The validate node's evidence, strongest first, for one final answer."""
        validation = validate_content(
            ActionResult(tool="agent", success=True, content=answer), intent
        )
        deliverable = validation.cleaned_content or answer
        answer_read = evidence.Answer(
            request=notes.request, intent=intent, content=deliverable, produced_by="agent"
        )
        return evidence.proven(
            validation,
            answer_read,
            ctx=self._ctx,
            model=lambda: None if self.model is None else self._model(),
            deliverable=deliverable,
            store=store,
        )[0]

    def _record(
        self,
        store: BaseStore,
        notes: RunNotes,
        intent: Intent,
        validation: Validation,
        answer: str,
        messages: Sequence[AnyMessage],
    ) -> None:
        """One outcome per checked answer; lessons and advice from validator fields only."""
        template = _template(messages, set(notes.output_tools))
        lesson = lesson_for(
            notes.pattern, template, validation, intent.data_type.value, classify(answer).value
        )
        kept = self._readings(store)
        if kept is not None and intent.source != "rules":
            # Only a model's reading is worth keeping; the rules read a request again for free.
            kept.remember(request_key(notes.request, ()), intent, validation)
        thread_id = current_thread_id()
        # Run and attempt make the id, so a replayed hook cannot count the same answer twice.
        LearningEngine(StrategyStore(store, self.namespace)).record_checked_answer(
            f"{thread_id or 'run'}-{notes.run_id[:12]}-{notes.retries}",
            validation,
            pattern=notes.pattern,
            template=template,
            lesson=lesson,
            request=notes.request,
            answer=answer,
            untrusted=[answer],
            thread_id=thread_id,
            step=notes.retries,
        )

    def _readings(self, store: BaseStore | None) -> VerifiedIntents | None:
        """Where verified readings are kept, when learning is on and the agent has a store."""
        return (
            VerifiedIntents(store, self.namespace) if store is not None and self.learning else None
        )

    def _model(self) -> BaseChatModel:
        assert self.model is not None
        return load_chat_model(self.model)


# ---------------------------------------------------------------------------------------
# Findings the model may see.


def _requirement(result: Any) -> str:
    if result.criterion.kind == CriterionKind.VALUE:
        return "the exact value asked for"
    return evidence.describe(result)


def producer_findings(validation: Validation, request: str, answer: str) -> list[str]:
    """What the model is told about a rejected answer, without the answer key.

    The validator's details may state the reference it compared with ("expected the first 8
    primes (2..19)", "the answer 41 is wrong; expected 42"). Each clause is kept only when it
    states no reference and every number in it was already in the request or the answer
    (positions and counts of the delivered items aside); a failed requirement whose details
    are all withheld is still named, in the request's terms.
    """
    known = numbers_in(request, answer)
    failed = {r.detail: r for r in validation.criteria if r.passed is False}
    lines: list[str] = []
    for issue in validation.issues:
        kept = producer_safe(issue, known)
        result = failed.pop(issue, None)
        if result is not None:
            name = _requirement(result)
            lines.append(
                f"{name}: {kept}"
                if kept
                else render(prompts.ADAPTIVE_FINDING_UNMET, requirement=name)
            )
        elif kept:
            lines.append(kept)
    # Failed checks that added their own issue text (user validators, the judge) and shape
    # problems whose wording was withheld are still named.
    lines += [
        render(prompts.ADAPTIVE_FINDING_UNMET, requirement=_requirement(r))
        for r in failed.values()
        if not any(_requirement(r) in line for line in lines)
    ]
    if not (validation.data_type_match and validation.format_match) and not lines:
        lines.append(render(prompts.ADAPTIVE_FINDING_SHAPE))
    return list(dict.fromkeys(lines))


# ---------------------------------------------------------------------------------------
# Small helpers.


def _last_request(messages: Sequence[AnyMessage]) -> str:
    """The user's latest message; our own findings are not a request."""
    for msg in reversed(messages):
        if isinstance(msg, HumanMessage) and not _is_findings(msg):
            return msg.text.strip()
    return ""


def _is_findings(message: HumanMessage) -> bool:
    return str(message.id or "").startswith(FINDINGS_ID_PREFIX)


def _answer_text(message: AIMessage, structured: Any) -> str:
    """The final answer as text: a structured response as JSON, else the message's text."""
    if structured is None:
        return message.text
    if isinstance(structured, BaseModel):
        return structured.model_dump_json()
    if dataclasses.is_dataclass(structured) and not isinstance(structured, type):
        return json.dumps(dataclasses.asdict(structured), default=str)
    return json.dumps(structured, default=str)


def _template(messages: Sequence[AnyMessage], output_tools: set[str]) -> str:
    """The answer's approach for learning: the tools the run called since the request.

    A retry builds on the tool results before it, so they count for it too. The tools that
    delivered a structured response are how the answer was given, not tools the agent chose.
    """
    names: list[str] = []
    for msg in reversed(messages):
        if isinstance(msg, HumanMessage) and not _is_findings(msg):
            break
        if isinstance(msg, AIMessage):
            names.extend(c["name"] for c in msg.tool_calls if c["name"] not in output_tools)
    tokens = sorted({re.sub(r"[^A-Za-z0-9_]+", "_", n).strip("_") or "tool" for n in names})
    return (_TEMPLATE_PREFIX + ("-".join(tokens) or "direct"))[:60]


def _size(messages: Sequence[AnyMessage]) -> int:
    return sum(
        len(str(m.content)) + len(json.dumps(getattr(m, "tool_calls", None) or []))
        for m in messages
    )


def fit_context(messages: Sequence[AnyMessage], budget: int | None) -> list[AnyMessage]:
    """The conversation cut to ``budget`` characters by leaving out the oldest attempts.

    Every retry adds a rejected answer (with its tool calls and results) and its findings;
    on a small model the conversation outgrew the context window and the run ended on a 400
    error. An attempt is left out whole, from its first message to its findings, so a tool
    call never loses its result; the current request, everything before it, the latest
    attempt and anything after its findings always stay.
    """
    kept = list(messages)
    if budget is None or _size(kept) <= budget:
        return kept
    humans = [(i, _is_findings(m)) for i, m in enumerate(kept) if isinstance(m, HumanMessage)]
    start = max((i + 1 for i, findings in humans if not findings), default=0)
    ends = [i for i, findings in humans if findings and i >= start]
    head, rest = kept[:start], kept[start:]
    dropped = 0
    for end in ends[:-1]:  # the latest attempt and its findings are never left out
        if _size(head) + _size(rest) <= budget:
            break
        rest = kept[end + 1 :]
        dropped += 1
    if not dropped:
        return kept
    note = HumanMessage(render(prompts.ADAPTIVE_EARLIER_LEFT_OUT, count=dropped))
    return [*head, note, *rest]


def _with_prompt(request: ModelRequest[Any], budget: int | None = None) -> ModelRequest[Any]:
    """The request with the run's block after the agent's own system prompt, cut to fit."""
    fitted = fit_context(request.messages, budget)
    if len(fitted) != len(request.messages):
        request = request.override(messages=fitted)
    block = RunNotes.of(dict(request.state)).prompt
    if not block:
        return request
    system = request.system_message
    if system is None:
        return request.override(system_message=SystemMessage(block))
    content = system.content
    if isinstance(content, str):
        merged: Any = f"{content}\n\n{block}" if content else block
    else:
        merged = [*content, {"type": "text", "text": block}]
    return request.override(system_message=system.model_copy(update={"content": merged}))
