"""Reducers for fields that accumulate within a round and start afresh with the next one.

A thread can carry several requests (rounds). Accumulating fields (steps, lessons, model
calls) must not leak one round's history into the next, yet LangGraph applies the same reducer
to every update; an update of the form ``{RESET: value}`` therefore replaces instead of adding.
It is a plain dict so it checkpoints like any other pending write.
"""

from __future__ import annotations

from typing import Any, TypeVar

RESET = "__reset__"
T = TypeVar("T")


def reset(value: Any) -> dict[str, Any]:
    """An update that replaces the field's value with ``value``."""
    return {RESET: value}


def _is_reset(update: Any) -> bool:
    return isinstance(update, dict) and RESET in update and len(update) == 1


def extend_or_reset(left: list[T] | None, right: list[T] | dict[str, Any] | None) -> list[T]:
    """Concatenate lists, or replace on a reset update."""
    if isinstance(right, dict):
        assert _is_reset(right), "a dict update to a list field must be a reset"
        return list(right[RESET])
    return list(left or []) + list(right or [])


def add_or_reset(left: int | None, right: int | dict[str, Any] | None) -> int:
    """Add counts, or replace on a reset update."""
    if _is_reset(right):
        assert isinstance(right, dict)
        return int(right[RESET])
    assert not isinstance(right, dict)
    return (left or 0) + (right or 0)


def add_counts(left: dict[str, int] | None, right: dict[str, Any] | None) -> dict[str, int]:
    """Sum tallies per kind, or replace on a reset update."""
    if _is_reset(right):
        assert isinstance(right, dict)
        return dict(right[RESET])
    out = dict(left or {})
    for kind, n in (right or {}).items():
        out[kind] = out.get(kind, 0) + n
    return out
