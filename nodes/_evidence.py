"""Evidence beyond the rules: the user's own checks, execution, agreement, then a judge.

The validate node asks for evidence in a fixed order, cheapest and strongest first, and only
for what is still unproven: a rule's verdict is never overridden, a criterion already failed
is never re-asked, and no model call is made once the result is rejected. Every result says
what checked it, so the verdict (verified, rejected, unverified) can be honest about it.
"""

from __future__ import annotations

import ast
import math
import shutil
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.store.base import BaseStore
from pydantic import BaseModel, ConfigDict, Field

from ..analysis.cleanup import single_value
from ..analysis.code_examples import (
    Case,
    cases_from_reply,
    extract_cases,
    finding,
    run_cases,
    target_function,
)
from ..analysis.verdict import settle
from ..learning.verified import VerifiedAnswers, fingerprint
from ..llm import invoke_structured
from ..llm.load import is_embedded
from ..prompts import render, templates
from ..state import Context, DataType, Intent, OutputFormat, Validation
from ..state.models import Criterion, CriterionKind, CriterionResult
from ..tools import SandboxLimits, run_python
from ._codegen import write_code
from ._common import call_with_timeout

JUDGE_CONTENT_CHARS = 4000
VALIDATOR_TIMEOUT_S = 30.0
# Kinds whose rule check decides what the content is, not only its shape: with one of them
# decided, a judge adds nothing; without one, "does it answer the request" is still open.
_CONTENT_KINDS = {
    CriterionKind.PROPERTY,
    CriterionKind.VALUE,
    CriterionKind.FIELDS,
    CriterionKind.ANSWER,
}


class JudgeItem(BaseModel):
    """The judge's verdict on one requirement."""

    index: int = Field(description="The requirement's number, starting at 1.")
    passed: bool
    reason: str = ""


class JudgeVerdict(BaseModel):
    """The judge's verdicts."""

    items: list[JudgeItem]


class Answer(BaseModel):
    """What every evidence step reads: the request, how it was read, and what came back."""

    model_config = ConfigDict(frozen=True)

    request: str
    intent: Intent
    content: str = Field(description="The text the checks read: the answer, or a file's text.")
    produced_by: str = Field(default="", description="The tool that produced it.")
    files: tuple[str, ...] = Field(default=(), description="The request's input files.")


def describe(result: CriterionResult) -> str:
    """A criterion in words, for the judge and for findings; never a rule-computed value."""
    c = result.criterion
    if c.kind == CriterionKind.VALUE:
        return "the value the request asks for is correct"  # a rule's description holds it
    return c.description or c.kind.value.replace("_", " ")


def _updated(
    validation: Validation, criteria: list[CriterionResult], issues: Sequence[str] = ()
) -> Validation:
    return validation.model_copy(
        update={"criteria": criteria, "issues": [*validation.issues, *issues]}
    )


def _marked(
    validation: Validation, marks: Mapping[int, dict[str, Any]], issues: Sequence[str] = ()
) -> Validation:
    """The criteria at the marked positions updated with what checked them, and how."""
    criteria = [
        c.model_copy(update=marks[i]) if i in marks else c
        for i, c in enumerate(validation.criteria)
    ]
    return _updated(validation, criteria, issues)


def rejected(validation: Validation) -> bool:
    """Something already failed: more evidence cannot rescue it, so no model call is made."""
    return (
        any(c.passed is False for c in validation.criteria)
        or not (validation.data_type_match and validation.format_match)
        or validation.verdict == "rejected"
    )


def _ask(model: BaseChatModel, system: str, user: str) -> str:
    return str(model.invoke([SystemMessage(system), HumanMessage(user)]).content)


# ---------------------------------------------------------------------------------------
# What is left open.


def decides_content(result: CriterionResult) -> bool:
    """Whether a criterion pins down the content itself (a given list to contain does)."""
    kind = result.criterion.kind
    if kind in _CONTENT_KINDS:
        return True
    return kind == CriterionKind.CONTAINS and isinstance(result.criterion.value, list)


