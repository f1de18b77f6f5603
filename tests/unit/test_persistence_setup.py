"""Several processes opening one fresh SQLite file set it up once, without racing."""

import subprocess
import sys

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
        procs = [subprocess.Popen([sys.executable, "-c", OPEN, db], stderr=subprocess.PIPE)
                 for _ in range(8)]
        errors = [p.communicate()[1].decode() for p in procs if p.wait() != 0]
        assert not errors, errors[0][-500:]
