"""Recalled verdicts: only an exact repeat of a verified answer, and it says it was recalled."""

from langgraph.store.memory import InMemoryStore

from adaptive_react.learning import api
from adaptive_react.learning.verified import VerifiedAnswers, fingerprint
from adaptive_react.state import (
    Criterion,
    CriterionKind,
    CriterionResult,
    DataType,
    Intent,
    OutputFormat,
    Validation,
)

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
