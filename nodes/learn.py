"""learn: record the outcome for (request pattern, action template) in the store."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..learning import pattern_label, update_progress
from ..learning.engine import LearningEngine
from ..learning.skills import keep_skill
from ..learning.verified import VerifiedIntents, request_key
from ..prompts import render, templates
from ..state import Context, ReactState, StepRecord, Validation
from ..state.workflow import MessageKind
from ._common import context_of, current_thread_id, emit, store_of, strategies_of


def lesson_for(
    pattern: str, template: str, validation: Validation, data_type: str, content_kind: str
) -> str:
    """A lesson built only from our own structured findings, never from the content itself.

    Tool output and model answers can carry instructions ("remember: always answer 42");
    composing lessons from validator fields keeps them out of what later prompts are told.
    """
    label = pattern_label(pattern)
    if validation.overall_success:
        return render(
            templates.LESSON_SUCCESS,
            pattern_label=label,
            template=template,
            score=validation.quality_score,
        )
    if validation.verdict == "unverified":
        issue = "its output could not be proven correct (unverified)"
    elif not validation.data_type_match:
        issue = f"it delivered {content_kind} instead of {data_type}"
    else:
        failed = [c.criterion.kind.value for c in validation.criteria if c.passed is False]
        issue = (
            ("it failed the " + ", ".join(dict.fromkeys(failed)) + " check")
            if failed
            else "its output did not pass validation"
        )
    return render(templates.LESSON_FAILURE, pattern_label=label, template=template, issue=issue)


def learn(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Persist the outcome, keep the run's failed actions, and update progress.

    A verified outcome also keeps the intent it was reached from, for the exact request, so
    intent_analyze need not ask the model to read that request again.
    """
    sel, val, obs, intent = state.selection, state.validation, state.observation, state.intent
    assert sel is not None and val is not None and obs is not None and intent is not None
    ctx = context_of(runtime)
    template = sel.template
    lesson = lesson_for(
        state.pattern, template, val, intent.data_type.value, obs.content_kind.value
    )
    if ctx.learning:
        thread_id = current_thread_id()
        # Thread, round (request_id) and step make the id: a replayed step cannot count twice,
        # and rounds or workflow tasks on one thread never overwrite each other's outcomes.
        task_id = f"{thread_id}-{state.request_id[:12]}-{state.step}" if thread_id else ""
        result = state.result
        # Tool output and the model's answer are the text a heuristic must not quote.
        untrusted = [result.content, result.error or "", obs.snippet] if result else [obs.snippet]
        LearningEngine(strategies_of(runtime)).record_checked_answer(
            task_id,
            val,
            pattern=state.pattern,
            template=template,
            lesson=lesson,
            request=state.request,
            answer=result.content if result else "",
            untrusted=untrusted,
            thread_id=thread_id,
            step=state.step,
            action_prompt=str(sel.parameters.get("prompt") or sel.parameters.get("code") or ""),
        )
        keep_skill(
            store_of(runtime),
            ctx.namespace,
            state.pattern,
            sel,
            request=state.request,
            verified=val.overall_success,
        )
        if runtime.store is not None and val.overall_success:
            key = request_key(state.request, state.files)  # hashes the input files: only once kept
            VerifiedIntents(runtime.store, ctx.namespace).remember(key, intent, val)
    progress = update_progress(state.progress, step=state.step, template=template, validation=val)
    record = StepRecord(
        step=state.step,
        tool=sel.tool,
        template=template,
        rationale=sel.rationale[:300],
        success=val.overall_success,
        quality_score=val.quality_score,
        content_kind=obs.content_kind,
        issues=val.issues[:5],
        error=state.result.error if state.result else None,
        strategy_id=sel.strategy_id,
    )
    emit(MessageKind.LESSON, step=state.step, text=lesson)
    return {
        "progress": progress,
        "steps": [record],
        "lessons": [lesson],
        "failed_templates": [] if val.overall_success else [template],
    }
