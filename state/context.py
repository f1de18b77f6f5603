"""Per-run configuration, passed as ``context=`` and read as ``runtime.context``.

Nothing here reads the environment: callers (Python, the CLI, servers) decide explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(kw_only=True)
class Context:
    """Settings for one run of the adaptive agent."""

    model: Any = field(
        default="local",
        metadata={
            "description": "A 'provider:model' string (e.g. 'openai:gpt-4o-mini'), 'local', "
            "'local-small', an OpenAI-compatible base URL, or a chat model object from Python."
        },
    )
    max_steps: int = field(
        default=8, metadata={"description": "Act/validate cycles allowed before stopping."}
    )
    namespace: str = field(
        default="default",
        metadata={"description": "User or tenant that learned strategies belong to."},
    )
    shared_namespace: str | None = field(
        default=None,
        metadata={"description": "Optional team namespace read in addition to the user's own."},
    )
    temperature: float = field(
        default=0.0, metadata={"description": "Sampling temperature of the first attempt."}
    )
    retry_temperature: float = field(
        default=0.7,
        metadata={"description": "Temperature for retries, so a retry is not the same answer."},
    )
    allow_python: bool = field(
        default=True, metadata={"description": "Offer the sandboxed python tool."}
    )
    require_approval: bool = field(
        default=False,
        metadata={"description": "Ask a human (interrupt) before any code runs."},
    )
    python_timeout_s: float = field(
        default=20.0, metadata={"description": "Wall-clock limit for one python action."}
    )
    output_dir: str | None = field(
        default=None,
        metadata={"description": "Where document actions write files (a temp dir if unset)."},
    )
    use_skills: bool = field(
        default=True, metadata={"description": "Reuse verified skills for known patterns."}
    )
    learning: bool = field(default=True, metadata={"description": "Record outcomes in the store."})
    trust_judge: bool | None = field(
        default=None,
        metadata={
            "description": "Whether a model judge's approval counts as proof. None decides by "
            "model: a small embedded model's judgement is recorded as weak evidence, so what "
            "only it approved ends 'unverified' rather than successful."
        },
    )
    check_agreement: bool = field(
        default=True,
        metadata={
            "description": "Prove a single answer no rule can check by a second, independent "
            "route (a program against a direct answer); disagreement is a finding."
        },
    )
    validators: Any = field(
        default=(),
        metadata={
            "description": "The caller's own checks: callables (request, intent, deliverable) "
            "-> bool, (passed, detail) or {'passed', 'detail'}, sync or async. Python only."
        },
    )
    trust_learned_intent: bool = field(
        default=True,
        metadata={
            "description": "Skip the intent model call for an exact repeat of a verified "
            "request (its kept intent is reused), or when the rules read the request "
            "unambiguously and a verified skill or confident strategy exists for its pattern."
        },
    )

    plan_by_rules: bool = field(
        default=True,
        metadata={
            "description": "On first sight, with only the built-in tools and no files, take "
            "the default action for a request the rules read unambiguously instead of asking "
            "the planner."
        },
    )

    def __post_init__(self) -> None:
        # A validator that is not callable would only fail at the end of a run's first step;
        # refuse it where it is configured instead.
        validators = self.validators
        if callable(validators):
            validators = (validators,)
        if not isinstance(validators, (list, tuple)):
            raise ValueError(
                "validators must be a list of callables "
                f"(request, intent, deliverable), got {type(validators).__name__}"
            )
        for check in validators:
            if not callable(check):
                raise ValueError(f"validator {check!r} is not callable")
        self.validators = tuple(validators)
