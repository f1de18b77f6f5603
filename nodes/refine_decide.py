"""refine_decide: continue or stop from real progress, with an honest final message."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..learning import default_order, should_continue
from ..state import Context, ReactState
from ..state.models import RoundRecord
from ..state.workflow import MessageKind
from ._common import context_of, emit
from ._final import finish


def refine_decide(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
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
        state.progress,
        val,
        step=state.step,
        max_steps=ctx.max_steps,
        untried=untried,
        attempts=state.attempts,
    )
    update: dict[str, Any] = {"decision": decision}
    if decision.action == "continue":
        update["guidance"] = decision.guidance
        emit(
            MessageKind.RETRY,
            step=state.step,
            text=decision.reason,
            data={"guidance": decision.guidance},
        )
        return update
    update.update(finish(state, decision, steps=state.step))
    success, message = update["success"], update["final_message"]
    update.update(
        history=[
            *state.history,
            RoundRecord(
                round=len(state.history) + 1,
                request=state.request,
                deliverable=state.best_content[:2000],
                files=list(state.files_out),
                success=success,
            ),
        ],
    )
    emit(MessageKind.COMPLETE, success=success, verdict=val.verdict, text=message)
    return update
