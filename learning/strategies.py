"""Outcome events per (request pattern, action template), aggregated on read.

Every outcome is its own append-only item, keyed by a fresh id, so concurrent runs never
overwrite each other's counts; strategies are computed from the events when read.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from ..state.models import StrategyView
from .actions import GUIDANCE
from .patterns import pattern_key
from .store_io import aput, asearch_all

ROOT = "adaptive_react"


class OutcomeEvent(BaseModel):
    """One validated (or failed) outcome of an action."""

    pattern: str
    template: str
    success: bool
    score: float = Field(ge=0.0, le=1.0)
    lesson: str = ""
    request: str = ""
    thread_id: str = ""
    step: int = 0
    action_prompt: str = ""
    content_excerpt: str = ""
    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    ts: float = Field(default_factory=time.time)


class StrategyStore:
    """Learned strategies of one namespace (a user or tenant), optionally plus a shared one."""

    def __init__(self, store: BaseStore, namespace: str = "default", shared: str | None = None):
        if not namespace or "." in namespace:
            raise ValueError(f"invalid strategy namespace {namespace!r} (non-empty, no dots)")
        self.store = store
        self.namespace = namespace
        self.shared = shared

    def _events_ns(self, pattern: str, namespace: str | None = None) -> tuple[str, ...]:
        return (ROOT, namespace or self.namespace, "events", pattern_key(pattern))

    async def record(self, event: OutcomeEvent) -> None:
        """Append one outcome; the event id doubles as an idempotency key on replays."""
        await aput(
            self.store, self._events_ns(event.pattern), event.event_id, event.model_dump()
        )

    async def events(self, pattern: str) -> list[OutcomeEvent]:
        """All outcomes recorded for a pattern (own namespace, then the shared one)."""
        namespaces = [self.namespace] + ([self.shared] if self.shared else [])
        out: list[OutcomeEvent] = []
        for ns in namespaces:
            items = await asearch_all(self.store, self._events_ns(pattern, ns))
            out.extend(OutcomeEvent.model_validate(i.value) for i in items)
        return out

    async def strategies(self, pattern: str, *, rng: random.Random | None = None) -> list[StrategyView]:
        """Templates tried for a pattern, ranked by a Thompson draw on their success counts."""
        return rank(aggregate(await self.events(pattern)), rng=rng)


def aggregate(events: list[OutcomeEvent]) -> list[StrategyView]:
    """Fold events into one view per template."""
    groups: dict[tuple[str, str], list[OutcomeEvent]] = defaultdict(list)
    for e in events:
        groups[(e.pattern, e.template)].append(e)
    views = []
    for (pattern, template), evs in groups.items():
        lessons: list[str] = []
        for e in sorted(evs, key=lambda e: e.ts, reverse=True):
            if e.lesson and e.lesson not in lessons:
                lessons.append(e.lesson)
        views.append(
            StrategyView(
                pattern=pattern,
                template=template,
                attempts=len(evs),
                successes=sum(e.success for e in evs),
                mean_score=sum(e.score for e in evs) / len(evs),
                guidance=GUIDANCE.get(template, ""),
                lessons=lessons[:3],
            )
        )
    return views


def rank(views: list[StrategyView], *, rng: random.Random | None = None) -> list[StrategyView]:
    """Order by a Beta(1 + successes, 1 + failures) draw: exploit what works, still explore."""
    draw = (rng or random.Random()).betavariate
    ranked = [
        v.model_copy(update={"sampled": draw(1 + v.successes, 1 + v.attempts - v.successes)})
        for v in views
    ]
    return sorted(ranked, key=lambda v: v.sampled or 0.0, reverse=True)


def avoid_list(views: list[StrategyView]) -> list[str]:
    """Templates that failed for this pattern and never succeeded."""
    return sorted(v.template for v in views if v.attempts and not v.successes)


def summarize(views: list[StrategyView]) -> dict[str, Any]:
    """Totals for reports."""
    return {
        "attempts": sum(v.attempts for v in views),
        "successes": sum(v.successes for v in views),
        "templates": len(views),
    }
