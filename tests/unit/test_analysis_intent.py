"""Intent rules: each rule pinned by table-driven cases, plus merging and parameters."""

from __future__ import annotations

import pytest

from adaptive_react.analysis import extract_parameters, merge_intents, rules_intent
from adaptive_react.analysis.intent_rules import normalize, rules_confident
from adaptive_react.state.models import (
    Criterion,
    CriterionKind,
    DataType,
    Intent,
    OutputFormat,
    QualityRequirements,
)


def _values(intent: Intent, kind: CriterionKind) -> list[object]:
    return [c.value for c in intent.success_criteria if c.kind == kind]


@pytest.mark.parametrize(
    ("request_text", "data_type", "fmt"),
    [
        ("Calculate the first 1000 prime numbers", DataType.NUMBERS, OutputFormat.RAW_DATA),
        ("Give me 1000 primes, starting from 2", DataType.NUMBERS, OutputFormat.RAW_DATA),
        ("List the first twenty five primes", DataType.NUMBERS, OutputFormat.LIST),
        ("Write a Python function is_palindrome(s)", DataType.CODE, OutputFormat.CODE),
        ("Write a program that prints the first 10 primes", DataType.CODE, OutputFormat.CODE),
        ("give me python code to reverse a string", DataType.CODE, OutputFormat.CODE),
        ("Calculate the first 50 primes but don't give me code", DataType.NUMBERS,
         OutputFormat.RAW_DATA),
        ("Put the first 100 primes in an Excel sheet with columns n and prime",
         DataType.DOCUMENT, OutputFormat.XLSX),
        ("Make a Word document listing the first 50 primes", DataType.DOCUMENT,
         OutputFormat.DOCX),
        ("Create a PDF with the first 20 fibonacci numbers", DataType.DOCUMENT, OutputFormat.PDF),
        ("What is 17*23?", DataType.NUMBERS, OutputFormat.SINGLE_VALUE),
        ("Convert 10 km to miles", DataType.NUMBERS, OutputFormat.SINGLE_VALUE),
        ("how many days are in a leap year", DataType.NUMBERS, OutputFormat.SINGLE_VALUE),
        ("Sort these numbers: 5, 3, 9, 1", DataType.NUMBERS, OutputFormat.RAW_DATA),
        ("give me the first 10 primes as JSON", DataType.NUMBERS, OutputFormat.JSON),
        ("give me a CSV of people with fields name, age", DataType.TABLE, OutputFormat.CSV),
        ("Make a table of countries with columns name and capital", DataType.TABLE,
         OutputFormat.MARKDOWN),
        ("What is the average of the price column in sales.csv?", DataType.ANALYSIS,
         OutputFormat.SINGLE_VALUE),
        ("Analyze this dataset of sales and summarize trends", DataType.ANALYSIS,
         OutputFormat.PROSE),
        ("Write a poem about the sea", DataType.TEXT, OutputFormat.PROSE),
        ("Explain what a prime minister does", DataType.TEXT, OutputFormat.PROSE),
    ],
)  # fmt: skip
def test_data_type_and_format(request_text: str, data_type: DataType, fmt: OutputFormat) -> None:
    intent = rules_intent(request_text)
    assert (intent.data_type, intent.expected_format) == (data_type, fmt)
    assert intent.source == "rules"


@pytest.mark.parametrize(
    ("request_text", "count"),
    [
        ("Calculate the first 1000 prime numbers", 1000),
        ("Give me 1000 primes, starting from 2", 1000),
        ("the first 1,000 fibonacci numbers", 1000),
        ("List the first twenty five primes", 25),
        ("List the first twenty-five primes", 25),
        ("the first twenty even numbers", 20),
        ("first one hundred and five squares", 105),
        ("give me a hundred primes", 100),
        ("first 10 multiples of 7", 10),
        ("primes below 100", None),
        ("sum of the first 100 primes", None),  # an aggregate: the 100 are inputs
    ],
)
def test_count(request_text: str, count: int | None) -> None:
    assert _values(rules_intent(request_text), CriterionKind.COUNT) == (
        [] if count is None else [count]
    )


@pytest.mark.parametrize(
    ("request_text", "props"),
    [
        ("Calculate the first 1000 prime numbers", ["prime"]),
        ("first 20 fibonacci numbers", ["fibonacci"]),
        ("the first 10 perfect squares", ["square"]),
        ("first 10 cubes", ["cube"]),
        ("the first 20 even numbers", ["even"]),
        ("10 odd numbers", ["odd"]),
        ("first 10 triangular numbers", ["triangular"]),
        ("first 10 multiples of 7", ["multiple_of:7"]),
        ("remove duplicates from 4, 4, 2", ["unique"]),
        ("Write a poem about the sea even if it is short", []),
    ],
)
def test_property(request_text: str, props: list[str]) -> None:
    assert _values(rules_intent(request_text), CriterionKind.PROPERTY) == props


