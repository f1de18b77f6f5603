"""A request already solved is not read by the model again; anything else is read afresh.

Each test runs the compiled graph twice on one store with a scripted model, for requests the
rules cannot read confidently, so the first run asks the model for the intent. The second
router has no intent reply and no judge reply: an intent call it receives shows in
``router.seen`` (and falls back to the rules' reading, which changes the verdict's key, so a
judge is asked as well), and the test counts the calls from there.
"""

from __future__ import annotations

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.graph.actionplan import make_actionplan_builder
from adaptive_react.learning import api
from adaptive_react.messages import describe
from adaptive_react.nodes.validate import JudgeItem, JudgeVerdict
from adaptive_react.state import (
    ActionSelection,
    Context,
    Criterion,
    CriterionKind,
    DataType,
    Intent,
    OutputFormat,
)
from adaptive_react.state.workflow import ActionList, MessageKind, PlannedAction, WorkflowMessage
from tests.helpers import LockedPart, Router

POEM_REQUEST = "Write a three-line poem about rain drumming on a tin roof in late autumn."
POEM = "Rain on the tin roof\ndrums the last of autumn down\ninto the dark yard"
# What the model reads into it beyond the rules: a checkable mention the judge must confirm.
POEM_INTENT = Intent(
    data_type=DataType.TEXT,
    expected_format=OutputFormat.PROSE,
    subject="poem about rain on a tin roof",
    success_criteria=[
        Criterion(kind=CriterionKind.CONTAINS, value="roof", description="mentions the roof")
    ],
)
STORY = (
    "Tom had 3 red apples and 5 green ones; he gave 2 to Sam. Explain how many apples Tom has now."
)
STORY_INTENT = Intent(
    data_type=DataType.NUMBERS,
    expected_format=OutputFormat.SINGLE_VALUE,
    subject="apples Tom keeps",
)
# The second route the agreement check asks for: a program that works the story out.
STORY_PROGRAM = "```python\nprint(3 + 5 - 2)\n```"
NOTES_INTENT = Intent(
    data_type=DataType.TEXT, expected_format=OutputFormat.PROSE, subject="what the notes say"
)


def _judge(items: int = 2) -> JudgeVerdict:
    return JudgeVerdict(
        items=[JudgeItem(index=i, passed=True, reason="checked") for i in range(1, items + 1)]
    )


def _ai(prompt: str) -> ActionSelection:
    return ActionSelection(tool="ai_process", parameters={"prompt": prompt})


def _run(router: Router, request: str, store, thread: str, files=(), **context):
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=store,
        checkpointer=InMemorySaver(),
        max_steps=1,
        **context,
    )
    events: list[WorkflowMessage] = []
    config = {"configurable": {"thread_id": thread}}
    for mode, chunk in agent.stream(
        {"request": request, "files": list(files)}, config, stream_mode=["custom", "values"]
    ):
        if mode == "custom":
            events.append(WorkflowMessage.model_validate(chunk))
    return agent.get_state(config).values, events


def _intent_event(events: list[WorkflowMessage]) -> WorkflowMessage:
    [event] = [e for e in events if e.kind == MessageKind.INTENT]
    return event


def _first_poem_run(store, **context):
    router = Router(intent=[POEM_INTENT], plan=[_ai(POEM_REQUEST)], ai=[POEM], judge=[_judge()])
    out, events = _run(router, POEM_REQUEST, store, "first", **context)
    assert out["verdict"] == "verified" and router.seen.count("intent") == 1
    assert _intent_event(events).data["source"] == "model"
    assert any(c.kind == CriterionKind.CONTAINS for c in out["intent"].success_criteria)
    return out


def _second_poem_run(store, **context):
    router = Router(plan=[_ai(POEM_REQUEST)], ai=[POEM], judge=[_judge(1)])
    out, events = _run(router, POEM_REQUEST, store, "second", **context)
    return router, out, events


def test_a_solved_request_is_not_read_again_and_its_verdict_is_recalled(learning_store):
    first = _first_poem_run(learning_store)
    router, out, events = _second_poem_run(learning_store)
    assert "intent" not in router.seen and "judge" not in router.seen
    assert out["verdict"] == "verified" and out["intent"] == first["intent"]
    assert out["model_calls"] == len(router.seen) <= 1  # the answer itself, at most
    assert all("recalled:" in c.detail for c in out["validation"].criteria)
    event = _intent_event(events)
    assert event.data["source"] == "recalled"
    assert "recalled from a verified run" in (describe(event) or "")


def test_an_analysis_word_problem_is_read_once(learning_store):
    router = Router(intent=[STORY_INTENT], plan=[_ai(STORY)], ai=["6"], codegen=[STORY_PROGRAM])
    out, _ = _run(router, STORY, learning_store, "first")
    assert out["verdict"] == "verified" and router.seen.count("intent") == 1
    assert "codegen" in router.seen  # the answer was proven by a second route
    again = Router(plan=[_ai(STORY)], ai=["6"])
    out, events = _run(again, STORY, learning_store, "second")
    assert out["verdict"] == "verified" and out["model_calls"] == len(again.seen) <= 1
    assert "intent" not in again.seen and "codegen" not in again.seen
    assert _intent_event(events).data["source"] == "recalled"


