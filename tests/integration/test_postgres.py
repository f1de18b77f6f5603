"""Persistence on SQLite and PostgreSQL: checkpoints and learned strategies survive the process.

Each backend is opened through ``open_persistence`` exactly as the CLI does (a path or a
``postgresql://`` URL); "another process" is a second, independent open of the same database.
"""

from __future__ import annotations

import pytest

from adaptive_react import create_adaptive_agent
from adaptive_react.persistence import open_persistence
from tests.fixtures.scripted import prime_model, primes_text

REQUEST = "List the first 10 prime numbers"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite")
    return request.getfixturevalue("pg_url")


def test_checkpoints_and_history_persist(db):
    model, _ = prime_model()
    config = {"configurable": {"thread_id": "persist-1"}}
    with open_persistence(db) as (saver, store):
        out = create_adaptive_agent(model, checkpointer=saver, store=store, max_steps=3).invoke(
            {"request": REQUEST}, config
        )
    assert out["success"] and out["deliverable"] == primes_text(10)

    with open_persistence(db) as (saver, store):  # a fresh open: what another process sees
        agent = create_adaptive_agent(model, checkpointer=saver, store=store, max_steps=3)
        state = agent.get_state(config)
        history = list(agent.get_state_history(config))
    assert state.values["deliverable"] == primes_text(10)
    assert state.values["success"] is True
    assert state.next == ()
    nodes = {name for snap in history for name in (snap.metadata or {}).get("writes") or {}}
    assert {"intent_analyze", "act", "validate", "learn"} <= nodes or len(history) > 6


def test_strategy_learned_in_one_open_is_used_by_the_next(db):
    first, _ = prime_model()
    with open_persistence(db) as (saver, store):
        assert create_adaptive_agent(first, checkpointer=saver, store=store).invoke(
            {"request": REQUEST}, {"configurable": {"thread_id": "a"}}
        )["success"]

    second, script = prime_model()
    with open_persistence(db) as (saver, store):
        out = create_adaptive_agent(second, checkpointer=saver, store=store).invoke(
            {"request": REQUEST}, {"configurable": {"thread_id": "b"}}
        )
        from adaptive_react.learning.strategies import StrategyStore

        patterns = StrategyStore(store, "default").patterns()
    assert out["success"]
    assert len(out["steps"]) == 1 and out["steps"][0].strategy_id
    assert not {"intent", "plan", "codegen"} & set(script.kinds)
    assert patterns


def test_namespaces_do_not_share_strategies(db):
    first, _ = prime_model()
    with open_persistence(db) as (saver, store):
        create_adaptive_agent(first, checkpointer=saver, store=store, namespace="alice").invoke(
            {"request": REQUEST}, {"configurable": {"thread_id": "a"}}
        )
        second, script = prime_model()
        out = create_adaptive_agent(
            second, checkpointer=saver, store=store, namespace="bob"
        ).invoke({"request": REQUEST}, {"configurable": {"thread_id": "b"}})
    assert out["success"]
    assert not out["steps"][0].strategy_id  # bob learned nothing yet
    assert "intent" in script.kinds
