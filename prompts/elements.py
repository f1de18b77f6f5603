"""Reusable prompt elements: every mode builds its prompts from the same pieces.

Each function turns typed state into a short, bounded block of text. Bounding matters: a
weak local model has a small context, and a run's history must never crowd out the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..state.models import (
    Criterion,
    CriterionKind,
    FailedAttempt,
    Intent,
    Progress,
    RoundRecord,
    StrategyView,
    ToolSpec,
)

_MAX_LINE = 240


def _clip(text: str, limit: int = _MAX_LINE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def objective(request: str) -> str:
    """The user's request, verbatim but bounded."""
    return "OBJECTIVE:\n" + _clip(request, 2000)


def _range_words(value: object) -> str:
    lo, hi = value if isinstance(value, list | tuple) and len(value) == 2 else (None, None)
    if lo is not None and hi is not None:
        return f"between {lo} and {hi} inclusive"
    if hi is not None:
        return f"at most {hi}"
    if lo is not None:
        return f"at least {lo}"
    return "within the range the request states"


def _property_words(value: object) -> str:
    name, _, param = str(value).strip().lower().partition(":")
    if name == "multiple_of":
        return f"every item is a multiple of {param}"
    if name == "unique":
        return "no item appears twice"
    return f"every item is {name}"


def _criterion_line(c: Criterion) -> str:
    """One criterion in the request's own terms: what kind of check, and what the user stated.

    Built from the kind and the stated value, never from the description: a rule's description
    of a computed value ("1234 * 5678 = 7006652") carries the answer key.
    """
    kind, value = c.kind, c.value
    if kind == CriterionKind.COUNT:
        return f"count: exactly {value} items"
    if kind == CriterionKind.PROPERTY:
        return f"property: {_property_words(value)}"
    if kind == CriterionKind.ORDERING:
        return f"ordering: {value} order"
    if kind == CriterionKind.RANGE:
        return f"range: every item is {_range_words(value)}"
    if kind == CriterionKind.FIELDS:
        names = value if isinstance(value, list) else [value]
        return "fields: " + ", ".join(str(n) for n in names)
    if kind == CriterionKind.FILE_TYPE:
        return f"file type: a .{str(value).lower().lstrip('.')} file"
    if kind == CriterionKind.CONTAINS:
        if isinstance(value, list):
            return "contains: exactly the numbers the request gives, rearranged as asked"
        return f"contains: {value}"
    if kind in (CriterionKind.VALUE, CriterionKind.ANSWER):
        # The rules may know this answer; the producer must compute it, not be told it.
        return f"{kind.value}: the one result the request asks for; it is checked independently"
    return f"{kind.value}: {_clip(c.description or str(value or ''), 160)}"


def producer_criteria(intent: Intent | None) -> list[str]:
    """The checkable criteria as a producer may see them: kind plus what the request stated.

    A value a rule computed (an expected answer, an expected sequence) never appears: a
    producer told the answer key makes every measured success a measure of the rules.
    """
    if intent is None:
        return []
    return [_criterion_line(c) for c in intent.success_criteria]


def user_intent(intent: Intent | None) -> str:
    """What the request was understood to want, with its criteria in the user's terms.

    Every model prompt takes the intent through here (planner, action batches, the intent
    model's rules reading), so none of them can see a rule's computed answer.
    """
    if intent is None:
        return "USER INTENT: not analysed yet"
    lines = [
        "USER INTENT:",
        f"- wants: {intent.data_type.value}" + (f" ({intent.subject})" if intent.subject else ""),
        f"- format: {intent.expected_format.value}",
    ]
    lines.extend(f"- must satisfy: {line}" for line in producer_criteria(intent))
    return "\n".join(lines)


def learned_strategies(strategies: Sequence[StrategyView]) -> str:
    """Strategies learned from earlier runs for this request pattern, best first."""
    if not strategies:
        return "LEARNED STRATEGIES: none yet for this kind of request."
    lines = ["LEARNED STRATEGIES (from earlier runs on similar requests):"]
    for s in strategies[:5]:
        lines.append(
            f"- {s.template}: {s.successes}/{s.attempts} validated, mean quality "
            f"{s.mean_score:.2f}." + (f" {s.guidance}" if s.guidance else "")
        )
        lines.extend(f"  lesson: {_clip(lesson)}" for lesson in s.lessons[:2])
    return "\n".join(lines)


