"""decide_retry: after the shared review, retry the task with its findings or finish it."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..learning import should_continue
from ..state import Context
from ..state.workflow import ActionplanState
from . import actionplan_messages as msg
from ._final import finish


def decide_retry(state: ActionplanState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Stop on validated success or the attempt limit; otherwise carry the findings back."""
    val, intent = state.validation, state.intent
    assert val is not None and intent is not None, "decide_retry runs after the review"
    decision = should_continue(
        state.progress, val, step=state.attempt, max_steps=state.max_attempts, untried=[]
    )
    if decision.action != "continue":
        return {
            "decision": decision,
            **finish(state, decision, steps=state.attempt, unit="attempt"),
        }
    # What the next batch must fix: the review's issues, then its suggestions, deduplicated.
    findings = list(dict.fromkeys([*val.issues, *decision.guidance]))[:6]
    retry = msg.retry(findings, attempt=state.attempt, **msg.in_actionplan(state))
    return {"decision": decision, "findings": findings, "guidance": findings, **msg.publish(retry)}