def test_another_wording_is_read_afresh():
    store = InMemoryStore()
    _first_poem_run(store)
    other = POEM_REQUEST.replace("late autumn", "early winter")
    router = Router(intent=[POEM_INTENT], plan=[_ai(other)], ai=[POEM], judge=[_judge()])
    _, events = _run(router, other, store, "second")
    assert "intent" in router.seen and _intent_event(events).data["source"] == "model"


def test_whitespace_around_the_request_is_the_same_request():
    store = InMemoryStore()
    _first_poem_run(store)
    router = Router(plan=[_ai(POEM_REQUEST)], ai=[POEM])
    _run(router, f"  {POEM_REQUEST}\n", store, "second")
    assert "intent" not in router.seen


def test_other_file_contents_are_read_afresh(tmp_path):
    request = "Describe in two sentences what the attached notes say about the harvest."
    notes = tmp_path / "notes.txt"
    notes.write_text("The apple harvest came early and was small.\n")
    intent = NOTES_INTENT
    store = InMemoryStore()
    answer = "The notes say the apple harvest came early. It was also small."
    first = Router(intent=[intent], plan=[_ai(request)], ai=[answer], judge=[_judge()])
    out, _ = _run(first, request, store, "first", files=[str(notes)])
    assert out["verdict"] == "verified" and first.seen.count("intent") == 1
    same = Router(plan=[_ai(request)], ai=[answer])
    _run(same, request, store, "same", files=[str(notes)])
    assert "intent" not in same.seen
    notes.write_text("The pear harvest came late and was large.\n")
    changed = Router(intent=[intent], plan=[_ai(request)], ai=[answer], judge=[_judge()])
    _, events = _run(changed, request, store, "changed", files=[str(notes)])
    assert changed.seen.count("intent") == 1 and _intent_event(events).data["source"] == "model"


def test_a_run_that_is_not_verified_keeps_no_reading():
    store = InMemoryStore()
    rejected = JudgeVerdict(items=[JudgeItem(index=1, passed=False, reason="no roof")])
    router = Router(intent=[POEM_INTENT], plan=[_ai(POEM_REQUEST)], ai=["Rain."], judge=[rejected])
    out, _ = _run(router, POEM_REQUEST, store, "first")
    assert out["verdict"] == "rejected"
    assert store.search(("adaptive_react", "default", "intents")) == []
    again, _, _ = _second_poem_run(store)
    assert "intent" in again.seen


def test_without_learning_nothing_is_kept_or_recalled():
    store = InMemoryStore()
    _first_poem_run(store, learning=False)
    assert store.search(("adaptive_react", "default", "intents")) == []
    _first_poem_run(store)  # learning on: kept now
    router, _, _ = _second_poem_run(store, learning=False)
    assert "intent" in router.seen


def test_a_caller_who_does_not_trust_learned_intents_gets_a_fresh_reading():
    store = InMemoryStore()
    _first_poem_run(store)
    router, _, events = _second_poem_run(store, trust_learned_intent=False)
    assert "intent" in router.seen and _intent_event(events).data["source"] == "model"


def test_reset_forgets_the_readings():
    store = InMemoryStore()
    _first_poem_run(store)
    api.reset_strategies(store, "default")
    assert store.search(("adaptive_react", "default", "intents")) == []
    router, _, _ = _second_poem_run(store)
    assert "intent" in router.seen


def test_another_namespace_reads_afresh():
    store = InMemoryStore()
    _first_poem_run(store)
    router, _, _ = _second_poem_run(store, namespace="someone-else")
    assert "intent" in router.seen


def test_a_damaged_reading_is_read_afresh(caplog):
    store = InMemoryStore()
    _first_poem_run(store)
    [item] = store.search(("adaptive_react", "default", "intents"))
    store.put(tuple(item.namespace), item.key, {"intent": {"data_type": "no such type"}})
    router, out, _ = _second_poem_run(store)
    assert "intent" in router.seen and out["intent"].data_type == DataType.TEXT
    assert "damaged record" in caplog.text


def test_a_store_that_fails_costs_the_intent_call_not_the_run(caplog):
    store = LockedPart("intents")
    _first_poem_run(store)
    router, out, _ = _second_poem_run(store)
    assert "intent" in router.seen and out["success"] is True
    assert "verified intents: recall failed" in caplog.text
    assert "verified intents: could not keep" in caplog.text


def test_actionplan_mode_reads_a_solved_request_once():
    store = InMemoryStore()
    graph = make_actionplan_builder().compile(checkpointer=InMemorySaver(), store=store)
    answer = ActionList(
        actions=[
            PlannedAction(tool="ai_process", parameters={"prompt": POEM_REQUEST}, rationale="poem")
        ]
    )

    def ask(router: Router, thread: str):
        config = {"configurable": {"thread_id": thread}}
        context = Context(model=ScriptedChatModel(script=router), max_steps=1)
        return graph.invoke({"request": POEM_REQUEST}, config, context=context)

    first = Router(intent=[POEM_INTENT], actions=[answer], ai=[POEM], judge=[_judge()])
    assert ask(first, "ap-1")["verdict"] == "verified" and first.seen.count("intent") == 1
    second = Router(actions=[answer], ai=[POEM])
    out = ask(second, "ap-2")
    assert out["verdict"] == "verified" and "intent" not in second.seen
    assert out["model_calls"] == len(second.seen) <= 1
