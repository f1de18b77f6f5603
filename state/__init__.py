"""Typed state, runtime context and boundary models; knows no behaviour."""

from .context import Context
from .graph_state import InputState, OutputState, ReactState
from .models import (
    ActionResult,
    ActionSelection,
    ContentKind,
    Criterion,
    CriterionKind,
    CriterionResult,
    DataType,
    Decision,
    FailedAttempt,
    Intent,
    Observation,
    OutputFormat,
    Progress,
    QualityRequirements,
    StepRecord,
    StrategyView,
    ToolSpec,
    Validation,
)

__all__ = [
    "ActionResult",
    "ActionSelection",
    "ContentKind",
    "Context",
    "Criterion",
    "CriterionKind",
    "CriterionResult",
    "DataType",
    "Decision",
    "FailedAttempt",
    "InputState",
    "Intent",
    "Observation",
    "OutputFormat",
    "OutputState",
    "Progress",
    "QualityRequirements",
    "ReactState",
    "StepRecord",
    "StrategyView",
    "ToolSpec",
    "Validation",
]
