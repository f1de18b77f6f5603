"""A verified answer repeated exactly is not proven twice; anything else is checked afresh.

Each test runs the compiled graph twice on one store with a scripted model. The second
router scripts only the producer: a judge or test-writing prompt it receives is counted in
``router.seen``, and it has no reply for one, so a check that was not skipped shows.
"""

from __future__ import annotations

import importlib

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning import api
from adaptive_react.nodes.validate import JudgeItem, JudgeVerdict
from adaptive_react.state import ActionSelection
from tests.helpers import LockedPart, Router

PLANET = "Which planet of the solar system is called the Red Planet?"
WORDS = "Write a Python function count_words(text) that returns how many words a text has."
WORDS_CODE = "```python\ndef count_words(text):\n    return len(text.split())\n```"
CHECKS = ("judge", "tests", "agree")


def _judge(passed: bool = True) -> JudgeVerdict:
    return JudgeVerdict(items=[JudgeItem(index=1, passed=passed, reason="checked")])


def _ai(prompt: str) -> ActionSelection:
    return ActionSelection(tool="ai_process", parameters={"prompt": prompt})


def _run(router: Router, request: str, store, thread: str, **context):
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=store,
        checkpointer=InMemorySaver(),
        max_steps=1,
        **context,
    )
    return agent.invoke({"request": request}, {"configurable": {"thread_id": thread}})


def _checks(router: Router) -> list[str]:
    return [k for k in router.seen if k in CHECKS]


def _first_planet_run(store, **context):
    router = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    out = _run(router, PLANET, store, "first", **context)
    assert out["verdict"] == "verified" and _checks(router) == ["judge"]
    return out


def _answer(out):
    [answer] = [c for c in out["validation"].criteria if c.criterion.kind.value == "answer"]
    return answer


def test_the_same_answer_again_is_recalled_without_a_judge_call(learning_store):
    _first_planet_run(learning_store)
    second = Router(plan=[_ai(PLANET)], ai=["Mars"])
    out = _run(second, PLANET, learning_store, "second")
    assert out["success"] is True and out["verdict"] == "verified"
    assert _checks(second) == [] and second.seen.count("ai") == 1
    assert out["model_calls"] == len(second.seen)  # every call counted, none of them a check
    answer = _answer(out)
    assert answer.checked_by == "judge" and answer.passed is True
    assert "recalled: this exact answer to this request was verified" in answer.detail


def test_code_is_not_tested_or_judged_again_once_verified(learning_store):
    first = Router(plan=[_ai(WORDS)], ai=[WORDS_CODE], tests=["no tests"], judge=[_judge()])
    out = _run(first, WORDS, learning_store, "first")
    assert out["verdict"] == "verified" and _checks(first) == ["tests", "judge"]
    second = Router(plan=[_ai(WORDS)], ai=[WORDS_CODE])
    out = _run(second, WORDS, learning_store, "second")
    assert out["verdict"] == "verified" and _checks(second) == []
    assert [k for k in second.seen if k != "intent"] in (["ai"], ["plan", "ai"])
    assert all("recalled:" in c.detail for c in out["validation"].criteria)


def test_a_different_answer_is_judged_again():
    store = InMemoryStore()
    _first_planet_run(store)
    second = Router(plan=[_ai(PLANET)], ai=["Jupiter"], judge=[_judge(False)])
    out = _run(second, PLANET, store, "second")
    assert _checks(second) == ["judge"]
    assert out["verdict"] == "rejected" and "recalled" not in _answer(out).detail


def test_a_rejected_answer_is_never_kept():
    store = InMemoryStore()
    router = Router(plan=[_ai(PLANET)], ai=["Venus"], judge=[_judge(False)])
    assert _run(router, PLANET, store, "first")["verdict"] == "rejected"
    again = Router(plan=[_ai(PLANET)], ai=["Venus"], judge=[_judge(False)])
    assert _run(again, PLANET, store, "second")["verdict"] == "rejected"
    assert _checks(again) == ["judge"]


def test_without_learning_the_answer_is_judged_again():
    store = InMemoryStore()
    _first_planet_run(store)
    second = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    out = _run(second, PLANET, store, "second", learning=False)
    assert _checks(second) == ["judge"] and "recalled" not in _answer(out).detail


def test_the_callers_validators_always_run_and_nothing_is_recalled():
    store = InMemoryStore()
    _first_planet_run(store)
    seen: list[str] = []

    def names_a_planet(request, intent, deliverable):
        seen.append(deliverable)
        return True

    second = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    out = _run(second, PLANET, store, "second", validators=[names_a_planet])
    assert seen == ["Mars"] and _checks(second) == ["judge"]
    assert not any("recalled" in c.detail for c in out["validation"].criteria)


def test_reset_forgets_the_verdicts():
    store = InMemoryStore()
    _first_planet_run(store)
    api.reset_strategies(store, "default")
    second = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    out = _run(second, PLANET, store, "second")
    assert _checks(second) == ["judge"] and out["verdict"] == "verified"


def test_another_namespace_does_not_recall():
    store = InMemoryStore()
    _first_planet_run(store)
    second = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    _run(second, PLANET, store, "second", namespace="someone-else")
    assert _checks(second) == ["judge"]


def test_a_store_that_fails_costs_a_check_not_the_run(caplog):
    store = LockedPart("verified")
    for thread in ("first", "second"):
        router = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
        out = _run(router, PLANET, store, thread)
        assert out["verdict"] == "verified" and _checks(router) == ["judge"]
    assert "recall failed" in caplog.text and "could not keep" in caplog.text


def test_a_damaged_verdict_is_checked_afresh():
    store = InMemoryStore()
    _first_planet_run(store)
    [item] = store.search(("adaptive_react", "default", "verified"))
    store.put(tuple(item.namespace), item.key, {"validation": "garbled"})
    second = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    out = _run(second, PLANET, store, "second")
    assert _checks(second) == ["judge"] and out["verdict"] == "verified"


def test_a_change_in_the_rules_findings_gives_a_new_key(monkeypatch):
    node = importlib.import_module("adaptive_react.nodes.validate")  # the module, not the node
    store = InMemoryStore()
    _first_planet_run(store)
    rules = node.validate_content

    def stricter(result, intent):
        found = rules(result, intent)
        return found.model_copy(update={"suggestions": [*found.suggestions, "a new rule"]})

    monkeypatch.setattr(node, "validate_content", stricter)
    second = Router(plan=[_ai(PLANET)], ai=["Mars"], judge=[_judge()])
    _run(second, PLANET, store, "second")
    assert _checks(second) == ["judge"]
