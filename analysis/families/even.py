"""Even numbers: 2, 4, 6, ... (0, 2, 4, ... is accepted too)."""

from __future__ import annotations

from typing import Any

from . import Family, register_family
from .square import zero_first


def _evens(n: int, _param: Any = None) -> list[int]:
    return [2 * i for i in range(1, n + 1)]


EVEN = register_family(
    Family(
        name="even",
        rank=40,
        pattern=r"\beven\s+(?:numbers?|integers?|ones)\b|\b\d+\s+even\b|\beven\s*$",
        subject="even numbers",
        plural="even numbers",
        what="even",
        one="even",
        describe="even",
        member=lambda n, _p: n % 2 == 0,
        sequence=_evens,
        other_starts=lambda n, p: zero_first(_evens(n)),
    )
)
