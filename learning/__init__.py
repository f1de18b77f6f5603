"""Learning across runs: patterns, action templates, strategy store, engine, skills, progress.

A library below the nodes: plan_select asks the engine what to try, learn records what the
validator concluded, refine_decide asks the progress tracker whether to go on.
"""

from .actions import GUIDANCE, action_template, default_order
from .auto_trainer import AutoTrainer, ReflectiveMemory, SuggestionKind, TrainingSuggestion
from .engine import CONFIDENT_MEAN, LearningEngine, StrategyChoice
from .patterns import pattern_label, request_pattern
from .progress import next_actions, should_continue, update_progress
from .strategies import (
    OutcomeEvent,
    StrategyRecord,
    StrategyStore,
    aggregate,
    avoid_list,
    rank,
)

__all__ = [
    "CONFIDENT_MEAN",
    "GUIDANCE",
    "AutoTrainer",
    "LearningEngine",
    "OutcomeEvent",
    "ReflectiveMemory",
    "StrategyChoice",
    "StrategyRecord",
    "StrategyStore",
    "SuggestionKind",
    "TrainingSuggestion",
    "action_template",
    "aggregate",
    "avoid_list",
    "default_order",
    "next_actions",
    "pattern_label",
    "rank",
    "request_pattern",
    "should_continue",
    "update_progress",
]
