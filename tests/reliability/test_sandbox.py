"""The python tool's sandbox: every escape attempt is contained and reported as a failure."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from adaptive_react.tools.python_sandbox import SandboxLimits, isolation_available, run_python

FAST = SandboxLimits(timeout_s=3.0)
ISOLATED = isolation_available()
needs_isolation = pytest.mark.skipif(
    not ISOLATED, reason="the isolated level needs Linux and root (see docs/sandbox.md)"
)

pytestmark = pytest.mark.fault("sandbox escape")


def _uid_processes(uid_min: int = 1_900_000_000, wait_s: float = 3.0) -> list[str]:
    """Live (non-zombie) processes of sandbox uids; init reaps zombies on its own schedule."""
    deadline = time.monotonic() + wait_s
    while True:
        out = subprocess.run(
            ["ps", "-eo", "uid=,pid=,stat=,args="], capture_output=True, text=True
        ).stdout
        live = [
            line
            for line in out.splitlines()
            if line.split()
            and int(line.split()[0]) >= uid_min
            and not line.split()[2].startswith("Z")
        ]
        if not live or time.monotonic() > deadline:
            return live
        time.sleep(0.2)


def test_a_plain_program_still_works(cases):
    res = run_python(
        "import math\nprint(math.factorial(5))\nopen('out.txt', 'w').write('x')", limits=FAST
    )
    assert res.ok, res.stderr
    assert res.stdout.startswith("120")
    assert [os.path.basename(f) for f in res.files] == ["out.txt"]
    assert res.isolation == ("isolated" if ISOLATED else "basic")
    cases(1, "runs normally, files collected")


@pytest.mark.parametrize(
    "path", ["/root/.bashrc", os.path.expanduser("~/.ssh/id_rsa"), "/etc/shadow"]
)
def test_reading_private_files_fails(path, cases):
    res = run_python(f"print(open({path!r}).read()[:100])", limits=FAST)
    assert not res.ok
    assert "Error" in (res.error or "")
    cases(1, "private files unreadable (hidden home, another uid)")


@needs_isolation
def test_the_agents_database_is_out_of_reach(tmp_path, cases):
    db = tmp_path / "agent.sqlite"
    db.write_text("secret strategies")
    res = run_python(f"import os\nprint(open({str(db)!r}).read())\n", limits=FAST)
    assert not res.ok and "secret" not in res.stdout
    res = run_python(f"open({str(db)!r}, 'a').write('pwned')", limits=FAST)
    assert not res.ok
    assert db.read_text() == "secret strategies"
    cases(2, "store files neither readable nor writable")


@needs_isolation
@pytest.mark.parametrize(
    "target",
    [
        "/work/pwned.txt",
        "/tmp/pwned.txt",
        "/var/tmp/pwned.txt",
        "/dev/shm/pwned.txt",
        "../pwned.txt",
    ],
)
def test_writing_outside_the_workdir_fails_or_vanishes(target, cases):
    res = run_python(f"open({target!r}, 'w').write('x')\nprint('wrote')", limits=FAST)
    assert not res.ok
    for host in ("/work/pwned.txt", "/tmp/pwned.txt", "/var/tmp/pwned.txt", "/dev/shm/pwned.txt"):
        assert not os.path.exists(host)
    cases(1, "write refused; nothing appears on the host")


def test_symlinks_out_of_the_workdir_are_not_collected(cases):
    res = run_python(
        "import os\nos.symlink('/etc/hostname', 'leak.txt')\nopen('real.txt', 'w').write('ok')",
        limits=FAST,
    )
    assert res.ok
    assert [os.path.basename(f) for f in res.files] == ["real.txt"]
    cases(1, "planted symlink ignored; the agent never copies through it")


@needs_isolation
@pytest.mark.parametrize("addr", [("1.1.1.1", 80), ("127.0.0.1", 22), ("localhost", 5432)])
def test_network_is_unreachable(addr, cases):
    res = run_python(
        f"import socket\nsocket.create_connection({addr!r}, timeout=2)\nprint('up')", limits=FAST
    )
    assert not res.ok
    assert "up" not in res.stdout
    cases(1, "no network, loopback down")


@needs_isolation
def test_fork_bomb_is_contained_and_swept(cases):
    start = time.monotonic()
    res = run_python(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        limits=SandboxLimits(timeout_s=3.0),
    )
    assert not res.ok
    assert time.monotonic() - start < 20
    assert _uid_processes() == []
    cases(1, "RLIMIT_NPROC per throw-away uid; timeout; every process swept")


@needs_isolation
def test_detached_daemon_is_swept(cases):
    res = run_python(
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
        "    if os.fork() == 0:\n        time.sleep(300)\n    os._exit(0)\n"
        "print('bye')",
        limits=FAST,
    )
    assert res.ok
    assert _uid_processes() == []
    cases(1, "double-forked setsid daemon killed after the run")


def test_memory_bomb_fails(cases):
    res = run_python(
        "x = bytearray(8 * 1024**3)\nprint(len(x))",
        limits=SandboxLimits(timeout_s=5, memory_bytes=512 * 1024**2),
    )
    assert not res.ok
    assert "MemoryError" in (res.error or "")
    cases(1, "RLIMIT_AS: MemoryError")


def test_infinite_loop_times_out(cases):
    start = time.monotonic()
    res = run_python("while True:\n    pass", limits=SandboxLimits(timeout_s=1.5))
    assert not res.ok and res.timed_out
    assert time.monotonic() - start < 10
    cases(1, "killed at the wall-clock limit")


def test_sleeping_past_the_timeout_is_killed(cases):
    res = run_python("import time\ntime.sleep(60)", limits=SandboxLimits(timeout_s=1.0))
    assert res.timed_out and "time limit" in (res.error or "")
    cases(1, "killed at the wall-clock limit")


@pytest.mark.parametrize(
    "code",
    [
        "import adaptive_react",
        "from adaptive_react.learning import strategies",
        "import langgraph.store.sqlite",
        "import importlib\nimportlib.import_module('langchain_core')",
        "import sqlite3",
    ],
)
def test_importing_agent_modules_is_refused(code, cases):
    res = run_python(code, limits=FAST)
    assert not res.ok
    assert "not allowed in the sandbox" in (res.error or "")
    cases(1, "import guard refuses; the store files are out of reach anyway")


@needs_isolation
def test_even_a_bypassed_import_guard_cannot_reach_the_store(tmp_path, cases):
    db = tmp_path / "store.sqlite"
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("create table t(x)")
    conn.commit()
    conn.close()
    code = (
        "import builtins, sys\n"
        "imp = builtins.__import__.__globals__['_real_import']\n"
        "sqlite3 = imp('sqlite3')\n"
        f"c = sqlite3.connect({str(db)!r})\n"
        "c.execute('insert into t values (1)')\nc.commit()\nprint('tampered')"
    )
    res = run_python(code, limits=FAST)
    assert not res.ok and "tampered" not in res.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from t").fetchone()[0] == 0
    conn.close()
    cases(1, "guard bypassed on purpose: the database file is still out of reach")


def test_secrets_in_the_environment_are_not_visible(monkeypatch, cases):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    monkeypatch.setenv("ADAPTIVE_REACT_DB", "postgresql://user:pw@db/x")
    res = run_python(
        "import os\nprint(sorted(os.environ.items()))\n"
        "print(open('/proc/self/environ','rb').read())",
        limits=FAST,
    )
    assert res.ok
    assert "sk-test-secret" not in res.stdout and "pw@db" not in res.stdout
    res = run_python(f"print(open('/proc/{os.getpid()}/environ', 'rb').read())", limits=FAST)
    assert "sk-test-secret" not in res.stdout
    cases(3, "scrubbed environment; the agent's /proc/<pid>/environ unreadable")


def test_huge_output_is_truncated_with_a_note(cases):
    res = run_python(
        "import sys\nfor _ in range(200_000):\n    sys.stdout.write('x' * 1000)",
        limits=SandboxLimits(timeout_s=20, max_output_chars=10_000),
    )
    assert res.ok and res.truncated
    assert len(res.stdout) < 11_000
    assert "[output truncated" in res.stdout
    cases(1, "200 MB printed: 10k kept, note added, parent memory bounded")


def test_non_utf8_output_is_decoded_safely(cases):
    res = run_python("import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe\\x80 end')", limits=FAST)
    assert res.ok
    assert "ok" in res.stdout and "end" in res.stdout and "\ufffd" in res.stdout
    cases(1, "invalid bytes replaced")


def test_required_isolation_refuses_when_missing(monkeypatch, cases):
    import adaptive_react.tools.python_sandbox as sb

    monkeypatch.setattr(sb, "isolation_available", lambda: False)
    res = sb.run_python("print(1)", limits=SandboxLimits(require_isolation=True))
    assert not res.ok and "isolated sandbox is required" in (res.error or "")
    cases(1, "require_isolation: refused, not run unprotected")
