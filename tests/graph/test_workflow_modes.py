"""The workflow with three task steps in each mode; the streamed message sequence is asserted."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react.agent import create_workflow_agent
from adaptive_react.analysis import rules_intent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning import OutcomeEvent, StrategyStore, request_pattern
from adaptive_react.state import ActionSelection
from adaptive_react.state.workflow import ActionList, PlannedAction, TaskPlan, TaskStep
from tests.helpers import Router, prompt_kind

OBJECTIVES = [
    "List the first 5 prime numbers",
    "List the first 6 square numbers",
    "List the first 7 fibonacci numbers",
]
ANSWERS = [
    ", ".join(map(str, expected_sequence("prime", 5))),
    ", ".join(map(str, expected_sequence("square", 6))),
    ", ".join(map(str, expected_sequence("fibonacci", 7))),
]
PLAN = TaskPlan(
    overview="three lists", tasks=[TaskStep(objective=o, success_criteria=[o]) for o in OBJECTIVES]
)
PER_TASK = ["task_start", "action_start", "action_result", "task_complete"]
SEQUENCE = ["task_plan", *PER_TASK * 3, "workflow_complete"]


class ByObjective(Router):
    """Replies chosen by the task objective the prompt names, whichever mode asks.

    A first task the rules read unambiguously goes straight to a program in react mode, later
    tasks (which see earlier results as files) are planned: replies keyed by content keep the
    script valid for every mode's order of calls.
    """

    def __call__(self, messages, kwargs):
        kind = prompt_kind(messages)
        self.seen.append(kind)
        text = "\n".join(str(m.content) for m in messages)
        self.prompts[kind].append(text)
        if kind == "task_plan":
            return PLAN
        if kind == "intent":
            return "not json"
        # The last objective named in the prompt is the current one (earlier results are
        # listed before it in later tasks' prompts).
        current = max(OBJECTIVES, key=lambda o: text.rfind(o))
        answer = ANSWERS[OBJECTIVES.index(current)]
        if kind == "plan":
            return ActionSelection(tool="ai_process", parameters={"prompt": current})
        if kind == "actions":
            return ActionList(
                actions=[PlannedAction(tool="ai_process", parameters={"prompt": current})]
            )
        if kind == "codegen":
            return f"```python\nprint({answer!r})\n```"
        if kind == "ai":
            return answer
        raise AssertionError(f"no scripted reply for a {kind!r} prompt")


def router():
    return ByObjective()


def run(agent, payload, thread="wf-1"):
    config = {"configurable": {"thread_id": thread}}
    messages = []
    for _ns, mode, chunk in agent.stream(payload, config, stream_mode=["custom"], subgraphs=True):
        if mode == "custom" and chunk.get("event") == "message":
            messages.append(chunk)
    return agent.get_state(config).values, messages


@pytest.mark.parametrize("mode", ["react", "actionplan"])
def test_three_tasks_stream_the_same_message_sequence(mode, tmp_path):
    r = router()
    agent = create_workflow_agent(
        ScriptedChatModel(script=r),
        checkpointer=InMemorySaver(),
        store=InMemoryStore(),
        output_dir=str(tmp_path),
    )
    out, messages = run(agent, {"request": "Three lists, please", "mode": mode})

    assert [m["kind"] for m in messages] == SEQUENCE
    assert out["success"] is True
    assert [t.mode for t in out["task_results"]] == [mode] * 3
    assert [t.deliverable for t in out["task_results"]] == ANSWERS
    assert out["deliverable"] == ANSWERS[-1]
    # The log kept in state is the one that was streamed.
    assert [m.kind.value for m in out["workflow_messages"]] == SEQUENCE
    assert [m["text"] for m in messages] == [m.text for m in out["workflow_messages"]]
    starts = [m for m in messages if m["kind"] == "task_start"]
    assert [m["task"] for m in starts] == [1, 2, 3] and {m["mode"] for m in starts} == {mode}
    assert ("plan" in r.seen) == (mode == "react")
    # Earlier results are files later tasks can read, listed but not pasted.
    assert "task-1-1.txt" in (r.prompts["plan"] + r.prompts["actions"])[1]


def test_auto_mode_picks_per_task_from_learned_strategies(tmp_path):
    store = InMemoryStore()
    strategies = StrategyStore(store, "default")
    pattern = request_pattern(rules_intent(OBJECTIVES[1]))

    for i in range(3):
        strategies.record(
            OutcomeEvent(
                pattern=pattern,
                template="actionplan:ai_process",
                success=True,
                score=1.0,
                event_id=f"seed-{i}",
            )
        )
        strategies.record(
            OutcomeEvent(
                pattern=pattern,
                template="ai_process:data",
                success=False,
                score=0.2,
                event_id=f"seed-bad-{i}",
            )
        )
    r = router()
    agent = create_workflow_agent(
        ScriptedChatModel(script=r),
        checkpointer=InMemorySaver(),
        store=store,
        output_dir=str(tmp_path),
    )
    out, messages = run(agent, {"request": "Three lists, please"})

    assert [m["kind"] for m in messages] == SEQUENCE
    assert [t.mode for t in out["task_results"]] == ["react", "actionplan", "react"]
    starts = [m for m in messages if m["kind"] == "task_start"]
    assert "nothing learned" in starts[0]["data"]["reason"]
    assert "learned success" in starts[1]["data"]["reason"]


def test_unknown_mode_is_a_clear_error(tmp_path):
    agent = create_workflow_agent(
        ScriptedChatModel(script=Router()), checkpointer=InMemorySaver(), output_dir=str(tmp_path)
    )
    out, messages = run(agent, {"request": "List the first 5 primes", "mode": "magic"})
    assert out["success"] is False
    assert [m["kind"] for m in messages] == ["error", "workflow_complete"]
    assert "unknown mode 'magic'" in out["final_message"]
