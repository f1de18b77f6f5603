"""Reusable prompt elements: every mode builds its prompts from the same pieces.

Each function turns typed state into a short, bounded block of text. Bounding matters: a
weak local model has a small context, and a run's history must never crowd out the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..state.models import FailedAttempt, Intent, Progress, RoundRecord, StrategyView, ToolSpec

_MAX_LINE = 240


def _clip(text: str, limit: int = _MAX_LINE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def objective(request: str) -> str:
    """The user's request, verbatim but bounded."""
    return "OBJECTIVE:\n" + _clip(request, 2000)


def user_intent(intent: Intent | None) -> str:
    """What the request was understood to want, including the checkable criteria."""
    if intent is None:
        return "USER INTENT: not analysed yet"
    lines = [
        "USER INTENT:",
        f"- wants: {intent.data_type.value}" + (f" ({intent.subject})" if intent.subject else ""),
        f"- format: {intent.expected_format.value}",
    ]
    for c in intent.success_criteria:
        desc = f" - {c.description}" if c.description else ""
        lines.append(f"- must satisfy: {c.kind.value} = {c.value!r}{desc}")
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
    lines = ["AVAILABLE DOCUMENTS (read them with the python tool; paths are relative to its "
             "working directory):"]
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