@pytest.mark.parametrize(
    ("request_text", "ordering"),
    [
        ("first 10 primes in descending order", "descending"),
        ("first 10 primes, largest first", "descending"),
        ("first 10 primes sorted", "ascending"),
        ("first 10 primes in ascending order", "ascending"),
        ("first 10 primes", None),
    ],
)
def test_ordering(request_text: str, ordering: str | None) -> None:
    assert _values(rules_intent(request_text), CriterionKind.ORDERING) == (
        [] if ordering is None else [ordering]
    )


@pytest.mark.parametrize(
    ("request_text", "bounds"),
    [
        ("primes between 10 and 50", [10, 50]),
        ("primes between 50 and 10", [10, 50]),
        ("primes below 100", [None, 99]),
        ("primes less than 100", [None, 99]),
        ("primes up to 100", [None, 100]),
        ("primes greater than 100", [101, None]),
        ("at least 10 and at most 20 even numbers", [10, 20]),
    ],
)
def test_range_is_inclusive(request_text: str, bounds: list[int | None]) -> None:
    assert _values(rules_intent(request_text), CriterionKind.RANGE) == [bounds]


@pytest.mark.parametrize(
    ("request_text", "value"),
    [
        ("What is 17*23?", 391),
        ("what is 17 times 23", 391),
        ("Calculate 2 ** 10 + 1", 1025),
        ("what is 7 // 2 plus 10 % 4", 5),
        ("sum of 1 to 100", 5050),
        ("What is the sum of the numbers from 1 to 10?", 55),
        ("sum of the first 100 primes", 24133),
        ("product of 1 to 5", 120),
        ("average of 3, 5 and 7", 5),
        ("factorial of 6", 720),
        ("What is 1/4?", 0.25),
    ],
)
def test_value_exact(request_text: str, value: int | float) -> None:
    assert _values(rules_intent(request_text), CriterionKind.VALUE) == [value]


@pytest.mark.parametrize(
    ("request_text", "value"),
    [
        ("Convert 10 km to miles", 6.21371),
        ("convert 5 miles into kilometers", 8.04672),
        ("2 kg in pounds", 4.40925),
        ("100 F to C", 37.7778),
        ("convert 100 degrees celsius to fahrenheit", 212.0),
        ("how many feet is 3 meters", 9.84252),
    ],
)
def test_unit_conversion(request_text: str, value: float) -> None:
    (got,) = _values(rules_intent(request_text), CriterionKind.VALUE)
    assert got == pytest.approx(value, rel=1e-5)


def test_value_never_evaluates_names() -> None:
    intent = rules_intent("what is __import__('os').system('ls')")
    assert _values(intent, CriterionKind.VALUE) == []


def test_huge_power_is_refused() -> None:
    assert _values(rules_intent("what is 9 ** 9 ** 9"), CriterionKind.VALUE) == []


@pytest.mark.parametrize(
    ("request_text", "fields"),
    [
        ("Put the first 100 primes in an Excel sheet with columns n and prime", ["n", "prime"]),
        ("give me a CSV of people with fields name, age", ["name", "age"]),
        ("a table with columns: city, country and population", ["city", "country", "population"]),
        ("JSON records with keys id, title", ["id", "title"]),
    ],
)
def test_fields(request_text: str, fields: list[str]) -> None:
    assert _values(rules_intent(request_text), CriterionKind.FIELDS) == [fields]


@pytest.mark.parametrize(
    ("request_text", "file_type"),
    [
        ("Put the first 100 primes in an Excel sheet", "xlsx"),
        ("save the primes to a .xlsx spreadsheet", "xlsx"),
        ("Make a Word document listing the first 50 primes", "docx"),
        ("Create a PDF with the first 20 fibonacci numbers", "pdf"),
        ("give me a CSV of people with fields name, age", "csv"),
        ("give me the first 10 primes as JSON", "json"),
    ],
)
def test_file_type(request_text: str, file_type: str) -> None:
    assert _values(rules_intent(request_text), CriterionKind.FILE_TYPE) == [file_type]


def test_given_list_to_sort_and_dedupe() -> None:
    intent = rules_intent("Sort these numbers and remove duplicates: 5, 3, 9, 1, 3")
    assert _values(intent, CriterionKind.CONTAINS) == [[5, 3, 9, 1, 3]]
    assert _values(intent, CriterionKind.ORDERING) == ["ascending"]
    assert _values(intent, CriterionKind.PROPERTY) == ["unique"]
    assert _values(intent, CriterionKind.RANGE) == []


