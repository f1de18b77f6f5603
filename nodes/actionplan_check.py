"""check_actions: reject an action list before anything runs (unknown tools, bad parameters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langgraph.runtime import Runtime

from ..prompts import actionplan as texts
from ..prompts import render
from ..state import Context
from ..state.workflow import ActionplanState, PlannedAction
from ..tools import ToolBox
from ..tools.documents import PREVIOUS, check_parameters, is_document_action
from . import actionplan_messages as msg
from ._common import context_of
from .actionplan_generate import MAX_ACTIONS


def _text_param(action: PlannedAction, *names: str) -> bool:
    return any(
        isinstance(action.parameters.get(n), str) and action.parameters[n].strip() for n in names
    )


def check_actions(
    actions: Sequence[PlannedAction], toolbox: ToolBox, *, allow_python: bool
) -> list[str]:
    """Every problem that would make the batch fail for reasons other than its content.

    Checked: the list is non-empty and bounded, every tool exists (and is allowed), every
    action has the parameters its tool needs and no parameters it does not know, and a
    ``"previous"`` reference has a previous action to refer to.
    """
    if not actions:
        return ["the action list is empty"]
    problems: list[str] = []
    if len(actions) > MAX_ACTIONS:
        problems.append(f"{len(actions)} actions planned; at most {MAX_ACTIONS} are allowed")
    known = toolbox.names(allow_python=allow_python)
    for n, action in enumerate(actions, start=1):
        where = f"action {n} ({action.tool})"
        if action.tool == "ai_process":
            if not _text_param(action, "prompt"):
                problems.append(f"{where}: needs a non-empty 'prompt'")
        elif action.tool == "python":
            if "python" not in known:
                problems.append(f"{where}: the python tool is turned off for this run")
            elif not _text_param(action, "code", "task"):
                problems.append(f"{where}: needs 'code' or 'task'")
        elif is_document_action(action.tool):
            problems.extend(
                f"action {n}: {p}" for p in check_parameters(action.tool, action.parameters)
            )
            if action.parameters.get("rows") == PREVIOUS and n == 1:
                problems.append(f'{where}: rows "previous" but no action runs before it')
        elif action.tool in toolbox.user_tools:
            problems.extend(_user_tool_problems(where, toolbox.user_tools[action.tool], action))
        else:
            problems.append(f"{where}: unknown tool {action.tool!r}")
    return problems


def _user_tool_problems(where: str, tool: BaseTool, action: PlannedAction) -> list[str]:
    """Missing and unknown parameters, judged by the tool's own call schema."""
    schema = tool.tool_call_schema
    fields: dict[str, Any] = (
        schema.model_json_schema()
        if hasattr(schema, "model_json_schema")
        else dict(schema)
        if isinstance(schema, dict)
        else {}
    )
    missing = [r for r in fields.get("required", []) if r not in action.parameters]
    unknown = [k for k in action.parameters if k not in fields.get("properties", {})]
    problems = [f"{where}: missing parameters {missing}"] if missing else []
    if unknown:
        problems.append(f"{where}: unknown parameters {unknown}")
    return problems


def make_check_actions(toolbox: ToolBox):  # type: ignore[no-untyped-def]
    """check_actions bound to the graph's tools."""

    def check_actions_node(state: ActionplanState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Accept the batch, or send it back with the problems (or give up at the limit)."""
        ctx = context_of(runtime)
        problems = check_actions(
            state.actions, toolbox, allow_python=ctx.allow_python and toolbox.allow_python
        )
        if not problems:
            return {"findings": []}
        text = render(texts.ACTIONS_REJECTED, problems=problems[:6])
        error = msg.error(text, data={"problems": problems}, **msg.in_actionplan(state))
        update = {"findings": problems, **msg.publish(error)}
        if state.attempt >= state.max_attempts:
            update.update(success=False, final_message=text, deliverable="")
        return update

    check_actions_node.__name__ = "check_actions"
    return check_actions_node
