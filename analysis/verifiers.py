"""Property verifiers and exact reference sequences for number lists.

A verifier answers one question about a list of numbers with a precise reason, so the
validator can tell the model *which* value is wrong instead of "the answer is incorrect".
The registry is open: other layers can add properties with ``@register_verifier("name")``.
Number families (primes, squares, multiples of K, ...) live one per module in
:mod:`.families`; each one's verifier is registered here from its membership test.

Reference-sequence conventions (first members returned by :func:`expected_sequence`; each
family module holds its own):

* ``prime``: 2, 3, 5, ...
* ``fibonacci``: 0, 1, 1, 2, ... (also accepted: 1, 1, 2, ... and 1, 2, 3, ...)
* ``square``: 1, 4, 9, ... (also accepted: 0, 1, 4, ...)
* ``cube``: 1, 8, 27, ... (also accepted: 0, 1, 8, ...)
* ``triangular``: 1, 3, 6, ... (also accepted: 0, 1, 3, ...)
* ``even``: 2, 4, 6, ... (also accepted: 0, 2, 4, ...)
* ``odd``: 1, 3, 5, ...
* ``multiple_of`` K: K, 2K, 3K, ... only

Both starts are accepted where people genuinely disagree about where a sequence begins; the
canonical one comes first. "The first ten multiples of 7" is 7 to 70 in ordinary usage (0 is
a multiple of 7, but nobody lists it first), so multiples have one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._text import Number, format_number
from .families import FAMILIES, Family, int_param, on_register
from .families.prime import is_prime as is_prime  # callers imported it from here
from .families.prime import primes_upto

Verifier = Callable[[list[Number], Any], tuple[bool, str]]

VERIFIERS: dict[str, Verifier] = {}

# Failure messages list at most this many offending values: enough to act on, short enough
# to fit a prompt.
_MAX_LISTED = 5


def register_verifier(name: str) -> Callable[[Verifier], Verifier]:
    """Register a verifier under a property name so criteria can refer to it by string."""

    def decorator(func: Verifier) -> Verifier:
        VERIFIERS[name] = func
        return func

    return decorator


def _as_int(value: Number) -> int | None:
    if isinstance(value, int):
        return value
    return int(value) if float(value).is_integer() else None


def _offenders(
    values: list[Number], ok: Callable[[Number], bool], what: str, one: str | None = None
) -> tuple[bool, str]:
    """Shared shape of the element-wise verifiers: pass, or name the first offenders.

    ``what`` is the plural description ("perfect squares"), ``one`` the singular ("a perfect
    square") so the message reads like a sentence: "8 is not a perfect square".
    """
    bad = [v for v in values if not ok(v)]
    if not values:
        return False, "no values to check"
    if not bad:
        return True, f"all {len(values)} values are {what}"
    shown = ", ".join(format_number(v) for v in bad[:_MAX_LISTED])
    more = f" (and {len(bad) - _MAX_LISTED} more)" if len(bad) > _MAX_LISTED else ""
    if len(bad) == 1:
        return False, f"{shown} is not {one or what}"
    return False, f"{shown}{more} are not {what}"


def _register_family(family: Family) -> None:
    """Register the verifier of one number family: every value is a member, or the offenders."""

    def verify(values: list[Number], param: Any = None) -> tuple[bool, str]:
        if family.needs_param:
            k = int_param(param)
            if k is None:
                return False, f"{family.name} needs an integer parameter, got {param!r}"
            if k == 0:
                return False, f"{family.name} 0 is not a meaningful requirement"

        def ok(value: Number) -> bool:
            as_int = _as_int(value)
            return as_int is not None and family.member(as_int, param)

        what, one = family.label(family.what, param), family.label(family.one, param)
        return _offenders(values, ok, what, one)

    verify.__doc__ = f"Every value is {family.label(family.describe, 'K')}."
    register_verifier(family.name)(verify)


on_register(_register_family)


@register_verifier("unique")
def verify_unique(values: list[Number], _param: Any = None) -> tuple[bool, str]:
    """No value appears twice."""
    seen: set[Number] = set()
    dupes: list[Number] = []
    for v in values:
        if v in seen and v not in dupes:
            dupes.append(v)
        seen.add(v)
    if not dupes:
        return True, f"all {len(values)} values are distinct"
    shown = ", ".join(format_number(v) for v in dupes[:_MAX_LISTED])
    return False, f"duplicates found: {shown}"


def _order_verifier(direction: str, ok: Callable[[Number, Number], bool]) -> None:
    """Register the verifier of one direction: names the first value out of order."""

    def verify(values: list[Number], _param: Any = None) -> tuple[bool, str]:
        i = next((i for i in range(1, len(values)) if not ok(values[i - 1], values[i])), None)
        if i is None:
            return True, f"values are in {direction} order"
        a, b = format_number(values[i - 1]), format_number(values[i])
        return False, f"not {direction}: {b} follows {a} at position {i + 1}"

    register_verifier(direction)(verify)


# Ties are allowed both ways: sorting a list with repeats keeps them.
_order_verifier("ascending", lambda a, b: a <= b)
_order_verifier("descending", lambda a, b: a >= b)


def parse_range(param: Any) -> tuple[float | None, float | None] | None:
    """Read an inclusive [lo, hi] bound pair where either side may be None (open)."""
    if not isinstance(param, list | tuple) or len(param) != 2:
        return None
    try:
        lo = None if param[0] is None else float(param[0])
        hi = None if param[1] is None else float(param[1])
    except (TypeError, ValueError):
        return None
    return lo, hi


@register_verifier("within_range")
def verify_within_range(values: list[Number], param: Any = None) -> tuple[bool, str]:
    """Every value lies in the inclusive range [lo, hi]; None means unbounded on that side."""
    bounds = parse_range(param)
    if bounds is None:
        return False, f"within_range needs [lo, hi], got {param!r}"
    lo, hi = bounds

    def inside(v: Number) -> bool:
        return (lo is None or v >= lo) and (hi is None or v <= hi)

    lo_s = "-inf" if lo is None else format_number(lo)
    hi_s = "inf" if hi is None else format_number(hi)
    return _offenders(values, inside, f"within [{lo_s}, {hi_s}]")


def split_property(value: str) -> tuple[str, str | None]:
    """Split 'multiple_of:7' into ('multiple_of', '7'); plain names have no parameter."""
    name, sep, param = str(value).strip().lower().partition(":")
    return name, (param if sep else None)


def expected_sequence(prop: str, n: int, param: Any = None) -> list[int] | None:
    """Return the canonical first n members of a property's sequence, or None if it has none.

    ``prop`` may carry its parameter inline ('multiple_of:7'); an explicit ``param`` wins.
    Primes come from one sieve, so n=10000 stays well under a second.
    """
    name, inline = split_property(prop)
    param = param if param is not None else inline
    family = FAMILIES.get(name)
    if n < 0 or family is None or (family.needs_param and int_param(param) is None):
        return None
    return family.sequence(n, param)


def accepted_sequences(prop: str, n: int, param: Any = None) -> list[list[int]]:
    """All first-n sequences the validator accepts (canonical first), per the module notes."""
    canonical = expected_sequence(prop, n, param)
    if canonical is None:
        return []
    name, inline = split_property(prop)
    return [canonical, *FAMILIES[name].other_starts(n, param if param is not None else inline)]


def sequence_finding(name: str, param: str | None, values: list[Number], n: int) -> str:
    """Why values are not the first n members of a family's sequence; '' when they are.

    The reference sequences decide; the message only says where the delivery goes wrong (its
    own items and n), because it becomes the next attempt's guidance.
    """
    accepted = accepted_sequences(name, n, param)
    if not accepted or values in accepted or n <= 0:
        return ""
    parts = [f"{len(values)} values delivered, {n} expected"] if len(values) != n else []
    mismatch = _first_mismatch(values, accepted)
    if mismatch:
        parts.append(mismatch)
    family = FAMILIES[name]
    label = family.label(family.plural, param)
    return f"not the first {n} {label}" + (": " + "; ".join(parts) if parts else "")


def _first_mismatch(values: list[Number], accepted: list[list[int]]) -> str:
    """Where the delivery leaves the accepted sequences, named by the delivered item only."""

    def agreeing(reference: list[int]) -> int:
        pairs = enumerate(zip(values, reference, strict=False))
        return next((i for i, (a, b) in pairs if a != b), min(len(values), len(reference)))

    i = max(agreeing(reference) for reference in accepted)
    if i >= min(len(values), max(len(r) for r in accepted)):
        return ""
    if i == 0:
        return "the list does not start where the sequence starts"
    return f"item {i + 1} ({format_number(values[i])}) is not the member that follows item {i}"


# The PROPERTY value of a completeness criterion: "every member of the determined set is
# delivered". It has no verifier of its own, since it needs the range and the other
# properties; the validator computes the set from those.
COMPLETE = "complete"

# Sets a request determines ("the primes between 100 and 150"): computed only to verify that
# a delivered list is complete. Spans wider than this are left to other checks.
MAX_SET_SPAN = 200_000


def determines_set(prop: str) -> bool:
    """Whether a property picks a definite set of integers (so a range makes it finite)."""
    name, param = split_property(prop)
    family = FAMILIES.get(name)
    if family is None:
        return False
    return not family.needs_param or int_param(param) not in (None, 0)


def _member_test(prop: str) -> Callable[[int], bool]:
    name, param = split_property(prop)
    family = FAMILIES[name]
    return lambda n: family.member(n, param)


def members_in_range(props: list[str], lo: int, hi: int) -> list[int] | None:
    """Every integer in [lo, hi] that has all the properties, or None when not computable.

    None means the set is not determined (no set-defining property, an open or huge span);
    the caller must then say it could not check completeness, never that it passed.
    """
    defining = [p for p in props if determines_set(p)]
    if not defining or hi < lo or hi - lo > MAX_SET_SPAN:
        return None
    tests = [_member_test(p) for p in defining if p != "prime"]  # the sieve decided those
    return [n for n in _candidates(defining, lo, hi) if all(test(n) for test in tests)]


def _candidates(props: list[str], lo: int, hi: int) -> list[int]:
    """A cheap superset to filter: a sieve for primes, every n otherwise."""
    if "prime" in props:
        return [n for n in primes_upto(hi) if n >= lo]
    return list(range(lo, hi + 1))
