"""Learning across runs: patterns, action templates, strategy store, progress tracking."""

from .actions import GUIDANCE, action_template, default_order
from .patterns import pattern_label, request_pattern
from .progress import should_continue, update_progress
from .strategies import OutcomeEvent, StrategyStore, aggregate, avoid_list, rank

__all__ = [
    "GUIDANCE",
    "OutcomeEvent",
    "StrategyStore",
    "action_template",
    "aggregate",
    "avoid_list",
    "default_order",
    "pattern_label",
    "rank",
    "request_pattern",
    "should_continue",
    "update_progress",
]
