"""Model faults: which errors are worth a retry, and a per-node tally of what went wrong.

Transient transport errors (rate limits, timeouts, dropped connections, 5xx) are retried by
the graph's node retry policy; invalid structured output is repaired or replaced by a
deterministic fallback. Neither should vanish silently: nodes collect a tally that ends up in
the run's ``faults`` output so a caller sees what failed and how often.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_TALLY: ContextVar[Counter[str] | None] = ContextVar("adaptive_react_faults", default=None)


def transient_kind(exc: BaseException) -> str | None:
    """Which transient fault ``exc`` is: rate_limit, timeout, connection, server_error, or None."""
    import httpx
    import openai  # a dependency of langchain-openai, itself a core dependency

    if isinstance(exc, openai.RateLimitError):
        return "rate_limit"
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.InternalServerError):
        return "server_error"
    if isinstance(exc, openai.APIStatusError) and exc.status_code in (408, 409, 429):
        return "rate_limit" if exc.status_code == 429 else "timeout"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return "connection"
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code >= 500:
        return "server_error"
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether a node that raised ``exc`` should be retried (LangGraph ``retry_on``)."""
    return transient_kind(exc) is not None


def record(kind: str, n: int = 1) -> None:
    """Count a fault against the node that is running (a no-op outside one)."""
    tally = _TALLY.get()
    if tally is not None:
        tally[kind] += n


@contextmanager
def collecting() -> Iterator[Counter[str]]:
    """Collect the faults recorded while the block runs (nested blocks see their own)."""
    tally: Counter[str] = Counter()
    token = _TALLY.set(tally)
    try:
        yield tally
    finally:
        _TALLY.reset(token)
