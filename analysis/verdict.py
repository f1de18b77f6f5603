"""The three-way verdict: what a validation may claim given the evidence behind it.

``overall_success`` used to mean "nothing failed". It now means "verified": every criterion
was checked by strong evidence and passed. A result where nothing failed but something was
left unproven (no criteria at all, a criterion nobody could check, only a weak judge or the
model's own tests looked at it) is delivered as **unverified**, which is never a success.
"""

from __future__ import annotations

from ..state.models import CriterionResult, Validation, Verdict


def unproven(results: list[CriterionResult]) -> list[CriterionResult]:
    """Criteria that passed on weak evidence or were not checked at all."""
    return [r for r in results if r.passed is None or (r.passed and r.weak)]


def verdict_of(validation: Validation) -> Verdict:
    """Rejected if anything failed, unverified if anything is unproven, else verified."""
    if any(r.passed is False for r in validation.criteria):
        return "rejected"
    if not validation.data_type_match or not validation.format_match:
        return "rejected"
    if validation.verdict == "rejected" and not validation.overall_success:
        return "rejected"
    if not validation.criteria or unproven(validation.criteria):
        return "unverified"
    return "verified"


def rescore(validation: Validation) -> Validation:
    """The quality score over every check made, the shape checks included."""
    checks = [validation.data_type_match, validation.format_match]
    checks += [bool(c.passed) for c in validation.criteria if c.passed is not None]
    score = round(sum(checks) / len(checks), 4)
    return validation.model_copy(update={"quality_score": min(score, 1.0)})


def settle(validation: Validation) -> Validation:
    """Score, set ``verdict`` and make ``overall_success`` mean exactly "verified"."""
    validation = rescore(validation)
    verdict = verdict_of(validation)
    issues = list(validation.issues)
    if verdict == "unverified":
        if not validation.criteria:
            note = "nothing in the request could be checked"
        else:
            names = [
                r.criterion.description or r.criterion.kind.value
                for r in unproven(validation.criteria)
            ]
            note = "not proven: " + "; ".join(names[:3])
        if note not in issues:
            issues.append(note)
    return validation.model_copy(
        update={"verdict": verdict, "overall_success": verdict == "verified", "issues": issues}
    )
