"""Persistence: a crashed run resumes without redoing completed steps; approval interrupts."""

import importlib

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from adaptive_react import Context, create_adaptive_agent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.graph import make_builder
from adaptive_react.state import ActionSelection
from tests.helpers import Router

PRIMES_10 = "2, 3, 5, 7, 11, 13, 17, 19, 23, 29"
REQUEST = "List the first 10 prime numbers"


def _router():
    return Router(
        plan=[ActionSelection(tool="ai_process", parameters={"prompt": REQUEST})], ai=[PRIMES_10]
    )


def test_interrupted_after_act_resumes_without_rerunning_it():
    router = _router()
    model = ScriptedChatModel(script=router)
    agent = make_builder().compile(
        checkpointer=InMemorySaver(), store=InMemoryStore(), interrupt_after=["act"]
    )
    config = {"configurable": {"thread_id": "resume-1"}}
    ctx = Context(model=model, plan_by_rules=False)
    agent.invoke({"request": REQUEST}, config, context=ctx)
    snapshot = agent.get_state(config)
    assert snapshot.next == ("observe",)
    assert snapshot.values["result"].content == PRIMES_10

    out = agent.invoke(None, config, context=ctx)
    assert out["success"] is True
    assert out["deliverable"] == PRIMES_10
    assert router.seen.count("ai") == 1  # act was not run again


def test_crash_mid_run_resumes_from_the_last_checkpoint(monkeypatch):
    validate_module = importlib.import_module("adaptive_react.nodes.validate")
    real = validate_module.validate_content
    calls = {"n": 0}

    def crash_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("simulated crash in validate")
        return real(*args, **kwargs)

    monkeypatch.setattr(validate_module, "validate_content", crash_once)
    router = _router()
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        checkpointer=InMemorySaver(),
        store=InMemoryStore(),
        plan_by_rules=False,
    )
    config = {"configurable": {"thread_id": "crash-1"}}
    with pytest.raises(RuntimeError, match="simulated crash"):
        agent.invoke({"request": REQUEST}, config)
    assert agent.get_state(config).next == ("validate",)

    out = agent.invoke(None, config)
    assert out["success"] is True
    assert router.seen.count("ai") == 1
    assert len(out["steps"]) == 1


@pytest.mark.parametrize("answer, solved", [({"approve": True}, True), ("no", False)])
def test_approval_interrupt_before_code_runs(answer, solved, tmp_path):
    code = "print(', '.join(str(p) for p in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]))"
    router = Router(
        plan=[ActionSelection(tool="python", parameters={"code": code})],
    )
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        checkpointer=InMemorySaver(),
        store=InMemoryStore(),
        require_approval=True,
        max_steps=1,
        output_dir=str(tmp_path),
        plan_by_rules=False,
    )
    config = {"configurable": {"thread_id": f"approve-{solved}"}}
    first = agent.invoke({"request": REQUEST}, config)
    pending = first["__interrupt__"][0].value
    assert pending["kind"] == "approve_code" and pending["code"] == code

    out = agent.invoke(Command(resume=answer), config)
    assert out["success"] is solved
    if solved:
        assert out["deliverable"] == PRIMES_10
    else:
        assert "declined" in (out["steps"][0].error or "")
