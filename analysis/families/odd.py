"""Odd numbers: 1, 3, 5, ..."""

from __future__ import annotations

from . import Family, register_family

ODD = register_family(
    Family(
        name="odd",
        rank=50,
        pattern=r"\bodd\s+(?:numbers?|integers?|ones)\b|\b\d+\s+odd\b|\bodd\s*$",
        subject="odd numbers",
        plural="odd numbers",
        what="odd",
        one="odd",
        describe="odd",
        member=lambda n, _p: n % 2 == 1,
        sequence=lambda n, _p: [2 * i - 1 for i in range(1, n + 1)],
    )
)
