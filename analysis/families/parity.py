"""Even numbers 2, 4, 6, ... (0, 2, 4, ... is accepted too) and odd numbers 1, 3, 5, ..."""

from __future__ import annotations

from . import Family, register_family, terms


def _parity(word: str, rank: int, remainder: int) -> Family:
    """Even and odd are one test, n mod 2, with another remainder."""
    return register_family(
        Family(
            name=word,
            rank=rank,
            member=lambda n, _p: n % 2 == remainder,
            sequence=terms(lambda i, _p: 2 * i - remainder),
            zero_start=remainder == 0,  # 0 is even, and some lists of evens start there
            pattern=rf"\b{word}\s+(?:numbers?|integers?|ones)\b|\b\d+\s+{word}\b|\b{word}\s*$",
            subject=f"{word} numbers",
            what=word,
        )
    )


EVEN = _parity("even", 40, 0)
ODD = _parity("odd", 50, 1)
