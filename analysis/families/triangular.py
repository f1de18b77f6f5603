"""Triangular numbers: 1, 3, 6, ... (0, 1, 3, ... is accepted too)."""

from __future__ import annotations

from typing import Any

from . import Family, register_family
from .square import is_square, zero_first


def is_triangular(n: int) -> bool:
    """N is triangular iff 8n + 1 is a perfect square."""
    return n >= 0 and is_square(8 * n + 1)


def _triangular(n: int, _param: Any = None) -> list[int]:
    return [i * (i + 1) // 2 for i in range(1, n + 1)]


TRIANGULAR = register_family(
    Family(
        name="triangular",
        rank=60,
        pattern=r"\btriangular\b|\btriangle numbers\b",
        subject="triangular numbers",
        plural="triangular numbers",
        what="triangular numbers",
        one="a triangular number",
        describe="a triangular number",
        member=lambda n, _p: is_triangular(n),
        sequence=_triangular,
        other_starts=lambda n, p: zero_first(_triangular(n)),
    )
)
