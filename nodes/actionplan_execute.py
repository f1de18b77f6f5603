"""execute_action: run the batch one action per step, each seeing the previous result.

Built-in tools run through the react loop's own executor (``run_action``), so sandboxing,
approval and error handling are the same in both modes; document actions are ours.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from ..learning import action_template
from ..prompts import actionplan as texts
from ..prompts import render
from ..state import ActionResult, ActionSelection, Context
from ..state.workflow import ActionplanState, PlannedAction
from ..tools import ToolBox
from ..tools.documents import is_document_action, run_document_action
from . import actionplan_messages as msg
from ._codegen import write_code
from ._common import context_of, model_of
from .act import ActionInput, output_dir, run_action

# Tools whose single-action batch is recorded as the react action it is (see single_selection).
SINGLE_TOOLS = ("python", "ai_process")
PREVIOUS_FILE = "previous_result.txt"
PREVIOUS_PROMPT_CHARS = 4000


def combined_result(results: list[ActionResult]) -> ActionResult:
    """The batch as one result for review: the last content, every file, the first error."""
    last = results[-1]
    failed = next((r for r in results if not r.success), None)
    files = [f for r in results for f in r.files]
    return ActionResult(
        tool=last.tool,
        success=failed is None,
        content=last.content,
        files=files,
        error=failed.error if failed else None,
        truncated=last.truncated,
        duration_s=sum(r.duration_s for r in results),
    )


def batch_selection(actions: list[PlannedAction]) -> ActionSelection:
    """The batch as one selection, so the shared learn node records it under one template."""
    # The learning guard accepts only ``tool:approach`` names of [A-Za-z0-9_-], 60 at most.
    tools = "-".join(re.sub(r"[^A-Za-z0-9_]", "_", a.tool) for a in actions)
    return ActionSelection(
        tool="actionplan",
        parameters={"prompt": "; ".join(f"{a.tool}: {a.rationale}"[:200] for a in actions)},
        rationale=f"{len(actions)} planned actions",
        template=f"actionplan:{tools}"[:60],
    )


def single_selection(
    action: PlannedAction, params: dict[str, Any], state: ActionplanState
) -> ActionSelection:
    """A one-action batch as the react action it is, so both modes learn the same records.

    Recorded as ``python:compute`` (with the program that ran) instead of
    ``actionplan:python``, a validated program becomes a skill, and a skill or strategy
    learned in either mode is replayed by the other.
    """
    sel = ActionSelection(tool=action.tool, parameters=params, rationale=action.rationale[:300])
    template = state.plan_template or action_template(sel, state.intent)
    return sel.model_copy(update={"template": template})


def _pass_previous(
    params: dict[str, Any], previous: ActionResult, tool: str, scratch: Path, files: list[str]
) -> None:
    """Hand the previous result on: in an ai_process prompt, or as a file for python."""
    if tool == "ai_process":
        params["prompt"] = render(
            texts.ACTION_WITH_PREVIOUS,
            prompt=str(params.get("prompt", "")),
            previous=previous.content[:PREVIOUS_PROMPT_CHARS],
        )
    elif tool == "python":
        path = scratch / PREVIOUS_FILE
        path.write_text(previous.content, encoding="utf-8")
        files.append(str(path))
        if not params.get("code"):
            params["task"] = render(
                texts.PYTHON_TASK_WITH_PREVIOUS,
                task=str(params.get("task", "")),
                filename=PREVIOUS_FILE,
            )


def _run_tool(
    state: ActionplanState,
    runtime: Runtime[Context],
    toolbox: ToolBox,
    action: PlannedAction,
    previous: ActionResult | None,
) -> tuple[ActionResult, dict[str, Any], int]:
    """Run a react tool through the react executor; the parameters it ran with; model calls."""
    params: dict[str, Any] = dict(action.parameters)
    files = [*state.files, *(f for r in state.action_results for f in r.files)]
    calls, retry = 0, state.attempt > 1
    with tempfile.TemporaryDirectory(prefix="ar-prev-", ignore_cleanup_errors=True) as scratch:
        if previous is not None:
            _pass_previous(params, previous, action.tool, Path(scratch), files)
        if action.tool == "python" and not params.get("code"):
            ctx = context_of(runtime)
            model = model_of(runtime, ctx.retry_temperature if retry else ctx.temperature)
            task = str(params.get("task") or state.request)
            params["code"], calls = write_code(model, state.intent, task, state.findings[:2]), 1
        sel = ActionSelection(tool=action.tool, parameters=params)
        job = ActionInput(state.request, state.intent, files, retry=retry)
        result, _ = run_action(sel, job, toolbox, runtime)
    return result, params, calls


def make_execute_action(toolbox: ToolBox):  # type: ignore[no-untyped-def]
    """execute_action bound to the graph's tools."""

    def execute_action(state: ActionplanState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Run the action at the cursor; after the last one (or a failure) hand the batch on."""
        number = state.cursor + 1
        action = state.actions[state.cursor]
        where = msg.in_actionplan(state)
        started = msg.action_start(action.tool, action=number, rationale=action.rationale, **where)
        msg.publish(started)  # before running, so a long action shows as started while it runs
        previous = state.action_results[-1] if state.action_results else None
        if is_document_action(action.tool):
            prior = previous.content if previous else ""
            out = output_dir(context_of(runtime))
            result = run_document_action(action.tool, action.parameters, out, prior)
            params, calls = dict(action.parameters), 0
        else:
            result, params, calls = _run_tool(state, runtime, toolbox, action, previous)
        results = [*state.action_results, result]
        finished = msg.action_result(result, action=number, **where)
        msg.publish(finished)
        update: dict[str, Any] = {
            "workflow_messages": [started, finished],
            "action_results": results,
            "cursor": number,
            "model_calls": calls + result.model_calls,
        }
        if not result.success or number == len(state.actions):
            update["result"] = combined_result(results)
            update["selection"] = (
                single_selection(action, params, state)
                if len(state.actions) == 1 and action.tool in SINGLE_TOOLS
                else batch_selection(state.actions)
            )
        return update

    return execute_action
