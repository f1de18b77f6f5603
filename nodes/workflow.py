"""The workflow's own nodes: start a task in its mode, record how it ended, summarise.

Which modes exist is decided by the graph (a registry); these nodes only receive the mode
names and, for ``auto``, which learned templates belong to which mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from ..analysis import rules_intent
from ..learning import request_pattern
from ..prompts import actionplan as texts
from ..prompts import render
from ..state import Context, DataType, StrategyView, verdict_of
from ..state.models import RoundRecord
from ..state.workflow import MessageKind, TaskResult, WorkflowState
from . import actionplan_messages as msg
from ._common import context_of, strategies_of
from .act import output_dir

_ACTION_KINDS = {MessageKind.ACTION_START, MessageKind.ACTION_RESULT}


def choose_mode(
    strategies: Sequence[StrategyView],
    prefixes: Mapping[str, str | None],
    *,
    default: str,
) -> tuple[str, str]:
    """Pick the mode whose learned templates did best for this kind of task.

    Each mode owns the templates starting with its prefix; a mode with prefix ``None`` owns
    the templates no other mode claims. Modes are compared on the posterior mean success
    ``(1 + successes) / (2 + attempts)`` of all their templates, so one lucky run does not
    outweigh a long record. With nothing learned, ``default`` is used.

    Returns:
        The mode and a short reason.
    """
    claimed = tuple(p for p in prefixes.values() if p)
    scores: dict[str, float] = {}
    for mode, prefix in prefixes.items():
        mine = [
            s
            for s in strategies
            if (s.template.startswith(prefix) if prefix else not s.template.startswith(claimed))
        ]
        if attempts := sum(s.attempts for s in mine):
            scores[mode] = (1 + sum(s.successes for s in mine)) / (2 + attempts)
    if not scores:
        return default, "nothing learned yet for this kind of task"
    best = max(scores, key=lambda m: scores[m])
    return best, f"learned success {scores[best]:.2f} for this kind of task"


def make_task_start(prefixes: Mapping[str, str | None]):  # type: ignore[no-untyped-def]
    """task_start for the registered modes (name -> learned-template prefix)."""

    def task_start(state: WorkflowState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Choose the task's mode, build its input and announce it."""
        assert state.task_plan is not None, "task_start runs after a successful plan"
        task = state.task_plan.tasks[state.cursor]
        index, total = state.cursor + 1, len(state.task_plan.tasks)
        mode, reason = state.mode, "chosen for the workflow"
        if mode == "auto":
            intent = rules_intent(task.objective)
            strategies = strategies_of(runtime).strategies(request_pattern(intent))
            # Without a record, a document is best planned as a batch (compute, then write).
            default = "actionplan" if intent.data_type == DataType.DOCUMENT else "react"
            if default not in prefixes:
                default = next(iter(prefixes))
            mode, reason = choose_mode(strategies, prefixes, default=default)
        task_input = {
            "request": task.objective,
            "files": list(state.context_files),
            "task_index": index,
            "total_tasks": total,
            "round": state.round,
            "history": list(state.rounds),
        }
        message = msg.task_start(
            task.objective, index=index, total=total, mode=mode, round=state.round
        )
        message.data["reason"] = reason
        return {
            "task_mode": mode,
            "task_input": task_input,
            "steps_seen": len(state.steps),
            **msg.publish(message),
        }

    return task_start


def task_finish(state: WorkflowState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Fold the mode's output into a TaskResult; make its result a file later tasks can read."""
    assert state.task_plan is not None
    index, total = state.cursor + 1, len(state.task_plan.tasks)
    steps = state.steps[state.steps_seen :]
    result = TaskResult(
        index=index,
        objective=state.task_plan.tasks[state.cursor].objective,
        mode=state.task_mode,
        success=state.success,
        verdict=verdict_of(state.verdict, state.success),
        deliverable=state.deliverable,
        files=list(state.files_out),
        final_message=state.final_message,
        quality_score=state.validation.quality_score if state.validation else 0.0,
        steps=steps,
    )
    where = msg.Where(task=index, mode=state.task_mode, round=state.round)
    messages = []
    reported = any(
        m.kind in _ACTION_KINDS and m.task == index and m.round == state.round
        for m in state.workflow_messages
    )
    if not reported:
        # A mode that streams only its own events (the react loop) still leaves the log.
        messages += msg.from_steps(steps, **where)
    if not result.success:
        first = result.final_message.splitlines()[0] if result.final_message else "no result"
        messages.append(msg.error(first, **where))
    messages.append(msg.task_complete(result, total=total, round=state.round))
    context_files = list(state.context_files)
    if result.success and result.deliverable and not result.files:
        path = output_dir(context_of(runtime)) / f"task-{state.round}-{index}.txt"
        path.write_text(result.deliverable, encoding="utf-8")
        context_files.append(str(path))
    context_files.extend(f for f in result.files if f not in context_files)
    return {
        "task_results": [*state.task_results, result],
        "cursor": index,
        "context_files": context_files,
        **msg.publish(*messages),
    }


def round_verdict(results: list[TaskResult], total: int) -> str:
    """Verified when every task is; rejected when any task was rejected or never ran."""
    if not results or len(results) != total:
        return "rejected"
    if all(r.success for r in results):
        return "verified"
    return "unverified" if all(r.verdict != "rejected" for r in results) else "rejected"


def workflow_complete(state: WorkflowState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Summarise the round honestly and remember it for the next round on this thread."""
    results = state.task_results
    total = len(state.task_plan.tasks) if state.task_plan else 0
    verdict = round_verdict(results, total)
    success = verdict == "verified"
    deliverable = results[-1].deliverable if results else ""
    files = [f for r in results for f in r.files]
    summary = render(
        texts.WORKFLOW_SUMMARY,
        success=success,
        results=results,
        mode=state.mode,
        error=state.plan_error,
    )
    record = RoundRecord(
        round=state.round,
        request=state.request,
        deliverable=deliverable,
        files=[str(Path(f)) for f in files],
        success=success,
    )
    return {
        "success": success,
        "verdict": verdict,
        "deliverable": deliverable,
        "files_out": files,
        "final_message": summary,
        "rounds": [*state.rounds, record],
        **msg.publish(
            msg.workflow_complete(results, total=total, success=success, round=state.round)
        ),
    }
