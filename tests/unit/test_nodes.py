"""Each node on its own: called directly with a runtime, scripted models, no graph."""

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from langgraph.runtime import Runtime
from langgraph.store.memory import InMemoryStore

from adaptive_react.analysis import rules_intent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.graph.routing import keep_refining, request_is_actionable
from adaptive_react.nodes import (
    intent_analyze,
    make_act,
    make_plan_select,
    observe,
    refine_decide,
    validate,
)
from adaptive_react.state import (
    ActionResult,
    ActionSelection,
    ContentKind,
    Context,
    CriterionKind,
    DataType,
    Decision,
    Intent,
    OutputFormat,
    Progress,
    ReactState,
    Validation,
)
from adaptive_react.state.models import FailedAttempt
from adaptive_react.tools import ToolBox
from tests.helpers import Router


def runtime(script=None, **ctx):
    model = ScriptedChatModel(script=script or Router())
    return Runtime(context=Context(model=model, **ctx), store=InMemoryStore()), model


# intent_analyze -----------------------------------------------------------------------------


@pytest.mark.parametrize("request_text", ["", "   \n\t ", "x" * 20_001, "\x00\x01binary" * 5])
def test_intent_rejects_unusable_requests_with_a_clear_message(request_text):
    rt, model = runtime()
    update = intent_analyze(ReactState(request=request_text), rt)
    assert update["intent"] is None
    assert update["decision"].action == "stop"
    assert update["final_message"]
    assert model.calls == []  # nothing was sent to the model


def test_intent_falls_back_to_rules_when_the_model_answer_is_invalid():
    rt, _ = runtime(Router(intent=["this is not JSON at all"]))
    update = intent_analyze(ReactState(request="Calculate the first 1000 prime numbers"), rt)
    intent = update["intent"]
    assert intent.data_type == DataType.NUMBERS
    assert intent.criterion(CriterionKind.COUNT).value == 1000
    assert intent.criterion(CriterionKind.PROPERTY).value == "prime"
    assert update["pattern"].startswith("numbers/")
    assert update["model_calls"] >= 1


def test_intent_keeps_rule_criteria_the_model_dropped():
    lazy = Intent(data_type=DataType.NUMBERS, expected_format=OutputFormat.LIST)
    rt, _ = runtime(Router(intent=[lazy]))
    update = intent_analyze(ReactState(request="List the first 50 prime numbers"), rt)
    assert update["intent"].criterion(CriterionKind.COUNT).value == 50


def test_intent_reads_the_last_human_message_when_no_request_field():
    rt, _ = runtime(Router(intent=["no"]))
    state = ReactState(messages=[HumanMessage("List the first 5 square numbers")])
    update = intent_analyze(state, rt)
    assert update["request"] == "List the first 5 square numbers"


# act ----------------------------------------------------------------------------------------


def _state_for(selection, request="List the first 5 prime numbers"):
    reading = rules_intent(request)
    return ReactState(request=request, intent=reading, rules_reading=reading, selection=selection)


def test_act_turns_a_crashing_program_into_a_failed_result():
    rt, _ = runtime()
    sel = ActionSelection(tool="python", parameters={"code": "raise ValueError('boom')"})
    update = make_act(ToolBox())(_state_for(sel), rt)
    result = update["result"]
    assert result.success is False and "ValueError: boom" in result.error
    assert update["step"] == 1


def test_act_refuses_python_when_it_is_turned_off():
    rt, _ = runtime(allow_python=False)
    sel = ActionSelection(tool="python", parameters={"code": "print(1)"})
    result = make_act(ToolBox())(_state_for(sel), rt)["result"]
    assert result.success is False and "turned off" in result.error


def test_act_reports_an_unknown_tool_as_a_failed_action():
    rt, _ = runtime()
    result = make_act(ToolBox())(_state_for(ActionSelection(tool="teleport")), rt)["result"]
    assert result.success is False and "unknown tool" in result.error


