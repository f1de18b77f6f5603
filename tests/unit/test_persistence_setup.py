"""Several processes opening one fresh SQLite file set it up once, without racing."""

import subprocess
import sys

import pytest

OPEN = (
    "import sys\n"
    "from adaptive_react.persistence import open_persistence\n"
    "with open_persistence(sys.argv[1]):\n"
    "    pass\n"
)


def test_eight_processes_set_up_a_fresh_database_together(tmp_path):
    # Regression: the store's migrations raced (UNIQUE constraint failed:
    # store_migrations.v) when eight CLI runs started on a new file at once.
    for trial in range(2):
        db = str(tmp_path / f"fresh-{trial}.sqlite")
        procs = [
            subprocess.Popen([sys.executable, "-c", OPEN, db], stderr=subprocess.PIPE)
            for _ in range(8)
        ]
        errors = [p.communicate()[1].decode() for p in procs if p.wait() != 0]
        assert not errors, errors[0][-500:]


def test_wal_switch_waits_for_a_writer_on_a_fresh_file(tmp_path):
    """Regression (CI, crash-resume trial): a second run opening a new file while the first
    still wrote in rollback-journal mode got "database is locked" at once from the WAL switch;
    SQLite skips its busy handler there, so the switch itself must wait and retry."""
    import sqlite3
    import threading

    from adaptive_react.persistence import _sqlite_connection

    path = tmp_path / "fresh.sqlite"
    writer = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    probe = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        probe.execute("PRAGMA journal_mode=WAL")  # the failure as SQLite gives it
    probe.close()
    release = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    release.start()
    conn = _sqlite_connection(path)
    release.join()
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    finally:
        conn.close()
        writer.close()


def _interfere_after_first_search(store, monkeypatch, path, hold_s=0.0):
    """Between the batch's read and its write, another connection writes: committed at once,
    or (``hold_s``) holding the write lock that long before it commits."""
    import sqlite3
    import threading

    real = type(store)._batch_search_ops
    fired = []

    def commit_elsewhere():
        if not fired:
            fired.append(True)
            other = sqlite3.connect(
                str(path), isolation_level=None, timeout=5, check_same_thread=False
            )
            other.execute("BEGIN IMMEDIATE")
            other.execute("CREATE TABLE IF NOT EXISTS elsewhere (x)")
            other.execute("INSERT INTO elsewhere VALUES (1)")

            def finish():
                other.execute("COMMIT")
                other.close()

            if hold_s:
                threading.Timer(hold_s, finish).start()
            else:
                finish()

    if hasattr(real, "__code__") and real.__code__.co_flags & 0x80:  # a coroutine function

        async def patched(self, *args, **kwargs):
            await real(self, *args, **kwargs)
            commit_elsewhere()

    else:

        def patched(self, *args, **kwargs):
            real(self, *args, **kwargs)
            commit_elsewhere()

    monkeypatch.setattr(type(store), "_batch_search_ops", patched)
    return fired


def _search_then_put():
    from langgraph.store.base import PutOp, SearchOp

    return [SearchOp(("ns",), limit=5), PutOp(("ns",), "k", {"v": 1}, index=False)]


def test_a_store_batch_that_reads_then_writes_survives_a_commit_in_between(tmp_path, monkeypatch):
    """Regression (CI, LangServe batch of two runs): a store batch reads, another connection
    commits, then the batch writes; SQLite answers SQLITE_BUSY_SNAPSHOT at once, without its
    busy handler, and the run's learn node died with "database is locked"."""
    from adaptive_react.persistence import open_persistence

    path = tmp_path / "snap.sqlite"
    with open_persistence(str(path)) as (_saver, store):
        fired = _interfere_after_first_search(store, monkeypatch, path)
        store.batch(_search_then_put())
        assert fired
        assert store.get(("ns",), "k").value == {"v": 1}


def test_a_store_batch_that_reads_then_writes_waits_out_a_held_write_lock(tmp_path, monkeypatch):
    """Regression (CI, LangServe batch of four runs): after the batch's reads another
    connection held the write lock; SQLite answers plain SQLITE_BUSY at once for a reading
    transaction (no busy handler: it could deadlock), and the run failed with a 500."""
    from adaptive_react.persistence import open_persistence

    path = tmp_path / "held.sqlite"
    with open_persistence(str(path)) as (_saver, store):
        fired = _interfere_after_first_search(store, monkeypatch, path, hold_s=0.3)
        store.batch(_search_then_put())
        assert fired
        assert store.get(("ns",), "k").value == {"v": 1}


def test_the_async_store_batch_waits_out_a_held_write_lock(tmp_path, monkeypatch):
    import asyncio

    from adaptive_react.server.persistence import open_async_persistence

    path = tmp_path / "held-async.sqlite"

    async def scenario():
        async with open_async_persistence(str(path)) as (_saver, store):
            fired = _interfere_after_first_search(store, monkeypatch, path, hold_s=0.3)
            await store.abatch(_search_then_put())
            assert fired
            item = await store.aget(("ns",), "k")
            assert item is not None and item.value == {"v": 1}

    asyncio.run(scenario())


def test_the_async_store_batch_survives_a_commit_in_between(tmp_path, monkeypatch):
    import asyncio

    from adaptive_react.server.persistence import open_async_persistence

    path = tmp_path / "snap-async.sqlite"

    async def scenario():
        async with open_async_persistence(str(path)) as (_saver, store):
            fired = _interfere_after_first_search(store, monkeypatch, path)
            await store.abatch(_search_then_put())
            assert fired
            item = await store.aget(("ns",), "k")
            assert item is not None and item.value == {"v": 1}

    asyncio.run(scenario())


def test_only_a_busy_answered_at_once_is_retried():
    import sqlite3

    from adaptive_react.sqlite_stores import SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, lost_race

    def error(code):
        exc = sqlite3.OperationalError("database is locked")
        exc.sqlite_errorcode = code
        return exc

    assert lost_race(error(SQLITE_BUSY_SNAPSHOT), 0.0)
    assert lost_race(error(SQLITE_BUSY), 0.01)  # a reading transaction gets no busy handler
    assert not lost_race(error(SQLITE_BUSY), 30.0)  # the busy timeout ran out: a real hold-up
    assert not lost_race(error(1), 0.0)
    assert not lost_race(ValueError("no"), 0.0)
