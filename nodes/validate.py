"""validate: evidence for every criterion, strongest first, and a verdict that says which.

Rules check what code can check; the caller's own validators run next; then, for what is
still open, execution of delivered code, two independent routes agreeing on a single value,
and last a model judge. A result is verified only when every criterion has strong evidence.
A verified verdict is kept for its exact answer (``learning/verified.py``), so an exact repeat
is not proven again at the cost of more model calls.
"""

from __future__ import annotations

import os
from typing import Any

from langgraph.runtime import Runtime

from ..analysis import validate_content
from ..analysis.documents import inspect_document
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
    validation = validate_content(state.result, state.intent)
    calls = 0
    if state.result.success:
        answer = evidence.Answer(
            request=state.request,
            intent=state.intent,
            content=_judged_text(state, validation),
            produced_by=state.result.tool,
            files=tuple(state.files),
        )
        validation, calls = evidence.proven(
            validation,
            answer,
            ctx=context_of(runtime),
            model=lambda: model_of(runtime),
            deliverable=_deliverable(state, validation),
            store=runtime.store,
        )
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
            # Named without the folder, which is this run's: the judge needs no temp path, and
            # a repeat of the same file keeps the same text (the verdict memo's key).
            parts.append(f"[{os.path.basename(path)}]\n{text or info.get('error', '')}")
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
