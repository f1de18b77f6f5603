"""Checkpointer and store selection for the CLI and servers: SQLite by default.

``--db`` takes a file path (SQLite) or a ``postgresql://`` URL. The default SQLite file lives
under the user's data directory so runs resume and learning persists across processes.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore

DEFAULT_DB_ENV = "ADAPTIVE_REACT_DB"


def default_db_path() -> Path:
    """``$ADAPTIVE_REACT_DB``, else ``$XDG_DATA_HOME/adaptive-react/adaptive-react.sqlite``."""
    if os.environ.get(DEFAULT_DB_ENV):
        return Path(os.environ[DEFAULT_DB_ENV])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "adaptive-react" / "adaptive-react.sqlite"


def is_postgres(db: str) -> bool:
    """Whether ``db`` names a PostgreSQL database."""
    return db.startswith(("postgresql://", "postgres://"))


def enable_wal(conn: sqlite3.Connection, *, patience_s: float = 30.0) -> None:
    """Put the file in WAL mode, waiting out other processes that are doing the same.

    Switching a fresh file from its rollback journal to WAL needs an exclusive lock, and SQLite
    answers "database is locked" at once, without its busy handler, when granting the wait
    could deadlock (two processes each holding a shared lock and asking for more). CI saw it
    when two runs opened one new file together. Once the file is in WAL mode the switch is a
    no-op, so the retries only ever happen in the first moments of a file's life.
    """
    deadline = time.monotonic() + patience_s
    delay = 0.02
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() == "wal":
                return
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def prepare_sqlite_file(path: Path) -> None:
    """Create the folder and switch the file to WAL, one process at a time."""
    _sqlite_connection(path).close()


def _sqlite_connection(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    # WAL lets readers and one writer proceed together; busy_timeout makes writers queue
    # instead of failing with "database is locked" when several runs share the file.
    conn.execute("PRAGMA busy_timeout=30000")
    with _setup_lock(path):
        enable_wal(conn)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@contextmanager
def _setup_lock(db: Path) -> Iterator[None]:
    """One process at a time creates the tables of a fresh database file.

    The store's migrations check-then-insert their version outside a transaction, so several
    processes starting together on a new file raced into a UNIQUE violation (seen in CI with
    eight parallel runs); an exclusive lock on a file beside the database orders them.
    """
    with open(f"{db}.setup-lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def open_persistence(db: str | None = None) -> Iterator[tuple[BaseCheckpointSaver[Any], BaseStore]]:
    """Open a checkpointer and a store on one database; both are set up and closed here."""
    target = db or str(default_db_path())
    if is_postgres(target):
        from .postgres import open_postgres

        with open_postgres(target) as pair:
            yield pair
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    from .sqlite_stores import PatientSqliteStore

    path = Path(target)
    with (
        closing(_sqlite_connection(path)) as saver_conn,
        closing(_sqlite_connection(path)) as store_conn,
    ):
        saver = SqliteSaver(saver_conn)
        store = PatientSqliteStore(store_conn)
        with _setup_lock(path):
            saver.setup()
            store.setup()
        yield saver, store
