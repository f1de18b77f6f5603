"""Perfect powers: squares 1, 4, 9, ... and cubes 1, 8, 27, ... (each accepted from 0 too)."""

from __future__ import annotations

import math
from typing import Any

from . import Family, Member, register_family, terms


def is_square(n: int, _param: Any = None) -> bool:
    """Whether n is a perfect square (negatives never are)."""
    return n >= 0 and math.isqrt(n) ** 2 == n


def is_cube(n: int, _param: Any = None) -> bool:
    """Whether n is a perfect cube, negatives included (-8 is (-2) cubed)."""
    root = round(abs(n) ** (1 / 3))
    return any((r if n >= 0 else -r) ** 3 == n for r in (root - 1, root, root + 1))


def _power(word: str, rank: int, exponent: int, member: Member) -> Family:
    """Squares and cubes differ only in their word and exponent, so one definition is both."""
    return register_family(
        Family(
            name=word,
            rank=rank,
            member=member,
            sequence=terms(lambda i, _p: i**exponent),
            zero_start=True,
            pattern=rf"\b(?:perfect\s+)?{word}s\b|\b{word} numbers?\b|\bperfect {word}s?\b",
            subject=f"{word} numbers",
            plural=f"{word}s",
            what=f"perfect {word}s",
            one=f"a perfect {word}",
            describe=f"a {word} number",
        )
    )


SQUARE = _power("square", 20, 2, is_square)
CUBE = _power("cube", 30, 3, is_cube)
