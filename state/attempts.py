"""What each attempt of a round was and what it produced, as the retry logic reads it.

Kept apart from ``models`` because only the react loop's retries read it; registered for the
checkpoint allowlist like every other state model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Attempt(BaseModel):
    """One action of a round: the approach it took and a bounded record of its output."""

    request_id: str = Field(description="The round it belongs to; other rounds' are ignored.")
    step: int
    approach: str = Field(
        description="How it was produced: 'first', 'repair', 'fresh', 'short' or 'ai_data'."
    )
    tool: str
    program: str = Field(default="", description="The program a python attempt ran.")
    excerpt: str = Field(default="", description="The head and tail of what it printed.")
    output_chars: int = 0
    output_key: str = Field(
        default="", description="Hash of the normalised output (or error): equal means repeat."
    )
    error: str | None = None
    traceback: str = Field(default="", description="The last lines of the program's stderr.")
    repeat: bool = Field(default=False, description="Its output was already seen this round.")
