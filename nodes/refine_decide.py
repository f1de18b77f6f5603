"""refine_decide: continue or stop from real progress, with an honest final message."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..learning import default_order, should_continue
from ..prompts import render, templates
from ..state import Context, ReactState
from ..state.models import RoundRecord
from ._common import context_of, emit


async def refine_decide(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Stop on validated success, on the budget, or on stagnation; else refine the guidance."""
    ctx = context_of(runtime)
    val, intent = state.validation, state.intent
    assert val is not None and intent is not None
    untried = [
        t
        for t in default_order(intent, python_allowed=ctx.allow_python)
        if t not in set(state.failed_templates)
    ]
    decision = should_continue(
        state.progress, val, step=state.step, max_steps=ctx.max_steps, untried=untried
    )
    update: dict[str, Any] = {"decision": decision}
    if decision.action == "continue":
        update["guidance"] = decision.guidance
        emit("retry", step=state.step, reason=decision.reason, guidance=decision.guidance)
        return update
    success = val.overall_success
    if success:
        what = intent.subject or intent.data_type.value
        summary = f"{what} delivered as {intent.expected_format.value}"
        message = render(
            templates.FINAL_SUCCESS, steps=state.step, summary=summary, score=val.quality_score
        )
    else:
        tried = [f"step {f.step}: {f.template}: {f.reason}" for f in state.progress.failed]
        message = render(
            templates.FINAL_FAILURE,
            steps=state.step,
            reason=decision.reason,
            tried=tried,
            best=bool(state.best_content),
            score=max(state.best_score, 0.0),
        )
    update.update(
        success=success,
        deliverable=state.best_content,
        validation=val,
        final_message=message,
        history=[
            *state.history,
            RoundRecord(round=len(state.history) + 1, request=state.request,
                        deliverable=state.best_content[:2000], files=list(state.files_out),
                        success=success),
        ],
    )
    emit("complete", success=success, message=message)
    return update
