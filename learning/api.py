"""Inspect and move what was learned, from Python: the same operations as the CLI.

Users must be able to trust what the agent learned, so every record is visible (counts,
success rates, lessons, example requests), can be forgotten, and can be exported to a
documented JSON file and imported elsewhere (validated on the way in).

Export format (``format: "adaptive-react-strategies"``, ``version: 1``)::

    {"format": "adaptive-react-strategies", "version": 1, "namespace": "<source namespace>",
     "exported_at": <unix time>,
     "events": [<OutcomeEvent>, ...],      # pattern, template, success, score, lesson, ...
     "skills": [<Skill>, ...]}             # verified programs with lifted parameters

Events rather than totals travel, so an import merges by event id (importing twice changes
nothing) and counts stay aggregate-on-read. On import every event passes the same guard as a
live outcome: unknown templates are refused, lessons not in our own lesson grammar are
dropped, content of failed outcomes is discarded. Skills are code, so they are imported only
when asked (``include_skills=True``); they are still re-validated on every use.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field, ValidationError

from ..analysis import rules_intent
from .auto_trainer import ReflectiveMemory, TrainingSuggestion
from .patterns import pattern_key, request_pattern
from .skills import Skill, forget_skill, load_skill, skills_namespace
from .store_io import ROOT, delete, put, search_all
from .strategies import OutcomeEvent, StrategyRecord, StrategyStore, validate_event
from .training_export import FORMATS, training_pairs, write_openai_chat
from .verified import VerifiedAnswers, VerifiedIntents

EXPORT_FORMAT = "adaptive-react-strategies"
EXPORT_VERSION = 1

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "ImportReport",
    "StrategyExport",
    "export_strategies",
    "export_training",
    "forget_strategy",
    "import_strategies",
    "list_strategies",
    "pending_training_suggestions",
    "reset_strategies",
    "resolve_pattern",
    "show_strategy",
]


class StrategyExport(BaseModel):
    """The documented export file, validated on import."""

    format: str = EXPORT_FORMAT
    version: int = EXPORT_VERSION
    namespace: str = "default"
    exported_at: float = Field(default_factory=time.time)
    events: list[OutcomeEvent] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)


class ImportReport(BaseModel):
    """What an import did."""

    events: int = 0
    skills: int = 0
    lessons_dropped: int = 0
    rejected: list[str] = Field(default_factory=list)


def resolve_pattern(pattern_or_request: str) -> str:
    """A pattern key as stored, from a pattern (``numbers/raw_data/...``) or a request text.

    A request is read with the deterministic intent rules, so ``show "first 30 primes"``
    finds what runs of that kind of request learned (runs may refine the intent with a model,
    so ``list`` shows the exact patterns).
    """
    text = pattern_or_request.strip()
    parts = text.split("/")
    if len(parts) == 3 and " " not in text:
        return text
    return request_pattern(rules_intent(text))


def list_strategies(
    store: BaseStore, namespace: str = "default", *, shared: str | None = None
) -> list[StrategyRecord]:
    """Every (pattern, template) record of a namespace, plus the shared one when given."""
    return StrategyStore(store, namespace, shared).records(include_shared=shared is not None)


def show_strategy(
    store: BaseStore, pattern_or_request: str, namespace: str = "default"
) -> dict[str, Any]:
    """One pattern in full: its records, its skill, and the heuristics learned overall."""
    pattern = resolve_pattern(pattern_or_request)
    skill = load_skill(store, namespace, pattern)
    return {
        "pattern": pattern,
        "records": [
            r.model_dump(mode="json") for r in StrategyStore(store, namespace).records(pattern)
        ],
        "skill": skill.model_dump(mode="json") if skill else None,
        "heuristics": ReflectiveMemory(store, namespace).get_all_heuristics(),
    }


def forget_strategy(
    store: BaseStore,
    pattern_or_request: str,
    namespace: str = "default",
    template: str | None = None,
) -> int:
    """Forget a pattern (its outcomes and skill) or one template of it; returns events deleted."""
    pattern = resolve_pattern(pattern_or_request)
    n = StrategyStore(store, namespace).forget(pattern, template)
    if template is None or template.startswith("skill:"):
        forget_skill(store, namespace, pattern)
    return n


def reset_strategies(store: BaseStore, namespace: str = "default") -> int:
    """Forget everything a namespace learned: outcomes, skills, memory, verdicts, intents."""
    n = StrategyStore(store, namespace).reset()
    for prefix in (
        skills_namespace(namespace),
        (ROOT, namespace, "reflective"),
        VerifiedAnswers(store, namespace).namespace,
        VerifiedIntents(store, namespace).namespace,
    ):
        delete(store, search_all(store, prefix))
    return n


def export_strategies(store: BaseStore, namespace: str = "default") -> dict[str, Any]:
    """The namespace's outcomes and skills in the documented export format."""
    events = StrategyStore(store, namespace).all_events()
    skills = [Skill.model_validate(i.value) for i in search_all(store, skills_namespace(namespace))]
    return StrategyExport(namespace=namespace, events=events, skills=skills).model_dump(mode="json")


def import_strategies(
    store: BaseStore,
    data: dict[str, Any],
    namespace: str = "default",
    *,
    include_skills: bool = False,
) -> ImportReport:
    """Validate an export and merge it into ``namespace``.

    Raises:
        ValueError: When the document is not a valid export (wrong format or version, or
            malformed fields); nothing is written then.
    """
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ValueError(f"not an {EXPORT_FORMAT} document")
    if data.get("version") != EXPORT_VERSION:
        raise ValueError(f"unsupported export version {data.get('version')!r}")
    try:
        doc = StrategyExport.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"invalid export: {exc}") from exc
    report = ImportReport()
    target = StrategyStore(store, namespace)
    accepted: list[OutcomeEvent] = []
    for e in doc.events:
        try:
            guarded = validate_event(e)
        except ValueError as exc:
            report.rejected.append(str(exc))
            continue
        report.lessons_dropped += bool(e.lesson) and not guarded.lesson
        accepted.append(guarded)
    skills: list[Skill] = []
    if include_skills:
        for sk in doc.skills:
            try:
                ast.parse(sk.code)
            except SyntaxError:
                report.rejected.append(f"skill for {sk.pattern!r} does not parse")
                continue
            skills.append(sk)
    for e in accepted:
        target.record(e)
    for sk in skills:
        put(store, skills_namespace(namespace), pattern_key(sk.pattern), sk.model_dump())
    report.events, report.skills = len(accepted), len(skills)
    return report


def export_training(
    store: BaseStore, out: str | Path, namespace: str = "default", fmt: str = "openai-chat"
) -> int:
    """Write failed tasks paired with later validated successes; returns lines written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    events = StrategyStore(store, namespace).all_events()
    return write_openai_chat(training_pairs(events), Path(out))


def pending_training_suggestions(
    store: BaseStore, namespace: str = "default"
) -> list[TrainingSuggestion]:
    """Suggestions the auto-trainer recorded for external pipelines (not applied here)."""
    return ReflectiveMemory(store, namespace).pending_suggestions()
