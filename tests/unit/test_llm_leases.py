"""Server leases and the idle watchdog, with real processes but no model and no network."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adaptive_react.llm import ModelSettings, leases, local

LLM_DIR = Path(leases.__file__).parent


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return leases.leases_dir(tmp_path, "tiny")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not this one, to hold a lease."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # reaped: the pid is free
    return process.pid


def test_paths_are_siblings_named_after_the_key(tmp_path: Path) -> None:
    folder = leases.leases_dir(tmp_path, "local-small")
    assert folder.name == "server-local-small.leases"
    assert leases.state_path(folder) == tmp_path / "server-local-small.json"
    assert leases.lock_path(folder) == tmp_path / "server-local-small.lock"


def test_live_counts_running_holders_and_keep(
    folder: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    leases.hold(folder)
    leases.hold(folder, sleeper.pid)
    assert leases.live(folder) == sorted([str(os.getpid()), str(sleeper.pid)])
    leases.keep(folder)
    assert leases.KEEP in leases.live(folder)
    assert leases.live(folder.with_name("missing")) == []


def test_a_dead_holder_is_gone_and_pruned_only_when_asked(folder: Path) -> None:
    pid = _dead_pid()
    leases.hold(folder, pid)
    assert leases.live(folder) == []
    assert (folder / str(pid)).exists()  # not under the lock: left alone
    assert leases.live(folder, prune=True) == []
    assert not (folder / str(pid)).exists()


def test_an_unreaped_zombie_is_dead(folder: Path) -> None:
    if leases.process_start(os.getpid()) is None:
        pytest.skip("no /proc here")
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        leases.hold(folder, process.pid)
        deadline = time.monotonic() + 5
        while leases.live(folder) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert leases.live(folder) == []
    finally:
        process.wait()


def test_a_reused_pid_does_not_keep_a_lease_alive(folder: Path) -> None:
    # The recorded start time is not that of the process now running under the pid.
    started = leases.process_start(os.getppid())
    if started is None:
        pytest.skip("no /proc here")
    folder.mkdir(parents=True)
    (folder / str(os.getppid())).write_text(json.dumps({"pid": os.getppid(), "start": started}))
    assert leases.live(folder) == [str(os.getppid())]
    stale = {"pid": os.getppid(), "start": started - 1}
    (folder / str(os.getppid())).write_text(json.dumps(stale))
    assert leases.live(folder) == []


def test_watch_retires_only_its_own_state_file(folder: Path) -> None:
    folder.mkdir(parents=True)
    state = leases.state_path(folder)
    state.write_text(json.dumps({"pid": 4242}))
    leases.watch(folder, 0.2, poll=0.05, pid=1111)  # returns: nobody holds a lease
    assert state.exists()  # a newer server's file
    leases.watch(folder, 0.2, poll=0.05, pid=4242)
    assert not state.exists()


# --- release: the last holder stops the server ---------------------------------------


@pytest.fixture
def shared(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModelSettings, list[int]]:
    """A recorded, healthy server of which this process holds a lease; stops are recorded."""
    settings = ModelSettings(cache_dir=folder.parent)
    state = {"base_url": "http://127.0.0.1:5/v1", "model_id": "tiny", "port": 5, "pid": os.getpid()}
    folder.mkdir(parents=True)
    leases.state_path(folder).write_text(json.dumps(state))
    leases.hold(folder)
    stopped: list[int] = []
    monkeypatch.setattr(local, "_terminate", stopped.append)
    monkeypatch.setattr(local, "is_healthy", lambda url, model_id, timeout=1.0: True)
    monkeypatch.setattr(local, "_servers", {})
    return settings, stopped


def test_release_leaves_the_server_to_another_live_holder(
    folder: Path, shared: tuple[ModelSettings, list[int]], sleeper: subprocess.Popen[bytes]
) -> None:
    settings, stopped = shared
    leases.hold(folder, sleeper.pid)
    local.release_server("tiny", settings)
    assert stopped == []
    assert leases.live(folder) == [str(sleeper.pid)]  # ours is gone, theirs stays
    assert leases.state_path(folder).exists()


def test_the_last_release_stops_the_server(
    folder: Path, shared: tuple[ModelSettings, list[int]]
) -> None:
    settings, stopped = shared
    local.release_server("tiny", settings)
    assert stopped == [os.getpid()]  # the recorded server's pid
    assert not leases.state_path(folder).exists()


def test_a_dead_holder_does_not_keep_the_server(
    folder: Path, shared: tuple[ModelSettings, list[int]]
) -> None:
    settings, stopped = shared
    dead = _dead_pid()
    leases.hold(folder, dead)
    local.release_server("tiny", settings)
    assert stopped == [os.getpid()]
    assert not (folder / str(dead)).exists()  # cleaned up on the way


def test_keep_keeps_the_server(folder: Path, shared: tuple[ModelSettings, list[int]]) -> None:
    settings, stopped = shared
    leases.keep(folder)
    local.release_server("tiny", settings)
    assert stopped == []
    assert leases.live(folder) == [leases.KEEP]


def test_release_never_signals_a_pid_that_is_not_our_server(
    folder: Path, shared: tuple[ModelSettings, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stale state file: its pid may have been reused; nothing answers at its address.
    settings, stopped = shared
    monkeypatch.setattr(local, "is_healthy", lambda url, model_id, timeout=1.0: False)
    local.release_server("tiny", settings)
    assert stopped == []


# --- the watchdog in a real process ---------------------------------------------------

# Imports the module the way server.py does when run by path: as a sibling, no package.
WATCHDOG = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import leases
leases.start_watchdog(Path(sys.argv[2]), float(sys.argv[3]), poll=0.1)
print("watching", flush=True)
time.sleep(60)
"""


def _watchdog(folder: Path, idle_exit: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WATCHDOG, str(LLM_DIR), str(folder), str(idle_exit)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "watching\n"
    return process


def test_server_outlives_idle_exit_while_a_holder_lives_and_exits_after_it_is_killed(
    folder: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    leases.hold(folder, sleeper.pid)
    server = _watchdog(folder, 1.0)
    try:
        leases.state_path(folder).write_text(json.dumps({"pid": server.pid}))
        time.sleep(2.0)  # twice the idle timeout
        assert server.poll() is None
        sleeper.send_signal(signal.SIGKILL)  # no chance to release
        sleeper.wait()
        assert server.wait(timeout=6) == -signal.SIGTERM  # the clean-shutdown signal
        assert not leases.state_path(folder).exists()
        assert leases.live(folder) == []
    finally:
        server.kill()
        server.wait()


def test_keep_holds_the_server_without_any_process(folder: Path) -> None:
    leases.keep(folder)
    server = _watchdog(folder, 0.5)
    try:
        time.sleep(1.5)
        assert server.poll() is None
        leases.drop(folder, leases.KEEP)  # what `stop` does
        assert server.wait(timeout=5) == -signal.SIGTERM
    finally:
        server.kill()
        server.wait()


def test_server_script_imports_leases_when_run_by_path() -> None:
    result = subprocess.run(
        [sys.executable, str(LLM_DIR / "server.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr
    assert "--leases" in result.stdout and "--idle-exit" in result.stdout
