"""validate: evidence for every criterion, strongest first, and a verdict that says which.

Rules check what code can check; the caller's own validators run next; then, for what is
still open, execution of delivered code, two independent routes agreeing on a single value,
and last a model judge. A result is verified only when every criterion has strong evidence.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from ..analysis import validate_content
from ..analysis.documents import inspect_document
from ..analysis.verdict import settle
from ..state import Context, ReactState, Validation
from ..state.workflow import MessageKind
from . import _evidence as evidence
from ._common import context_of, emit, model_of

# Re-exported for callers that build judge replies (scripted models in tests).
JudgeItem = evidence.JudgeItem
JudgeVerdict = evidence.JudgeVerdict


def validate(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Score the content against the intent, and keep the best attempt so far."""
    assert state.result is not None and state.intent is not None
    ctx = context_of(runtime)
    intent, request = state.intent, state.request
    validation = validate_content(state.result, state.intent)
    calls = 0
    if state.result.success:
        answer = evidence.Answer(
            request=request,
            intent=intent,
            content=_judged_text(state, validation),
            produced_by=state.result.tool,
            files=tuple(state.files),
        )
        validation, calls = evidence.gather(
            validation,
            answer,
            ctx=ctx,
            model=model_of(runtime),
            deliverable=_deliverable(state, validation),
        )
        validation = settle(validation)
    update: dict[str, Any] = {"validation": validation, "model_calls": calls}
    if validation.quality_score > state.best_score or validation.overall_success:
        update["best_content"] = _deliverable(state, validation)
        update["best_score"] = validation.quality_score
        update["files_out"] = list(state.result.files)
    emit(
        MessageKind.VALIDATION,
        step=state.step,
        success=validation.overall_success,
        verdict=validation.verdict,
        data={
            "score": validation.quality_score,
            "issues": validation.issues[:5],
            "checked_by": sorted({c.checked_by for c in validation.criteria}),
        },
    )
    return update


def _judged_text(state: ReactState, validation: Validation) -> str:
    """What the judge and the agreement check read: the content, or a document's text."""
    assert state.result is not None
    if state.result.files:
        parts = []
        for path in state.result.files[:3]:
            info = inspect_document(path)
            text = info.get("text") or "\n".join(
                ", ".join("" if v is None else str(v) for v in row) for row in info.get("rows", [])
            )
            parts.append(f"[{path}]\n{text or info.get('error', '')}")
        return "\n\n".join(parts)
    return validation.cleaned_content or state.result.content


def _deliverable(state: ReactState, validation: Validation) -> str:
    assert state.result is not None
    if state.result.files:
        return "\n".join(state.result.files)
    return (
        validation.cleaned_content
        if validation.cleaned_content is not None
        else state.result.content
    )
