"""Run model-written Python in a separate, limited process.

What is guaranteed, and what is not, is documented precisely in docs/sandbox.md. In short:

* Always: a fresh private working directory, a scrubbed environment (no API keys), CPU,
  memory, file-size and core-dump limits, a wall-clock timeout that kills the process group,
  output read with a bound (the parent never buffers more than a few MB), UTF-8-safe decoding,
  and an import guard against the agent's own modules.
* When the agent runs as root on Linux (the "isolated" level, probed once per process): the
  program also runs as a throw-away unprivileged uid (unique per run, so ``RLIMIT_NPROC``
  contains fork bombs and a final ``kill(-1)`` as that uid sweeps every process it left
  behind), in a new network namespace (no interface but a down loopback: no network, not
  even local services), and in a new mount namespace where ``/tmp``, ``/var/tmp``,
  ``/run/lock``, ``/dev/shm`` and the agent's home directory are replaced by small empty
  tmpfs mounts (only the working directory and the Python installation are bound back).

It is not a container: a kernel exploit, or a file the host left world-readable, is outside
what it can promise.

A program may import the standard library and the packages of ``SANDBOX_PACKAGES`` that are
installed (``available_packages()``, the list the model is shown); its own imports of
anything else fail with a message naming what is available.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import io
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

_RUNNER = Path(__file__).with_name("_runner.py")
_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")

# Throw-away uids come from a range no distribution assigns (they need no passwd entry):
# a unique uid per run keeps RLIMIT_NPROC per run and lets the sweep kill only this run.
_UID_BASE = 1_900_000_000
_UID_SPAN = 1 << 24

# Linux constants (sched.h, mount.h, prctl.h); Python 3.11 has no os.unshare or os.mount.
_CLONE_NEWNS = 0x00020000
_CLONE_NEWNET = 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38

# World-writable places a program could otherwise write to, plus the agent's home (keys,
# databases, caches): each becomes an empty tmpfs inside the sandbox's mount namespace.
_HIDDEN_DIRS = ("/tmp", "/var/tmp", "/run/lock", "/dev/shm")
_TMPFS_OPTIONS = "size=16m,nr_inodes=4096,mode=0755"

# Bytes kept from each stream before decoding; the rest is counted, not stored.
_STDERR_CHARS = 20_000

# What data and document programs reach for, by import name; all are core dependencies of the
# project, so its own setup installs them (python-docx imports as ``docx``).
DATA_PACKAGES = ("numpy", "pandas", "sympy")
DOCUMENT_PACKAGES = ("openpyxl", "docx", "reportlab", "pypdf")
SANDBOX_PACKAGES = DATA_PACKAGES + DOCUMENT_PACKAGES

# One thread per numeric library: OpenBLAS and OpenMP otherwise start a thread per core, and
# on a many-core host those threads alone exceed RLIMIT_NPROC and the address-space limit, so
# ``import numpy`` itself would fail inside the sandbox.
_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@functools.cache
def available_packages() -> tuple[str, ...]:
    """The packages of ``SANDBOX_PACKAGES`` a program can import here (same interpreter)."""
    return tuple(name for name in SANDBOX_PACKAGES if importlib.util.find_spec(name) is not None)


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits for one program run.

    Attributes:
        timeout_s: Wall-clock limit; the process group is killed when it passes.
        memory_bytes: Address-space limit of each process (``RLIMIT_AS``).
        max_output_chars: Characters of stdout kept; the rest is dropped with a note.
        max_file_bytes: Largest file the program may write (``RLIMIT_FSIZE``).
        max_processes: Processes the run's uid may have at once (isolated level only; root
            ignores ``RLIMIT_NPROC``, so without isolation it is set only for non-root users).
        isolate: Use the isolated level when this host supports it.
        require_isolation: Refuse to run (a failed result) when the isolated level is not
            available, instead of falling back to the basic level.
    """

    timeout_s: float = 20.0
    memory_bytes: int = 1024 * 1024 * 1024
    max_output_chars: int = 200_000
    max_file_bytes: int = 64 * 1024 * 1024
    max_processes: int = 64
    isolate: bool = True
    require_isolation: bool = False


