"""The whole loop on the embedded model, through ChatOpenAI over HTTP (``-m local_model``).

Structure and validated outcomes only, never wording; temperature 0. Skipped with the fix in
the reason when the runtime or the model file is missing (CI builds and fetches both).
"""

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis import rules_intent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.llm import (
    ModelConfigError,
    ModelSettings,
    invoke_structured,
    load_chat_model,
    local,
)
from adaptive_react.prompts import elements, render, templates
from adaptive_react.state import ActionSelection, Intent

pytestmark = pytest.mark.local_model

REQUEST = "List the first 20 prime numbers"


@pytest.fixture(scope="module")
def model():
    if not local.runtime_available():
        pytest.skip("llama-cpp-python[server] is not installed (bash scripts/build_llama.sh)")
    try:
        local.ensure_model_file("local", ModelSettings.load())
    except ModelConfigError as exc:
        pytest.skip(f"embedded model not fetched: {exc}")
    return "local"


def test_intent_analysis_returns_a_valid_intent(model):
    messages = [
        SystemMessage(templates.INTENT_SYSTEM),
        HumanMessage(
            render(
                templates.INTENT_USER,
                request=REQUEST,
                rules_reading=elements.user_intent(rules_intent(REQUEST)),
            )
        ),
    ]

    outcome = invoke_structured(load_chat_model(model), Intent, messages)
    assert isinstance(outcome.value, Intent), outcome.errors


def test_plan_select_returns_a_valid_selection(model):
    intent = rules_intent(REQUEST)
    prompt = render(
        templates.PLAN_USER,
        objective=elements.objective(REQUEST),
        intent=elements.user_intent(intent),
        documents="",
        history="",
        strategies=elements.learned_strategies([]),
        heuristics=elements.learned_heuristics([]),
        failed_actions=elements.failed_actions([]),
        progress="PROGRESS: step 1 of at most 4.",
        tools="AVAILABLE TOOLS:\n- ai_process(prompt)\n- python(task)",
        guidance=[],
    )
    messages = [
        SystemMessage(render(templates.PLAN_SYSTEM, rules=templates.PLAN_RULES)),
        HumanMessage(prompt),
    ]

    outcome = invoke_structured(load_chat_model(model), ActionSelection, messages)
    assert isinstance(outcome.value, ActionSelection), outcome.errors


def test_a_small_data_request_ends_with_a_validated_deliverable(model, tmp_path):
    agent = create_adaptive_agent(
        model,
        checkpointer=InMemorySaver(),
        store=InMemoryStore(),
        max_steps=4,
        output_dir=str(tmp_path),
    )
    out = agent.invoke({"request": REQUEST}, {"configurable": {"thread_id": "local-primes"}})
    assert out["success"] is True, out["final_message"]
    assert [int(x) for x in out["deliverable"].split(",")] == expected_sequence("prime", 20)
    assert out["validation"].overall_success
