"""No success without evidence: each false-claim path, wrong and right, through the whole loop.

Every test runs the compiled graph on a scripted model. A wrong deliverable must end
``success: false`` with a finding that says what is wrong; the same request answered right
must end ``success: true``, and the result must say what checked it.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import cli, create_adaptive_agent
from adaptive_react.commands import run as run_mod
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning.skills import load_skill
from adaptive_react.learning.strategies import StrategyStore
from adaptive_react.nodes.validate import JudgeItem, JudgeVerdict
from adaptive_react.state import ActionSelection
from tests.helpers import Router

CAPITAL = "Which city is the capital of Australia?"
MARBLES = (
    "Ana has 4 boxes with 12 marbles each and gives 15 marbles to her brother. "
    "How many marbles does she keep?"
)
ANSWER_KEY = 33  # 4 * 12 - 15, worked out by hand for these tests


def _judge(passed: bool, reason: str = "") -> JudgeVerdict:
    return JudgeVerdict(items=[JudgeItem(index=1, passed=passed, reason=reason)])


def _ai(prompt: str) -> ActionSelection:
    return ActionSelection(tool="ai_process", parameters={"prompt": prompt})


def _program(code: str) -> ActionSelection:
    return ActionSelection(tool="python", parameters={"code": code})


def _run(router: Router, request: str, store=None, **context):
    agent = create_adaptive_agent(
        ScriptedChatModel(script=router),
        store=store or InMemoryStore(),
        checkpointer=InMemorySaver(),
        **context,
    )
    return agent.invoke({"request": request}, {"configurable": {"thread_id": "t"}})


def _by(out, kind="answer"):
    return [c for c in out["validation"].criteria if c.criterion.kind.value == kind]


# --- A request no rule can check: the judge must look, and say it did -------------------


def test_no_criteria_a_wrong_fact_is_rejected_by_the_judge():
    router = Router(
        plan=[_ai(CAPITAL)], ai=["Sydney"], judge=[_judge(False, "Sydney is not the capital")]
    )
    out = _run(router, CAPITAL, max_steps=1)
    assert out["success"] is False and out["verdict"] == "rejected"
    [answer] = _by(out)
    assert answer.passed is False and answer.checked_by == "judge"
    assert any("judge" in issue for issue in out["validation"].issues)


def test_no_criteria_the_right_fact_is_verified_by_a_trusted_judge():
    router = Router(plan=[_ai(CAPITAL)], ai=["Canberra"], judge=[_judge(True, "correct")])
    out = _run(router, CAPITAL, max_steps=1)
    assert out["success"] is True and out["verdict"] == "verified"
    [answer] = _by(out)
    assert answer.checked_by == "judge" and not answer.weak
    assert "judge" in router.seen


def test_a_weak_judge_leaves_the_result_unverified_and_stops_without_retrying():
    router = Router(plan=[_ai(CAPITAL)], ai=["Canberra"], judge=[_judge(True)])
    out = _run(router, CAPITAL, max_steps=4, trust_judge=False)
    assert out["success"] is False and out["verdict"] == "unverified"
    assert len(out["steps"]) == 1  # nothing failed: another attempt has nothing to fix
    assert "not verified" in out["final_message"] and "judge" in out["final_message"]
    assert out["deliverable"] == "Canberra"  # delivered, honestly labelled


def test_an_unverified_result_is_not_learned_as_a_success():
    store = InMemoryStore()
    router = Router(plan=[_ai(CAPITAL)], ai=["Canberra"], judge=[_judge(True)])
    _run(router, CAPITAL, store=store, max_steps=1, trust_judge=False)
    events = StrategyStore(store).all_events()
    assert events and all(not e.success for e in events)
    assert {e.verdict for e in events} == {"unverified"}


def test_a_program_checked_by_nothing_is_not_stored_as_a_skill():
    store = InMemoryStore()
    request = "Print a friendly greeting for the team"
    router = Router(plan=[_program("print('Hello, team!')")], judge=[_judge(True)])
    out = _run(router, request, store=store, max_steps=1, trust_judge=False)
    assert out["verdict"] == "unverified"
    pattern_skills = [load_skill(store, "default", p) for p in StrategyStore(store).patterns()]
    assert pattern_skills and all(s is None for s in pattern_skills)


# --- Single answers: two independent routes must agree ------------------------------------


def test_a_program_answer_the_direct_route_disagrees_with_is_unverified_not_rejected():
    # Either route may be the wrong one: disagreement proves nothing either way.
    router = Router(plan=[_program("print(4 * 12 + 15)")], agree=[f"{ANSWER_KEY}"])
    out = _run(router, MARBLES, max_steps=1)
    assert out["success"] is False and out["verdict"] == "unverified"
    [value] = [c for c in out["validation"].criteria if c.checked_by == "agreement"]
    assert value.passed is None
    assert any("disagree" in issue for issue in out["validation"].issues)
    assert "judge" not in router.seen  # a contested value is not left to a judge


def test_a_disagreement_is_retried_until_the_routes_agree():
    router = Router(
        plan=[_program("print(4 * 12 + 15)")],
        codegen=["```python\nprint(4 * 12 - 15)\n```"],
        agree=[f"{ANSWER_KEY}"],
    )
    out = _run(router, MARBLES, max_steps=3)
    assert out["success"] is True and out["verdict"] == "verified"
    assert len(out["steps"]) == 2 and out["deliverable"] == f"{ANSWER_KEY}"


def test_a_program_answer_the_direct_route_confirms_is_verified():
    router = Router(plan=[_program("print(4 * 12 - 15)")], agree=[f"{ANSWER_KEY}"])
    out = _run(router, MARBLES, max_steps=1)
    assert out["success"] is True and out["verdict"] == "verified"
    assert {c.checked_by for c in out["validation"].criteria} >= {"agreement"}
    assert "judge" not in router.seen  # agreement settled it; no judge call


def test_a_direct_answer_is_checked_by_an_independently_written_program():
    wrong = Router(plan=[_ai(MARBLES)], ai=["30"], codegen=["```python\nprint(4 * 12 - 15)\n```"])
    out = _run(wrong, MARBLES, max_steps=1)
    assert out["success"] is False and out["verdict"] == "unverified"
    assert "codegen" in wrong.seen
    program = "```python\nboxes, each, given = 4, 12, 15\nprint(boxes * each - given)\n```"
    right = Router(plan=[_ai(MARBLES)], ai=[f"{ANSWER_KEY}"], codegen=[program])
    assert _run(right, MARBLES, max_steps=1)["verdict"] == "verified"


def test_the_agreement_prompt_never_carries_the_delivered_value():
    router = Router(plan=[_program("print(4 * 12 - 15)")], agree=[f"{ANSWER_KEY}"])
    _run(router, MARBLES, max_steps=1)
    [prompt] = router.prompts["agree"]
    assert str(ANSWER_KEY) not in prompt.replace(MARBLES, "")


# --- The caller's own validators ---------------------------------------------------------


def must_name_canberra(request, intent, deliverable):
    return "Canberra" in deliverable, "the answer must name Canberra"


async def async_is_short(request, intent, deliverable):
    await asyncio.sleep(0)
    return {"passed": len(deliverable) < 40, "detail": "at most 40 characters"}


def test_a_user_validator_rejects_what_the_judge_would_approve():
    router = Router(plan=[_ai(CAPITAL)], ai=["Sydney"], judge=[_judge(True)])
    out = _run(router, CAPITAL, max_steps=1, validators=[must_name_canberra, async_is_short])
    assert out["success"] is False and out["verdict"] == "rejected"
    user = [c for c in out["validation"].criteria if c.checked_by == "user"]
    assert [c.passed for c in user] == [False, True]
    assert any("must name Canberra" in issue for issue in out["validation"].issues)
    assert "judge" not in router.seen  # rejected already: no model call is spent on it


def test_user_validators_and_the_judge_together_verify_the_right_answer():
    router = Router(plan=[_ai(CAPITAL)], ai=["Canberra"], judge=[_judge(True)])
    out = _run(router, CAPITAL, max_steps=1, validators=[must_name_canberra, async_is_short])
    assert out["success"] is True
    assert {c.checked_by for c in out["validation"].criteria} == {"user", "judge"}


def test_a_validator_that_raises_is_a_clear_failed_check():
    def broken(request, intent, deliverable):
        raise KeyError("price")

    router = Router(plan=[_ai(CAPITAL)], ai=["Canberra"], judge=[_judge(True)])
    out = _run(router, CAPITAL, max_steps=1, validators=[broken])
    assert out["success"] is False
    assert any("broken" in i and "raised KeyError" in i for i in out["validation"].issues)


def test_a_validator_that_is_not_callable_is_refused_at_construction():
    with pytest.raises(ValueError, match="not callable"):
        create_adaptive_agent(ScriptedChatModel(script=Router()), validators=["Canberra"])


# --- The CLI tells the three verdicts apart -------------------------------------------


@pytest.mark.parametrize(
    ("trust", "answer", "code", "verdict"),
    [
        ("--trust-judge", "Canberra", 0, "verified"),
        ("--no-trust-judge", "Canberra", 4, "unverified"),
        ("--trust-judge", "Sydney", 1, "rejected"),
    ],
)
def test_cli_exit_code_and_json_verdict(
    trust, answer, code, verdict, tmp_path, monkeypatch, capsys
):
    router = Router(plan=[_ai(CAPITAL)], ai=[answer], judge=[_judge(answer == "Canberra")])
    monkeypatch.setattr(run_mod, "_resolve_model", lambda arg: ScriptedChatModel(script=router))
    got = cli.main(
        [
            "run",
            CAPITAL,
            "--json",
            "--max-steps",
            "1",
            trust,
            "--db",
            str(tmp_path / "db.sqlite"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert got == code
    assert result["verdict"] == verdict and result["success"] is (verdict == "verified")
    assert result["validation"]["criteria"][-1]["checked_by"] == "judge"


# --- Code is run, not only parsed -------------------------------------------------------

MEDIAN = (
    "Write a Python function middle(values) that returns the median of a list of numbers. "
    "For example middle([3, 1, 2]) == 2 and middle([4, 1, 3, 2]) == 2.5"
)
RIGHT_MEDIAN = (
    "```python\ndef middle(values):\n    s = sorted(values)\n    n = len(s)\n"
    "    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n```"
)
WRONG_MEDIAN = "```python\ndef middle(values):\n    return sorted(values)[len(values) // 2]\n```"


def test_a_function_that_fails_the_requests_example_is_rejected_with_the_failing_call():
    router = Router(plan=[_ai(MEDIAN)], ai=[WRONG_MEDIAN])
    out = _run(router, MEDIAN, max_steps=1)
    assert out["success"] is False and out["verdict"] == "rejected"
    [answer] = _by(out)
    assert answer.checked_by == "execution" and answer.passed is False
    assert "middle([4, 1, 3, 2]) returned 3" in answer.detail
    assert "judge" not in router.seen


def test_a_function_that_passes_the_requests_examples_is_verified_by_execution():
    router = Router(plan=[_ai(MEDIAN)], ai=[RIGHT_MEDIAN])
    out = _run(router, MEDIAN, max_steps=1)
    assert out["success"] is True and out["verdict"] == "verified"
    [answer] = _by(out)
    assert answer.checked_by == "execution" and not answer.weak


def test_a_code_request_never_delivers_what_a_program_printed():
    """The planner picking python for a function once made the output ('True') the answer."""
    demo = "def middle(values):\n    return 2\nprint(middle([3, 1, 2]) == 2)"
    router = Router(plan=[_program(demo)], ai=[RIGHT_MEDIAN])
    out = _run(router, MEDIAN, max_steps=1)
    assert "def middle" in str(out["deliverable"]) and out["verdict"] == "verified"


NO_EXAMPLES = "Write a Python function count_vowels(text) that counts the vowels a, e, i, o, u."
VOWELS = (
    "```python\ndef count_vowels(text):\n    return sum(ch in 'aeiou' for ch in text.lower())\n```"
)


def test_without_examples_model_written_tests_are_weak_evidence():
    tests = "assert count_vowels('banana') == 3\nassert count_vowels('') == 0"
    router = Router(plan=[_ai(NO_EXAMPLES)], ai=[VOWELS], tests=[tests])
    out = _run(router, NO_EXAMPLES, max_steps=1)
    assert out["verdict"] == "unverified" and out["success"] is False
    [answer] = _by(out)
    assert answer.checked_by == "execution" and answer.weak and answer.passed
    [prompt] = router.prompts["tests"]
    assert "sum(ch in" not in prompt  # the test writer never sees the candidate


def test_a_function_failing_model_written_tests_is_rejected():
    tests = "assert count_vowels('banana') == 3"
    wrong = "```python\ndef count_vowels(text):\n    return len(text)\n```"
    router = Router(plan=[_ai(NO_EXAMPLES)], ai=[wrong], tests=[tests])
    out = _run(router, NO_EXAMPLES, max_steps=1)
    assert out["verdict"] == "rejected"
    assert any("count_vowels('banana') returned 6" in i for i in out["validation"].issues)


def test_the_embedded_models_judge_is_weak_by_spec_or_by_client():
    from langchain_openai import ChatOpenAI

    from adaptive_react.llm.load import EMBEDDED_MODEL_TAG
    from adaptive_react.nodes._evidence import judge_trusted
    from adaptive_react.state import Context

    client = ChatOpenAI(
        model="qwen",
        base_url="http://127.0.0.1:9/v1",
        api_key="x",
        metadata={EMBEDDED_MODEL_TAG: "local"},
    )
    assert not judge_trusted(Context(model="local"))
    assert not judge_trusted(Context(model=client))  # what the bench and Python callers pass
    assert judge_trusted(Context(model=ScriptedChatModel(script=Router())))
    assert judge_trusted(Context(model="local", trust_judge=True))
