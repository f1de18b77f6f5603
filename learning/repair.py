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
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Positions and counts describe the delivered answer itself ("item 5", "8 values").
_OWN_NUMBER = re.compile(
    r"\b(?:item|items|position|row|line)\s+\d+|\d+\s+(?:items|values|rows|numbers|lines)\b", re.I
)
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


def producer_safe(text: str, known: set[float] | None = None) -> str:
    """``text`` without the clauses that state an expected value.

    "expected the first 1000 primes (2..7919); got 168 values ending at 997" keeps only what
    was delivered: the producer may hear what is wrong, never what the answer is. With
    ``known`` (see :func:`numbers_in`) a clause is also left out when it names a number not
    in it, positions and counts of the delivered items aside.
    """
    parts = [p.strip() for p in text.split(";")]
    return "; ".join(p for p in parts if p and not _EXPECTED.search(p) and _known(p, known))


def numbers_in(*texts: str) -> set[float]:
    """The numbers the producer already knows from these texts (the request, its answer)."""
    return {float(n) for text in texts for n in _NUMBER.findall(text.replace(",", ""))}


def _known(clause: str, known: set[float] | None) -> bool:
    rest = _OWN_NUMBER.sub(" ", clause)
    return known is None or all(float(n) in known for n in _NUMBER.findall(rest))


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
        _is_bound_literal(c, names) for c in test.comparators
    )


def call_name(call: ast.Call) -> str:
    """The called function's own name: ``range`` for ``range(n)`` and ``np.range(n)`` alike."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _calls_bounded_range(call: ast.Call, names: set[str]) -> bool:
    return call_name(call) in _BOUND_CALLS and any(_is_bound_literal(a, names) for a in call.args)


def _failed(validation: Validation | None, kind: CriterionKind) -> CriterionResult | None:
    if validation is None:
        return None
    return next(
        (c for c in validation.criteria if c.criterion.kind == kind and c.passed is False), None
    )


def _count_instructions(attempt: Attempt, result: CriterionResult) -> list[str]:
    """Instructions for a wrong number of items; the count is the request's own."""
    want = str(result.criterion.value)
    got_match = _GOT_COUNT.search(result.detail)
    got = int(got_match.group(1)) if got_match else None
    bound = fixed_bound(attempt.program)
    if got is not None and want.isdigit() and got > int(want):
        return [f"It printed {got} items; stop as soon as {want} items have been found."]
    if bound:
        return [
            f"It stops at a fixed bound (`{bound}`) and so prints too few items: loop "
            f"until the count is reached, not up to a fixed bound (keep going while fewer "
            f"than {want} items have been found)."
        ]
    printed = f"It printed {got} items" if got is not None else "It printed the wrong number"
    return [
        f"{printed}; the request asks for {want}: keep going until {want} items have been found."
    ]


def _error_instructions(attempt: Attempt, available: Sequence[str]) -> list[str]:
    module = missing_module(attempt.error)
    if module:
        listed = ", ".join(available) or "nothing else"
        return [
            f"Module {module} is not available here. You may import only the standard "
            f"library and these installed packages: {listed}."
        ]
    lines = attempt.traceback or attempt.error or "it failed without an error message"
    return [f"It stopped with this error; fix its cause:\n{lines}"]


def _item_failure(result: CriterionResult) -> bool:
    """Whether a property failed on some item, not only on how many items there are."""
    return " is not " in result.detail or " are not " in result.detail


def repair_brief(
    attempt: Attempt,
    validation: Validation | None,
    intent: Intent | None,
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
        if prop is not None and intent is not None and _item_failure(prop):
            instructions.append(
                f"Some printed items are not {prop.criterion.value}: check how "
                "the program decides that."
            )
    if not instructions:
        instructions.append("Change the program so that it meets every requirement.")
    return RepairBrief(findings=findings, instructions=instructions)


# ---------------------------------------------------------------------------------------
# Mechanical repairs: edits code can make to the model's own program, with no model call.
# Measured on the 0.5B model: told "loop until the count is reached", it appended a second
# loop after the first print; told "name 'sympy' is not defined", it answered the same
# program. Both edits are exact and use only the program and the request's stated count.

_UNDEFINED = re.compile(r"NameError: name '([A-Za-z_]\w*)' is not defined")


def _range_start(call: ast.expr) -> ast.expr | None:
    """The start of a ``range(...)`` call with an end bound, else None."""
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "range"
        and 1 <= len(call.args) <= 2
        and not call.keywords
    ):
        return None
    return call.args[0] if len(call.args) == 2 else ast.Constant(0)


