"""The producer never sees the answer key: prompts, guidance, cleanup and skills.

Each test here fails on a path that used to hand the model a number the rules computed:
the codegen requirements ("value: 7006652"), retry guidance ("expected 5050"), cleanup that
picked the reference prefix, and a "skill" that printed the rules' own value.
"""

from __future__ import annotations

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis import clean, extract_parameters, rules_intent, validate_content
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning import request_pattern, should_continue
from adaptive_react.learning.skills import computes, load_skill, save_skill
from adaptive_react.nodes._codegen import write_code
from adaptive_react.prompts import elements
from adaptive_react.state import ActionResult, ActionSelection
from adaptive_react.state.models import Progress
from tests.helpers import Router
from tests.helpers_oracle import OracleRecorder, answer_key, tokens

PRODUCT = "What is 1234 * 5678?"


def _delivered(content: str) -> ActionResult:
    return ActionResult(tool="ai_process", success=True, content=content)


# --- prompts -------------------------------------------------------------------------------


def test_codegen_prompt_for_a_product_does_not_contain_the_product() -> None:
    model = ScriptedChatModel(script=["```python\nprint(1234 * 5678)\n```"])
    code = write_code(model, rules_intent(PRODUCT), PRODUCT)
    assert code.strip() == "print(1234 * 5678)"
    (prompt,) = model.prompts
    assert "7006652" not in prompt and "7,006,652" not in prompt
    assert "value:" in prompt  # the producer still learns that one checked value is wanted


@pytest.mark.parametrize(
    "request_text",
    [
        PRODUCT,
        "Convert 12 km to miles",
        "What is the sum of the integers from 1 to 250?",
        "List the first 40 primes",
        "Give me the first 12 multiples of 9 in descending order",
    ],
)
def test_intent_element_holds_no_computed_number(request_text: str) -> None:
    intent = rules_intent(request_text)
    text = elements.user_intent(intent) + "\n".join(elements.producer_criteria(intent))
    key = {abs(k) for k in answer_key(request_text)}
    stated = {t.value for t in tokens(request_text)}
    leaked = [
        t.text for t in tokens(text) if t.value in key and t.value not in stated and t.value > 10
    ]
    assert leaked == []


def test_producer_criteria_keep_what_the_request_stated() -> None:
    text = "\n".join(
        elements.producer_criteria(rules_intent("the first 25 primes in ascending order"))
    )
    assert "exactly 25 items" in text and "prime" in text and "ascending" in text
    ranged = "\n".join(elements.producer_criteria(rules_intent("the primes between 100 and 500")))
    assert "between 100 and 500" in ranged


# --- guidance ------------------------------------------------------------------------------


def test_retry_guidance_after_a_wrong_sum_names_no_expected_value() -> None:
    intent = rules_intent("What is the sum of the integers from 1 to 100?")
    validation = validate_content(_delivered("5000"), intent)
    assert not validation.overall_success
    decision = should_continue(Progress(), validation, step=1, max_steps=4, untried=[])
    said = [*validation.issues, *validation.suggestions, *decision.guidance]
    assert any("5000" in line and "not correct" in line for line in said)
    assert not any("5050" in line for line in said)


def test_sequence_findings_name_the_wrong_item_but_no_expected_one() -> None:
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    wrong = [*primes[:4], 9, *primes[5:]]
    validation = validate_content(
        _delivered(", ".join(map(str, wrong))), rules_intent("List the first 10 primes")
    )
    text = " ".join([*validation.issues, *validation.suggestions])
    assert "9 is not prime" in text and "item 5 (9)" in text
    assert "11" not in text.replace("item 5 (9)", "")  # the fifth prime is never named


def test_short_sequence_says_how_many_not_which() -> None:
    validation = validate_content(
        _delivered(", ".join(map(str, [2, 3, 5, 7, 11, 13, 17]))),
        rules_intent("List the first 14 primes"),
    )
    text = " ".join([*validation.issues, *validation.suggestions])
    assert "7 values delivered, 14 expected" in text
    assert "43" not in text and "19" not in text  # neither the last nor the next prime


def test_given_list_findings_name_no_expected_arrangement() -> None:
    intent = rules_intent("Sort these numbers ascending: 42, 17, 99, 23")
    validation = validate_content(_delivered("17, 42, 99"), intent)
    text = " ".join([*validation.issues, *validation.suggestions])
    assert "1 of the given numbers is missing" in text
    assert "23" not in text


