"""SQLite stores that survive a lost read snapshot.

LangGraph's SQLite stores run a batch in one deferred transaction: its reads first, then its
writes. In WAL mode, when another connection commits between the two, the first write finds
its snapshot stale and SQLite answers SQLITE_BUSY_SNAPSHOT at once, without the busy handler
that ``busy_timeout`` installs. Concurrent runs hit it whenever one run's search and another's
put share a batch (CI: the learn node of a LangServe batch died with "database is locked").
The same batch gets plain SQLITE_BUSY at once when, after its reads, another connection
holds the write lock: SQLite skips the busy handler for a transaction that already reads (it
could deadlock), so ``busy_timeout`` never waits (CI again, once recalled verdicts added reads
to every run). Either way the failure comes at the batch's first write, so the batch wrote
nothing and its reads are repeatable: it is run again after a pause.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable

from langgraph.store.base import Op, Result
from langgraph.store.sqlite import SqliteStore
from langgraph.store.sqlite.aio import AsyncSqliteStore

SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517
ATTEMPTS = 8
# A BUSY that took this long came from ``busy_timeout`` (30 s here) running out: a writer held
# the lock all that time, and another attempt would only wait it out again.
AT_ONCE_S = 10.0


def lost_race(exc: BaseException, waited_s: float) -> bool:
    """Whether a batch failed only because another connection wrote after its reads."""
    code = (
        getattr(exc, "sqlite_errorcode", None)
        if isinstance(exc, sqlite3.OperationalError)
        else None
    )
    return code == SQLITE_BUSY_SNAPSHOT or (code == SQLITE_BUSY and waited_s < AT_ONCE_S)


def _pause(attempt: int) -> float:
    return float(min(0.01 * 2**attempt, 0.5))


class PatientSqliteStore(SqliteStore):
    """``SqliteStore`` whose batches are retried when their snapshot goes stale."""

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the batch, again after a pause while only its snapshot was lost."""
        todo = list(ops)
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                return super().batch(todo)
            except sqlite3.OperationalError as exc:
                attempt += 1
                if not lost_race(exc, time.monotonic() - started) or attempt >= ATTEMPTS:
                    raise
                if self.conn.in_transaction:
                    self.conn.rollback()
                time.sleep(_pause(attempt))


class PatientAsyncSqliteStore(AsyncSqliteStore):
    """``AsyncSqliteStore`` whose batches are retried when their snapshot goes stale."""

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the batch, again after a pause while only its snapshot was lost."""
        todo = list(ops)
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                return await super().abatch(todo)
            except sqlite3.OperationalError as exc:
                attempt += 1
                if not lost_race(exc, time.monotonic() - started) or attempt >= ATTEMPTS:
                    raise
                if self.conn.in_transaction:
                    await self.conn.rollback()
                await asyncio.sleep(_pause(attempt))