@dataclass
class SandboxResult:
    """What a program run produced."""

    ok: bool
    stdout: str
    stderr: str
    returncode: int | None
    duration_s: float
    timed_out: bool = False
    truncated: bool = False
    files: list[str] = field(default_factory=list)
    workdir: str = ""
    isolation: str = "basic"
    refused: str = ""

    @property
    def error(self) -> str | None:
        """A one-line reason when the run failed."""
        if self.ok:
            return None
        if self.refused:
            return self.refused
        if self.timed_out:
            return "the program did not finish within its time limit"
        if self.returncode is not None and self.returncode < 0:
            name = _signal_name(-self.returncode)
            hint = " (CPU time limit)" if name == "SIGXCPU" else ""
            tail = self.stderr.strip().splitlines()[-1:]
            return (tail[0][:400] + "; " if tail else "") + f"killed by {name}{hint}"
        tail = self.stderr.strip().splitlines()[-1:] or [f"exit code {self.returncode}"]
        return tail[0][:500]

    def stderr_tail(self, lines: int = 4, chars: int = 600) -> str:
        """The last lines of stderr: for a traceback, the failing line and the error itself."""
        tail = "\n".join(self.stderr.strip().splitlines()[-lines:])
        return tail[-chars:]


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


# --- isolation primitives (called in the forked child, before exec) ----------------------


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    libc = _libc()
    _check(
        libc.mount(
            source and source.encode(),
            target.encode(),
            fstype and fstype.encode(),
            ctypes.c_ulong(flags),
            data and data.encode(),
        ),
        f"mount {target}",
    )


def _under(path: str, root: str) -> bool:
    root = root.rstrip("/") or "/"
    return path == root or path.startswith(root + "/")


