"""Fixtures shared by the graph tests."""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore

from adaptive_react.persistence import open_persistence


@pytest.fixture(params=["memory", "sqlite"])
def learning_store(request, tmp_path):
    """Each store learning is kept in: in memory, and the SQLite store the CLI opens."""
    if request.param == "memory":
        yield InMemoryStore()
        return
    with open_persistence(str(tmp_path / "db.sqlite")) as (_, sqlite):
        yield sqlite
