"""generate_actions: plan every action of a task step at once, before any of them runs."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from ..learning import default_order
from ..learning.engine import LearningEngine
from ..learning.skills import skill_action
from ..llm import invoke_structured
from ..prompts import actionplan as texts
from ..prompts import elements, render
from ..prompts.actions import build_action, buildable
from ..state import ActionSelection, Context, Intent
from ..state.workflow import ActionList, ActionplanState, PlannedAction
from ..tools import ToolBox
from ..tools.documents import DOCUMENT_SPECS
from ._common import context_of, model_of, store_of, strategies_of

MAX_ACTIONS = 6


def _planned(sel: ActionSelection) -> PlannedAction:
    return PlannedAction(tool=sel.tool, parameters=sel.parameters, rationale=sel.rationale)


def fallback_actions(intent: Intent, request: str, *, allow_python: bool) -> list[PlannedAction]:
    """One action from the shared default order, for when the model gives no usable list.

    It is the same first choice react mode would make, so a model that cannot plan a batch
    still gets a reviewed attempt instead of an empty one.
    """
    template = default_order(intent, python_allowed=allow_python)[0]
    rationale = "default approach for this kind of request"
    return [_planned(build_action(template, request, intent, rationale=rationale))]


def _learned_action(
    state: ActionplanState, runtime: Runtime[Context], intent: Intent, python_ok: bool
) -> tuple[ActionSelection, str] | None:
    """A verified skill or confident strategy for the pattern, and which of the two it is.

    The first attempt at a learned kind of request needs no batch plan: react mode would
    replay the same thing without planning, and a batch the model writes is no better.
    Retries still go to the model, with the review's findings.
    """
    ctx = context_of(runtime)
    if ctx.use_skills and python_ok and not state.skill_tried:
        skill = skill_action(store_of(runtime), ctx.namespace, state.pattern, state.request, intent)
        if skill is not None:
            return skill, "skill"
    best = (
        LearningEngine(strategies_of(runtime))
        .get_improved_strategy(
            state.pattern,
            set(state.failed_templates),
            usable=lambda t: buildable(t) and (python_ok or not t.startswith("python:")),
        )
        .confident
    )
    if best is None:
        return None
    rationale = f"learned: {best.successes}/{best.attempts} validated for this kind of request"
    return build_action(best.template, state.request, intent, rationale=rationale), "strategy"


def _batch(
    actions: list[PlannedAction], *, attempt: int, calls: int, template: str = "", source: str
) -> dict[str, Any]:
    """A fresh batch for this attempt: the cursor on its first action, no results yet."""
    return {
        "actions": actions,
        "attempt": attempt,
        "step": attempt,
        "cursor": 0,
        "action_results": [],
        "model_calls": calls,
        "plan_template": template,
        "plan_source": source,
    }


def make_generate_actions(toolbox: ToolBox):  # type: ignore[no-untyped-def]
    """generate_actions bound to the graph's tools."""

    def generate_actions(state: ActionplanState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Ask for the whole batch, with the last review's findings when this is a retry."""
        ctx = context_of(runtime)
        intent = state.intent
        assert intent is not None, "generate_actions runs after intent_analyze"
        python_ok = ctx.allow_python and toolbox.allow_python
        learned = _learned_action(state, runtime, intent, python_ok) if not state.attempt else None
        if learned is not None:
            sel, source = learned
            batch = _batch(
                [_planned(sel)], attempt=1, calls=0, template=sel.template, source=source
            )
            return {**batch, "skill_tried": state.skill_tried or source == "skill"}
        strategies = strategies_of(runtime).strategies(state.pattern)
        prompt = render(
            texts.ACTIONS_USER,
            **elements.planner_sections(
                state.request, intent, state.files, state.history, strategies
            ),
            # An action list may use the react tools and the document actions.
            tools=elements.available_tools(
                [*toolbox.specs(allow_python=python_ok), *DOCUMENT_SPECS]
            ),
            findings=state.findings,
        )
        system = render(
            texts.ACTIONS_SYSTEM, rules=render(texts.ACTIONS_RULES, max_actions=MAX_ACTIONS)
        )
        temperature = ctx.retry_temperature if state.attempt > 0 else ctx.temperature
        outcome = invoke_structured(
            model_of(runtime, temperature),
            ActionList,
            [SystemMessage(system), HumanMessage(prompt)],
        )
        if isinstance(outcome.value, ActionList):
            actions = list(outcome.value.actions)
        else:
            actions = fallback_actions(intent, state.request, allow_python=python_ok)
        return _batch(actions, attempt=state.attempt + 1, calls=outcome.calls, source="model")

    return generate_actions
