"""plan_select: choose exactly one action, preferring what was learned to work."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from ..analysis import rules_confident
from ..learning import action_template, default_order
from ..learning import attempts as ladder
from ..learning.actions import AI_DATA
from ..learning.auto_trainer import ReflectiveMemory
from ..learning.engine import CONFIDENT_MEAN, LearningEngine
from ..learning.repair import mechanical_repair, producer_safe, repair_brief, safe_findings
from ..learning.skills import skill_action
from ..llm import invoke_structured
from ..prompts import elements, render, templates
from ..prompts.actions import build_action, buildable
from ..state import ActionSelection, Context, DataType, FailedAttempt, Intent, ReactState
from ..state.attempts import Attempt
from ..state.workflow import MessageKind
from ..tools import ToolBox, available_packages
from ._codegen import reframe_code, repair_code, write_code
from ._common import context_of, emit, model_of, store_of, strategies_of

__all__ = ["CONFIDENT_MEAN", "make_plan_select"]


def _untried(order: list[str], failed: set[str]) -> list[str]:
    return [t for t in order if t not in failed]


def _fallback(intent: Intent, failed: set[str], python_ok: bool, request: str) -> ActionSelection:
    order = default_order(intent, python_allowed=python_ok)
    remaining = _untried(order, failed) or order
    return build_action(
        remaining[0], request, intent, rationale="default approach for this kind of request"
    )


def _write_code(
    state: ReactState,
    runtime: Runtime[Context],
    task: str,
    temperature: float,
    advice: list[str],
) -> tuple[str, int]:
    problems = [
        producer_safe(f.reason) for f in state.progress.failed if f.template.startswith("python")
    ][-2:]
    model = model_of(runtime, temperature)
    return write_code(model, state.intent, task, [p for p in problems if p], advice), 1


def _safe_failures(failed: list[FailedAttempt]) -> list[FailedAttempt]:
    """Failed attempts with their reasons cut to what may reach a producer's prompt."""
    return [
        f.model_copy(update={"reason": producer_safe(f.reason) or "validation failed"})
        for f in failed
    ]


def _program_output_answers(intent: Intent) -> bool:
    """Whether what a program prints can be the deliverable.

    A request for code wants the source; a program's output (``False``/``True`` from a
    function's own demo calls) is not it. The validator runs the code instead.
    """
    return intent.data_type != DataType.CODE


def _ai_left(intent: Intent, failed: set[str], python_ok: bool) -> bool:
    """Whether asking the model for the data itself is still an untried idea."""
    return AI_DATA in default_order(intent, python_allowed=python_ok) and AI_DATA not in failed


def _candidate(
    approach: str, state: ReactState, runtime: Runtime[Context], history: list[Attempt]
) -> tuple[ActionSelection, int]:
    """The next attempt after a failed program, different in kind from what was tried.

    No planning call: the ladder already knows what comes next, and the planner of a weak
    model was seen to pick the approach that had just failed.
    """
    ctx = context_of(runtime)
    intent = state.intent
    assert intent is not None
    if approach == ladder.AI_DATA:
        return build_action(
            AI_DATA,
            state.request,
            intent,
            rationale="the programs failed; asking for the data itself",
        ), 0
    last = history[-1]
    if approach == ladder.REPAIR and last.approach != ladder.MECHANICAL and not state.skill_tried:
        edit = mechanical_repair(last, state.validation, available_packages())
        if edit is not None and edit[0] not in {a.program for a in history}:
            selection = ActionSelection(
                tool="python",
                parameters={"code": edit[0]},
                rationale=f"repaired by code: {edit[1]}",
            )
            return selection.model_copy(update={"template": action_template(selection, intent)}), 0
    if approach == ladder.REPAIR:
        brief = repair_brief(last, state.validation, intent, available_packages())
        # A repair edits one concrete program: no sampling noise on top of the instructions.
        code = repair_code(model_of(runtime, ctx.temperature), intent, state.request, last, brief)
        rationale = "repair the last program from what it printed and what was wrong"
    else:
        code = reframe_code(
            model_of(runtime, ctx.retry_temperature),
            intent,
            state.request,
            approach,
            safe_findings(state.validation),
        )
        rationale = f"a new program, written another way ({approach})"
    selection = ActionSelection(tool="python", parameters={"code": code}, rationale=rationale)
    return selection.model_copy(update={"template": action_template(selection, intent)}), 1


def _next_rung(
    approach: str, state: ReactState, runtime: Runtime[Context], history: list[Attempt]
) -> dict[str, Any]:
    """plan_select's update for a retry the ladder decides."""
    candidate, calls = _candidate(approach, state, runtime, history)
    if candidate.rationale.startswith("repaired by code"):
        approach = ladder.MECHANICAL
    _announce(state, candidate, approach)
    return {
        "selection": candidate,
        "model_calls": calls,
        "attempts": _pending(state, history, approach, candidate),
        "plan_source": approach,
    }