def open_answer(validation: Validation, intent: Intent) -> Validation:
    """Add "answers the request" as an open criterion when no rule decides the content.

    A shape check (a count, a format, a file type) passing says nothing about whether a poem
    is about the sea or a capital city is right; this is the criterion the judge, agreement or
    execution must then prove.
    """
    if any(decides_content(r) for r in validation.criteria):
        return validation
    criterion = Criterion(
        kind=CriterionKind.ANSWER, description="the deliverable correctly answers the request"
    )
    pending = CriterionResult(
        criterion=criterion, passed=None, checked_by="none", detail="no rule can check this"
    )
    return _updated(validation, [*validation.criteria, pending])


def _pending(validation: Validation) -> list[int]:
    return [i for i, c in enumerate(validation.criteria) if c.passed is None]


# ---------------------------------------------------------------------------------------
# The user's validators.


class _UserVerdict(BaseModel):
    passed: bool
    detail: str = ""


def _as_verdict(value: Any) -> _UserVerdict:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, bool):
        return _UserVerdict(passed=value)
    if isinstance(value, tuple) and len(value) == 2:
        return _UserVerdict(passed=bool(value[0]), detail=str(value[1]))
    if isinstance(value, dict) and "passed" in value:
        return _UserVerdict(passed=bool(value["passed"]), detail=str(value.get("detail", "")))
    raise TypeError(
        "a validator must return a bool, (passed, detail) or "
        f"{{'passed': ..., 'detail': ...}}, got {type(value).__name__}"
    )


def _run_user_check(
    check: Callable[..., Any], request: str, intent: Intent, deliverable: str
) -> CriterionResult:
    name = str(getattr(check, "__name__", None) or type(check).__name__)
    criterion = Criterion(
        kind=CriterionKind.OTHER, value=name, description=f"the caller's check '{name}'"
    )
    try:
        raw = call_with_timeout(lambda: check(request, intent, deliverable), VALIDATOR_TIMEOUT_S)
        verdict = _as_verdict(raw)
    except Exception as exc:  # noqa: BLE001 - a broken check is a failed check, said clearly
        detail = f"the check '{name}' raised {type(exc).__name__}: {exc}"
        verdict = _UserVerdict(passed=False, detail=detail)
    detail = verdict.detail[:300] or ("passed" if verdict.passed else "failed")
    return CriterionResult(
        criterion=criterion, passed=verdict.passed, detail=detail, checked_by="user"
    )


def by_user(
    validation: Validation, ctx: Context, request: str, intent: Intent, deliverable: str
) -> Validation:
    """Run every validator the caller configured; each is a criterion of its own."""
    checks: Sequence[Callable[..., Any]] = ctx.validators or ()
    if not checks:
        return validation
    results = [_run_user_check(c, request, intent, deliverable) for c in checks]
    issues = [f"{r.criterion.description} failed: {r.detail}" for r in results if not r.passed]
    return _updated(validation, [*validation.criteria, *results], issues)


# ---------------------------------------------------------------------------------------
# Execution: delivered code is run against examples, the request's own ones first.


def _sandboxed(program: str, budget_s: float, files: Sequence[str] = ()) -> Any:
    """Run a program in the sandbox and remove its working folder; the sandbox result."""
    res = run_python(program, limits=SandboxLimits(timeout_s=budget_s), input_files=list(files))
    shutil.rmtree(res.workdir, True)
    return res


def _model_tests(model: BaseChatModel, request: str, function: str) -> list[Case]:
    """Tests written from the request alone: the call never sees the candidate."""
    system = render(templates.CODE_TESTS_SYSTEM, function=function)
    user = render(templates.CODE_TESTS_USER, request=request, function=function)
    return cases_from_reply(_ask(model, system, user), function)


def _defined_function(code: str) -> str | None:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    names = [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")
    ]
    return names[-1] if names else None


