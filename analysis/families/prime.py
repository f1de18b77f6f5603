"""Primes: 2, 3, 5, ... (1 is not prime)."""

from __future__ import annotations

import math
from typing import Any

from . import Family, register_family


def is_prime(n: int, _param: Any = None) -> bool:
    """Trial division: values in delivered lists are small enough for this to be instant."""
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0:
        return False
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def first_primes(n: int, _param: Any = None) -> list[int]:
    """First n primes with a sieve sized by the prime-counting upper bound."""
    if n <= 0:
        return []
    limit = 15 if n < 6 else int(n * (math.log(n) + math.log(math.log(n)))) + 10
    return primes_upto(limit)[:n]


def primes_upto(limit: int) -> list[int]:
    """Every prime up to limit inclusive (a sieve: fast for the spans a request names)."""
    if limit < 2:
        return []
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b"\x00\x00"
    for p in range(2, math.isqrt(limit) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytearray(len(range(p * p, limit + 1, p)))
    return [i for i, flag in enumerate(sieve) if flag]


PRIME = register_family(
    Family(
        name="prime",
        rank=0,
        member=is_prime,
        sequence=first_primes,
        pattern=r"\bprimes?\b(?!\s+minister)",
        subject="prime numbers",
        plural="primes",
        what="prime",
    )
)
