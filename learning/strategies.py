"""Outcome events per (request pattern, action template), aggregated on read.

Every outcome is its own append-only item, keyed by a fresh id, so concurrent runs (threads,
processes, servers sharing one database) never overwrite each other's counts; strategies are
computed from the events when read. Store layout, per namespace ``ns`` (a user or tenant)::

    ("adaptive_react", ns, "events", <pattern key>)   one item per outcome event
    ("adaptive_react", ns, "skills")                 one verified program per pattern
    ("adaptive_react", ns, "reflective", ...)        lessons, heuristics, training suggestions

A run reads its own namespace plus the optional shared one and writes only its own, so one
user's lessons never steer another's unless a shared namespace is configured.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from ..state.models import StrategyView
from .actions import GUIDANCE
from .guard import is_known_template, is_safe_lesson
from .patterns import pattern_key
from .store_io import ROOT, delete, put, search_all

MAX_CONTENT_CHARS = 50_000
MAX_EXAMPLES = 3
MAX_LESSONS = 3

# Beta(1, 1): a uniform prior, so an untried template is as likely to be drawn as one that
# succeeded half the time, and a single success is not yet certainty.
PRIOR = (1.0, 1.0)


class OutcomeEvent(BaseModel):
    """One validated (or failed) outcome of an action."""

    pattern: str
    template: str
    success: bool
    verdict: str = Field(
        default="",
        description="verified, rejected or unverified; success "
        "is true only for verified outcomes, so nothing unproven is learned.",
    )
    score: float = Field(ge=0.0, le=1.0)
    lesson: str = ""
    request: str = ""
    thread_id: str = ""
    step: int = 0
    action_prompt: str = ""
    content_excerpt: str = Field(
        default="", description="The validated content (successes only), for training export."
    )
    content_truncated: bool = False
    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    ts: float = Field(default_factory=time.time)


class StrategyRecord(BaseModel):
    """What was learned for one (pattern, template): the view ``strategies list/show`` prints."""

    pattern: str
    template: str
    attempts: int
    successes: int
    success_rate: float
    mean_score: float
    last_used: float
    example_requests: list[str] = Field(default_factory=list)
    lessons: list[str] = Field(default_factory=list)
    guidance: str = ""


def validate_event(event: OutcomeEvent) -> OutcomeEvent:
    """Apply the poisoning guard to an event before it is stored.

    A lesson that does not have the shape of our own lesson templates is dropped (the outcome
    still counts), and content is kept only for validated successes, so nothing an action
    produced that failed validation is ever kept.

    Raises:
        ValueError: When the template is not in the ``tool:approach`` vocabulary.
    """
    if not is_known_template(event.template):
        raise ValueError(f"unknown action template {event.template!r}")
    update: dict[str, Any] = {}
    if event.lesson and not is_safe_lesson(event.lesson):
        update["lesson"] = ""
    if not event.success and event.content_excerpt:
        update["content_excerpt"] = ""
    if len(event.content_excerpt) > MAX_CONTENT_CHARS:
        update["content_excerpt"] = event.content_excerpt[:MAX_CONTENT_CHARS]
        update["content_truncated"] = True
    return event.model_copy(update=update) if update else event


class StrategyStore:
    """Learned strategies of one namespace (a user or tenant), optionally plus a shared one."""

    def __init__(self, store: BaseStore, namespace: str = "default", shared: str | None = None):
        for ns in (namespace, shared):
            if ns is not None and (not ns or "." in ns):
                raise ValueError(f"invalid strategy namespace {ns!r} (non-empty, no dots)")
        self.store = store
        self.namespace = namespace
        self.shared = shared if shared != namespace else None

    def _events_ns(self, pattern: str, namespace: str | None = None) -> tuple[str, ...]:
        return (*self._root(namespace), pattern_key(pattern))

    def _root(self, namespace: str | None = None) -> tuple[str, ...]:
        return (ROOT, namespace or self.namespace, "events")

    def _spaces(self, include_shared: bool) -> list[str]:
        return [self.namespace] + ([self.shared] if self.shared and include_shared else [])

    def _read(self, prefix: tuple[str, ...]) -> list[OutcomeEvent]:
        return [OutcomeEvent.model_validate(i.value) for i in search_all(self.store, prefix)]

    def record(self, event: OutcomeEvent) -> OutcomeEvent:
        """Append one outcome (guarded); the event id doubles as an idempotency key on replays."""
        event = validate_event(event)
        put(self.store, self._events_ns(event.pattern), event.event_id, event.model_dump())
        return event

    def events(self, pattern: str, *, include_shared: bool = True) -> list[OutcomeEvent]:
        """All outcomes recorded for a pattern (own namespace, then the shared one)."""
        spaces = self._spaces(include_shared)
        return [e for ns in spaces for e in self._read(self._events_ns(pattern, ns))]

    def all_events(self, *, include_shared: bool = False) -> list[OutcomeEvent]:
        """Every outcome of the namespace (and the shared one when asked), oldest first."""
        spaces = self._spaces(include_shared)
        return sorted((e for ns in spaces for e in self._read(self._root(ns))), key=lambda e: e.ts)

    def strategies(
        self,
        pattern: str,
        *,
        rng: random.Random | None = None,
        prior: tuple[float, float] = PRIOR,
    ) -> list[StrategyView]:
        """Templates tried for a pattern, ranked by a Thompson draw on their success counts."""
        return rank(aggregate(self.events(pattern)), rng=rng, prior=prior)

    def records(
        self, pattern: str | None = None, *, include_shared: bool = False
    ) -> list[StrategyRecord]:
        """Per (pattern, template) records, most attempted first: what was learned."""
        events = (
            self.all_events(include_shared=include_shared)
            if pattern is None
            else self.events(pattern, include_shared=include_shared)
        )
        return sorted(records_of(events), key=lambda r: (r.pattern, -r.attempts, r.template))

    def patterns(self) -> list[str]:
        """Patterns with at least one outcome in this namespace."""
        return sorted({e.pattern for e in self.all_events()})

    def forget(self, pattern: str, template: str | None = None) -> int:
        """Delete a pattern's outcomes (or one template's) in this namespace; returns how many."""
        items = search_all(self.store, self._events_ns(pattern))
        doomed = [i for i in items if template is None or i.value.get("template") == template]
        return delete(self.store, doomed)

    def reset(self) -> int:
        """Delete every outcome of this namespace (skills and reflective memory are separate)."""
        return delete(self.store, search_all(self.store, self._root()))


def records_of(events: list[OutcomeEvent]) -> list[StrategyRecord]:
    """Fold events into one record per (pattern, template)."""
    groups: dict[tuple[str, str], list[OutcomeEvent]] = defaultdict(list)
    for e in events:
        groups[(e.pattern, e.template)].append(e)
    out = []
    for (pattern, template), evs in groups.items():
        newest = sorted(evs, key=lambda e: e.ts, reverse=True)
        successes = sum(e.success for e in evs)
        out.append(
            StrategyRecord(
                pattern=pattern,
                template=template,
                attempts=len(evs),
                successes=successes,
                success_rate=successes / len(evs),
                mean_score=sum(e.score for e in evs) / len(evs),
                last_used=newest[0].ts,
                example_requests=_first_distinct((e.request for e in newest), MAX_EXAMPLES),
                lessons=_first_distinct((e.lesson for e in newest), MAX_LESSONS),
                guidance=GUIDANCE.get(template, ""),
            )
        )
    return out


def _first_distinct(texts: Iterable[str], limit: int) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))[:limit]


def aggregate(events: list[OutcomeEvent]) -> list[StrategyView]:
    """Fold events into one view per template, as plan_select consumes them."""
    return [StrategyView.model_validate(r.model_dump()) for r in records_of(events)]


def rank(
    views: list[StrategyView],
    *,
    rng: random.Random | None = None,
    prior: tuple[float, float] = PRIOR,
) -> list[StrategyView]:
    """Order by a Beta(a + successes, b + failures) draw: exploit what works, still explore."""
    draw = (rng or random.Random()).betavariate
    a, b = prior
    ranked = [
        v.model_copy(update={"sampled": draw(a + v.successes, b + v.attempts - v.successes)})
        for v in views
    ]
    return sorted(ranked, key=lambda v: v.sampled or 0.0, reverse=True)


def posterior_mean(view: StrategyView, prior: tuple[float, float] = PRIOR) -> float:
    """The expected success rate under the prior: what "confident" is measured against."""
    a, b = prior
    return (a + view.successes) / (a + b + view.attempts)


def avoid_list(views: list[StrategyView]) -> list[str]:
    """Templates that failed for this pattern and never succeeded."""
    return sorted(v.template for v in views if v.attempts and not v.successes)
