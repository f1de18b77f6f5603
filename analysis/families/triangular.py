"""Triangular numbers: 1, 3, 6, ... (0, 1, 3, ... is accepted too)."""

from __future__ import annotations

from typing import Any

from . import Family, register_family, terms
from .powers import is_square


def is_triangular(n: int, _param: Any = None) -> bool:
    """N is triangular iff 8n + 1 is a perfect square."""
    return n >= 0 and is_square(8 * n + 1)


TRIANGULAR = register_family(
    Family(
        name="triangular",
        rank=60,
        member=is_triangular,
        sequence=terms(lambda i, _p: i * (i + 1) // 2),
        zero_start=True,
        pattern=r"\btriangular\b|\btriangle numbers\b",
        subject="triangular numbers",
        one="a triangular number",
    )
)
