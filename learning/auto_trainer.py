"""The auto-trainer: turn evaluations and lessons into training suggestions.

Suggestions come in four kinds. Heuristic updates are applied to the reflective memory (the
``BaseStore``) right away; fine-tune datasets, prompt tuning and strategy parameters are
*recorded* there for external pipelines (``export-training``, a human, a tuning job) rather
than silently dropped. Every heuristic passes the poisoning guard: it must not quote the tool
output or model answer it was derived from.
"""

from __future__ import annotations

import hashlib
import time
from enum import StrEnum
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from .guard import is_safe_heuristic
from .store_io import ROOT, put, search_all

MAX_EVAL_SUGGESTIONS = 5
MAX_LESSON_SUGGESTIONS = 2
LOW_SCORE = 0.5
# A pattern whose strategies keep failing gets a strategy-parameter suggestion (explore more).
STRUGGLING_FAILURES = 3
# A heuristic reaches the planner's prompt once this many different requests of a pattern
# produced it (see ReflectiveMemory.heuristics_for).
PROMPT_MIN_REQUESTS = 2
MAX_REQUESTS_PER_PATTERN = 20
# Validator advice that only makes sense next to the error it follows; never a heuristic.
CONTEXT_BOUND_ADVICE = ("Fix the cause of the error above",)


class SuggestionKind(StrEnum):
    """What a training suggestion asks for."""

    HEURISTIC_UPDATE = "heuristic_update"
    FINE_TUNE_DATASET = "fine_tune_dataset"
    PROMPT_TUNING = "prompt_tuning"
    STRATEGY_PARAMETER = "strategy_parameter"


class TrainingSuggestion(BaseModel):
    """One suggested training action, traceable to the task that caused it."""

    kind: SuggestionKind
    key: str
    value: Any
    source_task_id: str
    reason: str
    pattern: str = ""
    request_digest: str = ""
    ts: float = Field(default_factory=time.time)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def request_digest(request: str) -> str:
    """A request's identity for counting distinct requests, without storing its text twice."""
    return _digest(" ".join(request.lower().split()))


