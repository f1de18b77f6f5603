"""Recalled verdicts and readings: only an exact repeat of a verified run, else afresh."""

import pytest
from langgraph.store.memory import InMemoryStore

from adaptive_react.analysis import merge_intents, rules_intent
from adaptive_react.learning import api
from adaptive_react.learning.verified import (
    VerifiedAnswers,
    VerifiedIntents,
    fingerprint,
    request_key,
)
from adaptive_react.state import (
    Criterion,
    CriterionKind,
    CriterionResult,
    DataType,
    Intent,
    OutputFormat,
    Validation,
)
from tests.helpers import LockedPart

INTENT = Intent(
    data_type=DataType.NUMBERS,
    expected_format=OutputFormat.LIST,
    success_criteria=[Criterion(kind=CriterionKind.COUNT, description="exactly 3 items", value=3)],
)


def validation(verdict: str = "verified") -> Validation:
    result = CriterionResult(
        criterion=INTENT.success_criteria[0], passed=True, detail="3 items", checked_by="agreement"
    )
    return Validation(
        overall_success=verdict == "verified",
        data_type_match=True,
        format_match=True,
        criteria=[result],
        quality_score=1.0,
        verdict=verdict,  # type: ignore[arg-type]
    )


def key(answer: str = "2, 3, 5", request: str = "three primes", **settings: object) -> str:
    return fingerprint(request, [], INTENT, answer, settings)


def test_a_verified_answer_is_recalled_with_its_evidence_and_a_note() -> None:
    memo = VerifiedAnswers(InMemoryStore(), "ns")
    memo.remember(key(), validation())
    got = memo.recall(key())
    assert got is not None and got.verdict == "verified"
    [c] = got.criteria
    assert c.checked_by == "agreement"
    assert c.detail.startswith("3 items; recalled: this exact answer")


def test_anything_different_is_checked_afresh(tmp_path) -> None:
    memo = VerifiedAnswers(InMemoryStore(), "ns")
    data = tmp_path / "in.csv"
    data.write_text("a\n1\n")
    base = fingerprint("sum column a", [str(data)], INTENT, "1", {})
    memo.remember(base, validation())
    assert memo.recall(base) is not None
    assert memo.recall(key(answer="2, 3, 7")) is None
    assert memo.recall(key(request="three odd primes")) is None
    assert memo.recall(key(check_agreement=False)) is None
    data.write_text("a\n2\n")  # same file name, new contents
    assert memo.recall(fingerprint("sum column a", [str(data)], INTENT, "1", {})) is None
    other = INTENT.model_copy(update={"data_type": DataType.TEXT})
    assert memo.recall(fingerprint("sum column a", [str(data)], other, "1", {})) is None


def test_only_verified_verdicts_are_kept_and_namespaces_do_not_mix() -> None:
    store = InMemoryStore()
    memo = VerifiedAnswers(store, "ns")
    memo.remember(key(), validation("unverified"))
    assert memo.recall(key()) is None
    memo.remember(key(), validation())
    assert VerifiedAnswers(store, "other").recall(key()) is None


def test_a_damaged_record_is_ignored_and_reset_forgets_verdicts() -> None:
    store = InMemoryStore()
    memo = VerifiedAnswers(store, "ns")
    store.put(memo.namespace, key(), {"validation": {"verdict": "verified"}})
    assert memo.recall(key()) is None
    memo.remember(key(), validation())
    api.reset_strategies(store, "ns")
    assert memo.recall(key()) is None


def test_input_files_count_by_name_and_contents_not_by_folder(tmp_path) -> None:
    first, second = tmp_path / "run1", tmp_path / "run2"
    for folder in (first, second):
        folder.mkdir()
        (folder / "in.csv").write_text("a\n1\n")
    (tmp_path / "other.csv").write_text("a\n1\n")
    memo = VerifiedAnswers(InMemoryStore(), "ns")
    memo.remember(fingerprint("sum a", [str(first / "in.csv")], INTENT, "1", {}), validation())
    assert memo.recall(fingerprint("sum a", [str(second / "in.csv")], INTENT, "1", {}))
    assert memo.recall(fingerprint("sum a", [str(tmp_path / "other.csv")], INTENT, "1", {})) is None


def test_a_stored_verdict_that_is_not_verified_is_not_recalled() -> None:
    store = InMemoryStore()
    memo = VerifiedAnswers(store, "ns")
    stored = validation("unverified").model_dump(mode="json")
    store.put(memo.namespace, key(), {"validation": stored})
    assert memo.recall(key()) is None


