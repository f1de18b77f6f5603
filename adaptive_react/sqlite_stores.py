"""SQLite stores that survive a lost read snapshot.

LangGraph's SQLite stores run a batch in one deferred transaction: its reads first, then its
writes. In WAL mode, when another connection commits between the two, the first write finds
its snapshot stale and SQLite answers SQLITE_BUSY_SNAPSHOT at once, without the busy handler
that ``busy_timeout`` installs. Concurrent runs hit it whenever one run's search and another's
put share a batch (CI: the learn node of a LangServe batch died with "database is locked").
A batch that failed there wrote nothing and its reads are repeatable, so it is run again.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable

from langgraph.store.base import Op, Result
from langgraph.store.sqlite import SqliteStore
from langgraph.store.sqlite.aio import AsyncSqliteStore

SQLITE_BUSY_SNAPSHOT = 517
ATTEMPTS = 8


def lost_snapshot(exc: BaseException) -> bool:
    """Whether a write failed only because another connection committed after our reads."""
    return (
        isinstance(exc, sqlite3.OperationalError)
        and getattr(exc, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT
    )


def _pause(attempt: int) -> float:
    return float(min(0.01 * 2**attempt, 0.5))


class PatientSqliteStore(SqliteStore):
    """``SqliteStore`` whose batches are retried when their snapshot goes stale."""

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the batch, again after a pause while only its snapshot was lost."""
        todo = list(ops)
        attempt = 0
        while True:
            try:
                return super().batch(todo)
            except sqlite3.OperationalError as exc:
                attempt += 1
                if not lost_snapshot(exc) or attempt >= ATTEMPTS:
                    raise
                time.sleep(_pause(attempt))


class PatientAsyncSqliteStore(AsyncSqliteStore):
    """``AsyncSqliteStore`` whose batches are retried when their snapshot goes stale."""

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the batch, again after a pause while only its snapshot was lost."""
        todo = list(ops)
        attempt = 0
        while True:
            try:
                return await super().abatch(todo)
            except sqlite3.OperationalError as exc:
                attempt += 1
                if not lost_snapshot(exc) or attempt >= ATTEMPTS:
                    raise
                await asyncio.sleep(_pause(attempt))
