"""LangSmith tracing and offline evaluation.

Tracing is opt-in through LangSmith's own environment variables and nothing else:
``LANGSMITH_TRACING=true`` plus ``LANGSMITH_API_KEY`` (and optionally ``LANGSMITH_PROJECT``,
``LANGSMITH_ENDPOINT``). LangChain picks them up by itself; this module only makes the traces
readable: every node's run carries tags (``adaptive-react``, ``node:<name>``, ``mode:<mode>``)
and metadata (mode, intent, strategy, pattern, step) taken from the state it ran on, so runs can
be filtered by what was asked and which learned strategy answered it.

:func:`evaluate_tasks` scores the agent on a task suite with ``langsmith.evaluate`` and
``upload_runs=False``: it needs no network and no API key.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .nodes._tracing import TAG, annotate_node, node_metadata

__all__ = ["TAG", "annotate_node", "evaluate_tasks", "node_metadata", "tracing_enabled"]


def tracing_enabled() -> bool:
    """Whether LangSmith tracing is switched on by its environment variables."""
    flag = os.environ.get("LANGSMITH_TRACING") or os.environ.get("LANGCHAIN_TRACING_V2") or ""
    return flag.strip().lower() in ("1", "true", "yes")


def evaluate_tasks(
    target: Callable[[dict[str, Any]], dict[str, Any]],
    tasks: Iterable[Mapping[str, Any]],
    evaluators: Iterable[Callable[..., Any]],
    *,
    experiment_prefix: str = TAG,
    max_concurrency: int | None = 0,
    client: Any = None,
) -> Any:
    """Run ``langsmith.evaluate`` over ``tasks`` offline (``upload_runs=False``).

    Args:
        target: Maps a task's inputs (``{"request": ...}``) to the agent's output.
        tasks: Each ``{"inputs": {...}, "outputs": {...}}`` (outputs are the reference).
        evaluators: LangSmith evaluators, e.g. ``def solved(outputs, reference_outputs)``.
        experiment_prefix: Name prefix of the local experiment.
        max_concurrency: Parallel targets; 0 runs them one after another.
        client: A ``langsmith.Client``; default one that refuses every request locally, so
            nothing is sent anywhere and nothing waits on a network at exit.

    Returns:
        The ``ExperimentResults``; iterate it for ``run``/``example``/``evaluation_results``.
    """
    from langsmith import evaluate
    from langsmith.schemas import Example

    examples = [
        Example(
            id=uuid.UUID(int=i),
            dataset_id=uuid.UUID(int=0),
            inputs=dict(t["inputs"]),
            outputs=dict(t.get("outputs") or {}),
        )
        for i, t in enumerate(tasks, start=1)
    ]
    with warnings.catch_warnings():
        # upload_runs is marked beta by langsmith; offline evaluation is the point here.
        warnings.filterwarnings("ignore", message=".*upload_runs.* is in beta")
        return evaluate(
            _untraced(target),
            data=examples,
            evaluators=list(evaluators),
            experiment_prefix=experiment_prefix,
            upload_runs=False,
            max_concurrency=max_concurrency,
            client=client or offline_client(),
        )


def offline_client() -> Any:
    """A ``langsmith.Client`` whose every HTTP request fails at once, without a network."""
    import requests
    from langsmith import Client

    class _Refuse(requests.adapters.BaseAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            raise requests.ConnectionError("offline evaluation: nothing is uploaded")

        def close(self) -> None:
            pass

    session = requests.Session()
    for prefix in ("http://", "https://"):
        session.mount(prefix, _Refuse())
    return Client(
        api_url="http://offline.invalid",
        api_key="offline",
        session=session,
        info={},
        auto_batch_tracing=False,
    )


def _untraced(
    target: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    # evaluate() records the target's run locally when upload_runs=False, but LangChain code
    # inside the target would still attach its own uploading tracer (tracing_context is
    # "local", which it reads as on): without network that posts, fails and can hang at exit.
    from langsmith import tracing_context

    def run(inputs: dict[str, Any]) -> dict[str, Any]:
        with tracing_context(enabled=False):
            return target(inputs)

    run.__name__ = getattr(target, "__name__", "target")
    return run
