"""Async checkpointer and store for the server, opened on its event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore

from ..persistence import default_db_path, is_postgres, prepare_sqlite_file


@asynccontextmanager
async def open_async_persistence(
    db: str | None = None,
) -> AsyncIterator[tuple[BaseCheckpointSaver[Any], BaseStore]]:
    """The async counterpart of ``open_persistence``: SQLite file or ``postgresql://`` URL."""
    target = db or str(default_db_path())
    if is_postgres(target):
        from ..postgres import open_async_postgres

        async with open_async_postgres(target) as pair:
            yield pair
        return
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    from ..sqlite_stores import PatientAsyncSqliteStore

    # The switch to WAL is made once, by the same locked and patient path the CLI uses; the
    # async connections below then only find the file in WAL mode.
    await asyncio.to_thread(prepare_sqlite_file, Path(target))
    async with (
        aiosqlite.connect(target, timeout=30, isolation_level=None) as saver_conn,
        aiosqlite.connect(target, timeout=30, isolation_level=None) as store_conn,
    ):
        for conn in (saver_conn, store_conn):
            # Several server processes may share the file: a busy timeout queues their writers.
            await conn.execute("PRAGMA busy_timeout=30000")
        saver = AsyncSqliteSaver(saver_conn)
        await saver.setup()
        store = PatientAsyncSqliteStore(store_conn)
        await store.setup()
        yield saver, store