def _call(func: str, *args: ast.expr) -> ast.Call:
    """A call of ``func``, a name as it is written (``itertools.count``)."""
    name = ast.parse(func, mode="eval").body
    return ast.Call(func=name, args=list(args), keywords=[])


def _appended_list(body: list[ast.stmt]) -> str | None:
    """The list a loop body collects into with ``name.append(...)``, if exactly one."""
    names = {
        node.func.value.id
        for stmt in body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "append"
        and isinstance(node.func.value, ast.Name)
    }
    return names.pop() if len(names) == 1 else None


class _Unbound(ast.NodeTransformer):
    """``range(a, N)`` loops that collect matches become "count from a until N are found"."""

    def __init__(self, count: int):
        self.count = count
        self.changed = False

    def visit_ListComp(self, node: ast.ListComp) -> ast.expr:  # noqa: N802 - ast API
        self.generic_visit(node)
        if len(node.generators) != 1:
            return node
        gen = node.generators[0]
        start = _range_start(gen.iter)
        if start is None or not gen.ifs:
            return node
        self.changed = True
        gen.iter = _call("itertools.count", start)
        lazy = ast.GeneratorExp(elt=node.elt, generators=[gen])
        return _call("list", _call("itertools.islice", lazy, ast.Constant(self.count)))

    def visit_For(self, node: ast.For) -> ast.For:  # noqa: N802 - ast API
        self.generic_visit(node)
        start = _range_start(node.iter)
        collected = _appended_list(node.body)
        if start is None or collected is None:
            return node
        self.changed = True
        node.iter = _call("itertools.count", start)
        enough = ast.If(
            test=ast.Compare(
                left=_call("len", ast.Name(collected, ast.Load())),
                ops=[ast.GtE()],
                comparators=[ast.Constant(self.count)],
            ),
            body=[ast.Break()],
            orelse=[],
        )
        node.body.insert(0, enough)
        return node


def unbounded(program: str, count: int) -> str | None:
    """``program`` with its fixed-bound collecting loops turned into count-until-``count``.

    Only loops that collect items (a filtered list comprehension over ``range``, or a
    ``for`` over ``range`` that appends to one list) change; a primality test's inner
    ``range`` is neither, so it keeps its bound. None when nothing could change.
    """
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return None
    edit = _Unbound(count)
    tree = edit.visit(tree)
    if not edit.changed:
        return None
    tree.body.insert(0, ast.Import(names=[ast.alias("itertools")]))
    return ast.unparse(ast.fix_missing_locations(tree))


def with_missing_import(program: str, error: str | None, available: Sequence[str]) -> str | None:
    """``program`` with ``import X`` added when it used an installed module it never imported."""
    match = _UNDEFINED.search(error or "")
    if match is None:
        return None
    name = match.group(1)
    if name not in set(available) | _STDLIB_MODULES:
        return None
    return f"import {name}\n{program}"


# Standard modules the missing-import repair may add; any other undefined name may be a variable.
_STDLIB_MODULES = frozenset(
    "math itertools functools statistics collections re json csv random datetime fractions "
    "decimal".split()
)


def mechanical_repair(
    attempt: Attempt, validation: Validation | None, available: Sequence[str] = ()
) -> tuple[str, str] | None:
    """An exact edit of the last program for a failure code understands: (program, what).

    The count comes from the request's own COUNT criterion (the user's number), and the
    predicate stays the model's: nothing here knows or computes the answer.
    """
    if not attempt.program:
        return None
    if attempt.error:
        fixed = with_missing_import(attempt.program, attempt.traceback or attempt.error, available)
        return (fixed, "added the import the program was missing") if fixed else None
    count = _failed(validation, CriterionKind.COUNT)
    if count is None or not fixed_bound(attempt.program):
        return None
    try:
        want = int(str(count.criterion.value))
    except ValueError:
        return None
    got = _GOT_COUNT.search(count.detail)
    if got is not None and int(got.group(1)) >= want:
        return None  # too many items: a bound is not what is wrong
    fixed = unbounded(attempt.program, want)
    return (
        (fixed, "its fixed loop bound now counts until enough items are found") if fixed else None
    )
