"""intent_analyze: understand what the user wants before choosing any action."""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from ..analysis import merge_intents, rules_confident, rules_intent
from ..learning.engine import LearningEngine
from ..learning.patterns import request_pattern
from ..learning.skills import skill_action
from ..learning.verified import VerifiedIntents, request_key
from ..llm import invoke_structured
from ..prompts import elements, render, templates
from ..prompts.actions import buildable
from ..state import Context, Decision, Intent, ReactState
from ..state.graph_state import round_reset
from ..state.reducers import reset
from ..state.workflow import MessageKind
from ._common import context_of, emit, model_of, store_of, strategies_of

MAX_REQUEST_CHARS = 20_000


def request_text(state: ReactState) -> str:
    """The request: the explicit field, else the last human message."""
    if state.request.strip():
        return state.request.strip()
    for msg in reversed(state.messages):
        if msg.type == "human" and isinstance(msg.content, str) and msg.content.strip():
            return msg.content.strip()
    return ""


def request_problem(request: str) -> str | None:
    """Why a request cannot be worked on, or None when it can."""
    if not request:
        return "The request is empty: say what you want, e.g. 'List the first 25 prime numbers'."
    if len(request) > MAX_REQUEST_CHARS:
        return (
            f"The request is {len(request)} characters long; the limit is {MAX_REQUEST_CHARS}. "
            "Attach long material as a file instead of pasting it."
        )
    if "\x00" in request or sum(not (c.isprintable() or c.isspace()) for c in request) > 10:
        return "The request contains binary data; send text."
    return None


def new_round(state: ReactState) -> dict[str, Any]:
    """Resets for a new request on a thread whose earlier round has run.

    The finished round stays in the checkpoint history and in ``history``; what accumulates
    per round (steps, lessons, calls, the step budget) starts again from nothing.
    """
    if state.step == 0 and not state.final_message:
        return {}
    return round_reset()


def intent_analyze(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Rules read the request first; the model refines; checkable criteria are never lost."""
    fresh = new_round(state)
    request = request_text(state)
    problem = request_problem(request)
    if problem:
        emit(MessageKind.ERROR, text=problem)
        return {
            **fresh,
            "intent": None,
            "request": request[:200],
            "final_message": problem,
            "decision": Decision(action="stop", reason=problem),
        }
    rules = rules_intent(request)
    known = merge_intents(None, rules, request)
    recalled = _recalled(state, runtime, request)
    if recalled is not None:
        # Merged again so a criterion the rules make now is never lost; for a kept reading,
        # which already holds the rules' criteria, the merge gives it back unchanged.
        intent, calls, source = merge_intents(recalled, rules, request), 0, "recalled"
    elif _already_solved(runtime, request, known, rules):
        intent, calls, source = known, 0, "learned"
    else:
        messages = [
            SystemMessage(templates.INTENT_SYSTEM),
            HumanMessage(
                render(
                    templates.INTENT_USER,
                    request=request,
                    rules_reading=elements.user_intent(rules),
                )
            ),
        ]
        outcome = invoke_structured(model_of(runtime), Intent, messages)
        model_intent = outcome.value if isinstance(outcome.value, Intent) else None
        intent = merge_intents(model_intent, rules, request)
        calls, source = outcome.calls, "model"
    pattern = request_pattern(intent)
    emit(
        MessageKind.INTENT,
        data={
            "data_type": intent.data_type.value,
            "format": intent.expected_format.value,
            "criteria": [c.model_dump(mode="json") for c in intent.success_criteria],
            "pattern": pattern,
            "source": source,
        },
    )
    return {
        **fresh,
        "request": request,
        "request_id": uuid.uuid4().hex,
        "intent": intent,
        "pattern": pattern,
        "model_calls": reset(calls) if fresh else calls,
        "rules_reading": rules,
    }


def _recalled(state: ReactState, runtime: Runtime[Context], request: str) -> Intent | None:
    """The intent a verified run of this exact request and these files worked from, if any.

    Learned requests the rules cannot read confidently (analysis, prose with a judge) were
    measured paying the intent call on every run; a reading that led to a verified result
    needs no second call, and reusing it keeps the verdict's key, so that is recalled too.
    """
    ctx = context_of(runtime)
    if not (ctx.learning and ctx.trust_learned_intent) or runtime.store is None:
        return None
    return VerifiedIntents(runtime.store, ctx.namespace).recall(request_key(request, state.files))


def _already_solved(runtime: Runtime[Context], request: str, known: Intent, rules: Intent) -> bool:
    """Whether the rules' reading alone leads to a verified way of solving this request.

    The model's reading is worth a call while the loop is still learning a kind of request.
    Once the rules read it unambiguously and its pattern has a skill that binds to this
    request, or a strategy confident enough to replay without planning, the model could only
    add criteria to a reading that has already been validated, so the call is skipped.
    """
    ctx = context_of(runtime)
    if not (ctx.trust_learned_intent and ctx.learning and rules_confident(rules)):
        return False
    pattern = request_pattern(known)
    if ctx.use_skills and ctx.allow_python:
        skill = skill_action(store_of(runtime), ctx.namespace, pattern, request, known)
        if skill is not None:
            return True
    choice = LearningEngine(strategies_of(runtime)).get_improved_strategy(
        pattern, usable=lambda t: buildable(t) and (ctx.allow_python or not t.startswith("python:"))
    )
    return choice.confident is not None
