"""Fibonacci numbers: 0, 1, 1, 2, ... (1, 1, 2, ... and 1, 2, 3, ... are accepted too)."""

from __future__ import annotations

from typing import Any

from . import Family, register_family
from .powers import is_square


def is_fibonacci(n: int, _param: Any = None) -> bool:
    """Classic identity: n is Fibonacci iff 5n^2 +/- 4 is a perfect square."""
    return n >= 0 and (is_square(5 * n * n + 4) or is_square(5 * n * n - 4))


def fibonacci(n: int, a: int = 0, b: int = 1) -> list[int]:
    """The first n terms starting from a, b."""
    out: list[int] = []
    while len(out) < n:
        out.append(a)
        a, b = b, a + b
    return out


def _other_starts(n: int, _param: Any) -> list[list[int]]:
    # People genuinely disagree where the sequence begins.
    return [fibonacci(n, 1, 1), fibonacci(n, 1, 2)]


FIBONACCI = register_family(
    Family(
        name="fibonacci",
        rank=10,
        member=is_fibonacci,
        sequence=lambda n, _p: fibonacci(n),
        alternatives=_other_starts,
        pattern=r"\bfibonacci\b",
        subject="Fibonacci numbers",
        one="a Fibonacci number",
        describe="a fibonacci number",
    )
)
