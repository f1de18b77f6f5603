"""The learning engine: which strategy to try, and what an outcome may teach.

The seed calls these ``getImprovedStrategy`` and ``learnFromFeedback``. Selection is Thompson
sampling on each template's validated success counts with a Beta prior (exploit what worked,
keep exploring what is uncertain), plus an avoid-list of templates that only ever failed for the
pattern. Updates come from *validated* outcomes only: success is the validator's verdict, never
the tool's or the model's claim, so a failed validation can lower a strategy but can never make
one look successful; and lessons pass the poisoning guard before they are stored.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NotRequired, TypedDict, Unpack

from pydantic import BaseModel, Field

from ..state.models import StrategyView, Validation
from .auto_trainer import AutoTrainer, ReflectiveMemory, evaluation_of
from .strategies import PRIOR, OutcomeEvent, StrategyStore, avoid_list, posterior_mean

# A learned template is replayed without asking the model once its posterior mean success
# reaches this; below it the model plans with the Thompson-ranked strategies in its prompt.
CONFIDENT_MEAN = 0.6


class Outcome(TypedDict):
    """What an outcome records beside the validator's verdict (see ``learn_from_feedback``)."""

    pattern: str
    template: str
    lesson: str
    request: str
    thread_id: NotRequired[str]
    step: NotRequired[int]
    action_prompt: NotRequired[str]


class StrategyChoice(BaseModel):
    """What plan_select needs from learning for one planning step."""

    ranked: list[StrategyView] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    confident: StrategyView | None = Field(
        default=None, description="A template worth replaying without planning, if any."
    )


class LearningEngine:
    """Strategy selection and guarded updates over one ``StrategyStore``."""

    def __init__(
        self,
        strategies: StrategyStore,
        *,
        prior: tuple[float, float] = PRIOR,
        confident_mean: float = CONFIDENT_MEAN,
        rng: random.Random | None = None,
    ):
        self.strategies = strategies
        self.prior = prior
        self.confident_mean = confident_mean
        self.rng = rng

    def get_improved_strategy(
        self,
        pattern: str,
        failed: set[str] | frozenset[str] = frozenset(),
        usable: Callable[[str], bool] = lambda _t: True,
    ) -> StrategyChoice:
        """Rank the pattern's templates and pick one to replay when the evidence is strong.

        Args:
            pattern: The request pattern (from the intent, so paraphrases share it).
            failed: Templates that already failed in this run; never replayed.
            usable: Whether a template can be turned into an action here (e.g. python allowed).
        """
        ranked = self.strategies.strategies(pattern, rng=self.rng, prior=self.prior)
        avoid = avoid_list(ranked)
        blocked = set(failed) | set(avoid)
        confident = next(
            (
                s
                for s in ranked
                if s.template not in blocked
                and usable(s.template)
                and s.successes
                and posterior_mean(s, self.prior) >= self.confident_mean
            ),
            None,
        )
        return StrategyChoice(ranked=ranked, avoid=avoid, confident=confident)

    def learn_from_feedback(
        self,
        *,
        pattern: str,
        template: str,
        validation: Validation,
        lesson: str,
        request: str = "",
        thread_id: str = "",
        step: int = 0,
        action_prompt: str = "",
        content: str = "",
        event_id: str | None = None,
    ) -> OutcomeEvent:
        """Record one outcome; success and score come from the validator and nothing else.

        ``content`` is kept only when validation passed (for training export); ``lesson`` is
        dropped by the store's guard unless it has the shape of our own lesson templates.
        """
        success = bool(validation.overall_success)
        event = OutcomeEvent(
            pattern=pattern,
            template=template,
            success=success,
            verdict=validation.verdict,
            # A failed outcome can lower the mean score but never count as a success.
            score=validation.quality_score if success else min(validation.quality_score, 0.99),
            lesson=lesson,
            request=request[:500],
            thread_id=thread_id,
            step=step,
            action_prompt=action_prompt[:4000],
            content_excerpt=content if success else "",
        )
        if event_id:
            event = event.model_copy(update={"event_id": event_id})
        return self.strategies.record(event)

    def record_checked_answer(
        self,
        task_id: str,
        validation: Validation,
        *,
        answer: str,
        untrusted: list[str],
        **outcome: Unpack[Outcome],
    ) -> None:
        """Everything one checked answer teaches: its outcome, its lesson, its heuristics.

        The react graph's learn node and the ``create_agent`` middleware both record an
        answer this way, so the two learn alike. ``task_id`` (thread, round or run, step)
        makes every write idempotent on a replay; without one (no thread) the outcome gets a
        fresh id and no lesson is kept, since a replay could not be told from a new attempt.
        ``answer`` is kept, as the validator cleaned it, only when it was verified;
        ``untrusted`` is the text a heuristic must not quote.
        """
        cleaned = validation.cleaned_content
        content = answer if cleaned is None else cleaned
        self.learn_from_feedback(
            validation=validation, content=content, event_id=task_id or None, **outcome
        )
        memory = ReflectiveMemory(self.strategies.store, self.strategies.namespace)
        evaluation = evaluation_of(validation)
        if task_id:
            memory.add_lesson(task_id, evaluation)
        AutoTrainer(memory).run_auto_training(
            task_id or f"step-{outcome.get('step', 0)}",
            evaluation,
            untrusted=untrusted,
            include_lessons=False,
            pattern=outcome["pattern"],
            request=outcome["request"],
        )
