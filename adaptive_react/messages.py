"""Events at the edge: one console line per event for the CLI, and the JSON result.

The event model lives in ``state.workflow``; this module only presents it, so the CLI,
a UI and Studio agree on what happened because they read the same events.
"""

from __future__ import annotations

from typing import Any

from .state import verdict_of
from .state.workflow import MESSAGE_EVENT, MessageKind, WorkflowMessage

_STYLE = {
    MessageKind.TASK_PLAN: "[bold]",
    MessageKind.TASK_START: "[bold cyan]",
    MessageKind.ERROR: "[red]",
    MessageKind.RETRY: "[yellow]",
    MessageKind.WORKFLOW_COMPLETE: "[bold]",
}


def describe(message: WorkflowMessage) -> str | None:
    """A console line (rich markup) for a streamed event; None for one not worth a line."""
    if message.event != MESSAGE_EVENT:
        return _describe_live(message)
    indent = "  " if message.kind in (MessageKind.ACTION_START, MessageKind.ACTION_RESULT) else ""
    if message.kind in (MessageKind.ACTION_RESULT, MessageKind.TASK_COMPLETE):
        colour = "[green]" if message.success else "[red]"
    else:
        colour = _STYLE.get(message.kind, "")
    text = message.text.replace("[", r"\[")  # model-influenced text is never markup
    return f"{indent}{colour}{text}{'[/]' if colour else ''}"


# How intent_analyze read the request without a model call ("model" needs no note).
_INTENT_SOURCES = {
    "learned": " [dim]read by the rules; pattern already learned[/]",
    "recalled": " [dim]recalled from a verified run of this exact request[/]",
}


def _describe_live(event: WorkflowMessage) -> str | None:
    """A react node's live narration as a console line."""
    data, kind = event.data, event.kind
    if kind == MessageKind.INTENT:
        crit = ", ".join(f"{c['kind']}={c['value']}" for c in data.get("criteria", []))
        head = f"[bold]intent[/] {data.get('data_type')} as {data.get('format')}"
        learned = _INTENT_SOURCES.get(str(data.get("source")), "")
        return head + (f" ({crit})" if crit else "") + learned
    if kind == MessageKind.ACTION_START:
        return (
            f"[bold]step {event.step}[/] {data.get('template')} via {data.get('source') or 'model'}"
        )
    if kind == MessageKind.ACTION_RESULT:
        error = data.get("error") or ""
        status = "[green]ran[/]" if event.success else f"[red]failed[/] {error}"
        repeat = " [yellow]same output as an earlier attempt[/]" if data.get("repeat") else ""
        return f"  action {status} ({data.get('chars', 0)} chars){repeat}"
    if kind == MessageKind.VALIDATION:
        verdict = verdict_of(event.verdict, event.success)
        mark = {"verified": "[green]verified[/]", "unverified": "[yellow]unverified[/]"}.get(
            verdict, "[yellow]not valid[/]"
        )
        issues = "; ".join(data.get("issues") or [])
        by = ", ".join(data.get("checked_by") or [])
        return (
            f"  validation {mark} score {data.get('score', 0.0):.2f}"
            + (f" (checked by: {by})" if by else "")
            + (f": {issues}" if issues else "")
        )
    if kind == MessageKind.LESSON:
        return f"  lesson: {event.text}"
    if kind == MessageKind.ERROR:
        return f"[red]error[/] {event.text}"
    return None


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
