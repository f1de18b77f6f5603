"""Actionplan mode on a scripted model: batch, review, retry with the findings, pass."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.graph.actionplan import make_actionplan_builder
from adaptive_react.state import Context
from adaptive_react.state.workflow import ActionList, PlannedAction
from tests.helpers import Router

REQUEST = "Compute the first 20 prime numbers"
P19 = ", ".join(map(str, expected_sequence("prime", 19)))
P20 = ", ".join(map(str, expected_sequence("prime", 20)))


def batch(count: int) -> ActionList:
    code = (
        "ps = []\nk = 2\n"
        f"while len(ps) < {count}:\n"
        "    if all(k % p for p in ps):\n        ps.append(k)\n    k += 1\n"
        "print(', '.join(map(str, ps)))\n"
    )
    return ActionList(
        actions=[
            PlannedAction(tool="python", parameters={"code": code}, rationale="compute the primes"),
            PlannedAction(
                tool="ai_process",
                parameters={"prompt": "Repeat the list exactly."},
                rationale="hand the data over",
            ),
        ]
    )


def run(router, **input_extra):
    graph = make_actionplan_builder().compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    model = ScriptedChatModel(script=router)
    events = []
    config = {"configurable": {"thread_id": "ap-1"}}
    for _ns, mode, chunk in graph.stream(
        {"request": REQUEST, **input_extra},
        config,
        stream_mode=["custom", "values"],
        subgraphs=True,
        context=Context(model=model),
    ):
        if mode == "custom":
            events.append(chunk)
    return graph.get_state(config).values, events


def test_first_batch_fails_review_and_retry_carries_the_findings():
    router = Router(actions=[batch(19), batch(20)], ai=[P19, P20])
    out, events = run(router)

    assert out["success"] is True
    assert out["deliverable"] == P20
    assert out["attempt"] == 2
    assert [s.success for s in out["steps"]] == [False, True]
    assert out["steps"][0].template == "actionplan:python-ai_process"
    # The retry prompt carries what the review found about the first batch.
    first, second = router.prompts["actions"]
    assert "FINDINGS TO FIX" not in first
    assert "FINDINGS TO FIX" in second
    assert any(issue in second for issue in out["steps"][0].issues)
    assert "20" in second
    # Results are passed forward: the ai_process action saw the python output.
    first_ai = router.prompts["ai"][0]
    assert P19 in first_ai and "RESULT OF THE PREVIOUS ACTION" in first_ai
    kinds = [e["kind"] for e in events if e.get("event") == "message"]
    assert kinds == [
        "action_start",
        "action_result",
        "action_start",
        "action_result",
        "retry",
        "action_start",
        "action_result",
        "action_start",
        "action_result",
    ]
    assert [m.kind.value for m in out["workflow_messages"]] == kinds


def test_invalid_action_list_is_caught_before_execution():
    bad = ActionList(
        actions=[
            PlannedAction(tool="shell", parameters={"cmd": "rm -rf /"}),
            PlannedAction(
                tool="create_xlsx", parameters={"filename": "../../etc/x.xlsx", "rows": "previous"}
            ),
        ]
    )
    router = Router(actions=[bad, batch(20)], ai=[P20])
    out, events = run(router)

    messages = [e for e in events if e.get("event") == "message"]
    assert messages[0]["kind"] == "error"
    assert "rejected before anything ran" in messages[0]["text"]
    problems = messages[0]["data"]["problems"]
    assert any("unknown tool 'shell'" in p for p in problems)
    assert any("plain file name" in p for p in problems)
    # Nothing ran for the rejected batch: the first action start belongs to the second batch.
    assert router.seen.count("ai") == 1
    assert "unknown tool 'shell'" in router.prompts["actions"][1]
    assert out["success"] is True and out["attempt"] == 2


def test_rejected_every_time_ends_with_a_clear_error():
    bad = ActionList(actions=[PlannedAction(tool="shell", parameters={})])
    router = Router(actions=[bad])
    out, _ = run(router, max_attempts=2)
    assert out["success"] is False
    assert out["final_message"].startswith("The action list was rejected before anything ran")
    assert "ai" not in router.seen


def test_a_learned_pattern_is_replayed_without_a_batch_plan():
    """Actionplan learns like react: a validated one-action program becomes a skill."""
    store = InMemoryStore()
    graph = make_actionplan_builder().compile(checkpointer=InMemorySaver(), store=store)

    def ask(router, request, thread):
        config = {"configurable": {"thread_id": thread}}
        model = ScriptedChatModel(script=router)
        return graph.invoke({"request": request}, config, context=Context(model=model))

    one = ActionList(actions=[batch(20).actions[0]])
    first = Router(actions=[one])
    out = ask(first, REQUEST, "learn-1")
    assert out["success"] is True
    assert out["steps"][0].template == "python:compute"
    assert first.seen.count("actions") == 1

    # Another count, same kind of request: the skill runs with 12, and nothing asks the model.
    second = Router()
    out = ask(second, "Compute the first 12 prime numbers", "learn-2")
    assert out["success"] is True
    assert out["deliverable"] == ", ".join(map(str, expected_sequence("prime", 12)))
    assert out["steps"][0].template == "skill:python"
    assert second.seen == []
    assert out["model_calls"] == 0
