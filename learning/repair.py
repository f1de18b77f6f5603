"""Turn what the validator found into precise instructions for changing a program.

"It failed" makes a weak model write the same program again; "it stops at range(2, 1000):
loop until 1000 items are found" makes it change the line that is wrong. Everything here is
built from the request's own criteria, the program, its output and its error, never from an
expected answer: the validator's details are filtered so no expected value reaches a prompt.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..state.attempts import Attempt
from ..state.models import CriterionKind, CriterionResult, Intent, Validation

# A clause that states what was expected, with a number in it: the answer key, never shown.
_EXPECTED = re.compile(r"\bexpected\b[^;]*\d", re.IGNORECASE)
_GOT_COUNT = re.compile(r"\bhas (\d+) (?:items|rows)\b")
_MISSING = re.compile(r"No module named '([\w.]+)'|module '([\w.]+)' is not available")
# Loops that run up to a number rather than until enough items were found.
_BOUND_CALLS = ("range", "arange", "primerange", "linspace")
_SMALLEST_BOUND = 10


@dataclass(frozen=True)
class RepairBrief:
    """What is wrong with the last program and what to change, both safe to show a model."""

    findings: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)


def producer_safe(text: str) -> str:
    """``text`` without the clauses that state an expected value.

    "expected the first 1000 primes (2..7919); got 168 values ending at 997" keeps only what
    was delivered: the producer may hear what is wrong, never what the answer is.
    """
    parts = [p.strip() for p in re.split(r";\s*", text)]
    return "; ".join(p for p in parts if p and not _EXPECTED.search(p))


def safe_findings(validation: Validation | None, limit: int = 4) -> list[str]:
    """The validator's issues, filtered for the producer, without duplicates."""
    if validation is None:
        return []
    found = [producer_safe(issue) for issue in validation.issues]
    return list(dict.fromkeys(f for f in found if f))[:limit]


def missing_module(error: str | None) -> str | None:
    """The module a run could not import, if that is why it failed."""
    match = _MISSING.search(error or "")
    return (match.group(1) or match.group(2)).split(".")[0] if match else None


def fixed_bound(program: str) -> str | None:
    """The loop bound that stops a program at a fixed number, e.g. ``range(2, 1000)``.

    None when the program loops on how many items it has (``while len(found) < n``), or
    runs no such loop, or cannot be parsed.
    """
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return None
    constants = _constant_names(tree)
    counts_items = False
    bound: str | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and isinstance(node.test, ast.Compare):
            if _is_len_call(node.test.left):
                counts_items = True
            elif bound is None and _compares_to_bound(node.test, constants):
                bound = ast.get_source_segment(program, node.test)
        elif isinstance(node, ast.Call) and bound is None and _calls_bounded_range(node, constants):
            bound = ast.get_source_segment(program, node)
    return None if counts_items else bound


def _constant_names(tree: ast.Module) -> set[str]:
    """Module-level names bound to a number large enough to be a limit (``limit = 1000``)."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and _is_bound_literal(stmt.value, frozenset()):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


def _is_bound_literal(node: ast.expr, names: frozenset[str] | set[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return not isinstance(node.value, bool) and node.value >= _SMALLEST_BOUND
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.BinOp):  # range(2, 1000 + 1)
        return _is_bound_literal(node.left, names) or _is_bound_literal(node.right, names)
    return False


def _is_len_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def _compares_to_bound(test: ast.Compare, names: set[str]) -> bool:
    return any(isinstance(op, ast.Lt | ast.LtE) for op in test.ops) and any(
        _is_bound_literal(c, names) for c in test.comparators)


def _calls_bounded_range(call: ast.Call, names: set[str]) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else ""
    return name in _BOUND_CALLS and any(_is_bound_literal(a, names) for a in call.args)


def _failed(validation: Validation | None, kind: CriterionKind) -> CriterionResult | None:
    if validation is None:
        return None
    return next((c for c in validation.criteria
                 if c.criterion.kind == kind and c.passed is False), None)


def _count_instructions(attempt: Attempt, result: CriterionResult) -> list[str]:
    """Instructions for a wrong number of items; the count is the request's own."""
    want = str(result.criterion.value)
    got_match = _GOT_COUNT.search(result.detail)
    got = int(got_match.group(1)) if got_match else None
    bound = fixed_bound(attempt.program)
    if got is not None and want.isdigit() and got > int(want):
        return [f"It printed {got} items; stop as soon as {want} items have been found."]
    if bound:
        return [f"It stops at a fixed bound (`{bound}`) and so prints too few items: loop "
                f"until the count is reached, not up to a fixed bound (keep going while fewer "
                f"than {want} items have been found)."]
    printed = f"It printed {got} items" if got is not None else "It printed the wrong number"
    return [f"{printed}; the request asks for {want}: keep going until {want} items have been "
            "found."]


def _error_instructions(attempt: Attempt, available: Sequence[str]) -> list[str]:
    module = missing_module(attempt.error)
    if module:
        listed = ", ".join(available) or "nothing else"
        return [f"Module {module} is not available here. You may import only the standard "
                f"library and these installed packages: {listed}."]
    lines = attempt.traceback or attempt.error or "it failed without an error message"
    return [f"It stopped with this error; fix its cause:\n{lines}"]


def repair_brief(
    attempt: Attempt, validation: Validation | None, intent: Intent | None,
    available: Sequence[str] = (),
) -> RepairBrief:
    """What was wrong with ``attempt`` and how to change its program.

    ``available`` is the list of packages the sandbox can import, for a missing module.
    """
    findings = safe_findings(validation)
    instructions: list[str] = []
    if attempt.error:
        instructions += _error_instructions(attempt, available)
    else:
        count = _failed(validation, CriterionKind.COUNT)
        if count is not None:
            instructions += _count_instructions(attempt, count)
        if not attempt.excerpt:
            instructions.append("It printed nothing: print the result.")
        elif validation is not None and not validation.data_type_match:
            instructions.append("Print the computed data itself, nothing else.")
        prop = _failed(validation, CriterionKind.PROPERTY)
        if prop is not None and intent is not None:
            instructions.append(f"Some printed items are not {prop.criterion.value}: check how "
                                "the program decides that.")
    if not instructions:
        instructions.append("Change the program so that it meets every requirement.")
    return RepairBrief(findings=findings, instructions=instructions)
