"""Edges of the safe evaluator that the request-level tests do not reach."""

from __future__ import annotations

import pytest

from adaptive_react.analysis._arith import safe_eval


@pytest.mark.parametrize(
    ("expression", "value"),
    [("2 ** 10 + 1", 1025), ("-(-3)", 3), ("1.5 * 2", 3), ("2 ** -2", 0.25), ("7 // 2", 3)],
)
def test_literal_arithmetic(expression: str, value: float) -> None:
    assert safe_eval(expression) == value


@pytest.mark.parametrize(
    "expression",
    [
        "9 ** 9 ** 9",
        "9 ** 10001",
        "10 ** 401",
        "1 / 0",
        "True + 1",  # booleans are not numbers
        "'a' * 3",
        "1j * 2",
        "1 < 2",
        "1 and 2",
        "1 if 1 else 2",
        "(1).real",
        "x + 1",
        "abs(-1)",
        "__import__('os')",
        "1.e",
        "",
    ],
)
def test_anything_else_is_refused(expression: str) -> None:
    assert safe_eval(expression) is None