def _announce(state: ReactState, selection: ActionSelection, source: str) -> None:
    """Stream the action about to run, and where it came from."""
    data = {
        "tool": selection.tool,
        "template": selection.template,
        "source": source,
        "rationale": selection.rationale,
    }
    emit(MessageKind.ACTION_START, step=state.step + 1, data=data)


def _pending(
    state: ReactState, history: list[Attempt], approach: str, selection: ActionSelection
) -> list[Attempt]:
    """This round's attempts plus the one about to run; act fills in what it produced."""
    pending = Attempt(
        request_id=state.request_id,
        step=state.step + 1,
        approach=approach,
        tool=selection.tool,
        program=str(selection.parameters.get("code", "")),
    )
    return [*history, pending]


def _rules_decide_first_action(state: ReactState, toolbox: ToolBox) -> bool:
    """Whether the first action is already decided without asking the planner.

    On first sight, with only the built-in tools and no files, the planner can only pick
    between a program and a direct answer, and for a request the rules read unambiguously
    the default order already makes that choice; the planning call of a weak model was
    measured to cost a third of a solved task's calls while agreeing with it. User tools,
    files, guidance from an interrupt or any earlier step bring back the planner.
    """
    if state.step > 0 or state.files or state.guidance or toolbox.user_tools:
        return False
    rules = state.rules_reading
    return (
        rules is not None
        and state.intent is not None
        and rules.data_type == state.intent.data_type
        and rules_confident(rules)
    )


def _learned_advice(state: ReactState, runtime: Runtime[Context]) -> list[str]:
    """The auto-trainer's heuristics for this pattern; none when learning is off."""
    ctx = context_of(runtime)
    if not ctx.learning:
        return []
    return ReflectiveMemory(store_of(runtime), ctx.namespace).heuristics_for(state.pattern)


def make_plan_select(toolbox: ToolBox):  # type: ignore[no-untyped-def]
    """plan_select bound to the graph's tools."""

    def plan_select(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Skill first, then a confident learned strategy, then the model, then a default."""
        ctx = context_of(runtime)
        intent = state.intent
        assert intent is not None, "plan_select runs after intent_analyze"
        failed = set(state.failed_templates)
        python_ok = ctx.allow_python and toolbox.allow_python and _program_output_answers(intent)
        choice = LearningEngine(strategies_of(runtime)).get_improved_strategy(
            state.pattern,
            failed,
            usable=lambda t: buildable(t) and (python_ok or not t.startswith("python:")),
        )
        strategies, avoid = choice.ranked, choice.avoid
        retry = state.step > 0
        temperature = ctx.retry_temperature if retry else ctx.temperature
        calls = 0
        history = ladder.of_round(state.attempts, state.request_id)

        if retry and python_ok and ladder.programs_tried(history):
            approach = ladder.next_approach(history, ai_left=_ai_left(intent, failed, python_ok))
            if approach is not None:
                return _next_rung(approach, state, runtime, history)

        selection: ActionSelection | None = None
        advice: list[str] | None = None  # read only when a model call will see it
        if ctx.use_skills and python_ok and not state.skill_tried:
            selection = skill_action(
                store_of(runtime), ctx.namespace, state.pattern, state.request, intent
            )
        source = "skill" if selection else ""
        if selection is None:
            best = choice.confident
            if best is not None:
                selection = build_action(
                    best.template,
                    state.request,
                    intent,
                    rationale=f"learned: {best.successes}/{best.attempts} "
                    "validated for this kind of request",
                    strategy_id=f"{best.pattern}#{best.template}",
                )
                source = "strategy"
        if selection is None and ctx.plan_by_rules and _rules_decide_first_action(state, toolbox):
            selection = _fallback(intent, failed | set(avoid), python_ok, state.request)
            source = "rules"
        if selection is None:
            advice = _learned_advice(state, runtime)
            prompt = render(
                templates.PLAN_USER,
                **elements.planner_sections(
                    state.request, intent, state.files, state.history, strategies
                ),
                heuristics=elements.learned_heuristics(advice),
                failed_actions=elements.failed_actions(
                    _safe_failures(state.progress.failed), avoid
                ),
                progress=elements.progress_state(state.progress, state.step, ctx.max_steps),
                tools=elements.available_tools(toolbox.specs(allow_python=python_ok)),
                guidance=[g for g in map(producer_safe, state.guidance) if g],
            )
            messages = [
                SystemMessage(render(templates.PLAN_SYSTEM, rules=templates.PLAN_RULES)),
                HumanMessage(prompt),
            ]
            outcome = invoke_structured(model_of(runtime, temperature), ActionSelection, messages)
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
                advice = _learned_advice(state, runtime)
            code, used = _write_code(state, runtime, task, temperature, advice)
            calls += used
            selection = selection.model_copy(
                update={"parameters": {**selection.parameters, "code": code}}
            )
        _announce(state, selection, source)
        return {
            "selection": selection,
            "model_calls": calls,
            "skill_tried": state.skill_tried or source == "skill",
            "attempts": _pending(
                state, history, ladder.FIRST if not history else source, selection
            ),
            "plan_source": source,
        }

    return plan_select
