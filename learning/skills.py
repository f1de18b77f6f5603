"""Skill library: validated programs, with the request's values lifted into parameters.

A program that produced a validated deliverable for "the first 30 primes" is stored with the
literal 30 replaced by a parameter; "the first 45 primes" then re-runs it with 45, without
generating code. Skills are written only from validated outcomes and re-validated on use.
"""

from __future__ import annotations

import ast
import time
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from ..analysis import extract_parameters
from ..state.models import ActionSelection, Intent
from .patterns import pattern_key
from .repair import call_name
from .store_io import ROOT, put

SKILL_TEMPLATE = "skill:python"


class Skill(BaseModel):
    """A verified program for one request pattern."""

    pattern: str
    code: str = Field(description="The program with request values replaced by parameters.")
    parameters: dict[str, Any] = Field(default_factory=dict)
    uses: int = 0
    failures: int = 0
    created: float = Field(default_factory=time.time)
    source_request: str = ""


def skills_namespace(namespace: str) -> tuple[str, ...]:
    """Where a namespace's skills live in the store."""
    return (ROOT, namespace, "skills")


class _Lift(ast.NodeTransformer):
    def __init__(self, values: dict[int, str]):
        self.values = values
        self.lifted: set[str] = set()

    def visit_Constant(self, node: ast.Constant) -> ast.AST:  # noqa: N802 - ast API
        if type(node.value) is int and node.value in self.values:
            name = self.values[node.value]
            self.lifted.add(name)
            return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), node)
        return node


def lift_parameters(code: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Replace integer literals equal to a request value with a parameter name.

    Returns None when the program does not parse or no value could be lifted (a program that
    hard-codes nothing of the request cannot be reused for other values).
    """
    ints = {v: f"P_{k.upper()}" for k, v in params.items() if type(v) is int and v > 2}
    if not ints:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    lifter = _Lift(ints)
    tree = ast.fix_missing_locations(lifter.visit(tree))
    if not lifter.lifted:
        return None
    used = {k: v for k, v in params.items() if f"P_{k.upper()}" in lifter.lifted}
    return ast.unparse(tree), used


# Calls that only format or emit a value: a program made of these computes nothing.
_PASSIVE_CALLS = frozenset({"print", "str", "repr", "format", "int", "float", "join"})
# A literal holding this many numbers is data typed into the program, not computed by it.
_MAX_LITERAL_NUMBERS = 4
_LOOPS = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _does_work(node: ast.AST) -> bool:
    if isinstance(node, (*_LOOPS, ast.AugAssign)):
        return True
    if isinstance(node, ast.BinOp):
        return any(not isinstance(side, ast.Constant) for side in (node.left, node.right))
    return isinstance(node, ast.Call) and call_name(node) not in _PASSIVE_CALLS


def _hard_coded_data(node: ast.AST) -> bool:
    if not isinstance(node, ast.List | ast.Tuple | ast.Set):
        return False
    numbers = [
        e for e in node.elts if isinstance(e, ast.Constant) and type(e.value) in (int, float)
    ]
    return len(numbers) > _MAX_LITERAL_NUMBERS


def computes(code: str) -> bool:
    """Whether a program computes its output rather than printing a parameter or a constant.

    ``print(P_VALUE)``, ``print(7006652)`` or a typed-in list of results would replay one
    answer (possibly the rules' own) with no model or computation behind it; a skill must
    loop, call a function that is not mere formatting, or do arithmetic on names.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    nodes = list(ast.walk(tree))
    return any(_does_work(n) for n in nodes) and not any(_hard_coded_data(n) for n in nodes)


def bind_parameters(code: str, params: dict[str, Any]) -> str:
    """Prefix the lifted program with this request's parameter values."""
    header = "\n".join(f"P_{k.upper()} = {v!r}" for k, v in sorted(params.items()))
    return f"{header}\n{code}"


def save_skill(
    store: BaseStore, namespace: str, pattern: str, code: str, request: str
) -> Skill | None:
    """Store a validated program as the pattern's skill, if its values can be lifted.

    Refused (None) when the program does not compute its output (see :func:`computes`).
    """
    lifted = lift_parameters(code, extract_parameters(request))
    if lifted is None:
        return None
    body, params = lifted
    if not computes(body):
        return None
    skill = Skill(pattern=pattern, code=body, parameters=params, source_request=request[:500])
    put(store, skills_namespace(namespace), pattern_key(pattern), skill.model_dump())
    return skill


def load_skill(store: BaseStore, namespace: str, pattern: str) -> Skill | None:
    """The pattern's skill, if any."""
    item = store.get(skills_namespace(namespace), pattern_key(pattern))
    return Skill.model_validate(item.value) if item else None


def note_skill_use(store: BaseStore, namespace: str, pattern: str) -> None:
    """Count a validated use of the pattern's skill (shown by ``strategies show``)."""
    skill = load_skill(store, namespace, pattern)
    if skill is not None:
        skill.uses += 1
        put(store, skills_namespace(namespace), pattern_key(pattern), skill.model_dump())


def forget_skill(store: BaseStore, namespace: str, pattern: str) -> None:
    """Drop a skill whose output failed validation, so it is not used again."""
    store.delete(skills_namespace(namespace), pattern_key(pattern))


def keep_skill(
    store: BaseStore,
    namespace: str,
    pattern: str,
    action: ActionSelection,
    *,
    request: str,
    verified: bool,
) -> None:
    """What one checked action means for the pattern's skill.

    A verified program becomes the skill; a skill's own run counts as a use when verified
    and is forgotten when not, so a skill that stopped working is not tried again.
    """
    if action.template == SKILL_TEMPLATE:
        (note_skill_use if verified else forget_skill)(store, namespace, pattern)
    elif action.tool == "python" and verified:
        save_skill(store, namespace, pattern, str(action.parameters.get("code", "")), request)


def skill_action(
    store: BaseStore, namespace: str, pattern: str, request: str, intent: Intent
) -> ActionSelection | None:
    """A python action running the pattern's skill with this request's values."""
    skill = load_skill(store, namespace, pattern)
    if skill is None or not computes(skill.code):
        return None  # a store written before the check may hold a print-only "skill"
    values = extract_parameters(request)
    if not set(skill.parameters) <= set(values):
        return None
    bound = {k: values[k] for k in skill.parameters}
    return ActionSelection(
        tool="python",
        parameters={"code": bind_parameters(skill.code, bound)},
        rationale=f"verified skill for this kind of request, with {bound}",
        strategy_id=f"skill:{pattern_key(pattern)}",
        template=SKILL_TEMPLATE,
    )
