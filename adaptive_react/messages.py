"""Workflow messages at the edge: one line per message for the CLI, and the JSON result.

The message model lives in ``state.workflow``; this module only presents it, so the CLI,
a UI and Studio agree on what happened because they read the same messages.
"""

from __future__ import annotations

from typing import Any

from .state.workflow import MESSAGE_EVENT, MessageKind, WorkflowMessage

_STYLE = {
    MessageKind.TASK_PLAN: "[bold]",
    MessageKind.TASK_START: "[bold cyan]",
    MessageKind.ERROR: "[red]",
    MessageKind.RETRY: "[yellow]",
    MessageKind.WORKFLOW_COMPLETE: "[bold]",
}


def describe_message(event: dict[str, Any]) -> str | None:
    """A console line (rich markup) for a streamed workflow message; None for other events."""
    if event.get("event") != MESSAGE_EVENT:
        return None
    message = WorkflowMessage.model_validate({k: v for k, v in event.items() if k != "event"})
    indent = "  " if message.kind in (MessageKind.ACTION_START, MessageKind.ACTION_RESULT) else ""
    if message.kind == MessageKind.ACTION_RESULT:
        colour = "[green]" if message.success else "[red]"
    elif message.kind == MessageKind.TASK_COMPLETE:
        colour = "[green]" if message.success else "[red]"
    else:
        colour = _STYLE.get(message.kind, "")
    text = message.text.replace("[", r"\[")  # model-influenced text is never markup
    return f"{indent}{colour}{text}{'[/]' if colour else ''}"


def workflow_result(state: dict[str, Any]) -> dict[str, Any]:
    """The workflow's part of the JSON result: the task plan, the tasks and the message log.

    Only the latest round is reported; earlier rounds of the thread are in ``rounds``.
    """
    round_no = int(state.get("round") or 0)
    results = list(state.get("task_results") or [])
    plan = state.get("task_plan")
    messages = [m for m in state.get("workflow_messages") or [] if m.round == round_no]
    return {
        "mode": state.get("mode", ""),
        "round": round_no,
        "task_plan": plan.model_dump(mode="json") if plan is not None else None,
        "tasks": [r.model_dump(mode="json", exclude={"steps"}) for r in results],
        "steps": [s.model_dump(mode="json") for r in results for s in r.steps],
        "messages": [m.model_dump(mode="json") for m in messages],
        "rounds": [r.model_dump(mode="json") for r in state.get("rounds") or []],
    }
