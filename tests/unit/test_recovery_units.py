"""The recovery library without a graph: repeats, the approach ladder, the stop rule, repair
instructions, producer-safe findings, and what the sandbox lets a program import."""

import pytest

from adaptive_react.analysis import validate_content
from adaptive_react.learning import attempts as ladder
from adaptive_react.learning.progress import should_continue
from adaptive_react.learning.repair import (
    fixed_bound,
    missing_module,
    producer_safe,
    repair_brief,
)
from adaptive_react.state import (
    ActionResult,
    Criterion,
    CriterionKind,
    CriterionResult,
    DataType,
    FailedAttempt,
    Intent,
    OutputFormat,
    Progress,
    Validation,
)
from adaptive_react.state.attempts import Attempt
from adaptive_react.tools import available_packages, run_python


def attempt(approach="first", key="a", tool="python", program="print(1)", repeat=False, **kw):
    return Attempt(
        request_id="r",
        step=1,
        approach=approach,
        tool=tool,
        program=program,
        output_key=key,
        repeat=repeat,
        **kw,
    )


# --- repeats and the ladder -------------------------------------------------------------


def test_output_key_ignores_how_the_same_values_are_printed():
    assert ladder.output_key("[2, 3, 5]") == ladder.output_key("2, 3, 5\n")
    assert ladder.output_key("2, 3, 5") != ladder.output_key("2, 3, 7")
    assert ladder.output_key("", "NameError: x") != ladder.output_key("", "NameError: y")


def test_excerpt_keeps_head_and_tail_within_the_bound():
    text = ", ".join(str(n) for n in range(2000))
    cut = ladder.excerpt(text)
    assert cut.startswith("0, 1, 2") and cut.endswith("1998, 1999")
    assert "characters omitted" in cut and len(cut) < 360
    assert ladder.excerpt("short") == "short"


def test_a_program_is_repaired_once_then_written_another_way():
    first = [attempt()]
    assert ladder.next_approach(first, ai_left=True) == ladder.REPAIR
    repaired = [*first, attempt(ladder.REPAIR, key="b")]
    assert ladder.next_approach(repaired, ai_left=True) == ladder.FRESH
    # A repeat is not repaired: asking to fix what already came back changes nothing.
    repeated = [*first, attempt(ladder.REPAIR, key="b"), attempt(ladder.FRESH, repeat=True)]
    assert ladder.next_approach(repeated, ai_left=True) == ladder.SHORT
    everything = [
        attempt(a, key=a) for a in ("first", "repair", "fresh", "repair", "short", "repair")
    ]
    assert ladder.next_approach(everything, ai_left=True) == ladder.AI_DATA
    assert ladder.next_approach(everything, ai_left=False) is None


def test_the_stop_rule_counts_ideas_not_similar_failures():
    failed = Progress(
        failed=[
            FailedAttempt(step=i, template="python:compute", reason="the list has 25 items")
            for i in (1, 2, 3)
        ]
    )
    rejected = validate_content(
        ActionResult(tool="python", success=True, content="2, 3, 5"),
        Intent(
            data_type=DataType.NUMBERS,
            expected_format=OutputFormat.RAW_DATA,
            success_criteria=[Criterion(kind=CriterionKind.COUNT, value=60)],
        ),
    )
    distinct = [attempt("first", "a"), attempt("repair", "b"), attempt("fresh", "c")]
    # Three failures worded alike, but three different outputs and ideas left: go on.
    go = should_continue(failed, rejected, step=3, max_steps=8, untried=[], attempts=distinct)
    assert go.action == "continue"
    repeats = [
        attempt("first", "a"),
        attempt("repair", "a", repeat=True),
        attempt("fresh", "a", repeat=True),
    ]
    stop = should_continue(
        Progress(), rejected, step=3, max_steps=8, untried=["x"], attempts=repeats
    )
    assert stop.action == "stop" and "repeated earlier outputs" in stop.reason
    assert "1 distinct outputs in 3 attempts" in stop.reason
    # Without recorded attempts (the actionplan mode) the old rule still applies.
    legacy = should_continue(failed, rejected, step=3, max_steps=8, untried=[])
    assert legacy.action == "stop" and "three attempts" in legacy.reason


# --- repair instructions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "program,bound",
    [
        ("print([n for n in range(2, 1000) if all(n % d for d in range(2, n))])", "range(2, 1000)"),
        ("n = 2\nout = []\nwhile n < 1000:\n    out.append(n)\n    n += 1\nprint(out)", "n < 1000"),
        ("limit = 500\nprint([n for n in range(2, limit + 1)])", "range(2, limit + 1)"),
        ("import sympy\nprint(list(sympy.primerange(2, 800)))", "sympy.primerange(2, 800)"),
    ],
)
def test_fixed_bounds_are_found(program, bound):
    assert fixed_bound(program) == bound


@pytest.mark.parametrize(
    "program",
    [
        "out = []\nn = 2\nwhile len(out) < 1000:\n    out.append(n)\n    n += 1\nprint(out)",
        "print(list(range(5)))",
        "print(1",  # does not parse
    ],
)
def test_no_fixed_bound_where_the_loop_counts_or_there_is_none(program):
    assert fixed_bound(program) is None


def test_producer_safe_drops_what_was_expected_and_keeps_what_was_delivered():
    text = (
        "expected the first 60 primes (2..281); got 25 values ending at 97; item 3 is 7, expected 5"
    )
    assert producer_safe(text) == "got 25 values ending at 97"
    assert producer_safe("the answer 42 is wrong; expected 7006652") == "the answer 42 is wrong"
    assert producer_safe("expected one value, got a list") == "expected one value, got a list"


