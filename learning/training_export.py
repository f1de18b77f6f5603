"""Fine-tune export: failed tasks paired with the trajectory that later succeeded.

For each request pattern, every outcome that failed validation is paired with the first later
outcome of the same pattern that passed validation *for the same request values* (so the
validated content really answers the failed request). Each pair becomes one line in the OpenAI
chat fine-tuning format, ``{"messages": [system, user, assistant]}``: the user turn is the
failed request, the assistant turn the validated content. Lines carry nothing else, since the
fine-tuning API rejects unknown keys; the source thread ids, the template and the action
prompt that worked go to a line-aligned sidecar file (``<out>.sources.jsonl``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..analysis import extract_parameters
from .strategies import OutcomeEvent

SYSTEM_PROMPT = (
    "You deliver exactly what the user asked for: the content itself (not a program that "
    "would produce it), complete, in the requested format."
)
FORMATS = ("openai-chat",)


class TrainingPair(BaseModel):
    """One export line and where it came from."""

    messages: list[dict[str, str]]
    pattern: str
    template: str
    action_prompt: str
    failed_thread_ids: list[str] = Field(default_factory=list)
    success_thread_id: str


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _same_task(failed: OutcomeEvent, success: OutcomeEvent) -> bool:
    if _norm(failed.request) == _norm(success.request):
        return True
    return bool(failed.request) and extract_parameters(failed.request) == extract_parameters(
        success.request
    )


def training_pairs(events: list[OutcomeEvent]) -> list[TrainingPair]:
    """Pair failures with later validated successes; one line per (request, content)."""
    by_pattern: dict[str, list[OutcomeEvent]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e.ts):
        by_pattern[e.pattern].append(e)
    pairs: dict[tuple[str, str], TrainingPair] = {}
    for evs in by_pattern.values():
        wins = [e for e in evs if e.success and e.content_excerpt and not e.content_truncated]
        for failed in (e for e in evs if not e.success and e.request):
            win = next((w for w in wins if w.ts >= failed.ts and _same_task(failed, w)), None)
            if win is None:
                continue
            key = (_norm(failed.request), win.content_excerpt)
            if key in pairs:
                ids = pairs[key].failed_thread_ids
                if failed.thread_id and failed.thread_id not in ids:
                    ids.append(failed.thread_id)
                continue
            pairs[key] = TrainingPair(
                messages=[
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": failed.request},
                    {"role": "assistant", "content": win.content_excerpt},
                ],
                pattern=win.pattern,
                template=win.template,
                action_prompt=win.action_prompt,
                failed_thread_ids=[failed.thread_id] if failed.thread_id else [],
                success_thread_id=win.thread_id,
            )
    return list(pairs.values())


def sources_path(out: Path) -> Path:
    """The sidecar file next to ``out`` that records each line's provenance."""
    return out.with_name(out.name + ".sources.jsonl")


def write_openai_chat(pairs: list[TrainingPair], out: Path) -> int:
    """Write the JSONL file and its sidecar; returns the number of lines."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        out.open("w", encoding="utf-8") as data,
        sources_path(out).open("w", encoding="utf-8") as side,
    ):
        for i, p in enumerate(pairs):
            data.write(json.dumps({"messages": p.messages}, ensure_ascii=False) + "\n")
            provenance = {"line": i + 1, **p.model_dump(exclude={"messages"})}
            side.write(json.dumps(provenance, ensure_ascii=False) + "\n")
    return len(pairs)


def check_openai_chat_line(line: str) -> list[str]:
    """Problems with one line against the OpenAI chat fine-tuning format (empty when valid).

    The rules checked are the documented ones for chat examples: a JSON object whose only key
    is ``messages``, a non-empty list of ``{"role", "content"}`` objects with roles system /
    user / assistant, string contents, at least one assistant turn, and an assistant last.
    """
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return [f"not JSON: {exc}"]
    if not isinstance(obj, dict) or set(obj) != {"messages"}:
        return ["a line must be an object with exactly one key, 'messages'"]
    msgs = obj["messages"]
    if not isinstance(msgs, list) or not msgs:
        return ["'messages' must be a non-empty list"]
    problems: list[str] = []
    for i, m in enumerate(msgs):
        if (
            not isinstance(m, dict)
            or not {"role", "content"} <= set(m)
            or set(m) - {"role", "content", "name", "weight"}
        ):
            problems.append(f"message {i}: needs role and content only")
            continue
        if m["role"] not in {"system", "user", "assistant"}:
            problems.append(f"message {i}: unknown role {m['role']!r}")
        if not isinstance(m["content"], str) or not m["content"].strip():
            problems.append(f"message {i}: content must be a non-empty string")
        if m["role"] == "system" and i != 0:
            problems.append(f"message {i}: a system message must come first")
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in msgs):
        problems.append("no assistant message to learn from")
    elif not (isinstance(msgs[-1], dict) and msgs[-1].get("role") == "assistant"):
        problems.append("the last message must be the assistant's")
    return problems
