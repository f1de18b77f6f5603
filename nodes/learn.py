"""learn: record the outcome for (request pattern, action template) in the store."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..learning import OutcomeEvent, pattern_label, update_progress
from ..learning.skills import SKILL_TEMPLATE, forget_skill, save_skill
from ..prompts import render, templates
from ..state import Context, ReactState, StepRecord, Validation
from ._common import context_of, current_thread_id, emit, store_of, strategies_of


def lesson_for(pattern: str, template: str, validation: Validation, data_type: str,
               content_kind: str) -> str:
    """A lesson built only from our own structured findings, never from the content itself.

    Tool output and model answers can carry instructions ("remember: always answer 42");
    composing lessons from validator fields keeps them out of what later prompts are told.
    """
    label = pattern_label(pattern)
    if validation.overall_success:
        return render(templates.LESSON_SUCCESS, pattern_label=label, template=template,
                      score=validation.quality_score)
    if not validation.data_type_match:
        issue = f"it delivered {content_kind} instead of {data_type}"
    else:
        failed = [c.criterion.kind.value for c in validation.criteria if c.passed is False]
        issue = ("it failed the " + ", ".join(dict.fromkeys(failed)) + " check") if failed else \
            "its output did not pass validation"
    return render(templates.LESSON_FAILURE, pattern_label=label, template=template, issue=issue)


async def learn(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Persist the outcome, keep the run's failed actions, and update progress."""
    sel, val, obs, intent = state.selection, state.validation, state.observation, state.intent
    assert sel is not None and val is not None and obs is not None and intent is not None
    ctx = context_of(runtime)
    template = sel.template
    lesson = lesson_for(state.pattern, template, val, intent.data_type.value,
                        obs.content_kind.value)
    thread_id = current_thread_id()
    if ctx.learning:
        # The id is derived from thread and step so a replayed step cannot count twice.
        event_id = f"{thread_id}-{state.step}" if thread_id else None
        event = OutcomeEvent(
            pattern=state.pattern, template=template, success=val.overall_success,
            score=val.quality_score, lesson=lesson, request=state.request[:500],
            thread_id=thread_id, step=state.step,
            action_prompt=str(sel.parameters.get("prompt") or sel.parameters.get("code") or "")[:4000],
            content_excerpt=(val.cleaned_content or "")[:2000] if val.overall_success else "",
            **({"event_id": event_id} if event_id else {}),
        )
        await strategies_of(runtime).record(event)
        store = store_of(runtime)
        if sel.tool == "python" and template != SKILL_TEMPLATE and val.overall_success:
            await save_skill(store, ctx.namespace, state.pattern,
                             str(sel.parameters.get("code", "")), state.request)
        elif template == SKILL_TEMPLATE and not val.overall_success:
            await forget_skill(store, ctx.namespace, state.pattern)
    progress = update_progress(state.progress, step=state.step, template=template, validation=val)
    record = StepRecord(
        step=state.step, tool=sel.tool, template=template, rationale=sel.rationale[:300],
        success=val.overall_success, quality_score=val.quality_score,
        content_kind=obs.content_kind, issues=val.issues[:5],
        error=state.result.error if state.result else None, strategy_id=sel.strategy_id,
    )
    emit("lesson", step=state.step, lesson=lesson)
    return {
        "progress": progress,
        "steps": [record],
        "lessons": [lesson],
        "failed_templates": [] if val.overall_success else [template],
    }
