"""Skills and paraphrases through the real graph, with a scripted model."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis import rules_intent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning import request_pattern
from adaptive_react.learning.skills import load_skill
from adaptive_react.state import ActionSelection
from tests.graph.test_seed_scenario import INTENT, PRIMES, REQUEST, first_run_router
from tests.helpers import Router

PRIMES_PROGRAM = (
    "```python\nprimes = []\nk = 2\nwhile len(primes) < 30:\n"
    "    if all(k % p for p in primes):\n        primes.append(k)\n    k += 1\n"
    "print(', '.join(map(str, primes)))\n```"
)
# Computes only the primes below 120 (there are 30): lifting the 30 gives a skill that cannot
# do 45. (A program with the thirty primes typed in is not stored at all: it computes nothing.)
FROZEN_PROGRAM = (
    "```python\nPR = [k for k in range(2, 120) if all(k % d for d in range(2, k))]\n"
    "print(', '.join(map(str, PR[:30])))\n```"
)


def asked(router):
    """Prompt kinds sent, besides intent analysis (which retries once on the rules fallback)."""
    return [k for k in router.seen if k != "intent"]


def run(agent, request, thread):
    return agent.invoke({"request": request}, config={"configurable": {"thread_id": thread}})


def agent_for(router, store):
    return create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=store,
        checkpointer=InMemorySaver(),
        plan_by_rules=False,
    )


def test_skill_from_30_primes_solves_45_primes_without_code_generation():
    store = InMemoryStore()
    first = Router(
        plan=[ActionSelection(tool="python", parameters={"task": "compute the first 30 primes"})],
        codegen=[PRIMES_PROGRAM],
    )
    out = run(agent_for(first, store), "Compute the first 30 primes", "skill-1")
    assert out["success"] and asked(first) == ["plan", "codegen"]
    pattern = request_pattern(rules_intent("Compute the first 30 primes"))
    skill = load_skill(store, "default", pattern)
    assert skill is not None and skill.parameters == {"n": 30} and "P_N" in skill.code

    second = Router()  # only the intent prompt may be sent (it falls back to the rules)
    out = run(agent_for(second, store), "Compute the first 45 primes", "skill-2")
    assert out["success"] is True
    assert asked(second) == []
    assert [s.template for s in out["steps"]] == ["skill:python"]
    assert out["deliverable"] == ", ".join(map(str, expected_sequence("prime", 45)))
    assert load_skill(store, "default", pattern).uses == 1


def test_a_skill_whose_output_fails_validation_is_dropped_and_planning_takes_over():
    store = InMemoryStore()
    first = Router(
        plan=[ActionSelection(tool="python", parameters={"task": "30 primes"})],
        codegen=[FROZEN_PROGRAM],
    )
    assert run(agent_for(first, store), "Compute the first 30 primes", "frozen-1")["success"]
    pattern = request_pattern(rules_intent("Compute the first 30 primes"))
    assert load_skill(store, "default", pattern) is not None

    # The frozen skill yields 30 primes for 45: validation fails, the skill is dropped, and
    # the learned python:compute strategy writes a fresh program.
    second = Router(codegen=[PRIMES_PROGRAM.replace("30", "45")])
    out = run(agent_for(second, store), "Compute the first 45 primes", "frozen-2")
    assert [(s.template, s.success) for s in out["steps"]] == [
        ("skill:python", False),
        ("python:compute", True),
    ]
    assert asked(second) == ["codegen"]
    replacement = load_skill(store, "default", pattern)
    assert replacement is not None and "PR =" not in replacement.code

    third = Router()
    out = run(agent_for(third, store), "Compute the first 50 primes", "frozen-3")
    assert out["success"] and [s.template for s in out["steps"]] == ["skill:python"]
    assert asked(third) == []


def test_a_paraphrase_benefits_from_what_the_first_wording_taught():
    store = InMemoryStore()
    assert run(agent_for(first_run_router(), store), REQUEST, "para-1")["success"]

    router = Router(ai=[PRIMES])  # rules read the paraphrase; no planning reply scripted
    out = run(agent_for(router, store), "Give me the first 1000 primes", "para-2")
    assert out["success"] is True
    assert asked(router) == ["ai"]
    assert out["steps"][0].template == "ai_process:data"
    assert INTENT.data_type.value in out["steps"][0].strategy_id