def test_graph_retry_prompt_after_a_wrong_sum_names_no_expected_value() -> None:
    request = "What is the sum of the integers from 1 to 300?"  # 45150
    router = Router(
        plan=[ActionSelection(tool="ai_process", parameters={"prompt": request})],
        ai=["45000", "45150"],
    )
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=InMemoryStore(),
        checkpointer=InMemorySaver(),
        allow_python=False,
        plan_by_rules=False,
    )
    out = agent.invoke({"request": request}, config={"configurable": {"thread_id": "sum"}})
    assert [s.success for s in out["steps"]] == [False, True]
    assert any("45000" in p for p in router.prompts["ai"][1:] + router.prompts["plan"][1:])
    assert not any("45150" in p for kind in router.prompts for p in router.prompts[kind])


# --- cleanup -------------------------------------------------------------------------------


def test_cleanup_does_not_restore_a_missing_prime() -> None:
    intent = rules_intent("List the first 6 primes")
    assert clean("2, 3, 7, 11, 13, 17", intent) == "2, 3, 7, 11, 13, 17"
    # With surplus, the non-prime is dropped and the list trimmed; 5 is still not invented.
    assert clean("2, 3, 7, 11, 13, 17, 19, 4", intent) == "2, 3, 7, 11, 13, 17"
    validation = validate_content(_delivered("2, 3, 7, 11, 13, 17, 19, 4"), intent)
    assert not validation.overall_success
    assert "5" not in (validation.cleaned_content or "").split(", ")


def test_cleanup_does_not_reorder_towards_the_reference() -> None:
    intent = rules_intent("List the first 5 primes")
    assert clean("3, 2, 5, 7, 11, 13", intent) == "3, 2, 5, 7, 11"


# --- skills --------------------------------------------------------------------------------


def test_parameters_hold_what_the_request_states_never_the_answer() -> None:
    params = extract_parameters(PRODUCT)
    assert params == {"operands": [1234, 5678]}
    assert "value" not in extract_parameters("Convert 12 km to miles")
    assert "expression" not in extract_parameters("What is 10!")


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("print(P_VALUE)", False),
        ("print(7006652)", False),
        ("x = P_N\nprint(x)", False),
        ("print(', '.join(map(str, [2, 3, 5, 7, 11, 13][:P_N])))", False),
        ("print(f'{P_N}')", False),
        ("print(P_A * P_B)", True),
        ("import math\nprint(math.factorial(P_N))", True),
        ("print(sum(range(1, P_HI + 1)))", True),
        ("ps = []\nk = 2\nwhile len(ps) < P_N:\n    k += 1\nprint(ps)", True),
        ("not python (", False),
    ],
)
def test_computes(code: str, ok: bool) -> None:
    assert computes(code) is ok


def test_a_print_only_skill_is_not_stored() -> None:
    store = InMemoryStore()
    request = "List the first 30 primes"
    pattern = request_pattern(rules_intent(request))
    # print(30) lifts to print(P_N): a "skill" that replays a number and computes nothing.
    assert save_skill(store, "default", pattern, "print(30)", request) is None
    typed_in = "PR = [2, 3, 5, 7, 11, 13, 17]\nprint(PR[:30])"
    assert save_skill(store, "default", pattern, typed_in, request) is None
    assert load_skill(store, "default", pattern) is None
    loop = "ps = []\nk = 2\nwhile len(ps) < 30:\n    ps.append(k)\n    k += 1\nprint(ps)"
    saved = save_skill(store, "default", pattern, loop, request)
    assert saved is not None and "P_N" in saved.code


def test_the_answer_printed_literally_is_not_stored_as_a_skill() -> None:
    store = InMemoryStore()
    pattern = request_pattern(rules_intent(PRODUCT))
    assert save_skill(store, "default", pattern, "print(7006652)", PRODUCT) is None


# --- the scanner itself --------------------------------------------------------------------


@pytest.mark.oracle_ok(reason="the scanner's own test sends an answer on purpose")
def test_the_scanner_finds_an_answer_in_a_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = OracleRecorder()
    recorder.install(monkeypatch)
    rules_intent(PRODUCT)
    model = ScriptedChatModel(script=["ok", "ok"])
    model.invoke(f"{PRODUCT} (two operands: 1234 and 5678)")
    assert recorder.leaks() == []
    model.invoke("REQUIREMENTS:\n- value: 7006652")
    assert len(recorder.leaks()) == 1 and "7006652" in recorder.leaks()[0]


@pytest.mark.oracle_ok(reason="the scanner's own test sends an answer on purpose")
def test_the_scanner_excuses_what_was_produced_first(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = OracleRecorder()
    recorder.install(monkeypatch)
    rules_intent("List the first 20 primes")
    model = ScriptedChatModel(script=["2, 3, 5, 67", "ok"])
    model.invoke("List the first 20 primes")
    model.invoke("earlier you delivered 67; the 20 values must all be prime")
    assert recorder.leaks() == []
    model2 = ScriptedChatModel(script=["ok"])
    model2.invoke("expected the first 20 primes (2..71)")
    assert any("'71'" in leak for leak in recorder.leaks())
