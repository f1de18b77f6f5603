"""task_plan: split the request into ordered task steps, repaired or rejected, never guessed.

This node also opens a round: a new request on a thread starts with a fresh task list while
the finished rounds stay in state as workflow history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from ..llm import invoke_structured
from ..prompts import actionplan as texts
from ..prompts import elements, render
from ..state import Context
from ..state.workflow import TaskPlan, TaskStep, WorkflowState
from . import actionplan_messages as msg
from ._common import model_of
from .intent_analyze import request_problem

MAX_TASKS = 6
MAX_OBJECTIVE_CHARS = 2000
UNUSABLE_ANSWER = "the planner's answer was unusable, so the request is one task"


def repair_task_plan(plan: TaskPlan) -> tuple[TaskPlan | None, list[str], str | None]:
    """Fix what can be fixed without guessing; reject what cannot.

    Repaired: blank or duplicate steps dropped, blank criteria dropped, over-long objectives
    clipped. Rejected: no step left, or more steps than ``MAX_TASKS`` (cutting a plan short
    would silently drop work the user asked for).

    Returns:
        The repaired plan (or ``None`` when rejected), the repairs made, and the rejection
        reason (or ``None``).
    """
    repairs: list[str] = []
    tasks: list[TaskStep] = []
    seen: set[str] = set()
    for task in plan.tasks:
        objective = " ".join(task.objective.split())
        if not objective:
            repairs.append("dropped an empty step")
            continue
        if objective.lower() in seen:
            repairs.append("dropped a duplicate step")
            continue
        seen.add(objective.lower())
        if len(objective) > MAX_OBJECTIVE_CHARS:
            objective = objective[:MAX_OBJECTIVE_CHARS]
            repairs.append("clipped an over-long objective")
        criteria = [c.strip() for c in task.success_criteria if c.strip()]
        tasks.append(TaskStep(objective=objective, success_criteria=criteria))
    if not tasks:
        return None, repairs, "the plan has no task steps"
    if len(tasks) > MAX_TASKS:
        return None, repairs, f"the plan has {len(tasks)} steps; at most {MAX_TASKS} are allowed"
    return TaskPlan(overview=plan.overview.strip()[:300], tasks=tasks), repairs, None


def make_task_plan(modes: Sequence[str]):  # type: ignore[no-untyped-def]
    """task_plan that knows which modes the workflow can run."""

    def task_plan(state: WorkflowState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Open a round, then plan it (or explain why it cannot be planned)."""
        round_no = state.round + 1
        request = state.request.strip()
        opened: dict[str, Any] = {
            "round": round_no,
            "request": request,
            "task_results": [],
            "cursor": 0,
            "task_plan": None,
            "plan_error": "",
            "success": False,
            "deliverable": "",
            "final_message": "",
            "files_out": [],
            "validation": None,
            "context_files": list(dict.fromkeys([*state.context_files, *state.files])),
        }
        problem = request_problem(request)
        if problem is None and state.mode != "auto" and state.mode not in modes:
            problem = f"unknown mode {state.mode!r}; choose one of auto, {', '.join(modes)}"
        if problem is None:
            plan, repairs, problem, calls = _plan(state, runtime, request, opened["context_files"])
            opened["model_calls"] = calls
        if problem is not None or plan is None:
            text = render(texts.PLAN_REJECTED, reason=problem)
            return {**opened, "plan_error": text, **msg.publish(msg.error(text, round=round_no))}
        return {
            **opened,
            "task_plan": plan,
            **msg.publish(msg.task_plan(plan, round=round_no, repairs=repairs)),
        }

    return task_plan


def _plan(
    state: WorkflowState, runtime: Runtime[Context], request: str, files: list[str]
) -> tuple[TaskPlan | None, list[str], str | None, int]:
    messages = [
        SystemMessage(render(texts.TASK_PLAN_SYSTEM, max_tasks=MAX_TASKS)),
        HumanMessage(
            render(
                texts.TASK_PLAN_USER,
                objective=elements.objective(request),
                documents=elements.available_documents(files),
                history=elements.workflow_history(state.rounds),
            )
        ),
    ]
    outcome = invoke_structured(model_of(runtime), TaskPlan, messages)
    if not isinstance(outcome.value, TaskPlan):
        # A request is always at least one task; planning adds structure, never the work.
        return TaskPlan(tasks=[TaskStep(objective=request)]), [UNUSABLE_ANSWER], None, outcome.calls
    plan, repairs, problem = repair_task_plan(outcome.value)
    return plan, repairs, problem, outcome.calls