def learned_heuristics(heuristics: Sequence[str]) -> str:
    """Advice the validator kept giving for this kind of request in earlier runs."""
    if not heuristics:
        return ""
    lines = ["ADVICE FROM EARLIER RUNS ON THIS KIND OF REQUEST:"]
    lines.extend(f"- {_clip(text)}" for text in heuristics)
    return "\n".join(lines) + "\n"


def failed_actions(failed: Sequence[FailedAttempt], avoid: Sequence[str] = ()) -> str:
    """Actions that already failed in this run or for this pattern: do not repeat them."""
    if not failed and not avoid:
        return "FAILED ACTIONS: none so far."
    lines = ["FAILED ACTIONS (do not repeat):"]
    lines.extend(f"- step {f.step}: {f.template} -> {_clip(f.reason)}" for f in failed[-5:])
    seen = {f.template for f in failed}
    lines.extend(f"- {t} (failed for this kind of request before)" for t in avoid if t not in seen)
    return "\n".join(lines)


def available_tools(tools: Sequence[ToolSpec]) -> str:
    """The tools the planner may choose, with their parameters."""
    lines = ["AVAILABLE TOOLS:"]
    for t in tools:
        params = ", ".join(f"{k}: {v}" for k, v in t.parameters.items())
        lines.append(f"- {t.name}({params}): {t.description}")
    return "\n".join(lines)


def progress_state(progress: Progress, step: int, max_steps: int) -> str:
    """How far the run has got, so the planner can tell retrying from starting."""
    lines = [f"PROGRESS: step {step + 1} of at most {max_steps}; {progress.percent:.0f}% done."]
    lines.extend(f"- done: {_clip(c)}" for c in progress.completed[-3:])
    lines.extend(f"- partly: {_clip(p)}" for p in progress.partial[-3:])
    lines.extend(f"- insight: {_clip(i)}" for i in progress.insights[-3:])
    return "\n".join(lines)


def available_documents(files: Sequence[str], preview_chars: int = 300) -> str:
    """Input documents listed by name, type, size and a bounded preview; never pasted whole."""
    if not files:
        return ""
    lines = [
        "AVAILABLE DOCUMENTS (read them with the python tool; paths are relative to its "
        "working directory):"
    ]
    for name in files:
        path = Path(name)
        try:
            size = path.stat().st_size
        except OSError:
            lines.append(f"- {path.name}: not readable")
            continue
        preview = ""
        if path.suffix.lower() in {".csv", ".txt", ".md", ".json", ".tsv"}:
            with path.open("r", encoding="utf-8", errors="replace") as fh:
                preview = _clip(fh.read(preview_chars), preview_chars)
        kind = path.suffix.lstrip(".").lower() or "file"
        lines.append(f"- {path.name} ({kind}, {size} bytes)" + (f": {preview}" if preview else ""))
    return "\n".join(lines) + "\n\n"


def workflow_history(rounds: Sequence[RoundRecord], limit: int = 3) -> str:
    """Earlier rounds of the same thread: their requests and (bounded) deliverables."""
    if not rounds:
        return ""
    lines = ["WORKFLOW HISTORY (earlier rounds on this thread):"]
    for r in rounds[-limit:]:
        status = "" if r.success else " (not validated)"
        lines.append(f"- round {r.round} request: {_clip(r.request)}")
        lines.append(f"  delivered{status}: {_clip(r.deliverable, 400)}")
        lines.extend(f"  file: {Path(f).name}" for f in r.files[:5])
    return "\n".join(lines) + "\n\n"


def planner_sections(
    request: str,
    intent: Intent | None,
    files: Sequence[str],
    history: Sequence[RoundRecord],
    strategies: Sequence[StrategyView],
) -> dict[str, str]:
    """The sections every planner prompt opens with, keyed by the templates' placeholders.

    The react planner and the actionplan generator must see a request the same way; one
    function keeps a section added for one of them from being forgotten for the other.
    """
    return {
        "objective": objective(request),
        "intent": user_intent(intent),
        "documents": available_documents(files),
        "history": workflow_history(history),
        "strategies": learned_strategies(strategies),
    }