# --- The intents of verified runs ---------------------------------------------------------

READING = Intent(
    data_type=DataType.TEXT,
    expected_format=OutputFormat.PROSE,
    subject="a limerick about a cat",
    success_criteria=[Criterion(kind=CriterionKind.CONTAINS, value="cat")],
)


def test_a_verified_run_keeps_its_intent_for_the_exact_request(tmp_path) -> None:
    data = tmp_path / "in.txt"
    data.write_text("whiskers\n")
    memo = VerifiedIntents(InMemoryStore(), "ns")
    memo.remember(request_key("a limerick", [str(data)]), READING, validation())
    assert memo.recall(request_key("  a limerick\n", [str(data)])) == READING
    assert memo.recall(request_key("a limerick, please", [str(data)])) is None
    assert memo.recall(request_key("a limerick", [])) is None
    data.write_text("paws\n")
    assert memo.recall(request_key("a limerick", [str(data)])) is None


def test_a_reading_is_keyed_by_file_name_and_contents_not_folder(tmp_path) -> None:
    for folder in ("run1", "run2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "in.txt").write_text("same\n")
    (tmp_path / "other.txt").write_text("same\n")
    one, two = str(tmp_path / "run1" / "in.txt"), str(tmp_path / "run2" / "in.txt")
    assert request_key("r", [one]) == request_key("r", [two])
    assert request_key("r", [one]) != request_key("r", [str(tmp_path / "other.txt")])


def test_only_a_verified_runs_reading_is_kept_and_namespaces_do_not_mix() -> None:
    store = InMemoryStore()
    memo = VerifiedIntents(store, "ns")
    memo.remember(key(), READING, validation("unverified"))
    memo.remember(key(), READING, validation("rejected"))
    assert memo.recall(key()) is None
    memo.remember(key(), READING, validation())
    assert memo.recall(key()) == READING
    assert VerifiedIntents(store, "other").recall(key()) is None


def test_the_kept_record_is_the_intent_and_nothing_else() -> None:
    store = InMemoryStore()
    memo = VerifiedIntents(store, "ns")
    memo.remember(key(), READING, validation())
    [item] = store.search(memo.namespace)
    assert set(item.value) == {"intent", "when"}
    assert item.value["intent"] == READING.model_dump(mode="json")


def test_a_damaged_reading_is_ignored_and_logged_and_reset_forgets_readings(caplog) -> None:
    store = InMemoryStore()
    memo = VerifiedIntents(store, "ns")
    store.put(memo.namespace, key(), {"intent": {"data_type": "text"}})
    assert memo.recall(key()) is None
    assert "damaged record" in caplog.text
    store.put(memo.namespace, key(), {"reading": "garbled"})
    assert memo.recall(key()) is None
    memo.remember(key(), READING, validation())
    api.reset_strategies(store, "ns")
    assert memo.recall(key()) is None


def test_a_failing_store_is_a_miss_and_a_lost_write_both_logged(caplog) -> None:
    memo = VerifiedIntents(LockedPart("intents"), "ns")
    memo.remember(key(), READING, validation())
    assert memo.recall(key()) is None
    assert "verified intents: could not keep" in caplog.text
    assert "verified intents: recall failed" in caplog.text


@pytest.mark.parametrize(
    "request_text",
    [
        "Write a limerick about a cat who sleeps on a warm laptop.",
        "List the first 12 odd numbers, comma separated.",
        "Which river flows through the city of Vienna?",
        "Sum the column 'price' of the attached table and explain the result in one sentence.",
        "Give me 4 ideas for a rainy Sunday, as a bulleted list.",
    ],
)
def test_a_kept_reading_merged_with_the_rules_again_is_unchanged(request_text: str) -> None:
    """Recall merges the kept intent with a fresh rules reading; the verdict key needs it stable."""
    rules = rules_intent(request_text)
    model = Intent(
        data_type=DataType.TEXT,
        expected_format=OutputFormat.LIST,
        subject="the model's subject",
        success_criteria=[
            Criterion(kind=CriterionKind.COUNT, value="4"),
            Criterion(kind=CriterionKind.CONTAINS, value="cat"),
            Criterion(kind=CriterionKind.OTHER, value="cheerful"),
        ],
    )
    for reading in (None, model):
        kept = merge_intents(reading, rules, request_text)
        assert merge_intents(kept, rules, request_text) == kept
