"""Errors raised while configuring or reaching a chat model."""

from __future__ import annotations


class ModelConfigError(Exception):
    """A model could not be configured, fetched or reached.

    One exception type for every configuration failure so the CLI can print the
    message and exit cleanly instead of showing a traceback from deep inside a
    provider SDK. The message always says what to do next (which variable to
    set, which command to run).
    """
