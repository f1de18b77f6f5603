"""The generic message creator: one function per workflow phase, the same for every mode.

Nodes build messages here and ``publish`` them, which both streams them (custom events, so
the CLI, a UI and Studio see them live) and returns the state update that keeps them, so the
log survives in checkpoints and the final result.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict, Unpack

from ..prompts import actionplan as texts
from ..prompts import render
from ..state.models import ActionResult, StepRecord
from ..state.workflow import ActionplanState, MessageKind, TaskPlan, TaskResult, WorkflowMessage
from ._common import stream

_MAX_ERROR = 300


class Where(TypedDict, total=False):
    """Where in the workflow a message comes from; what is left out is not in one."""

    round: int
    task: int | None
    mode: str


def in_actionplan(state: ActionplanState) -> Where:
    """Where every message of an actionplan node comes from: its task of its round."""
    return Where(task=state.task_index, mode="actionplan", round=state.round)


def publish(*messages: WorkflowMessage) -> dict[str, Any]:
    """Stream each message and return the update that keeps them in state."""
    for message in messages:
        stream(message)
    return {"workflow_messages": list(messages)}


def task_plan(plan: TaskPlan, *, round: int, repairs: Sequence[str] = ()) -> WorkflowMessage:
    """The plan the request was split into."""
    objectives = [t.objective for t in plan.tasks]
    return WorkflowMessage(
        kind=MessageKind.TASK_PLAN,
        text=render(
            texts.MSG_TASK_PLAN, tasks=objectives, overview=plan.overview, repairs=list(repairs)
        ),
        round=round,
        total_tasks=len(plan.tasks),
        data={"tasks": [t.model_dump() for t in plan.tasks], "repairs": list(repairs)},
    )


def task_start(objective: str, *, index: int, total: int, mode: str, round: int) -> WorkflowMessage:
    """A task step begins in a mode."""
    return WorkflowMessage(
        kind=MessageKind.TASK_START,
        text=render(texts.MSG_TASK_START, index=index, total=total, mode=mode, objective=objective),
        round=round,
        task=index,
        total_tasks=total,
        mode=mode,
        data={"objective": objective},
    )


def action_start(
    tool: str,
    *,
    action: int,
    rationale: str = "",
    data: dict[str, Any] | None = None,
    **where: Unpack[Where],
) -> WorkflowMessage:
    """An action is about to run."""
    return WorkflowMessage(
        kind=MessageKind.ACTION_START,
        text=render(texts.MSG_ACTION_START, action=action, tool=tool, rationale=rationale[:200]),
        action=action,
        data={"tool": tool, **(data or {})},
        **where,
    )


def action_result(result: ActionResult, *, action: int, **where: Unpack[Where]) -> WorkflowMessage:
    """An action finished, successfully or not."""
    names = [Path(f).name for f in result.files]
    return WorkflowMessage(
        kind=MessageKind.ACTION_RESULT,
        text=render(
            texts.MSG_ACTION_RESULT,
            action=action,
            tool=result.tool,
            success=result.success,
            error=(result.error or "")[:_MAX_ERROR],
            files=names,
        ),
        action=action,
        success=result.success,
        data={
            "tool": result.tool,
            "error": result.error,
            "files": list(result.files),
            "chars": len(result.content),
        },
        **where,
    )


def retry(findings: Sequence[str], *, attempt: int, **where: Unpack[Where]) -> WorkflowMessage:
    """A task is tried again, carrying what the review found."""
    return WorkflowMessage(
        kind=MessageKind.RETRY,
        text=render(
            texts.MSG_RETRY,
            index=where.get("task") or 1,
            attempt=attempt,
            findings=[f[:_MAX_ERROR] for f in findings[:4]],
        ),
        success=False,
        data={"attempt": attempt, "findings": list(findings)},
        **where,
    )


def error(
    text: str, *, data: dict[str, Any] | None = None, **where: Unpack[Where]
) -> WorkflowMessage:
    """Something went wrong that the user should know about."""
    return WorkflowMessage(
        kind=MessageKind.ERROR,
        text=render(texts.MSG_ERROR, index=where.get("task"), error=text),
        success=False,
        data=dict(data or {}),
        **where,
    )


def task_complete(result: TaskResult, *, total: int, round: int) -> WorkflowMessage:
    """A task step ended; its outcome and final message."""
    return WorkflowMessage(
        kind=MessageKind.TASK_COMPLETE,
        text=render(
            texts.MSG_TASK_COMPLETE,
            index=result.index,
            total=total,
            success=result.success,
            summary=result.final_message.splitlines()[0]
            if result.final_message
            else result.objective,
        ),
        round=round,
        task=result.index,
        total_tasks=total,
        mode=result.mode,
        success=result.success,
        data={"files": result.files, "quality_score": result.quality_score},
    )


def workflow_complete(
    results: Sequence[TaskResult], *, total: int, success: bool, round: int
) -> WorkflowMessage:
    """The round is over."""
    done = sum(r.success for r in results)
    return WorkflowMessage(
        kind=MessageKind.WORKFLOW_COMPLETE,
        text=render(texts.MSG_WORKFLOW_COMPLETE, success=success, done=done, total=total),
        round=round,
        total_tasks=total,
        success=success,
        data={"tasks_done": done},
    )


def from_steps(steps: Sequence[StepRecord], **where: Unpack[Where]) -> list[WorkflowMessage]:
    """Action and retry messages for a finished react loop, from its step records.

    The react loop's nodes stream their own events live; this turns its recorded steps into
    the generic messages so both modes leave the same kind of log.
    """
    out: list[WorkflowMessage] = []
    for i, step in enumerate(steps):
        issues = None if step.success else "; ".join(step.issues[:2]) or None
        result = ActionResult(
            tool=step.tool, success=step.success and step.error is None, error=step.error or issues
        )
        out += [
            action_start(
                step.tool,
                action=step.step,
                rationale=step.rationale,
                data={"template": step.template},
                **where,
            ),
            action_result(result, action=step.step, **where),
        ]
        if not step.success and i + 1 < len(steps):
            out.append(retry(step.issues or ["validation failed"], attempt=step.step, **where))
    return out