def test_act_runs_ai_process_and_counts_the_call():
    rt, model = runtime(Router(ai=["2, 3, 5, 7, 11"]))
    sel = ActionSelection(tool="ai_process", parameters={"prompt": "List the first 5 primes"})
    update = make_act(ToolBox())(_state_for(sel), rt)
    assert update["result"].content == "2, 3, 5, 7, 11"
    assert update["model_calls"] == 1
    assert "List the first 5 primes" in model.prompts[0]


def test_act_survives_a_user_tool_that_raises():
    from langchain_core.tools import tool

    @tool
    def flaky(x: int) -> int:
        """Always fails."""
        raise ConnectionError("backend down")

    rt, _ = runtime()
    sel = ActionSelection(tool="flaky", parameters={"x": 1})
    result = make_act(ToolBox([flaky]))(_state_for(sel), rt)["result"]
    assert result.success is False and "backend down" in result.error


# observe + validate -------------------------------------------------------------------------


def test_observe_classifies_code_by_its_content():
    state = _state_for(None)
    state.result = ActionResult(
        tool="ai_process", success=True, content="def primes(n):\n    return [2, 3]\n"
    )
    obs = observe(state, None)["observation"]
    assert obs.content_kind == ContentKind.CODE
    assert obs.intent_match is False


def test_validate_passes_correct_numbers_without_asking_a_judge():
    rt, model = runtime()
    state = _state_for(None)
    state.result = ActionResult(tool="ai_process", success=True, content="2, 3, 5, 7, 11")
    update = validate(state, rt)
    assert update["validation"].overall_success is True
    assert update["best_content"] == "2, 3, 5, 7, 11"
    assert model.calls == []


def test_validate_asks_the_judge_only_for_what_code_cannot_check():
    request = "Write a short friendly greeting for a birthday card"
    rt, model = runtime(
        Router(judge=[{"items": [{"index": 1, "passed": False, "reason": "not friendly"}]}])
    )
    state = ReactState(
        request=request,
        intent=Intent(
            data_type=DataType.TEXT,
            expected_format=OutputFormat.PROSE,
            success_criteria=[
                {"kind": "other", "value": "friendly", "description": "friendly tone"}
            ],
        ),
    )
    state.result = ActionResult(tool="ai_process", success=True, content="Go away.")
    validation = validate(state, rt)["validation"]
    judged = [c for c in validation.criteria if c.checked_by == "judge"]
    assert len(judged) == 1 and judged[0].passed is False
    assert validation.overall_success is False
    assert len(model.calls) == 1


# refine_decide and routing ------------------------------------------------------------------


def _decided(validation, step, max_steps=8, failed=()):
    rt, _ = runtime(max_steps=max_steps)
    state = _state_for(None)
    state.validation, state.step = validation, step
    state.progress = Progress(failed=list(failed))
    state.best_content, state.best_score = "2, 3", 0.4
    return refine_decide(state, rt)


def _invalid(score=0.4):
    return Validation(
        overall_success=False,
        data_type_match=True,
        format_match=True,
        quality_score=score,
        issues=["the list has 2 items; deliver exactly 5"],
        suggestions=["deliver exactly 5 items"],
    )


def test_refine_stops_on_validated_success_with_the_deliverable():
    rt, _ = runtime()
    state = _state_for(None)
    state.validation = Validation(
        overall_success=True, data_type_match=True, format_match=True, quality_score=1.0
    )
    state.step, state.best_content = 1, "2, 3, 5, 7, 11"
    update = refine_decide(state, rt)
    assert update["decision"].action == "stop"
    assert update["success"] is True and update["deliverable"] == "2, 3, 5, 7, 11"


def test_refine_continues_with_the_validators_suggestions():
    update = _decided(_invalid(), step=1)
    assert update["decision"].action == "continue"
    assert "deliver exactly 5 items" in update["guidance"]


