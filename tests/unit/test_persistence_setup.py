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
