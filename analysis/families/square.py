"""Perfect squares: 1, 4, 9, ... (0, 1, 4, ... is accepted too)."""

from __future__ import annotations

import math
from typing import Any

from . import Family, register_family


def is_square(n: int) -> bool:
    """Whether n is a perfect square (negatives never are)."""
    return n >= 0 and math.isqrt(n) ** 2 == n


def zero_first(canonical: list[int]) -> list[list[int]]:
    """The same sequence started at 0, for families where 0 is a member some people list."""
    return [[0, *canonical[: len(canonical) - 1]]] if canonical else [[]]


def _squares(n: int, _param: Any = None) -> list[int]:
    return [i * i for i in range(1, n + 1)]


SQUARE = register_family(
    Family(
        name="square",
        rank=20,
        pattern=r"\b(?:perfect\s+)?squares\b|\bsquare numbers?\b|\bperfect squares?\b",
        subject="square numbers",
        plural="squares",
        what="perfect squares",
        one="a perfect square",
        describe="a square number",
        member=lambda n, _p: is_square(n),
        sequence=_squares,
        other_starts=lambda n, p: zero_first(_squares(n)),
    )
)
