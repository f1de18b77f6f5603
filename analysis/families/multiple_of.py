"""Multiples of K: K, 2K, 3K, ... only ("the first ten multiples of 7" is 7 to 70).

0 is a multiple of every K, but nobody lists it first, so there is one accepted start.
"""

from __future__ import annotations

from typing import Any

from . import Family, int_param, register_family, terms


def _is_multiple(n: int, param: Any) -> bool:
    k = int_param(param)
    return k is not None and k != 0 and n % k == 0


MULTIPLE_OF = register_family(
    Family(
        name="multiple_of",
        rank=70,
        member=_is_multiple,
        sequence=terms(lambda i, k: (int_param(k) or 0) * i),
        needs_param=True,
        pattern=r"\bmultiples? of (-?\d+)\b",
        subject="multiples of {k}",
        one="a multiple of {k}",
    )
)