def by_execution(
    validation: Validation, answer: Answer, model: BaseChatModel, run: Any = _sandboxed
) -> tuple[Validation, int]:
    """Run the delivered code on examples; (validation, model calls made).

    The request's examples are strong evidence. With none, the model writes tests in a call
    that sees only the request: a pass on those is weak (unverified), a failure rejects.
    """
    request, code = answer.request, answer.content
    criteria = validation.criteria
    open_ = [i for i in _pending(validation) if criteria[i].criterion.kind == CriterionKind.ANSWER]
    if answer.intent.data_type != DataType.CODE or not open_:
        return validation, 0
    function = target_function(request) or _defined_function(code)
    cases = extract_cases(request, function=function)
    calls = 0
    if not cases and function:
        cases, calls = _model_tests(model, request, function), 1
    if not cases:
        return validation, calls
    outcomes = run_cases(code, cases, run)
    problem = finding(outcomes)
    source = "model-written tests" if calls else "examples from the request"
    detail = (
        f"{len(outcomes)} {source} passed when the code was run" if problem is None else problem
    )
    mark = {
        "passed": problem is None,
        "detail": detail[:500],
        "checked_by": "execution",
        "weak": bool(calls) and problem is None,
    }
    issues = [] if problem is None else [detail[:500]]
    return _marked(validation, dict.fromkeys(open_, mark), issues), calls


# ---------------------------------------------------------------------------------------
# Independent agreement: a second route that does not share the first one's failure mode.


def _agreement_applies(validation: Validation, intent: Intent) -> bool:
    """Only a single open value has a second route: data answers, or one value of a table."""
    kinds = [validation.criteria[i].criterion.kind for i in _pending(validation)]
    one_cell = intent.data_type == DataType.TABLE
    one_cell = one_cell and intent.expected_format == OutputFormat.SINGLE_VALUE
    return (
        (intent.data_type in (DataType.NUMBERS, DataType.ANALYSIS, DataType.OTHER) or one_cell)
        and bool(kinds)
        and all(k in (CriterionKind.VALUE, CriterionKind.ANSWER) for k in kinds)
    )


RunProgram = Callable[[str, Sequence[str]], tuple[bool, str]]


def sandbox_program(code: str, files: Sequence[str], timeout_s: float = 20.0) -> tuple[bool, str]:
    """Run a program in the sandbox; (ran cleanly, what it printed)."""
    res = _sandboxed(code, timeout_s, files)
    return res.ok, res.stdout.strip()


def by_agreement(
    validation: Validation, answer: Answer, model: BaseChatModel, run: RunProgram = sandbox_program
) -> tuple[Validation, int]:
    """Prove a single value by a second route; (validation, model calls made).

    A program's answer is checked against a direct answer and a direct answer against a
    program; with files to analyse both routes are programs (a direct answer cannot read the
    file), written from different prompts. Agreement proves the open VALUE/ANSWER criterion.
    Disagreement leaves it unproven, not failed: the second route is as fallible as the first
    (the embedded model's direct answers were measured wrong where its programs were right), so
    it says only that neither proves the other. No second answer at all leaves it open for the
    judge.
    """
    request, intent, files = answer.request, answer.intent, answer.files
    first = single_value(answer.content) if _agreement_applies(validation, intent) else None
    if first is None:
        return validation, 0
    if files or answer.produced_by != "python":
        task = render(templates.AGREE_PROGRAM_TASK, request=request)
        ok, out = run(write_code(model, intent, task), files)
        second, route = single_value(out if ok else ""), "an independently written program"
    else:
        user = render(templates.AGREE_DIRECT_USER, request=request)
        second = single_value(_ask(model, templates.AGREE_DIRECT_SYSTEM, user))
        route = "a direct answer"
    if second is None:
        return validation, 1
    agree = math.isclose(float(first), float(second), rel_tol=1e-6, abs_tol=1e-9)
    detail = (
        f"{route} gave the same value" if agree else f"{route} disagreed with the delivered value"
    )
    pending = _pending(validation)
    mark = {"passed": True if agree else None, "detail": detail, "checked_by": "agreement"}
    issues = [] if agree else [f"two independent routes disagree: {detail}"] * len(pending)
    return _marked(validation, dict.fromkeys(pending, mark), issues), 1


# ---------------------------------------------------------------------------------------
# The judge: last, for whatever is still open, and honest about how much it is worth.


