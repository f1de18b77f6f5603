"""Tool faults: exceptions, hangs past the timeout, huge and non-UTF-8 output.

Each becomes a failed (or truncated and flagged) action the loop reasons about; the run goes
on to the next step and ends with the validated result.
"""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.nodes import act as act_mod
from adaptive_react.state import ActionSelection, Context
from tests.helpers import prompt_kind
from tests.reliability.scenario import INTENT, PRIMES, REQUEST, SECOND, answer

pytestmark = pytest.mark.fault("tool faults")


@tool
def broken(query: str) -> str:
    """A tool that always raises."""
    raise RuntimeError("backend exploded")


@tool
async def stuck(query: str) -> str:
    """A tool that never answers."""
    await asyncio.sleep(3600)
    return "never"


@tool
def flood(query: str) -> str:
    """A tool that answers with 5 MB."""
    return "7, " * 2_500_000


@tool
def garbled(query: str) -> str:
    """A tool whose output was decoded badly upstream."""
    return b"\xff\xfe 2, 3, 5 \x80".decode("utf-8", errors="surrogateescape")


def _script(first: ActionSelection):
    def script(messages, kwargs):
        kind = prompt_kind(messages)
        text = "\n".join(str(m.content) for m in messages)
        if kind == "plan":
            return SECOND if "did not deliver" in text else first
        return answer(messages) if kind != "intent" else INTENT

    return script


def _agent(first: ActionSelection, tools):
    return create_adaptive_agent(
        ScriptedChatModel(script=_script(first)),
        tools=tools,
        checkpointer=InMemorySaver(),
        store=InMemoryStore(),
        plan_by_rules=False,
    )


def _run(agent):
    return agent.invoke({"request": REQUEST}, config={"configurable": {"thread_id": "tool"}})


def _first_step_failed_then_solved(out):
    assert out["success"] and out["deliverable"] == PRIMES
    assert [s.success for s in out["steps"]] == [False, True]
    return out["steps"][0]


def test_tool_exception_is_a_failed_action(cases):
    out = _run(_agent(ActionSelection(tool="broken", parameters={"query": "x"}), [broken]))
    step = _first_step_failed_then_solved(out)
    assert "backend exploded" in (step.error or "")
    cases(1, "exception -> failed action with the message; next step solves")


def test_tool_hang_is_cut_at_the_timeout(monkeypatch, cases):
    monkeypatch.setattr(act_mod, "TOOL_TIMEOUT_S", 0.5)
    out = _run(_agent(ActionSelection(tool="stuck", parameters={"query": "x"}), [stuck]))
    step = _first_step_failed_then_solved(out)
    assert "TimeoutError" in (step.error or "")
    cases(1, "hang -> TimeoutError after the tool timeout; next step solves")


def test_python_hang_is_cut_at_its_timeout(cases):
    first = ActionSelection(tool="python", parameters={"code": "import time\ntime.sleep(600)"})
    agent = _agent(first, [])
    out = agent.invoke(
        {"request": REQUEST},
        config={"configurable": {"thread_id": "py"}},
        context=Context(
            model=ScriptedChatModel(script=_script(first)),
            python_timeout_s=1.0,
            plan_by_rules=False,
        ),
    )
    step = _first_step_failed_then_solved(out)
    assert "time limit" in (step.error or "")
    cases(1, "python sleeping 600 s -> killed at 1 s, failed action")


def test_huge_tool_output_is_truncated_and_flagged(cases):
    agent = _agent(ActionSelection(tool="flood", parameters={"query": "x"}), [flood])
    out = _run(agent)
    assert out["success"]
    results = [
        h.values.get("result")
        for h in agent.get_state_history({"configurable": {"thread_id": "tool"}})
    ]
    flooded = [r for r in results if r is not None and r.tool == "flood"]
    assert flooded and all(r.truncated for r in flooded)
    assert max(len(r.content) for r in flooded) == act_mod.MAX_CONTENT_CHARS
    observed = [
        h.values.get("observation")
        for h in agent.get_state_history({"configurable": {"thread_id": "tool"}})
    ]
    assert any(o is not None and "content was truncated" in " ".join(o.notes) for o in observed)
    cases(
        1,
        f"5 MB output cut to {act_mod.MAX_CONTENT_CHARS} characters, flagged truncated "
        "with a note the planner sees; run continues",
    )


def test_non_utf8_tool_output_does_not_break_the_run(cases):
    out = _run(_agent(ActionSelection(tool="garbled", parameters={"query": "x"}), [garbled]))
    assert out["final_message"]
    assert out["success"]
    cases(1, "surrogate-escaped bytes in tool output: checkpointed and validated without error")
