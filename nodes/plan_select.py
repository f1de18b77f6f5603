"""plan_select: choose exactly one action, preferring what was learned to work."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from ..learning import action_template, default_order
from ..learning.auto_trainer import ReflectiveMemory
from ..learning.engine import CONFIDENT_MEAN, LearningEngine
from ..learning.skills import skill_action
from ..llm import ainvoke_structured
from ..prompts import elements, render, templates
from ..prompts.actions import build_action, buildable
from ..state import ActionSelection, Context, Intent, ReactState
from ..tools import ToolBox
from ._codegen import write_code
from ._common import context_of, emit, model_of, store_of, strategies_of

__all__ = ["CONFIDENT_MEAN", "make_plan_select"]


def _untried(order: list[str], failed: set[str]) -> list[str]:
    return [t for t in order if t not in failed]


def _fallback(intent: Intent, failed: set[str], python_ok: bool, request: str) -> ActionSelection:
    order = default_order(intent, python_allowed=python_ok)
    remaining = _untried(order, failed) or order
    return build_action(remaining[0], request, intent, rationale="default approach for this kind "
                        "of request")


async def _write_code(
    state: ReactState, runtime: Runtime[Context], task: str, temperature: float,
    advice: list[str],
) -> tuple[str, int]:
    problems = [f.reason for f in state.progress.failed if f.template.startswith("python")][-2:]
    model = model_of(runtime, temperature)
    return await write_code(model, state.intent, task, problems, advice), 1


async def _learned_advice(state: ReactState, runtime: Runtime[Context]) -> list[str]:
    """The auto-trainer's heuristics for this pattern; none when learning is off."""
    ctx = context_of(runtime)
    if not ctx.learning:
        return []
    return await ReflectiveMemory(store_of(runtime), ctx.namespace).heuristics_for(state.pattern)


def make_plan_select(toolbox: ToolBox):  # type: ignore[no-untyped-def]
    """plan_select bound to the graph's tools."""

    async def plan_select(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Skill first, then a confident learned strategy, then the model, then a default."""
        ctx = context_of(runtime)
        intent = state.intent
        assert intent is not None, "plan_select runs after intent_analyze"
        failed = set(state.failed_templates)
        python_ok = ctx.allow_python and toolbox.allow_python
        choice = await LearningEngine(strategies_of(runtime)).get_improved_strategy(
            state.pattern, failed,
            usable=lambda t: buildable(t) and (python_ok or not t.startswith("python:")),
        )
        strategies, avoid = choice.ranked, choice.avoid
        retry = state.step > 0
        temperature = ctx.retry_temperature if retry else ctx.temperature
        calls = 0
        scratch = dict(state.scratch)

        selection: ActionSelection | None = None
        advice: list[str] | None = None  # read only when a model call will see it
        if ctx.use_skills and python_ok and not state.skill_tried:
            selection = await skill_action(store_of(runtime), ctx.namespace, state.pattern,
                                           state.request, intent)
        source = "skill" if selection else ""
        if selection is None:
            best = choice.confident
            if best is not None:
                selection = build_action(best.template, state.request, intent,
                                         rationale=f"learned: {best.successes}/{best.attempts} "
                                         "validated for this kind of request",
                                         strategy_id=f"{best.pattern}#{best.template}")
                source = "strategy"
        if selection is None:
            advice = await _learned_advice(state, runtime)
            prompt = render(
                templates.PLAN_USER,
                objective=elements.objective(state.request),
                intent=elements.user_intent(intent),
                documents=elements.available_documents(state.files),
                history=elements.workflow_history(state.history),
                strategies=elements.learned_strategies(strategies),
                heuristics=elements.learned_heuristics(advice),
                failed_actions=elements.failed_actions(state.progress.failed, avoid),
                progress=elements.progress_state(state.progress, state.step, ctx.max_steps),
                tools=elements.available_tools(toolbox.specs(allow_python=python_ok)),
                guidance=state.guidance,
            )
            messages = [SystemMessage(render(templates.PLAN_SYSTEM, rules=templates.PLAN_RULES)),
                        HumanMessage(prompt)]
            outcome = await ainvoke_structured(model_of(runtime, temperature), ActionSelection,
                                               messages)
            calls += outcome.calls
            chosen = outcome.value if isinstance(outcome.value, ActionSelection) else None
            if chosen is not None and chosen.tool in toolbox.names(allow_python=python_ok):
                template = action_template(chosen, intent)
                if template not in failed or not _untried(default_order(intent), failed):
                    selection = chosen.model_copy(update={"template": template})
                    source = "model"
            if selection is None:
                selection = _fallback(intent, failed | set(avoid), python_ok, state.request)
                source = "default"

        selection = selection.model_copy(
            update={"template": selection.template or action_template(selection, intent)}
        )
        if selection.tool == "python" and not selection.parameters.get("code"):
            # The program is written for the user's own words: a weak planner's rewording
            # ("primes up to 25" for "the first 25 primes") was measured to lose the task.
            task = state.request
            if advice is None:
                advice = await _learned_advice(state, runtime)
            code, used = await _write_code(state, runtime, task, temperature, advice)
            calls += used
            selection = selection.model_copy(
                update={"parameters": {**selection.parameters, "code": code}}
            )
        emit("action_start", step=state.step + 1, tool=selection.tool,
             template=selection.template, source=source, rationale=selection.rationale)
        return {
            "selection": selection,
            "model_calls": calls,
            "skill_tried": state.skill_tried or source == "skill",
            "scratch": {**scratch, "plan_source": source},
        }

    return plan_select