def test_code_request_names_the_function() -> None:
    intent = rules_intent("Write a Python function is_palindrome(s)")
    assert _values(intent, CriterionKind.CONTAINS) == ["is_palindrome"]
    assert "is_palindrome" in intent.subject


@pytest.mark.parametrize(
    ("request_text", "names"),
    [
        # prose around a listing names no function ("below", "is" were criteria once)
        (
            "Finish the function below; the function is short.\n\n```python\n"
            'def rotate_left(items: list, k: int) -> list:\n    """Rotate by k."""\n```',
            ["rotate_left"],
        ),
        # a finished helper beside the stub: only the stub is asked for
        (
            "Implement the stub, using the helper given above it.\n```py\n"
            "def clamp(x, lo, hi):\n    return max(lo, min(hi, x))\n\n"
            "def spread(values):\n    ...\n```",
            ["spread"],
        ),
        # no listing: prose names, but not the English word after "function"
        (
            "Write a Python function named count_vowels; the function is case-insensitive",
            ["count_vowels"],
        ),
        ("Write code: a function merge_spans, and the function below it stays", ["merge_spans"]),
    ],
)
def test_function_names_come_from_the_listing_first(request_text: str, names: list[str]) -> None:
    assert _values(rules_intent(request_text), CriterionKind.CONTAINS) == names


def test_seed_example_in_full() -> None:
    intent = rules_intent("Calculate the first 1000 prime numbers")
    assert intent.data_type == DataType.NUMBERS
    assert _values(intent, CriterionKind.COUNT) == [1000]
    assert _values(intent, CriterionKind.PROPERTY) == ["prime"]
    assert intent.subject == "prime numbers"


def test_document_request_in_full() -> None:
    intent = rules_intent("Put the first 100 primes in an Excel sheet with columns n and prime")
    assert (intent.data_type, intent.expected_format) == (DataType.DOCUMENT, OutputFormat.XLSX)
    assert _values(intent, CriterionKind.COUNT) == [100]
    assert _values(intent, CriterionKind.PROPERTY) == ["prime"]
    assert _values(intent, CriterionKind.FIELDS) == [["n", "prime"]]


def test_normalize_number_words_and_thousands() -> None:
    assert normalize("The First Twenty-Five primes") == "the first 25 primes"
    assert normalize("1,000 primes") == "1000 primes"
    assert normalize("sort 100,200,300") == "sort 100,200,300"
    assert normalize("between one and ten") == "between 1 and 10"


def test_normalize_keeps_adjacent_numbers_apart() -> None:
    # text2num reads a run that is not one number as several; it never adds them up.
    assert normalize("five five") == "5 5"
    assert normalize("nineteen eighty four") == "19 84"
    assert normalize("A hundred and five primes") == "105 primes"
    assert normalize("two million three hundred thousand and one") == "2300001"


@pytest.mark.parametrize(
    ("request_text", "params"),
    [
        ("first 45 primes", {"n": 45, "properties": ["prime"]}),
        ("first 10 multiples of 7", {"n": 10, "k": 7, "properties": ["multiple_of:7"]}),
        ("primes between 10 and 50", {"lo": 10, "hi": 50, "properties": ["prime"]}),
        ("sort 4, 1, 3", {"numbers": [4, 1, 3], "ordering": "ascending"}),
    ],
)
def test_extract_parameters(request_text: str, params: dict[str, object]) -> None:
    assert extract_parameters(request_text) == params


def test_extract_parameters_fields_and_conversion() -> None:
    assert extract_parameters("an Excel sheet with columns n and prime")["fields"] == ["n", "prime"]
    conversion = extract_parameters("convert 10 km to miles")
    assert (conversion["amount"], conversion["from_unit"], conversion["to_unit"]) == (
        10.0,
        "km",
        "mile",
    )


def test_extract_parameters_is_deterministic() -> None:
    request = "Put the first 100 primes in an Excel sheet with columns n and prime"
    assert extract_parameters(request) == extract_parameters(request)


def _model(data_type: DataType, fmt: OutputFormat, *criteria: Criterion) -> Intent:
    return Intent(
        data_type=data_type,
        expected_format=fmt,
        success_criteria=list(criteria),
        subject="model subject",
        source="model",
        quality=QualityRequirements(accuracy=0.9),
    )


