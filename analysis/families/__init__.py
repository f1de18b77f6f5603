"""Number families, one module each: how a request names one, and how to check a member.

A family is everything the analysis knows about "primes" or "multiples of K": the pattern
that finds it in a request, the words used to describe it, the membership test the verifier
registry uses, and the first-N sequences the validator accepts. Adding a family means adding
a module here (it registers itself on import; families that differ only by a number, such as
squares and cubes, share one); the intent rules, the verifiers and the validator read
everything else from :data:`FAMILIES`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Member = Callable[[int, Any], bool]
Sequence = Callable[[int, Any], list[int]]


def _no_other_starts(n: int, param: Any) -> list[list[int]]:
    return []


@dataclass(frozen=True, kw_only=True)
class Family:
    """One family of integers and everything the rules and checks need to know about it.

    Each description left empty is the one before it (``plural`` the ``subject``, ``what`` the
    ``plural``, ``one`` ``what``, ``describe`` ``one``), so a family states only its own words.
    """

    # The numbers: which ones belong, in what order they come, and from where.
    name: str
    rank: int  # where it is reported among the properties a request names
    member: Member
    sequence: Sequence  # the canonical first n members
    alternatives: Callable[[int, Any], list[list[int]]] = _no_other_starts
    zero_start: bool = False  # 0 is a member some people list first: 0, 1, 4, ... is accepted
    needs_param: bool = False
    # The language: how a request names the family, and how findings and criteria word it.
    pattern: str  # on the normalised request; a group, if any, captures the parameter
    subject: str  # the intent's subject: "prime numbers"
    plural: str = ""  # in findings: "the first 10 primes"
    what: str = ""  # a verifier's "all 5 values are <what>"
    one: str = ""  # its "8 is not <one>"
    describe: str = ""  # a criterion's "every item is <describe>"; {k} is the parameter

    def __post_init__(self) -> None:
        previous = self.subject
        for words in ("plural", "what", "one", "describe"):
            previous = getattr(self, words) or previous
            object.__setattr__(self, words, previous)

    def label(self, template: str, param: Any) -> str:
        """Fill the parameter into a description ("a multiple of {k}")."""
        return template.format(k=param)

    def other_starts(self, n: int, param: Any) -> list[list[int]]:
        """The first-n sequences besides the canonical one that people genuinely give."""
        starts = self.alternatives(n, param)
        if self.zero_start:
            canonical = self.sequence(n, param)
            starts = [*starts, [0, *canonical[: len(canonical) - 1]] if canonical else []]
        return starts


def terms(term: Callable[[int, Any], int]) -> Sequence:
    """The first n members of a family whose i-th member (from 1) is a formula in i."""
    return lambda n, param: [term(i, param) for i in range(1, n + 1)]


FAMILIES: dict[str, Family] = {}
_HOOKS: list[Callable[[Family], None]] = []


def register_family(family: Family) -> Family:
    """Add a family; the verifier registry and the intent rules pick it up by name."""
    FAMILIES[family.name] = family
    for hook in _HOOKS:
        hook(family)
    return family


def on_register(hook: Callable[[Family], None]) -> None:
    """Call ``hook`` for every family, those registered so far and those still to come.

    The verifier registry sits above this package, so it subscribes instead of being
    imported here.
    """
    _HOOKS.append(hook)
    for family in ordered():
        hook(family)


def int_param(param: Any) -> int | None:
    """A family's integer parameter, or None when it is missing or not an integer."""
    try:
        return int(str(param))
    except ValueError:
        return None


def ordered() -> list[Family]:
    """Families in rank order: the order the rules report properties in."""
    return sorted(FAMILIES.values(), key=lambda f: f.rank)


def _discover() -> None:
    # Every module in this package is a family: adding one needs no edit anywhere else.
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_discover()
