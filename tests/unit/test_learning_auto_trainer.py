"""Auto-trainer: the seed's behaviour, on the store-backed reflective memory."""

from langgraph.store.memory import InMemoryStore

from adaptive_react.learning.auto_trainer import (
    AutoTrainer,
    ReflectiveMemory,
    SuggestionKind,
)


def kinds(suggestions):
    return [s.kind for s in suggestions]


def test_evaluation_suggestions_are_capped_and_failure_adds_a_dataset_record():
    trainer = AutoTrainer()
    ev = {
        "success": False,
        "score": 0.2,
        "suggestions": [f"Suggestion number {i}." for i in range(8)],
    }
    out = trainer.suggest_from_evaluation("task-1", ev)
    heur = [s for s in out if s.kind == SuggestionKind.HEURISTIC_UPDATE]
    assert len(heur) == 5
    assert all(s.source_task_id == "task-1" and s.reason for s in out)
    (ft,) = [s for s in out if s.kind == SuggestionKind.FINE_TUNE_DATASET]
    assert ft.key == "training_target_task-1"
    assert ft.value["outcome"] == "failed" and ft.value["score"] == 0.2


def test_low_score_success_is_a_dataset_record_and_a_good_one_is_not():
    trainer = AutoTrainer()
    low = trainer.suggest_from_evaluation("t", {"success": True, "score": 0.4})
    assert kinds(low) == [SuggestionKind.FINE_TUNE_DATASET]
    assert low[0].value["outcome"] == "low_score"
    assert trainer.suggest_from_evaluation("t", {"success": True, "score": 0.9}) == []
    wrong = trainer.suggest_from_evaluation(
        "t", {"success": False, "score": 0.0, "data_type_match": False}
    )
    assert SuggestionKind.PROMPT_TUNING in kinds(wrong)


def test_lessons_feed_heuristics_and_a_strategy_parameter_when_struggling():
    store = InMemoryStore()
    memory = ReflectiveMemory(store)
    assert AutoTrainer().suggest_from_lessons() == []

    def go():
        for i in range(4):
            memory.add_lesson(
                f"t{i}",
                {
                    "success": False,
                    "score": 0.1,
                    "suggestions": [
                        "Deliver numbers, not code.",
                        "Give exactly 10 values.",
                        "A third one is ignored.",
                    ],
                },
            )
        return AutoTrainer(memory).suggest_from_lessons()

    out = go()
    heur = [s for s in out if s.kind == SuggestionKind.HEURISTIC_UPDATE]
    assert len(heur) == 8 and {s.value for s in heur} == {
        "Deliver numbers, not code.",
        "Give exactly 10 values.",
    }
    assert kinds(out)[-1] == SuggestionKind.STRATEGY_PARAMETER


def test_apply_and_run_store_heuristics_and_record_the_other_kinds():
    store = InMemoryStore()
    memory = ReflectiveMemory(store)
    trainer = AutoTrainer(memory)
    ev = {
        "success": False,
        "score": 0.0,
        "data_type_match": False,
        "suggestions": ["Deliver numbers, not code."],
    }

    def go():
        assert AutoTrainer().apply_heuristic_updates([]) == 0  # no memory: nothing
        first = trainer.run_auto_training("t1", ev)
        trainer.run_auto_training("t2", ev)
        return first, memory.get_all_heuristics(), memory.pending_suggestions()

    first, heuristics, pending = go()
    assert set(kinds(first)) == {
        SuggestionKind.HEURISTIC_UPDATE,
        SuggestionKind.FINE_TUNE_DATASET,
        SuggestionKind.PROMPT_TUNING,
    }
    # The same heuristic from two tasks is one entry, counted twice.
    assert list(heuristics.values()) == ["Deliver numbers, not code."]
    item = store.search(("adaptive_react", "default", "reflective", "heuristics"))[0]
    assert item.value["count"] == 2 and item.value["sources"] == ["t1", "t2"]
    # Non-heuristic kinds are recorded for external pipelines, not dropped.
    assert {(s.kind, s.source_task_id) for s in pending} == {
        (SuggestionKind.FINE_TUNE_DATASET, "t1"),
        (SuggestionKind.FINE_TUNE_DATASET, "t2"),
        (SuggestionKind.PROMPT_TUNING, "t1"),
        (SuggestionKind.PROMPT_TUNING, "t2"),
    }
    # Without applying, nothing is written.
    other = ReflectiveMemory(store, "dry")
    AutoTrainer(other).run_auto_training("t3", ev, apply_heuristics=False)
    assert other.get_all_heuristics() == {}


P = "numbers/raw_data/count+property=prime"
GENERAL = "Deliver numbers as asked."
SPECIFIC = "Deliver exactly 10 prime numbers: got 9."


def _train(memory, task_id, request, suggestions, pattern=P):
    ev = {"success": False, "score": 0.2, "suggestions": suggestions}
    return AutoTrainer(memory).run_auto_training(
        task_id, ev, include_lessons=False, pattern=pattern, request=request
    )


def test_only_advice_seen_for_two_requests_of_a_pattern_reaches_the_planner():
    def go():
        memory = ReflectiveMemory(InMemoryStore())
        # One request retried twice is still one request: nothing is general yet.
        _train(memory, "a-1", "List the first 10 primes", [GENERAL, SPECIFIC])
        _train(memory, "a-2", "list the  first 10 primes", [GENERAL, SPECIFIC])
        before = memory.heuristics_for(P)
        _train(memory, "b-1", "Give me the first 30 primes", [GENERAL, SPECIFIC])
        _train(memory, "c-1", "Sort 3, 1, 2", [GENERAL], pattern="numbers/sorted")
        return before, memory.heuristics_for(P), memory.heuristics_for("other")

    before, after, other = go()
    assert before == []
    # The count-specific advice recurred too, but a number ties it to one request.
    assert after == [GENERAL]
    assert other == []


def test_advice_that_points_at_an_error_is_never_a_heuristic():
    ev = {
        "success": False,
        "score": 0.0,
        "suggestions": ["Fix the cause of the error above, or choose a different action."],
    }
    out = AutoTrainer().suggest_from_evaluation("t", ev, pattern=P, request="r")
    assert SuggestionKind.HEURISTIC_UPDATE not in kinds(out)
