from __future__ import annotations

import pytest

from adaptive_react.llm import extract_code, extract_json


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("print(1)", "print(1)"),
        ("Here:\n```python\nprint(1)\n```\nDone.", "print(1)"),
        ("```\nx = 1\n```", "x = 1"),
        ("python\nprint(2)", "print(2)"),
        ("```python\nprint(3)\n", "print(3)"),  # cut off at the token limit
        ("```text\nout\n```\n```py\nprint(4)\n```", "print(4)"),
        ("```bash\nls\n```", "ls"),
        ("    if x:\n        y()", "if x:\n    y()"),
    ],
)
def test_extract_code(text: str, expected: str) -> None:
    assert extract_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure! ```json\n{"a": 2}\n``` hope it helps', {"a": 2}),
        ('The answer is {"a": 3} and more {"b": 4}', {"a": 3}),
        ("[1, 2]", [1, 2]),
        ("no json here", None),
        ("", None),
        ('{"a": ', None),
        # A fenced block wins over brackets in the prose before it, even with prose after it.
        ('Step [1]: ```json\n{"a": 5}\n``` done', {"a": 5}),
    ],
)
def test_extract_json(text: str, expected: object) -> None:
    assert extract_json(text) == expected
