"""A second request on a finished thread is a new round: fresh budget, history carried over."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning.strategies import StrategyStore
from adaptive_react.state import ActionSelection
from tests.helpers import Router


def test_second_round_starts_fresh_and_sees_the_first_round():
    router = Router(
        plan=[ActionSelection(tool="ai_process", parameters={"prompt": "List them"})],
        ai=["2, 3, 5", "1, 4, 9, 16"],
    )
    store = InMemoryStore()
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        checkpointer=InMemorySaver(),
        store=store,
        max_steps=2,
        plan_by_rules=False,
    )
    config = {"configurable": {"thread_id": "rounds-1"}}
    first = agent.invoke({"request": "List the first 3 prime numbers"}, config)
    assert first["success"] and len(first["steps"]) == 1

    second = agent.invoke({"request": "List the first 4 square numbers"}, config)
    assert second["success"] is True
    assert second["deliverable"] == "1, 4, 9, 16"
    assert len(second["steps"]) == 1  # not the first round's steps plus this one
    assert second["lessons"] and all("square" in x or "numbers" in x for x in second["lessons"])
    # The planner of round two was told what round one asked and delivered.
    assert "List the first 3 prime numbers" in router.prompts["plan"][-1]
    assert "2, 3, 5" in router.prompts["plan"][-1]
    state = agent.get_state(config).values
    assert [r.request for r in state["history"]] == [
        "List the first 3 prime numbers",
        "List the first 4 square numbers",
    ]


def test_rounds_on_one_thread_record_separate_outcomes():
    router = Router(
        plan=[ActionSelection(tool="ai_process", parameters={"prompt": "go"})], ai=["2, 3, 5"]
    )
    store = InMemoryStore()
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        checkpointer=InMemorySaver(),
        store=store,
        plan_by_rules=False,
    )
    config = {"configurable": {"thread_id": "rounds-2"}}
    for _ in range(2):
        assert agent.invoke({"request": "List the first 3 prime numbers"}, config)["success"]

    from adaptive_react.analysis import rules_intent
    from adaptive_react.learning import request_pattern

    pattern = request_pattern(rules_intent("List the first 3 prime numbers"))
    events = StrategyStore(store).events(pattern)
    assert len(events) == 2


def test_a_round_that_stops_at_once_keeps_nothing_of_the_last_rounds_verdict():
    # Regression: new_round listed the fields to reset by hand and missed ``verdict``, so a
    # refused second request still said "verified" from the first.
    router = Router(codegen=["```python\nprint('2, 3, 5')\n```"])
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router), checkpointer=InMemorySaver(), store=InMemoryStore()
    )
    config = {"configurable": {"thread_id": "rounds-3"}}
    first = agent.invoke({"request": "List the first 3 prime numbers"}, config)
    assert first["success"] is True and first["verdict"] == "verified"

    refused = agent.invoke({"request": "   "}, config)
    assert refused["success"] is False and refused["verdict"] != "verified"
    assert refused["deliverable"] == "" and refused["steps"] == [] and refused["validation"] is None


def test_every_per_round_field_is_reset_and_nothing_else():
    from dataclasses import fields

    from adaptive_react.state.graph_state import ReactState, round_reset
    from adaptive_react.state.reducers import RESET

    update = round_reset()
    marked = {f.name for f in fields(ReactState) if f.metadata.get("per_round")}
    assert set(update) == marked
    assert {"verdict", "step", "steps", "model_calls", "progress"} <= marked
    assert not {"request", "history", "pattern", "intent", "files"} & marked
    assert update["steps"] == {RESET: []} and update["model_calls"] == {RESET: 0}
    assert update["step"] == 0 and update["verdict"] == ""
