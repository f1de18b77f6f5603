"""The python tool's sandbox: every escape attempt is contained and reported as a failure."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

import adaptive_react.tools.python_sandbox as sb
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


# --- each launcher, for real: bwrap and the unshare fallback --------------------------------

LAUNCHERS = [
    pytest.param(
        "bwrap",
        marks=pytest.mark.skipif(
            not sb._launcher_works("bwrap"), reason="bwrap missing or refused namespaces"
        ),
    ),
    pytest.param(
        "unshare",
        marks=pytest.mark.skipif(
            not sb._launcher_works("unshare"), reason="namespaces need Linux and root"
        ),
    ),
]


def _through(launcher: str, timeout_s: float = 3.0) -> SandboxLimits:
    """Limits that make ``run_python`` use ``launcher`` (auto picks bwrap when it works)."""
    return SandboxLimits(timeout_s=timeout_s, launcher="auto" if launcher == "bwrap" else "unshare")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_the_result_names_the_launcher_and_the_uid_is_a_throwaway(launcher, cases):
    res = run_python(
        "import os\nprint(os.getuid(), os.geteuid(), os.getgid(), len(os.getgroups()))",
        limits=_through(launcher),
    )
    assert res.ok, res.stderr
    assert (res.launcher, res.isolation) == (launcher, "isolated")
    uid, euid, gid, groups = (int(v) for v in res.stdout.split())
    assert uid == euid == gid and uid >= 1_900_000_000 and groups == 0
    cases(1, "runs as a throw-away uid, never root; the result says which launcher ran")


def test_without_bwrap_the_unshare_path_runs(monkeypatch, cases):
    real = sb._launcher_works
    monkeypatch.setattr(sb, "_launcher_works", lambda name: name != "bwrap" and real(name))
    res = run_python("print('hi')", limits=FAST)
    assert res.ok
    assert res.launcher == ("unshare" if real("unshare") else "plain")
    assert sb.run_python("print(1)", limits=SandboxLimits(launcher="plain")).launcher == "plain"
    cases(2, "bwrap unavailable: the preexec fallback; plain when asked")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_a_server_on_the_hosts_loopback_is_unreachable(launcher, cases):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            server.accept()[0].close()  # it is up: the host itself can connect
        res = run_python(
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "print('connected')",
            limits=_through(launcher),
        )
        assert not res.ok and "connected" not in res.stdout
        with pytest.raises(TimeoutError):
            server.accept()
    cases(1, "a listening 127.0.0.1 server on the host: no connection reaches it")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_world_readable_host_files_in_tmp_and_root_are_invisible(launcher, cases):
    planted = []
    for directory in ("/tmp", os.path.expanduser("~")):
        fd, path = tempfile.mkstemp(prefix="ar-host-secret-", dir=directory)
        os.write(fd, b"host secret")
        os.close(fd)
        os.chmod(path, 0o644)
        planted.append(path)
    try:
        for path in planted:
            res = run_python(f"print(open({path!r}).read())", limits=_through(launcher))
            assert not res.ok and "host secret" not in res.stdout
            listing = f"import os\nprint(os.listdir({os.path.dirname(path)!r}))"
            res = run_python(listing, limits=_through(launcher))
            assert os.path.basename(path) not in res.stdout
    finally:
        for path in planted:
            os.unlink(path)
    cases(2, "a 0644 file in the host's /tmp and home: neither readable nor listed")


@pytest.mark.parametrize("launcher", LAUNCHERS)
@pytest.mark.parametrize("where", ["/tmp", "~", "/", "workdir parent"])
def test_nothing_is_written_outside_the_workdir(launcher, where, cases):
    name = f"ar-pwned-{uuid.uuid4().hex}"
    directory = os.path.expanduser(where) if where != "workdir parent" else None
    target = f"{directory.rstrip('/')}/{name}" if directory else f"../{name}"
    res = run_python(f"open({target!r}, 'w').write('x')\nprint('wrote')", limits=_through(launcher))
    assert not res.ok and "wrote" not in res.stdout
    parent = directory or os.path.dirname(res.workdir)
    assert not os.path.exists(os.path.join(parent, name))
    cases(1, "write outside the workdir refused")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_children_are_killed_when_the_program_ends(launcher, cases):
    marker = f"ar-child-{uuid.uuid4().hex}"
    code = (
        "import subprocess, sys\n"
        f"cmd = [sys.executable, '-c', 'import time; time.sleep(300)', {marker!r}]\n"
        "subprocess.Popen(cmd, start_new_session=True)\n"
        "subprocess.Popen(cmd)\n"
        "print('started')"
    )
    res = run_python(code, limits=_through(launcher))
    assert res.ok and "started" in res.stdout, res.stderr
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and marker in _all_commands():
        time.sleep(0.1)
    assert marker not in _all_commands()
    cases(2, "a detached and an attached child: both gone after the run")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_the_data_packages_import_through_each_launcher(launcher, cases):
    res = run_python(
        "import numpy, pandas, sympy\nprint(int(numpy.arange(4).sum()), sympy.prime(10))",
        limits=_through(launcher, timeout_s=20),
    )
    assert res.ok, res.stderr
    assert res.stdout.split() == ["6", "29"]
    cases(1, "numpy, pandas, sympy from the project venv import inside the sandbox")


def _all_commands() -> str:
    """Every live process's full command line on the host (``ps`` may cut long ones)."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue  # ended meanwhile
    return "\n".join(lines)
