"""validate: deterministic checks first, a model judge only for what code cannot check."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from ..analysis import validate_content
from ..analysis.verdict import settle
from ..llm import ainvoke_structured
from ..prompts import render, templates
from ..state import Context, CriterionResult, ReactState, Validation
from ._common import emit, model_of

JUDGE_CONTENT_CHARS = 4000


class JudgeItem(BaseModel):
    """The judge's verdict on one requirement."""

    index: int = Field(description="The requirement's number, starting at 1.")
    passed: bool
    reason: str = ""


class JudgeVerdict(BaseModel):
    """The judge's verdicts."""

    items: list[JudgeItem]


def _apply_verdicts(
    validation: Validation, pending: list[int], verdict: JudgeVerdict
) -> Validation:
    criteria = list(validation.criteria)
    issues = list(validation.issues)
    for item in verdict.items:
        if 1 <= item.index <= len(pending):
            i = pending[item.index - 1]
            criteria[i] = criteria[i].model_copy(
                update={"passed": item.passed, "detail": item.reason[:300], "checked_by": "judge"}
            )
            if not item.passed:
                issues.append(f"judge: {_describe(criteria[i])} not met")
    checked = [c for c in criteria if c.passed is not None]
    score = validation.quality_score
    if checked:
        ratio = sum(bool(c.passed) for c in checked) / len(checked)
        score = min(score, max(ratio, 0.0)) if ratio < 1 else score
    return settle(validation.model_copy(
        update={"criteria": criteria, "issues": issues, "quality_score": score}
    ))


async def validate(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Score the content against the intent, and keep the best attempt so far."""
    assert state.result is not None and state.intent is not None
    validation = validate_content(state.result, state.intent)
    calls = 0
    pending = [i for i, c in enumerate(validation.criteria) if c.passed is None]
    if pending and validation.data_type_match and validation.format_match:
        content = (validation.cleaned_content or state.result.content)[:JUDGE_CONTENT_CHARS]
        requirements = [_describe(validation.criteria[i]) for i in pending]
        messages = [
            SystemMessage(templates.JUDGE_SYSTEM),
            HumanMessage(
                render(
                    templates.JUDGE_USER,
                    request=state.request,
                    requirements=requirements,
                    content=content,
                )
            ),
        ]
        outcome = await ainvoke_structured(model_of(runtime), JudgeVerdict, messages)
        calls += outcome.calls
        if isinstance(outcome.value, JudgeVerdict):
            validation = _apply_verdicts(validation, pending, outcome.value)
    update: dict[str, Any] = {"validation": validation, "model_calls": calls}
    if validation.quality_score > state.best_score or validation.overall_success:
        update["best_content"] = _deliverable(state, validation)
        update["best_score"] = validation.quality_score
        update["files_out"] = list(state.result.files)
    emit(
        "validation",
        step=state.step,
        success=validation.overall_success,
        score=validation.quality_score,
        issues=validation.issues[:5],
    )
    return update


def _describe(result: CriterionResult) -> str:
    c = result.criterion
    return c.description or f"{c.kind.value}: {c.value}"


def _deliverable(state: ReactState, validation: Validation) -> str:
    assert state.result is not None
    if state.result.files:
        return "\n".join(state.result.files)
    return (
        validation.cleaned_content
        if validation.cleaned_content is not None
        else state.result.content
    )
