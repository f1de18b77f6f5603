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
    trust_learned_intent: bool = field(
        default=True,
        metadata={
            "description": "Skip the intent model call when the rules read the request "
            "unambiguously and a verified skill or confident strategy exists for its pattern."
        },
    )
