"""Leases: which processes still use a managed model server, and when it may stop.

A server is shared through its state file, so the process that started it cannot know
alone when it is no longer needed: stopping it at that process's exit broke the requests
of every process that reused it, and a killed starter (SIGTERM, SIGKILL: ``atexit`` does
not run) left it running forever, about 2 GB and a CPU share each. Instead every process
that uses the server holds a lease, a file in ``server-<key>.leases/``:

- ``<pid>``: a process that uses the server. It holds the pid and, where ``/proc`` exists,
  the process start time, so a dead holder whose pid was reused by an unrelated process
  is still seen as dead. A zombie (exited, not yet reaped) counts as dead too.
- ``keep``: ``keep_server`` or the ``serve`` command; only the ``stop`` command removes it.

The last holder to release stops the server (:func:`live` under :func:`locked`). A holder
that dies without releasing cannot, so the server watches the folder itself
(:func:`start_watchdog`) and exits after ``idle_exit`` seconds without a live lease.

Standard library only: ``server.py`` runs as a script and imports this file as a sibling
module, without the package (and its LangChain imports) around it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

KEEP = "keep"


def leases_dir(cache_dir: Path, key: str) -> Path:
    """The lease folder of the server for model ``key``."""
    return cache_dir / f"server-{key}.leases"


def state_path(folder: Path) -> Path:
    """The state file (url, port, pid) of the server whose leases are in ``folder``."""
    return folder.with_suffix(".json")


def lock_path(folder: Path) -> Path:
    """The lock that serialises starting, reusing, releasing and idling out a server."""
    return folder.with_suffix(".lock")


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the server's file lock (between processes; released by the kernel on death)."""
    lock = lock_path(folder)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) from ``/proc``; None where unavailable."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        # The command name (field 2) is in parentheses and may contain spaces or ')'.
        fields = text.rsplit(")", 1)[1].split()
        return fields[0], int(fields[19])  # fields 3 and 22 of proc(5)
    except (OSError, IndexError, ValueError):
        return None


def process_start(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None without ``/proc``."""
    stat = _proc_stat(pid)
    return None if stat is None else stat[1]


def holder_alive(pid: int, start: int | None) -> bool:
    """Whether the process that took a lease as (``pid``, ``start``) still runs.

    Without ``/proc`` (or without a recorded start) this is a plain pid check, which a
    reused pid can fool; the cost is a server that lives until its idle timeout after
    that unrelated process exits, never a server stopped under a live user.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    stat = _proc_stat(pid)
    if stat is None:
        return True
    state, started = stat
    return state != "Z" and (start is None or started == start)


def _write(folder: Path, name: str, payload: dict[str, object]) -> None:
    # Readers must never see a half-written lease: write aside, then rename.
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.{os.getpid()}.tmp"
    partial.write_text(json.dumps(payload))
    os.replace(partial, folder / name)


def hold(folder: Path, pid: int | None = None) -> None:
    """Take (or renew) the lease of process ``pid`` (default: this process)."""
    pid = os.getpid() if pid is None else pid
    _write(folder, str(pid), {"pid": pid, "start": process_start(pid)})


def keep(folder: Path) -> None:
    """Take the ``keep`` lease: the server outlives every process until ``stop``."""
    _write(folder, KEEP, {"since": time.time()})


def drop(folder: Path, name: str | int) -> None:
    """Remove one lease (a pid or :data:`KEEP`); a missing one is fine."""
    (folder / str(name)).unlink(missing_ok=True)


def live(folder: Path, *, prune: bool = False) -> list[str]:
    """Names of the leases whose holder still runs (``keep`` always counts).

    Args:
        folder: The lease folder; a missing folder has no leases.
        prune: Also delete the leases of dead holders. Only under :func:`locked`, so a
            file is never deleted just after a new holder with a reused pid wrote it.
    """
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        return []
    alive: list[str] = []
    for name in names:
        if name == KEEP:
            alive.append(name)
            continue
        if not name.isdigit():
            continue  # a rename in progress, or not ours
        start: int | None
        try:
            start = json.loads((folder / name).read_text()).get("start")
        except (OSError, ValueError, AttributeError):
            start = None
        if holder_alive(int(name), start if isinstance(start, int) else None):
            alive.append(name)
        elif prune:
            drop(folder, name)
    return alive


def retire_state(folder: Path, pid: int) -> None:
    """Delete the state file if it still names server ``pid`` (a newer server keeps its own)."""
    path = state_path(folder)
    try:
        recorded = json.loads(path.read_text()).get("pid")
    except (OSError, ValueError, AttributeError):
        return
    if recorded == pid:
        path.unlink(missing_ok=True)


def watch(folder: Path, idle_exit: float, *, poll: float = 5.0, pid: int | None = None) -> None:
    """Return once no live lease has existed for ``idle_exit`` seconds.

    The final decision is taken under the lock and retires the state file there: a
    process that reuses the server does so under the same lock, so it either took its
    lease before (and the server stays) or finds no state file (and starts a new one).
    """
    pid = os.getpid() if pid is None else pid
    last_used = time.monotonic()
    while True:
        time.sleep(poll)
        if live(folder):
            last_used = time.monotonic()
            continue
        if time.monotonic() - last_used < idle_exit:
            continue
        with locked(folder):
            if live(folder, prune=True):
                last_used = time.monotonic()
                continue
            retire_state(folder, pid)
            return


def start_watchdog(
    folder: Path, idle_exit: float, *, poll: float | None = None, grace: float = 30.0
) -> threading.Thread:
    """Watch ``folder`` in a daemon thread; when idle, stop this process.

    SIGTERM lets uvicorn shut down cleanly; if that has not ended the process after
    ``grace`` seconds (a stuck request), it exits hard, since nobody is left to use it.
    """
    interval = min(5.0, idle_exit / 2) if poll is None else poll

    def run() -> None:
        watch(folder, idle_exit, poll=interval)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(0)

    thread = threading.Thread(target=run, name="lease-watchdog", daemon=True)
    thread.start()
    return thread
