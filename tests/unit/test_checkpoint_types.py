"""Checkpoints revive our own types without LangGraph's "unregistered type" warnings."""

import logging

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde import jsonplus
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from adaptive_react import create_adaptive_agent
from adaptive_react.agent import with_state_types
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.persistence import open_persistence
from adaptive_react.state import Intent, StepRecord, Validation, verdict_of
from tests.graph.test_seed_scenario import REQUEST, first_run_router


@pytest.fixture(autouse=True)
def fresh_warnings():
    """LangGraph warns once per type and process; forget earlier tests' warnings."""
    jsonplus._warned_unregistered_types.clear()


def _run_and_reload(checkpointer, caplog):
    agent = create_adaptive_agent(
        ScriptedChatModel(script=first_run_router()), checkpointer=checkpointer, plan_by_rules=False
    )
    config = {"configurable": {"thread_id": "types"}}
    with caplog.at_level(logging.WARNING, logger="langgraph.checkpoint.serde.jsonplus"):
        assert agent.invoke({"request": REQUEST}, config)["success"]
        values = agent.get_state(config).values
    return values


@pytest.mark.parametrize("saver", ["memory", "sqlite"])
def test_state_types_come_back_typed_and_unannounced(saver, tmp_path, caplog):
    if saver == "memory":
        values = _run_and_reload(InMemorySaver(), caplog)
    else:
        with open_persistence(str(tmp_path / "state.sqlite")) as (checkpointer, _store):
            values = _run_and_reload(checkpointer, caplog)
    assert isinstance(values["intent"], Intent)
    assert isinstance(values["validation"], Validation)
    assert all(isinstance(s, StepRecord) for s in values["steps"])
    noisy = [r.getMessage() for r in caplog.records if "unregistered" in r.getMessage()]
    assert noisy == []


def test_the_callers_saver_is_left_as_it_was():
    saver = InMemorySaver()
    ours = with_state_types(saver)
    assert ours is not saver
    assert saver.serde is not ours.serde


def test_a_configured_serializer_is_extended_not_replaced():
    strict = InMemorySaver(serde=JsonPlusSerializer(allowed_msgpack_modules=[("x", "Y")]))
    ours = with_state_types(strict)
    assert ("x", "Y") in ours.serde._allowed_msgpack_modules
    assert ("adaptive_react.state.models", "Intent") in ours.serde._allowed_msgpack_modules


@pytest.mark.parametrize(
    ("verdict", "success", "expected"),
    [
        ("unverified", False, "unverified"),
        ("rejected", True, "rejected"),  # a stated verdict wins over a stale flag
        ("", True, "verified"),  # recorded before verdicts existed
        ("", None, "rejected"),
    ],
)
def test_a_result_without_a_verdict_reads_as_its_success(verdict, success, expected):
    assert verdict_of(verdict, success) == expected