class ReflectiveMemory:
    """Lessons, heuristics and pending suggestions of one namespace, on the ``BaseStore``."""

    def __init__(self, store: BaseStore, namespace: str = "default"):
        self.store = store
        self.namespace = namespace

    def _ns(self, part: str) -> tuple[str, ...]:
        return (ROOT, self.namespace, "reflective", part)

    def add_lesson(self, task_id: str, evaluation: dict[str, Any]) -> None:
        """Keep one evaluation (validator fields only) as a lesson; idempotent per task id."""
        put(
            self.store,
            self._ns("lessons"),
            task_id,
            {"task_id": task_id, "evaluation": evaluation, "ts": time.time()},
        )

    def get_lessons(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent lessons, oldest first."""
        items = search_all(self.store, self._ns("lessons"))
        values = sorted((i.value for i in items), key=lambda v: v.get("ts", 0.0))
        return values[-limit:] if limit else []

    def set_heuristic(self, suggestion: TrainingSuggestion) -> None:
        """Store a heuristic; the same text from several tasks is one heuristic, counted.

        Per request pattern it also keeps which distinct requests produced it: that is what
        ``heuristics_for`` needs to tell advice about a kind of request from advice about one.
        """
        key, pattern = suggestion.key, suggestion.pattern
        old = self.store.get(self._ns("heuristics"), key)
        prev = old.value if old else {}
        patterns: dict[str, list[str]] = dict(prev.get("patterns", {}))
        if pattern:
            patterns[pattern] = _added(
                patterns.get(pattern, []), suggestion.request_digest, MAX_REQUESTS_PER_PATTERN
            )
        put(
            self.store,
            self._ns("heuristics"),
            key,
            {
                "value": suggestion.value,
                "count": int(prev.get("count", 0)) + 1,
                "sources": _added(prev.get("sources", []), suggestion.source_task_id, 10),
                "patterns": patterns,
                "ts": time.time(),
            },
        )

    def heuristics_for(
        self, pattern: str, *, min_requests: int = PROMPT_MIN_REQUESTS, limit: int = 3
    ) -> list[str]:
        """Heuristics fit to show the planner for ``pattern``, most widely seen first.

        Only advice that recurred for at least ``min_requests`` different requests of the
        pattern, and that names no number: "deliver exactly 10 primes" is right for one
        request and wrong for the next one of the same kind.
        """
        items = search_all(self.store, self._ns("heuristics"))
        ranked: list[tuple[int, float, str]] = []
        for item in items:
            text = str(item.value.get("value", ""))
            requests = item.value.get("patterns", {}).get(pattern, [])
            if len(requests) >= min_requests and not any(ch.isdigit() for ch in text):
                ranked.append((len(requests), float(item.value.get("ts", 0.0)), text))
        ranked.sort(reverse=True)
        return [text for _, _, text in ranked[:limit]]

    def get_all_heuristics(self) -> dict[str, Any]:
        """Every heuristic, by key."""
        items = search_all(self.store, self._ns("heuristics"))
        return {i.key: i.value["value"] for i in items}

    def record_suggestion(self, suggestion: TrainingSuggestion) -> None:
        """Keep a suggestion that is not applied here, for an external pipeline to pick up."""
        put(
            self.store,
            self._ns(f"suggestions-{suggestion.kind.value}"),
            suggestion.key,
            suggestion.model_dump(mode="json"),
        )

    def pending_suggestions(self, kind: SuggestionKind | None = None) -> list[TrainingSuggestion]:
        """Recorded suggestions (all kinds, or one)."""
        kinds = (
            [kind] if kind else [k for k in SuggestionKind if k != SuggestionKind.HEURISTIC_UPDATE]
        )
        found = (
            TrainingSuggestion.model_validate(i.value)
            for k in kinds
            for i in search_all(self.store, self._ns(f"suggestions-{k.value}"))
        )
        return sorted(found, key=lambda s: s.ts)


def _added(items: list[str], item: str, keep: int) -> list[str]:
    """``items`` with ``item`` appended once (when given), the newest ``keep`` of them."""
    return (items + [item])[-keep:] if item and item not in items else list(items)


def _heuristics(
    texts: list[str],
    untrusted: list[str],
    task_id: str,
    reason: str,
    *,
    pattern: str = "",
    request_digest: str = "",
) -> list[TrainingSuggestion]:
    """Heuristic updates from advice texts: those safe to show the planner again.

    Advice bound to one attempt's context, or quoting untrusted text, never becomes one.
    ``pattern`` and ``request_digest`` say where the heuristic was seen, when known.
    """
    return [
        TrainingSuggestion(
            kind=SuggestionKind.HEURISTIC_UPDATE,
            key=f"h_{_digest(text)}",
            value=text,
            source_task_id=task_id,
            reason=reason,
            pattern=pattern,
            request_digest=request_digest,
        )
        for text in texts
        if not text.startswith(CONTEXT_BOUND_ADVICE) and is_safe_heuristic(text, untrusted)
    ]


def evaluation_of(validation: Any) -> dict[str, Any]:
    """The evaluation dict the trainer reads, from a ``Validation``: validator fields only."""
    return {
        "success": bool(validation.overall_success),
        "score": float(validation.quality_score),
        "suggestions": list(validation.suggestions),
        "failed_checks": [c.criterion.kind.value for c in validation.criteria if c.passed is False],
        "data_type_match": bool(validation.data_type_match),
    }


class AutoTrainer:
    """Suggests training actions from evaluations and lessons; applies heuristic updates."""

    def __init__(self, reflective_memory: ReflectiveMemory | None = None):
        self._memory = reflective_memory

    def suggest_from_evaluation(
        self,
        task_id: str,
        evaluation: dict[str, Any],
        *,
        untrusted: list[str] | None = None,
        pattern: str = "",
        request: str = "",
    ) -> list[TrainingSuggestion]:
        """Suggestions from one validator evaluation.

        Heuristics come from the validator's suggestions (at most five); a failed or low-scoring
        task adds a fine-tune dataset record, and wrong-kind content a prompt-tuning note.

        Args:
            task_id: The task (thread and step) the evaluation belongs to.
            evaluation: ``success``, ``score``, ``suggestions`` (see ``evaluation_of``).
            untrusted: Tool output and model answers of the task; a suggestion quoting them is
                refused (memory-poisoning guard).
            pattern: The request pattern, so a heuristic can later be shown for its kind.
            request: The user's request; only its digest is kept.
        """
        taint = untrusted or []
        digest = request_digest(request) if request else ""
        success = bool(evaluation.get("success", False))
        score = float(evaluation.get("score", 0.5))
        ev_suggestions = [str(s) for s in evaluation.get("suggestions", [])]
        out = _heuristics(
            ev_suggestions[:MAX_EVAL_SUGGESTIONS],
            taint,
            task_id,
            "from a validator suggestion",
            pattern=pattern,
            request_digest=digest,
        )
        if not success or score < LOW_SCORE:
            out.append(
                TrainingSuggestion(
                    kind=SuggestionKind.FINE_TUNE_DATASET,
                    key=f"training_target_{task_id}",
                    value={
                        "task_id": task_id,
                        "outcome": "low_score" if success else "failed",
                        "score": score,
                        "failed_checks": evaluation.get("failed_checks", []),
                    },
                    source_task_id=task_id,
                    reason="the task failed or scored low; pair it with a later success for tuning",
                )
            )
        if not evaluation.get("data_type_match", True):
            out.append(
                TrainingSuggestion(
                    kind=SuggestionKind.PROMPT_TUNING,
                    key=f"prompt_type_{task_id}",
                    value={"task_id": task_id, "problem": "delivered the wrong kind of content"},
                    source_task_id=task_id,
                    reason="the action prompt did not make the model deliver the requested kind",
                )
            )
        return out

    def suggest_from_lessons(self, limit_lessons: int = 20) -> list[TrainingSuggestion]:
        """Suggestions from recent lessons.

        Heuristics come from each lesson's suggestions (two each); a strategy-parameter
        suggestion is added when recent lessons are mostly failures (replay less, explore more).
        """
        if self._memory is None:
            return []
        recent = self._memory.get_lessons(limit=limit_lessons)[-10:]
        out: list[TrainingSuggestion] = []
        for lesson in recent:
            ev, tid = lesson.get("evaluation", {}), str(lesson.get("task_id", "unknown"))
            texts = [str(s) for s in ev.get("suggestions", [])][:MAX_LESSON_SUGGESTIONS]
            out.extend(_heuristics(texts, [], tid, "from a reflective lesson"))
        failures = [x for x in recent if not x.get("evaluation", {}).get("success")]
        if len(failures) >= STRUGGLING_FAILURES and len(failures) * 2 > len(recent):
            tid = str(failures[-1].get("task_id", "unknown"))
            out.append(
                TrainingSuggestion(
                    kind=SuggestionKind.STRATEGY_PARAMETER,
                    key="confident_mean",
                    value={
                        "current": "default",
                        "suggested": "raise, to replay less and explore more",
                        "failures": len(failures),
                        "window": len(recent),
                    },
                    source_task_id=tid,
                    reason="most recent outcomes failed validation",
                )
            )
        return out

    def apply_heuristic_updates(self, suggestions: list[TrainingSuggestion]) -> int:
        """Apply heuristic updates; record every other kind. Returns heuristics applied."""
        if self._memory is None:
            return 0
        applied = 0
        for s in suggestions:
            if s.kind == SuggestionKind.HEURISTIC_UPDATE:
                self._memory.set_heuristic(s)
                applied += 1
            else:
                self._memory.record_suggestion(s)
        return applied

    def run_auto_training(
        self,
        task_id: str | None = None,
        evaluation: dict[str, Any] | None = None,
        apply_heuristics: bool = True,
        *,
        untrusted: list[str] | None = None,
        include_lessons: bool = True,
        pattern: str = "",
        request: str = "",
    ) -> list[TrainingSuggestion]:
        """Suggest, then (optionally) apply; returns every suggestion for logging or export.

        Suggestions come from the evaluation, when there is one, and from recent lessons.
        """
        suggestions: list[TrainingSuggestion] = []
        if task_id and evaluation:
            suggestions.extend(
                self.suggest_from_evaluation(
                    task_id, evaluation, untrusted=untrusted, pattern=pattern, request=request
                )
            )
        if include_lessons:
            suggestions.extend(self.suggest_from_lessons())
        if apply_heuristics:
            self.apply_heuristic_updates(suggestions)
        return suggestions
