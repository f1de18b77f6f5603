"""The seed scenario: code for a data request fails; the lesson steers the retry and next run."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.nodes.validate import JudgeItem, JudgeVerdict
from adaptive_react.state import (
    ActionSelection,
    Criterion,
    CriterionKind,
    DataType,
    Intent,
    OutputFormat,
)
from tests.helpers import Router

PRIMES = ", ".join(map(str, expected_sequence("prime", 1000)))
REQUEST = "Calculate the first 1000 prime numbers"
CODE_ANSWER = (
    "```python\ndef primes(n):\n    out = []\n    k = 2\n    while len(out) < n:\n"
    "        if all(k % p for p in out):\n            out.append(k)\n        k += 1\n"
    "    return out\n\nprint(primes(1000))\n```"
)
INTENT = Intent(
    data_type=DataType.NUMBERS,
    expected_format=OutputFormat.RAW_DATA,
    success_criteria=[
        Criterion(kind=CriterionKind.COUNT, value=1000),
        Criterion(kind=CriterionKind.PROPERTY, value="prime"),
    ],
    subject="prime numbers",
)


def first_run_router():
    return Router(
        intent=[INTENT],
        plan=[
            ActionSelection(
                tool="ai_process",
                parameters={"prompt": "Write Python code that generates the first 1000 primes"},
            ),
            ActionSelection(
                tool="ai_process", parameters={"prompt": "List the first 1000 prime numbers"}
            ),
        ],
        ai=[CODE_ANSWER, PRIMES],
    )


@pytest.fixture
def store():
    return InMemoryStore()


def test_code_answer_fails_then_lesson_steers_the_retry(store):
    router = first_run_router()
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=store,
        checkpointer=InMemorySaver(),
        plan_by_rules=False,
    )
    out = agent.invoke({"request": REQUEST}, config={"configurable": {"thread_id": "seed-1"}})

    assert out["success"] is True
    assert out["deliverable"] == PRIMES
    assert [s.success for s in out["steps"]] == [False, True]
    first = out["steps"][0]
    assert first.content_kind.value == "code"
    assert first.template == "ai_process:code"
    assert any("code" in issue for issue in first.issues)
    assert out["validation"].overall_success and out["validation"].quality_score == 1.0
    # The second planning prompt carries what the first attempt taught.
    second_plan = router.prompts["plan"][1]
    assert "ai_process:code" in second_plan
    assert "did not deliver" in second_plan
    assert "it delivered code instead of numbers" in second_plan
    assert router.seen == ["intent", "plan", "ai", "plan", "ai"]


def test_second_run_uses_the_learned_strategy_in_one_action(store):
    first = create_adaptive_agent(
        ScriptedChatModel(script=first_run_router()), store=store, plan_by_rules=False
    )
    assert first.invoke({"request": REQUEST})["success"]

    router = Router(ai=[PRIMES])  # no intent or planning reply scripted: none may be asked
    agent = create_adaptive_agent(ScriptedChatModel(script=router), store=store)
    out = agent.invoke({"request": REQUEST})

    assert out["success"] is True
    assert len(out["steps"]) == 1
    assert out["steps"][0].template == "ai_process:data"
    assert out["steps"][0].strategy_id.endswith("#ai_process:data")
    # The rules read the request unambiguously and its pattern is learned: one call in all.
    assert router.seen == ["ai"]
    assert out["model_calls"] == 1


def test_the_model_still_reads_requests_the_rules_cannot_settle(store):
    first = create_adaptive_agent(
        ScriptedChatModel(script=first_run_router()), store=store, plan_by_rules=False
    )
    assert first.invoke({"request": REQUEST})["success"]

    router = Router(intent=[INTENT], ai=[PRIMES])
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=store,
        trust_learned_intent=False,
        plan_by_rules=False,
    )
    assert agent.invoke({"request": REQUEST})["success"]
    assert router.seen == ["intent", "ai"]

    # Prose is never a confident reading, learned pattern or not.
    poem = Router(
        intent=["not json"],
        plan=[ActionSelection(tool="ai_process", parameters={"prompt": "Write it"})],
        ai=["Roses bloom in quiet rows."],
        judge=[JudgeVerdict(items=[JudgeItem(index=1, passed=True)])],
    )
    agent = create_adaptive_agent(ScriptedChatModel(script=poem), store=store, max_steps=1)
    agent.invoke({"request": "Write a two-line poem about roses"})
    assert poem.seen[0] == "intent"


def test_advice_learned_on_two_requests_reaches_the_next_plan_prompt(store):
    """Auto-trainer heuristics are used, not only stored: the planner of a later run sees them."""
    for n in (1000, 30):
        router = Router(
            plan=[ActionSelection(tool="ai_process", parameters={"prompt": "Write the code"})],
            ai=[CODE_ANSWER],
        )
        agent = create_adaptive_agent(
            ScriptedChatModel(script=router), store=store, max_steps=1, plan_by_rules=False
        )
        out = agent.invoke({"request": f"Calculate the first {n} prime numbers"})
        assert out["success"] is False

    router = Router(
        plan=[ActionSelection(tool="ai_process", parameters={"prompt": "List them"})],
        ai=[", ".join(map(str, expected_sequence("prime", 12)))],
    )
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router), store=store, plan_by_rules=False
    )
    assert agent.invoke({"request": "Calculate the first 12 prime numbers"})["success"] is True
    plan_prompt = router.prompts["plan"][0]
    assert "ADVICE FROM EARLIER RUNS ON THIS KIND OF REQUEST:" in plan_prompt
    advice = plan_prompt.split("ADVICE FROM EARLIER RUNS ON THIS KIND OF REQUEST:")[1]
    advice = advice.split("\n\n")[0]
    assert "- Deliver the numbers themselves" in advice
    # Advice naming a count ("exactly 1000") belongs to one request and is not shown.
    assert "exactly 1000" not in plan_prompt and "exactly 30" not in plan_prompt
