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
from ..analysis.verdict import settle
from ..learning.verified import VerifiedAnswers, fingerprint
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
        validation, calls = _recalled_or_checked(state, runtime, validation)
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


def _recalled_or_checked(
    state: ReactState, runtime: Runtime[Context], rules: Validation
) -> tuple[Validation, int]:
    """A verdict already earned by this exact answer, or the evidence gathered afresh.

    Only a verified verdict of the same request, files, intent, delivered text, evidence
    settings and rules' findings is recalled, so a learned task does not pay again for tests,
    a second route or a judge. The caller's own validators always run, and nothing recalled
    reaches a producer: the key is a digest, the value the validator's verdict.
    """
    ctx = context_of(runtime)
    if not ctx.learning or runtime.store is None or ctx.validators:
        return _checked(state, runtime, rules)
    assert state.intent is not None
    settings: dict[str, object] = {
        "check_agreement": ctx.check_agreement,
        "judge_trusted": evidence.judge_trusted(ctx),
        "rules": rules.model_dump(mode="json"),
    }
    text = _recall_text(state, rules)
    key = fingerprint(state.request, state.files, state.intent, text, settings)
    memo = VerifiedAnswers(runtime.store, ctx.namespace)
    recalled = memo.recall(key)
    if recalled is not None:
        return settle(recalled), 0
    validation, calls = _checked(state, runtime, rules)
    memo.remember(key, validation)
    return validation, calls


def _recall_text(state: ReactState, rules: Validation) -> str:
    """The judged text with delivered files named without their folder, which varies by run."""
    assert state.result is not None
    text = _judged_text(state, rules)
    for path in state.result.files:
        text = text.replace(f"[{path}]", f"[{os.path.basename(path)}]")
    return text


def _checked(
    state: ReactState, runtime: Runtime[Context], validation: Validation
) -> tuple[Validation, int]:
    """Evidence for what the rules left open, then the verdict; (validation, model calls)."""
    assert state.result is not None and state.intent is not None
    answer = evidence.Answer(
        request=state.request,
        intent=state.intent,
        content=_judged_text(state, validation),
        produced_by=state.result.tool,
        files=tuple(state.files),
    )
    validation, calls = evidence.gather(
        validation,
        answer,
        ctx=context_of(runtime),
        model=model_of(runtime),
        deliverable=_deliverable(state, validation),
    )
    return settle(validation), calls


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