def test_refine_stops_honestly_on_the_step_budget():
    failed = [FailedAttempt(step=i, template="ai_process:data", reason="too short") for i in (1, 2)]
    update = _decided(_invalid(), step=2, max_steps=2, failed=failed)
    assert update["decision"].action == "stop"
    assert update["success"] is False
    assert "Not solved after 2 steps" in update["final_message"]
    assert "step budget" in update["final_message"]
    assert "marked unsuccessful" in update["final_message"]


def test_routing_decisions():
    assert request_is_actionable(ReactState()) == "__end__"
    assert request_is_actionable(ReactState(intent=rules_intent("list 3 primes"))) == "plan_select"
    assert (
        keep_refining(ReactState(decision=Decision(action="continue", reason="x"))) == "plan_select"
    )
    assert keep_refining(ReactState(decision=Decision(action="stop", reason="x"))) == "__end__"


class LengthFinishReasonError(Exception):
    """Named like openai's: the reply hit the completion cap before the JSON closed."""


def test_a_structured_reply_cut_at_the_token_cap_falls_back_instead_of_crashing():
    # Regression: the embedded model looped to its 2048-token cap in plan_select and the
    # exception ended the run; now it counts as malformed output and the default plan is used.
    from adaptive_react.nodes import make_plan_select

    program = "```python\nprint(', '.join(map(str, [2, 3, 5, 7, 11])))\n```"
    rt, model = runtime(
        Router(plan=[LengthFinishReasonError("length limit reached")], codegen=[program]),
        plan_by_rules=False,
    )
    state = _state_for(None)
    state.pattern = "numbers/raw_data/count+property=prime"
    update = make_plan_select(ToolBox())(state, rt)
    assert update["selection"].tool == "python"
    assert update["plan_source"] == "default"
    assert any(kw.get("max_tokens") == 1024 for kw in model._kwargs)


# plan_select: the first action of a request the rules settle -------------------------------

PROGRAM_5 = "```python\nprint(', '.join(map(str, [2, 3, 5, 7, 11])))\n```"


def test_the_first_action_of_a_request_the_rules_settle_needs_no_planning_call():
    # No planning reply is scripted: asking the planner would fail the test.
    rt, model = runtime(Router(codegen=[PROGRAM_5]))
    update = make_plan_select(ToolBox())(_state_for(None), rt)
    assert update["plan_source"] == "rules"
    assert update["selection"].tool == "python" and update["model_calls"] == 1
    assert "2, 3, 5, 7, 11" in update["selection"].parameters["code"]


def test_a_code_request_the_rules_settle_is_answered_without_planning():
    request = "Write a Python function is_leap(year) that says whether a year is a leap year"
    rt, _ = runtime(Router())
    update = make_plan_select(ToolBox())(_state_for(None, request), rt)
    assert update["plan_source"] == "rules"
    assert update["selection"].tool == "ai_process" and update["model_calls"] == 0


@tool
def lookup(query: str) -> str:
    """Look something up in the user's own catalogue."""
    return query


@pytest.mark.parametrize("why", ["user tool", "files", "guidance", "rules unsure", "turned off"])
def test_the_planner_still_chooses_when_the_rules_cannot_settle_the_first_action(why):
    chosen = ActionSelection(tool="ai_process", parameters={"prompt": "list them"})
    rt, _ = runtime(Router(plan=[chosen]), plan_by_rules=why != "turned off")
    request = (
        "Something nice about my garden, please"
        if why == "rules unsure"
        else "List the first 5 prime numbers"
    )
    state = _state_for(None, request)
    if why == "files":
        state.files = ["/tmp/notes.txt"]
    if why == "guidance":
        state.guidance = ["use the catalogue"]
    toolbox = ToolBox([lookup] if why == "user tool" else [])
    update = make_plan_select(toolbox)(state, rt)
    assert update["plan_source"] == "model"
    assert update["selection"].tool == "ai_process" and update["model_calls"] == 1
