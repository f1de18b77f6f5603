"""Progress tracking: what was achieved, what failed and why, and whether to go on."""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.verdict import unproven
from ..state.attempts import Attempt
from ..state.models import Decision, FailedAttempt, Progress, Validation
from . import attempts as ladder
from .actions import AI_DATA


def unproven_names(validation: Validation) -> list[str]:
    """The criteria nothing proved, in words, with what (if anything) looked at them."""
    if not validation.criteria:
        return ["nothing in the request could be checked"]
    return [
        (r.criterion.description or r.criterion.kind.value)
        + (f" (checked by: {r.checked_by}, weak)" if r.passed else "")
        for r in unproven(validation.criteria)
    ]


def update_progress(
    progress: Progress, *, step: int, template: str, validation: Validation
) -> Progress:
    """Fold one validated attempt into the run's progress."""
    p = progress.model_copy(deep=True)
    if validation.overall_success:
        p.completed.append(f"step {step}: {template} delivered validated content")
        p.percent = 100.0
    else:
        reason = "; ".join(validation.issues[:2]) or "validation failed"
        p.failed.append(FailedAttempt(step=step, template=template, reason=reason))
        passed = [c for c in validation.criteria if c.passed]
        if passed:
            p.partial.append(
                f"step {step}: {template} met " + ", ".join(c.criterion.kind.value for c in passed)
            )
        p.percent = max(p.percent, round(validation.quality_score * 100 * 0.9, 1))
    p.best_score = max(p.best_score, validation.quality_score)
    if is_stagnating(p):
        insight = f"'{template}' keeps failing the same way; change the approach"
        if insight not in p.insights:
            p.insights.append(insight)
    return p


def next_actions(progress: Progress, untried: list[str]) -> list[str]:
    """Templates worth trying next: untried ones first, never the one that just stagnated."""
    # The template that just stagnated is among the failed ones, so it is never offered.
    failed = {f.template for f in progress.failed}
    return [t for t in untried if t not in failed]


def is_stagnating(progress: Progress) -> bool:
    """The same template failed twice in a row for the same reason."""
    if len(progress.failed) < 2:
        return False
    a, b = progress.failed[-2:]
    return a.template == b.template and a.reason == b.reason


def contested(validation: Validation) -> bool:
    """Whether two independent routes disagreed about a criterion.

    Neither answer proves the other wrong, so the verdict is unverified, but unlike a
    criterion nothing could check, another attempt can settle it: the loop goes on.
    """
    return any(r.checked_by == "agreement" and r.passed is None for r in validation.criteria)


def should_continue(
    progress: Progress,
    validation: Validation,
    *,
    step: int,
    max_steps: int,
    untried: list[str],
    attempts: Sequence[Attempt] = (),
) -> Decision:
    """Stop on validated success, on the budget, or when nothing new is left to try.

    ``attempts`` are the round's attempts. Once a program has run, "nothing new" is counted
    in distinct approaches and distinct outputs: an attempt that repeated an earlier output
    added no idea, and a round is over when it only repeats itself or has tried every
    approach, however differently its failures were worded.
    """
    if validation.overall_success:
        return Decision(action="stop", reason="the deliverable passed validation")
    if validation.verdict == "unverified" and not contested(validation):
        # Nothing failed, so another attempt has nothing to fix, and the same checks would
        # leave it unproven again: deliver it, saying what could not be proven.
        return Decision(
            action="stop",
            reason="not every requirement could be proven: "
            + "; ".join(unproven_names(validation)[:3]),
        )
    if step >= max_steps:
        return Decision(action="stop", reason=f"the step budget ({max_steps}) is used up")
    if ladder.programs_tried(attempts):
        spent = ladder.out_of_ideas(attempts, ai_left=AI_DATA in untried)
        if spent:
            return Decision(action="stop", reason=spent)
    else:
        recent = progress.failed[-3:]
        if len(recent) == 3 and len({f.reason for f in recent}) == 1 and not untried:
            return Decision(
                action="stop",
                reason="three attempts failed the same way and no new approach is left",
            )
    guidance = list(validation.suggestions[:4])
    if is_stagnating(progress):
        # Stagnation changes the strategy rather than repeating it: name the alternative.
        options = next_actions(progress, untried)
        guidance.append(
            f"'{progress.failed[-1].template}' failed twice the same way; use a different approach"
            + (f" such as '{options[0]}'." if options else ".")
        )
    return Decision(
        action="continue", reason="the deliverable has not passed validation yet", guidance=guidance
    )
