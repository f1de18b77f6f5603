"""PostgreSQL persistence: one connection pool shared by the checkpointer and the store.

Selected by ``--db postgresql://...`` (see :func:`adaptive_react.persistence.open_persistence`)
and by the servers. Both flavours set the schema up first, on a dedicated autocommit
connection: the migrations include ``CREATE INDEX CONCURRENTLY``, which PostgreSQL refuses
inside a transaction. Several processes may open the same database at once (scale-out):
``setup()`` is idempotent and each migration is recorded in a table.

Needs the ``postgres`` extra: ``pip install "adaptive-react[postgres]"``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.store.postgres import PostgresStore
from langgraph.store.postgres.aio import AsyncPostgresStore
from psycopg import Connection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

#: Connection settings the LangGraph savers expect: autocommit, no server-side prepared
#: statements (safe behind pgbouncer), rows as dicts.
CONNECTION_KWARGS: dict[str, Any] = {
    "autocommit": True,
    "prepare_threshold": 0,
    "row_factory": dict_row,
}

#: Default pool bounds; a CLI run needs one or two connections, a server a few per worker.
MIN_SIZE, MAX_SIZE = 1, 8

# The checkpointer and store serialise setup() with advisory locks so two processes
# starting together against a fresh database do not race on CREATE TABLE.
_SETUP_LOCK_KEY = 0x61646170  # "adap"


# Waiters poll pg_try_advisory_lock instead of blocking in pg_advisory_lock: a blocked
# session is an open transaction, and the holder's CREATE INDEX CONCURRENTLY waits for every
# open transaction to end - eight processes starting on a fresh database deadlocked that way.
_LOCK_POLL_S = 0.05
_TRY_LOCK_SQL = "SELECT pg_try_advisory_lock(%s) AS ok"
_UNLOCK_SQL = "SELECT pg_advisory_unlock(%s)"


def _setup(url: str) -> None:
    # Synchronous for both flavours (the async one runs it in a thread): the sync and async
    # savers and stores apply the same migrations.
    with Connection.connect(url, **CONNECTION_KWARGS) as conn:
        while not conn.execute(_TRY_LOCK_SQL, (_SETUP_LOCK_KEY,)).fetchone()["ok"]:  # type: ignore[index]
            time.sleep(_LOCK_POLL_S)
        try:
            PostgresSaver(conn).setup()  # type: ignore[arg-type]
            PostgresStore(conn).setup()  # type: ignore[arg-type]
        finally:
            conn.execute(_UNLOCK_SQL, (_SETUP_LOCK_KEY,))


@contextmanager
def open_postgres(url: str) -> Iterator[tuple[PostgresSaver, PostgresStore]]:
    """A synchronous ``PostgresSaver`` and ``PostgresStore`` on one pool, set up and closed here.

    Args:
        url: A ``postgresql://`` connection URL.

    Yields:
        The checkpointer and the store; the pool closes when the block exits.
    """
    _setup(url)
    with ConnectionPool(
        url, min_size=MIN_SIZE, max_size=MAX_SIZE, kwargs=CONNECTION_KWARGS, open=True
    ) as pool:
        yield PostgresSaver(pool), PostgresStore(pool)  # type: ignore[arg-type]


@asynccontextmanager
async def open_async_postgres(
    url: str,
) -> AsyncIterator[tuple[AsyncPostgresSaver, AsyncPostgresStore]]:
    """The asynchronous pair for servers; must be entered on the server's event loop.

    Takes the URL and yields the pair as :func:`open_postgres` does.
    """
    await asyncio.to_thread(_setup, url)
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url, min_size=MIN_SIZE, max_size=MAX_SIZE, kwargs=CONNECTION_KWARGS, open=False
    )
    await pool.open(wait=True)
    try:
        yield AsyncPostgresSaver(pool), AsyncPostgresStore(pool)
    finally:
        await pool.close()