def judge_trusted(ctx: Context) -> bool:
    """Whether a judge's approval proves a criterion: not when the judge is a tiny model."""
    if ctx.trust_judge is not None:
        return ctx.trust_judge
    return not is_embedded(ctx.model)


def by_judge(
    validation: Validation, answer: Answer, model: BaseChatModel, trusted: bool
) -> tuple[Validation, int]:
    """Ask a model judge about every criterion nothing else could check."""
    pending = [i for i in _pending(validation) if validation.criteria[i].checked_by == "none"]
    if not pending:
        return validation, 0
    requirements = [describe(validation.criteria[i]) for i in pending]
    user = render(
        templates.JUDGE_USER,
        request=answer.request,
        requirements=requirements,
        content=answer.content[:JUDGE_CONTENT_CHARS],
    )
    messages = [SystemMessage(templates.JUDGE_SYSTEM), HumanMessage(user)]
    outcome = invoke_structured(model, JudgeVerdict, messages)
    if not isinstance(outcome.value, JudgeVerdict):
        return validation, outcome.calls
    marks: dict[int, dict[str, Any]] = {}
    issues: list[str] = []
    for item in outcome.value.items:
        if 1 <= item.index <= len(pending):
            marks[pending[item.index - 1]] = {
                "passed": item.passed,
                "detail": item.reason[:300],
                "checked_by": "judge",
                "weak": not trusted,
            }
            if not item.passed:
                issues.append(f"judge: {requirements[item.index - 1]} not met")
    return _marked(validation, marks, issues), outcome.calls


# ---------------------------------------------------------------------------------------
# The whole sequence, as the validate node and the create_agent middleware both run it.


def gather(
    validation: Validation,
    answer: Answer,
    *,
    ctx: Context,
    model: BaseChatModel | None,
    deliverable: str,
) -> tuple[Validation, int]:
    """Every kind of evidence after the rules, strongest first; (validation, model calls).

    ``deliverable`` is what the user's validators see (a file's path), ``answer.content`` what
    the model-backed checks read (a document's text). Without a model only the user's
    validators run, and whatever else is open stays open.
    """
    validation = by_user(validation, ctx, answer.request, answer.intent, deliverable)
    if rejected(validation):
        return validation, 0
    validation = open_answer(validation, answer.intent)
    if model is None:
        return validation, 0
    validation, calls = by_execution(validation, answer, model)
    if ctx.check_agreement and not rejected(validation):
        validation, n = by_agreement(validation, answer, model)
        calls += n
    if not rejected(validation):
        validation, n = by_judge(validation, answer, model, trusted=judge_trusted(ctx))
        calls += n
    return validation, calls


def proven(
    validation: Validation,
    answer: Answer,
    *,
    ctx: Context,
    model: Callable[[], BaseChatModel | None],
    deliverable: str,
    store: BaseStore | None,
) -> tuple[Validation, int]:
    """The settled verdict on one answer; (validation, model calls made).

    An exact repeat of an answer verified before (same request, files, intent, delivered text,
    evidence settings and rules' findings) recalls that verdict (``learning/verified.py``), so
    a learned task does not pay again for tests, a second route or a judge; ``model`` is only
    loaded when evidence is gathered. The caller's own validators always run, and nothing
    recalled reaches a producer: the key is a digest, the value the validator's verdict.
    """
    memo, key = None, ""
    if ctx.learning and store is not None and not ctx.validators:
        settings: dict[str, object] = {
            "check_agreement": ctx.check_agreement,
            "judge_trusted": judge_trusted(ctx),
            "rules": validation.model_dump(mode="json"),
        }
        key = fingerprint(answer.request, answer.files, answer.intent, answer.content, settings)
        memo = VerifiedAnswers(store, ctx.namespace)
        recalled = memo.recall(key)
        if recalled is not None:
            return settle(recalled), 0
    gathered, calls = gather(validation, answer, ctx=ctx, model=model(), deliverable=deliverable)
    checked = settle(gathered)
    if memo is not None:
        memo.remember(key, checked)
    return checked, calls