def _primes_intent(n):
    return Intent(
        data_type=DataType.NUMBERS,
        expected_format=OutputFormat.RAW_DATA,
        success_criteria=[
            Criterion(kind=CriterionKind.COUNT, value=n),
            Criterion(kind=CriterionKind.PROPERTY, value="prime"),
        ],
    )


def test_too_few_items_from_a_fixed_bound_get_the_loop_until_count_instruction():
    intent = _primes_intent(60)
    content = ", ".join(str(p) for p in (2, 3, 5, 7, 11, 13))
    validation = validate_content(
        ActionResult(tool="python", success=True, content=content), intent
    )
    last = attempt(
        program="print([n for n in range(2, 15) if all(n % d for d in range(2, n))])",
        excerpt=content,
    )
    brief = repair_brief(last, validation, intent)
    text = "\n".join(brief.findings + brief.instructions)
    assert "loop until the count is reached, not up to a fixed bound" in text
    assert "fewer than 60 items" in text and "the list has 6 items" in text
    assert "281" not in text  # the 60th prime: the answer key never reaches the prompt
    counted = attempt(
        program="out=[]\nn=2\nwhile len(out) < 60:\n    n += 1\nprint(out)", excerpt=content
    )
    plain = "\n".join(repair_brief(counted, validation, intent).instructions)
    assert "fixed bound" not in plain and "keep going until 60 items" in plain


def test_too_many_items_say_where_to_stop():
    # Cleanup usually trims a surplus itself; when it cannot, the program must stop in time.
    intent = _primes_intent(3)
    count = CriterionResult(
        criterion=intent.success_criteria[0],
        passed=False,
        detail="the list has 5 items; deliver exactly 3",
    )
    validation = Validation(
        overall_success=False,
        data_type_match=True,
        format_match=True,
        criteria=[count],
        quality_score=0.5,
        issues=[count.detail],
    )
    brief = repair_brief(attempt(excerpt="2, 3, 5, 7, 11"), validation, intent)
    assert brief.instructions[0] == "It printed 5 items; stop as soon as 3 items have been found."


def test_a_missing_module_names_the_installed_packages():
    error = "ModuleNotFoundError: module 'primeslib' is not available in the sandbox; ..."
    assert missing_module(error) == "primeslib"
    assert missing_module("ModuleNotFoundError: No module named 'scipy.special'") == "scipy"
    brief = repair_brief(attempt(error=error), None, None, ["numpy", "pandas", "sympy"])
    assert brief.instructions == [
        "Module primeslib is not available here. You may import only "
        "the standard library and these installed packages: numpy, "
        "pandas, sympy."
    ]


def test_an_error_hands_over_the_traceback_tail():
    tb = 'File "<action>", line 4, in <module>\n    x = 1 / 0\nZeroDivisionError: division by zero'
    brief = repair_brief(
        attempt(error="ZeroDivisionError: division by zero", traceback=tb), None, None
    )
    assert brief.instructions == [f"It stopped with this error; fix its cause:\n{tb}"]


# --- the sandbox's packages ---------------------------------------------------------------


def test_the_project_installs_the_numeric_packages():
    assert {"numpy", "pandas", "sympy"} <= set(available_packages())


def test_numeric_packages_import_inside_the_sandbox():
    res = run_python(
        "import numpy, pandas, sympy\n"
        "print(int(numpy.arange(4).sum()), len(pandas.DataFrame({'a': [1, 2]})), "
        "sympy.prime(10))"
    )
    assert res.ok, res.stderr
    assert res.stdout.split() == ["6", "2", "29"]


@pytest.mark.parametrize(
    "code",
    ["import primeslib", "import yaml", "import importlib\nimportlib.import_module('primeslib')"],
)
def test_an_import_outside_the_list_names_what_is_available(code):
    res = run_python(code)
    assert not res.ok
    assert "is not available in the sandbox; available: the standard library and" in res.error
    assert "numpy" in res.error and "sympy" in res.error


def test_a_traceback_shows_the_program_lines_not_the_runner():
    res = run_python("def f(v):\n    return 10 // v\nprint(f(0))")
    tail = res.stderr_tail()
    assert 'File "<action>", line 2, in f' in tail and "return 10 // v" in tail
    assert "_runner.py" not in res.stderr


def test_unbounded_lifts_only_the_collecting_loop():
    from adaptive_react.learning.repair import unbounded

    loop = (
        "evens = []\nfor k in range(0, 50):\n    if k % 2 == 0:\n        evens.append(k)\n"
        "print(evens)"
    )
    lifted = unbounded(loop, 40)
    assert lifted is not None and "itertools.count(0)" in lifted and "len(evens) >= 40" in lifted
    comp = "squares = [i * i for i in range(1, 30) if i % 3]\nprint(squares)"
    assert "islice" in unbounded(comp, 25)
    inner = "def ok(n):\n    return all(n % d for d in range(2, n))\nprint(ok(7))"
    assert unbounded(inner, 10) is None  # a test's range collects nothing
    assert unbounded("print(list(range(10)))", 10) is None  # no filter: nothing to count


def test_a_surplus_is_no_reason_to_lift_a_bound():
    from adaptive_react.learning.repair import mechanical_repair

    intent = _primes_intent(3)
    count = CriterionResult(
        criterion=intent.success_criteria[0],
        passed=False,
        detail="the list has 5 items; deliver exactly 3",
    )
    validation = Validation(
        overall_success=False,
        data_type_match=True,
        format_match=True,
        criteria=[count],
        quality_score=0.5,
        issues=[count.detail],
    )
    program = "print([n for n in range(2, 12) if all(n % d for d in range(2, n))])"
    assert mechanical_repair(attempt(program=program, excerpt="2, 3, 5, 7, 11"), validation) is None
