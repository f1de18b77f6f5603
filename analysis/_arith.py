"""Exact answers for the arithmetic a request states, computed without ``eval``.

When the user asks "what is 17 times 23" the validator should know the answer is 391
rather than trust whichever number the model printed. Only literal arithmetic is evaluated:
the tree is walked node by node and anything that is not a number or an operator is refused.
Unit conversions, factorials, percentages and square roots are read from the request's words
here too, next to the units and operators they are written with.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from collections.abc import Callable
from typing import Any

from ._text import Number, by_word

_BIN_OPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
# Guards against "9 ** 9 ** 9"-style requests freezing the loop.
_MAX_EXPONENT = 10_000
_MAX_MAGNITUDE = 10**400

# Spoken operators, longest first so "multiplied by" wins over "by".
_WORD_OPS = [
    # Imperative forms first: "multiply 4321 by 8765", "divide 10 by 4", "add 3 and 4",
    # "subtract 5 from 12" (operands swap), so the symbol rules below see an expression.
    (r"\bmultiply\s+(-?[\d.]+)\s+(?:by|and|with)\s+(-?[\d.]+)", r" \1 * \2 "),
    (r"\bdivide\s+(-?[\d.]+)\s+by\s+(-?[\d.]+)", r" \1 / \2 "),
    (r"\badd\s+(-?[\d.]+)\s+(?:and|to)\s+(-?[\d.]+)", r" \1 + \2 "),
    (r"\bsubtract\s+(-?[\d.]+)\s+from\s+(-?[\d.]+)", r" \2 - \1 "),
    (r"\bto the power of\b|\braised to(?: the power of)?\b|\^", " ** "),
    (r"\bmultiplied by\b|\btimes\b|×|(?<=\d)\s*x\s*(?=\d)", " * "),
    (r"\bdivided by\b|÷", " / "),
    (r"\bplus\b|\badded to\b", " + "),
    (r"\bminus\b", " - "),
    (r"\bmod(?:ulo)?\b", " % "),
    (r"\bsquared\b", " ** 2 "),
    (r"\bcubed\b", " ** 3 "),
]
_EXPR_RE = re.compile(r"[-+(]*\s*\d[\d.\s+\-*/%()]*")
_HAS_OP_RE = re.compile(r"\d\s*\)*\s*(?:\*\*|//|[-+*/%])\s*\(*\s*-?\d")


def safe_eval(expression: str) -> Number | None:
    """Evaluate literal arithmetic; None for anything else or for results out of bounds."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "1.e"-style literals warn before they fail
            tree = ast.parse(expression.strip(), mode="eval")
        value = _eval(tree.body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError, RecursionError):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise ValueError("booleans are not numbers here")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _eval(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN_OPS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise ValueError("exponent too large")
        result = _BIN_OPS[type(node.op)](left, right)
        if abs(result) > _MAX_MAGNITUDE:
            raise ValueError("result too large")
        return result  # type: ignore[no-any-return]
    raise ValueError(f"not arithmetic: {type(node).__name__}")


def spoken_to_symbols(text: str) -> str:
    """Rewrite "17 times 23" as "17 * 23" so the expression can be parsed."""
    for pattern, symbol in _WORD_OPS:
        text = re.sub(pattern, symbol, text)
    return text


def find_expression(text: str) -> tuple[str, Number] | None:
    """Return the longest evaluable arithmetic expression in the text and its value."""
    best: tuple[str, Number] | None = None
    for match in _EXPR_RE.finditer(spoken_to_symbols(text)):
        candidate = match.group().strip().rstrip(".")
        if not _HAS_OP_RE.search(candidate):
            continue
        value = safe_eval(candidate)
        if value is not None and (best is None or len(candidate) > len(best[0])):
            best = (" ".join(candidate.split()), value)
    return best


# Units per dimension, as factors to the SI base unit; temperature is handled apart.
_LENGTH = {"km": 1000.0, "mile": 1609.344, "m": 1.0, "ft": 0.3048}
_MASS = {"kg": 1.0, "lb": 0.45359237}
# How a request may write each unit.
_UNIT_ALIASES = by_word(
    {
        "km": "km kms kilometer kilometers kilometre kilometres",
        "mile": "mile miles mi",
        "m": "m meter meters metre metres",
        "ft": "ft foot feet",
        "kg": "kg kgs kilogram kilograms kilo kilos",
        "lb": "lb lbs pound pounds",
        "C": "c °c celsius centigrade",
        "F": "f °f fahrenheit",
    }
)
_UNIT = r"(?:" + "|".join(sorted(map(re.escape, _UNIT_ALIASES), key=len, reverse=True))
_UNIT += r")(?![a-z])"
_CONVERT_RE = re.compile(
    rf"(-?\d+(?:\.\d+)?)\s*(?:degrees?\s+)?({_UNIT})\s+(?:to|in|into|in terms of|as)\s+"
    rf"(?:degrees?\s+)?({_UNIT})"
)
_CONVERT_Q_RE = re.compile(
    rf"how many\s+(?:degrees?\s+)?({_UNIT})\s+(?:is|are|in|make)\s+(-?\d+(?:\.\d+)?)\s*"
    rf"(?:degrees?\s+)?({_UNIT})"
)


def convert(amount: float, source: str, target: str) -> float | None:
    """Convert between the supported units; None when the dimensions differ."""
    if {source, target} == {"C", "F"}:
        return amount * 9 / 5 + 32 if source == "C" else (amount - 32) * 5 / 9
    for table in (_LENGTH, _MASS):
        if source in table and target in table:
            return amount * table[source] / table[target]
    return None


def find_conversion(text: str) -> tuple[float, str, str] | None:
    """The (amount, unit, unit) of "10 km to miles" or "how many feet are in 3 m"."""
    match = _CONVERT_RE.search(text)
    if match:
        amount, source, target = match.group(1), match.group(2), match.group(3)
    else:
        match = _CONVERT_Q_RE.search(text)
        if not match:
            return None
        target, amount, source = match.group(1), match.group(2), match.group(3)
    src, dst = _UNIT_ALIASES[source], _UNIT_ALIASES[target]
    if src == dst or convert(1.0, src, dst) is None:
        return None
    return float(amount), src, dst


_FACTORIAL_RE = re.compile(r"\bfactorial of (\d+)\b|\b(\d+)\s*!(?!=)")
_PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent)\s+of\s+(-?\d+(?:\.\d+)?)")
_SQRT_RE = re.compile(r"\bsquare root of (\d+(?:\.\d+)?)\b|\bsqrt\(?\s*(\d+(?:\.\d+)?)")


def tidy(value: float) -> Number:
    """An integral float as the int it is, however large (a sum or a share of big numbers)."""
    return int(value) if value.is_integer() else value


def special_value(text: str) -> tuple[Number, str] | None:
    """A factorial, a percentage or a square root the text asks for, and how it wrote it."""
    factorial = _FACTORIAL_RE.search(text)
    if factorial:
        n = int(factorial.group(1) or factorial.group(2))
        if n <= 1000:
            return math.factorial(n), f"{n}!"
    percent = _PERCENT_RE.search(text)
    if percent:
        share, whole = float(percent.group(1)), float(percent.group(2))
        return tidy(round(share * whole / 100, 10)), f"{percent.group(1)}% of {percent.group(2)}"
    root = _SQRT_RE.search(text)
    if root:
        x = float(root.group(1) or root.group(2))
        return tidy(math.sqrt(x)) if math.isqrt(int(x)) ** 2 == x else math.sqrt(x), f"sqrt({x})"
    return None