def test_merge_keeps_rule_criteria_the_model_dropped() -> None:
    rules = rules_intent("Calculate the first 1000 prime numbers")
    model = _model(DataType.CODE, OutputFormat.CODE, Criterion(kind=CriterionKind.OTHER,
                                                               value="fast"))  # fmt: skip
    merged = merge_intents(model, rules)
    assert merged.source == "merged"
    assert merged.data_type == DataType.NUMBERS  # rules are confident: first N primes
    assert _values(merged, CriterionKind.COUNT) == [1000]
    assert _values(merged, CriterionKind.OTHER) == ["fast"]
    assert merged.quality.accuracy == 0.9


def test_merge_does_not_duplicate_or_contradict_count() -> None:
    rules = rules_intent("Calculate the first 1000 prime numbers")
    model = _model(
        DataType.NUMBERS,
        OutputFormat.LIST,
        Criterion(kind=CriterionKind.COUNT, value="100"),
        Criterion(kind=CriterionKind.PROPERTY, value="prime"),
        Criterion(kind=CriterionKind.ORDERING, value="ascending"),
    )
    merged = merge_intents(model, rules)
    assert _values(merged, CriterionKind.COUNT) == [1000]
    assert _values(merged, CriterionKind.PROPERTY) == ["prime"]
    assert _values(merged, CriterionKind.ORDERING) == ["ascending"]


def test_merge_lets_model_decide_when_rules_are_unsure() -> None:
    rules = rules_intent("Tell me about the history of the Roman empire in a few rows")
    assert not rules_confident(rules)
    model = _model(DataType.TABLE, OutputFormat.MARKDOWN, Criterion(kind=CriterionKind.COUNT,
                                                                    value="5"))  # fmt: skip
    merged = merge_intents(model, rules)
    assert (merged.data_type, merged.expected_format) == (DataType.TABLE, OutputFormat.MARKDOWN)
    # "a few rows" states no number: the model's 5 is its own guess, so it is not a criterion.
    assert _values(merged, CriterionKind.COUNT) == []
    assert merged.subject == "model subject"


def test_merge_unreadable_model_count_goes_to_the_judge() -> None:
    rules = rules_intent("Write a poem about the sea")
    model = _model(DataType.TEXT, OutputFormat.PROSE, Criterion(kind=CriterionKind.COUNT,
                                                                value="a few"))  # fmt: skip
    merged = merge_intents(model, rules)
    assert _values(merged, CriterionKind.COUNT) == []
    assert _values(merged, CriterionKind.OTHER) == ["a few"]


def test_merge_leaves_a_functions_outputs_to_execution() -> None:
    """Regression: a weak model padded a code request with one sentence under every kind.

    Each copy went to an untrusted judge, so a function that passed the request's own
    examples when run ended unverified. Outputs are proven by running the code.
    """
    request = (
        "Complete this function.\n\ndef pad(xs: list, sep: int) -> list:\n"
        '    """Put sep between neighbours.\n    >>> pad([1, 2], 0)\n    [1, 0, 2]\n    """\n'
    )
    rules = rules_intent(request)
    assert rules.data_type == DataType.CODE and rules_confident(rules)
    padded = "The function should return a list of numbers."
    kinds = [CriterionKind.PROPERTY, CriterionKind.RANGE, CriterionKind.LAYOUT]
    model = _model(
        DataType.CODE,
        OutputFormat.CODE,
        *[Criterion(kind=k, value="list", description=padded) for k in kinds],
        Criterion(kind=CriterionKind.OTHER, description=padded),
        Criterion(kind=CriterionKind.OTHER, value="recursive", description="uses recursion"),
    )
    merged = merge_intents(model, rules, request)
    assert [c.model_dump() for c in merged.success_criteria[: len(rules.success_criteria)]] == [
        c.model_dump() for c in rules.success_criteria
    ]
    added = merged.success_criteria[len(rules.success_criteria) :]
    assert [(c.kind, c.description) for c in added] == [(CriterionKind.OTHER, "uses recursion")]


def test_merge_without_model_is_rules() -> None:
    rules = rules_intent("first 10 multiples of 7")
    merged = merge_intents(None, rules)
    assert merged.source == "merged"
    assert merged.success_criteria == rules.success_criteria


@pytest.mark.parametrize(
    "request_text",
    [
        "Put the first 100 primes in an Excel sheet",
        "Write a function that adds two numbers",
        "first 10 primes",
    ],
)
def test_rules_confident(request_text: str) -> None:
    assert rules_confident(rules_intent(request_text))


def test_one_per_line_is_a_list() -> None:
    intent = rules_intent("Return the first 1000 primes, one per line")
    assert intent.expected_format == OutputFormat.LIST


def test_fallback_subject_drops_question_words() -> None:
    assert rules_intent("What is the capital of France?").subject == "capital of france"
