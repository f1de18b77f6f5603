"""The closing message both modes give: one wording per verdict, so neither can overclaim."""

from __future__ import annotations

from typing import Any

from ..learning.progress import unproven_names
from ..prompts import render, templates
from ..state import Decision, Intent, Progress, ReactState, Validation


def finish(
    state: ReactState, decision: Decision, *, steps: int, unit: str = "step"
) -> dict[str, Any]:
    """The update that ends a round in either mode: verdict, best deliverable, closing words."""
    val, intent = state.validation, state.intent
    assert val is not None and intent is not None, "a round finishes after its review"
    message = final_message(
        val,
        decision,
        intent,
        steps=steps,
        progress=state.progress,
        best=state.best_content,
        best_score=state.best_score,
        unit=unit,
    )
    return {
        "success": val.overall_success,
        "verdict": val.verdict,
        "deliverable": state.best_content,
        "validation": val,
        "final_message": message,
    }


def final_message(
    validation: Validation,
    decision: Decision,
    intent: Intent,
    *,
    steps: int,
    progress: Progress,
    best: str,
    best_score: float,
    unit: str = "step",
) -> str:
    """Success only for a verified result; unverified says what was not proven."""
    if validation.overall_success:
        summary = (
            f"{intent.subject or intent.data_type.value} delivered as "
            f"{intent.expected_format.value}"
        )
        return render(
            templates.FINAL_SUCCESS, steps=steps, summary=summary, score=validation.quality_score
        )
    if validation.verdict == "unverified":
        return render(
            templates.FINAL_UNVERIFIED,
            steps=steps,
            reason="the result could not be proven correct",
            unproven=unproven_names(validation),
        )
    tried = [f"{unit} {f.step}: {f.template}: {f.reason}" for f in progress.failed]
    return render(
        templates.FINAL_FAILURE,
        steps=steps,
        reason=decision.reason,
        tried=tried,
        best=bool(best),
        score=max(best_score, 0.0),
    )
