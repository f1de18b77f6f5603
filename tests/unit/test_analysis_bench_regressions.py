"""Intent-rule regressions found by the benchmark (docs/benchmark.md, "loop problems")."""

import pytest

from adaptive_react.analysis import rules_intent, validate_content
from adaptive_react.state import ActionResult, CriterionKind, DataType, OutputFormat


def kinds(request):
    return {c.kind: c.value for c in rules_intent(request).success_criteria}


def test_a_span_over_the_inputs_is_not_a_bound_on_the_values():
    found = kinds("Write a CSV with columns n and square for n from 1 to 12")
    assert CriterionKind.RANGE not in found
    table = "n,square\n" + "\n".join(f"{n},{n * n}" for n in range(1, 13))
    v = validate_content(
        ActionResult(tool="python", success=True, content=table),
        rules_intent("Write a CSV with columns n and square for n from 1 to 12"),
    )
    assert v.overall_success, v.issues


def test_summing_a_span_is_a_checked_value():
    intent = rules_intent("Add up every whole number from 1 to 250")
    assert intent.expected_format == OutputFormat.SINGLE_VALUE
    assert intent.criterion(CriterionKind.VALUE).value == 31375
    ok = validate_content(ActionResult(tool="python", success=True, content="31375"), intent)
    assert ok.overall_success


def test_an_attached_file_name_is_not_the_output_format():
    intent = rules_intent("From the attached sales.csv, count the rows")
    assert intent.data_type == DataType.ANALYSIS
    assert intent.criterion(CriterionKind.FILE_TYPE) is None


def test_an_output_file_name_still_names_the_format():
    assert kinds("Save the first 10 primes as primes.csv")[CriterionKind.FILE_TYPE] == "csv"


def test_code_requests_get_no_data_property():
    found = kinds("Write a Python function fizzbuzz(n) that returns Fizz for multiples of 3")
    assert CriterionKind.PROPERTY not in found
    assert found[CriterionKind.CONTAINS] == "fizzbuzz"


def test_squares_of_a_span_from_one_are_counted():
    found = kinds("Give the squares of the integers 1 through 15")
    assert found[CriterionKind.COUNT] == 15
    sixteen = ", ".join(str(n * n) for n in range(1, 17))
    v = validate_content(
        ActionResult(tool="ai_process", success=True, content=sixteen),
        rules_intent("Give the squares of the integers 1 through 15"),
    )
    # The extra item is trimmed (the first 15 are verified squares), never passed through.
    assert v.overall_success
    assert v.cleaned_content == ", ".join(str(n * n) for n in range(1, 16))


@pytest.mark.parametrize(
    "request_text, value",
    [
        ("Multiply 4321 by 8765", 37873565),
        ("Divide 10 by 4", 2.5),
        ("Subtract 5 from 12", 7),
        ("Add 19 and 23", 42),
    ],
)
def test_imperative_arithmetic_is_a_checked_value(request_text, value):
    intent = rules_intent(request_text)
    assert intent.data_type == DataType.NUMBERS
    assert intent.criterion(CriterionKind.VALUE).value == value


FIZZBUZZ = (
    "Write a Python function fizzbuzz(n) that returns 'Fizz' for multiples of 3, "
    "'Buzz' for multiples of 5, 'FizzBuzz' for both, and str(n) otherwise"
)


def test_builtins_the_request_calls_are_not_functions_to_define():
    """``str(n)`` in the spec is a builtin the code uses, not a name it must define."""
    criteria = rules_intent(FIZZBUZZ).success_criteria
    names = [c.value for c in criteria if c.kind == CriterionKind.CONTAINS]
    assert names == ["fizzbuzz"]
    code = (
        "def fizzbuzz(n):\n    if n % 15 == 0:\n        return 'FizzBuzz'\n"
        "    if n % 3 == 0:\n        return 'Fizz'\n    if n % 5 == 0:\n"
        "        return 'Buzz'\n    return str(n)"
    )
    delivered = ActionResult(tool="ai_process", success=True, content=code)
    v = validate_content(delivered, rules_intent(FIZZBUZZ))
    assert v.overall_success, v.issues


def test_a_model_count_on_a_single_value_request_is_dropped():
    """Found on the embedded model: its intent gave 'count = 7006652' for 1234 * 5678."""
    from adaptive_react.analysis import merge_intents
    from adaptive_react.state import Criterion, Intent

    request = "What is 1234 * 5678?"
    model = Intent(
        data_type=DataType.NUMBERS,
        expected_format=OutputFormat.SINGLE_VALUE,
        success_criteria=[Criterion(kind=CriterionKind.COUNT, value=7006652)],
    )
    intent = merge_intents(model, rules_intent(request))
    assert intent.criterion(CriterionKind.COUNT) is None
    delivered = ActionResult(tool="python", success=True, content="7006652")
    assert validate_content(delivered, intent).overall_success
