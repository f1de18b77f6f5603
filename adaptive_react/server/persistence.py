"""Async checkpointer and store for the server, opened on its event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore

from ..persistence import default_db_path, is_postgres


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
    from langgraph.store.sqlite.aio import AsyncSqliteStore

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(target, timeout=30, isolation_level=None) as saver_conn, \
            aiosqlite.connect(target, timeout=30, isolation_level=None) as store_conn:
        for conn in (saver_conn, store_conn):
            # Several server processes may share the file: WAL plus a busy timeout queue them.
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA busy_timeout=30000")
        saver = AsyncSqliteSaver(saver_conn)
        await saver.setup()
        store = AsyncSqliteStore(store_conn)
        await store.setup()
        yield saver, store
