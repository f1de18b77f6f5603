"""Verifiers and reference sequences: exact members, precise failure messages, extension."""

from __future__ import annotations

import time

import pytest

from adaptive_react.analysis import VERIFIERS, expected_sequence, register_verifier
from adaptive_react.analysis.verifiers import accepted_sequences


@pytest.mark.parametrize(
    ("name", "values", "param", "passed", "detail_part"),
    [
        ("prime", [2, 3, 5, 7, 11], None, True, "all 5 values are prime"),
        ("prime", [2, 3, 4, 6], None, False, "4, 6 are not prime"),
        ("prime", [1, 2, 3], None, False, "1 is not prime"),
        ("prime", [2.0, 3.0], None, True, ""),
        ("prime", [2.5], None, False, "2.5 is not prime"),
        ("fibonacci", [0, 1, 1, 2, 3, 5, 8], None, True, ""),
        ("fibonacci", [1, 2, 4], None, False, "4 is not a Fibonacci number"),
        ("square", [0, 1, 4, 9], None, True, ""),
        ("square", [1, 4, 8], None, False, "8 is not a perfect square"),
        ("cube", [1, 8, 27, -8], None, True, ""),
        ("cube", [1, 9], None, False, "9 is not a perfect cube"),
        ("even", [0, 2, -4], None, True, ""),
        ("even", [2, 3], None, False, "3 is not even"),
        ("odd", [1, 3, -5], None, True, ""),
        ("odd", [1, 2], None, False, "2 is not odd"),
        ("triangular", [0, 1, 3, 6, 10], None, True, ""),
        ("triangular", [1, 3, 5], None, False, "5 is not a triangular number"),
        ("multiple_of", [7, 14, 21], 7, True, ""),
        ("multiple_of", [7, 14, 20], "7", False, "20 is not a multiple of 7"),
        ("multiple_of", [7], None, False, "needs an integer"),
        ("unique", [1, 2, 3], None, True, ""),
        ("unique", [1, 2, 2, 3, 3], None, False, "duplicates found: 2, 3"),
        ("ascending", [1, 2, 2, 5], None, True, ""),
        ("ascending", [1, 3, 2], None, False, "2 follows 3 at position 3"),
        ("descending", [5, 3, 1], None, True, ""),
        ("descending", [5, 6], None, False, "6 follows 5"),
        ("within_range", [10, 20, 50], [10, 50], True, ""),
        ("within_range", [9, 20], [10, 50], False, "9 is not within [10, 50]"),
        ("within_range", [1, 99], [None, 99], True, ""),
        ("within_range", [100], [None, 99], False, "100 is not within [-inf, 99]"),
        ("within_range", [1], "bad", False, "needs [lo, hi]"),
        ("prime", [], None, False, "no values"),
    ],
)
def test_builtin_verifiers(
    name: str, values: list[int | float], param: object, passed: bool, detail_part: str
) -> None:
    ok, detail = VERIFIERS[name](values, param)
    assert ok is passed
    assert detail_part in detail


def test_long_failure_lists_are_bounded() -> None:
    ok, detail = VERIFIERS["prime"](list(range(4, 100, 2)), None)
    assert not ok
    assert "(and 43 more)" in detail


@pytest.mark.parametrize(
    ("prop", "n", "param", "expected"),
    [
        ("prime", 10, None, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]),
        ("fibonacci", 8, None, [0, 1, 1, 2, 3, 5, 8, 13]),
        ("square", 5, None, [1, 4, 9, 16, 25]),
        ("cube", 4, None, [1, 8, 27, 64]),
        ("even", 4, None, [2, 4, 6, 8]),
        ("odd", 4, None, [1, 3, 5, 7]),
        ("triangular", 5, None, [1, 3, 6, 10, 15]),
        ("multiple_of", 4, 7, [7, 14, 21, 28]),
        ("multiple_of:3", 3, None, [3, 6, 9]),
        ("prime", 0, None, []),
        ("unique", 5, None, None),
        ("multiple_of", 3, None, None),
    ],
)
def test_expected_sequence(prop: str, n: int, param: object, expected: list[int] | None) -> None:
    assert expected_sequence(prop, n, param) == expected


def test_primes_sieve_is_exact_and_fast() -> None:
    start = time.perf_counter()
    primes = expected_sequence("prime", 10_000)
    assert time.perf_counter() - start < 1.0
    assert primes is not None
    assert len(primes) == 10_000
    assert primes[999] == 7919
    assert primes[-1] == 104729


@pytest.mark.parametrize("n", [1, 2, 5, 6, 7, 100, 1000])
def test_sieve_bound_holds_for_small_n(n: int) -> None:
    primes = expected_sequence("prime", n)
    assert primes is not None and len(primes) == n
    assert all(VERIFIERS["prime"]([p], None)[0] for p in primes)


def test_accepted_sequences_allow_both_conventional_starts() -> None:
    assert [0, 1, 4] in accepted_sequences("square", 3)
    assert [1, 4, 9] in accepted_sequences("square", 3)
    assert [1, 1, 2, 3] in accepted_sequences("fibonacci", 4)
    assert [1, 2, 3, 5] in accepted_sequences("fibonacci", 4)
    assert [0, 2, 4] in accepted_sequences("even", 3)
    assert [1, 2, 3] not in accepted_sequences("prime", 3)


def test_register_custom_verifier() -> None:
    @register_verifier("test_positive")
    def positive(values: list[int | float], _param: object) -> tuple[bool, str]:
        return all(v > 0 for v in values), "checked"

    try:
        assert VERIFIERS["test_positive"]([1, 2], None) == (True, "checked")
        assert VERIFIERS["test_positive"]([-1], None)[0] is False
    finally:
        del VERIFIERS["test_positive"]
