"""Perfect cubes: 1, 8, 27, ... (0, 1, 8, ... is accepted too)."""

from __future__ import annotations

from typing import Any

from . import Family, register_family
from .square import zero_first


def is_cube(n: int) -> bool:
    """Whether n is a perfect cube, negatives included (-8 is (-2) cubed)."""
    root = round(abs(n) ** (1 / 3))
    return any((r if n >= 0 else -r) ** 3 == n for r in (root - 1, root, root + 1))


def _cubes(n: int, _param: Any = None) -> list[int]:
    return [i**3 for i in range(1, n + 1)]


CUBE = register_family(
    Family(
        name="cube",
        rank=30,
        pattern=r"\b(?:perfect\s+)?cubes\b|\bcube numbers?\b|\bperfect cubes?\b",
        subject="cube numbers",
        plural="cubes",
        what="perfect cubes",
        one="a perfect cube",
        describe="a cube number",
        member=lambda n, _p: is_cube(n),
        sequence=_cubes,
        other_starts=lambda n, p: zero_first(_cubes(n)),
    )
)