def _hide_host_dirs(keep: list[str], hidden: list[str]) -> None:
    """New mount and network namespaces; ``hidden`` dirs become tmpfs, ``keep`` bound back."""
    _check(_libc().unshare(_CLONE_NEWNS | _CLONE_NEWNET), "unshare")
    # Private propagation first, so nothing mounted here ever appears on the host.
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    for directory in hidden:
        if not os.path.isdir(directory):
            continue
        inside = [k for k in keep if _under(k, directory)]
        # Keep a handle on what must stay visible before the tmpfs covers it.
        handles = [(k, os.open(k, os.O_PATH)) for k in inside]
        _mount("tmpfs", directory, "tmpfs", _MS_NOSUID | _MS_NODEV, _TMPFS_OPTIONS)
        for path, fd in handles:
            os.makedirs(path, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
            os.close(fd)


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    # No setuid binary can hand the privileges back.
    _check(_libc().prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    # Die with the agent (kill -9 of the CLI); set after setuid, which clears it.
    _check(_libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def _set_limits(limits: SandboxLimits, *, nproc: bool) -> None:
    cpu = max(1, int(limits.timeout_s) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes, limits.max_file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if nproc:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))


def _child_setup(limits: SandboxLimits, workdir: str, uid: int | None) -> Callable[[], None]:
    keep = [
        workdir,
        os.path.realpath(sys.base_prefix),
        os.path.realpath(sys.prefix),
        str(_RUNNER.parent.resolve()),
    ]
    hidden = [*_HIDDEN_DIRS, os.path.realpath(Path.home())]

    def setup() -> None:
        # A new session so the timeout can kill the whole group.
        os.setsid()
        if uid is not None:
            _hide_host_dirs(keep, hidden)
            os.chdir(workdir)
            _set_limits(limits, nproc=True)
            _drop_privileges(uid)
        else:
            # RLIMIT_NPROC counts the user's processes; root ignores it, so only non-root.
            _set_limits(limits, nproc=os.getuid() != 0)

    return setup


@functools.cache
def isolation_available() -> bool:
    """Whether this host can run the isolated level (root, Linux, namespaces permitted)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    work = tempfile.mkdtemp(prefix="ar-probe-")
    try:
        uid = _fresh_uid()
        os.chown(work, uid, uid)
        proc = subprocess.run(
            [sys.executable, "-I", "-c", "import os; assert os.getuid() != 0"],
            cwd=work,
            env=_scrubbed_env(work),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            preexec_fn=_child_setup(SandboxLimits(), work, uid),  # noqa: PLW1509
        )
        _sweep(uid)
        return proc.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fresh_uid() -> int:
    return _UID_BASE + secrets.randbelow(_UID_SPAN)


def _sweep(uid: int) -> None:
    """Kill every process of ``uid``: what a program forked, detached or daemonised."""

    def as_uid_kill_all() -> None:
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        # kill(-1) reaches every process this uid may signal (its own), never the caller.
        for _ in range(3):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                break

    try:
        subprocess.run(
            ["true"],
            preexec_fn=as_uid_kill_all,
            timeout=10,  # noqa: PLW1509
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.SubprocessError):
        pass


# --- bounded output --------------------------------------------------------------------


class _BoundedReader(threading.Thread):
    """Drain a pipe, keeping at most ``cap`` bytes and counting the rest."""

    def __init__(self, stream: IO[bytes], cap: int):
        super().__init__(daemon=True)
        self.stream, self.cap = stream, cap
        self.chunks: list[bytes] = []
        self.kept = 0
        self.total = 0

    def run(self) -> None:
        try:
            stream = cast("io.BufferedReader", self.stream)
            while chunk := stream.read1(65536):
                self.total += len(chunk)
                if self.kept < self.cap:
                    piece = chunk[: self.cap - self.kept]
                    self.chunks.append(piece)
                    self.kept += len(piece)
        except (OSError, ValueError):
            pass

    def text(self, limit: int) -> tuple[str, bool]:
        raw = b"".join(self.chunks)
        text = raw.decode("utf-8", errors="replace")
        if len(text) <= limit and self.total == self.kept:
            return text, False
        total = f"{self.total} bytes" if self.total > self.kept else f"{len(text)} characters"
        return text[
            :limit
        ] + f"\n[output truncated: {total}, kept {min(limit, len(text))} characters]", True


def _scrubbed_env(work: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    env.update(
        HOME=work,
        TMPDIR=work,
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",
        MPLBACKEND="Agg",
        MPLCONFIGDIR=work,
        **_THREAD_ENV,
    )
    return env


def _chown_tree(root: Path, uid: int) -> None:
    os.chown(root, uid, uid)
    for path in root.rglob("*"):
        os.chown(path, uid, uid, follow_symlinks=False)


def run_python(
    code: str,
    *,
    limits: SandboxLimits | None = None,
    workdir: str | None = None,
    input_files: list[str] | None = None,
) -> SandboxResult:
    """Run ``code`` in a subprocess and collect its output and any files it wrote.

    Args:
        code: The program text.
        limits: Resource limits; defaults are conservative.
        workdir: An existing directory to run in; a fresh private one when omitted.
        input_files: Files copied into the working directory before the run (by base name).

    Returns:
        The result; a program that crashes, times out or hits a limit is a failed result,
        never an exception.
    """
    limits = limits or SandboxLimits()
    isolated = limits.isolate and isolation_available()
    if limits.require_isolation and not isolated:
        return SandboxResult(
            ok=False,
            stdout="",
            stderr="",
            returncode=None,
            duration_s=0.0,
            refused="the isolated sandbox is required but not available "
            "on this host (needs Linux and root; see docs/sandbox.md)",
        )
    work = Path(workdir or tempfile.mkdtemp(prefix="ar-py-")).resolve()
    for src in input_files or []:
        shutil.copy(src, work / Path(src).name)
    before = {p.name for p in work.iterdir()}
    program = work / ".action.py"
    program.write_text(code, encoding="utf-8")
    uid = _fresh_uid() if isolated else None
    if uid is not None:
        _chown_tree(work, uid)
    start = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-I",
            str(_RUNNER),
            str(program),
            "--allow",
            ",".join(available_packages()),
        ],
        cwd=work,
        env=_scrubbed_env(str(work)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_child_setup(limits, str(work), uid),  # noqa: PLW1509
    )
    assert proc.stdout is not None and proc.stderr is not None
    # Four bytes per character covers any UTF-8; a few MB at most ever sits in memory.
    readers = [
        _BoundedReader(proc.stdout, limits.max_output_chars * 4 + 4),
        _BoundedReader(proc.stderr, _STDERR_CHARS * 4 + 4),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        proc.wait(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    if uid is not None:
        _sweep(uid)  # also what escaped the process group (setsid, double fork)
    for reader in readers:
        reader.join(timeout=5)
    duration = time.monotonic() - start
    program.unlink(missing_ok=True)
    stdout, trunc_out = readers[0].text(limits.max_output_chars)
    stderr, _ = readers[1].text(_STDERR_CHARS)
    # Regular files only: a symlink planted by the program must never make the agent (which
    # copies these files with its own rights) read something the program could not.
    files = sorted(
        str(p)
        for p in work.iterdir()
        if p.name not in before and p.is_file() and not p.is_symlink()
    )
    return SandboxResult(
        ok=(proc.returncode == 0 and not timed_out),
        stdout=stdout,
        stderr=stderr,
        returncode=proc.returncode,
        duration_s=duration,
        timed_out=timed_out,
        truncated=trunc_out,
        files=files,
        workdir=str(work),
        isolation="isolated" if uid is not None else "basic",
    )
