"""Multiples of K: K, 2K, 3K, ... only ("the first ten multiples of 7" is 7 to 70).

0 is a multiple of every K, but nobody lists it first, so there is one accepted start.
"""

from __future__ import annotations

from typing import Any

from . import Family, int_param, register_family


def _is_multiple(n: int, param: Any) -> bool:
    k = int_param(param)
    return k is not None and k != 0 and n % k == 0


def _multiples(n: int, param: Any) -> list[int]:
    k = int_param(param) or 0
    return [k * i for i in range(1, n + 1)]


MULTIPLE_OF = register_family(
    Family(
        name="multiple_of",
        rank=70,
        pattern=r"\bmultiples? of (-?\d+)\b",
        subject="multiples of {k}",
        plural="multiples of {k}",
        what="multiples of {k}",
        one="a multiple of {k}",
        describe="a multiple of {k}",
        member=_is_multiple,
        sequence=_multiples,
        needs_param=True,
    )
)
