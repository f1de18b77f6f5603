"""Reliability suite plumbing: the ``fault`` marker and the case counter the report reads.

Each test names its fault class with ``@pytest.mark.fault("...")`` and reports how many cases
it tried with the ``cases`` fixture; ``scripts/reliability_report.py`` folds those into the
table in docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fixtures.postgres import pg_server, pg_url  # noqa: F401 - fixtures for PG trials


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fault(name): the class of fault a reliability test exercises"
    )


@pytest.fixture
def cases(request: pytest.FixtureRequest) -> Callable[[int, str], None]:
    """Record ``n`` cases tried and a one-line outcome for the reliability report."""

    def record(n: int, outcome: str = "") -> None:
        request.node.user_properties.append(("cases", n))
        if outcome:
            request.node.user_properties.append(("outcome", outcome))

    return record


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow reliability trials run only when asked for (``-m slow`` or any ``-m``)."""
    if config.option.markexpr:
        return
    skip = pytest.mark.skip(
        reason="slow trial: run `python -m pytest tests/reliability -m slow` "
        "or `python scripts/reliability_report.py`"
    )
    for item in items:
        if "reliability" in item.path.parts and item.get_closest_marker("slow"):
            item.add_marker(skip)
