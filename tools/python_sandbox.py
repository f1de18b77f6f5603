"""Run model-written Python in a separate, limited process.

What is guaranteed per level and launcher, and what is not, is documented precisely in
docs/sandbox.md. Every run gets limits, a timeout, bounded output and a scrubbed environment.
As root on Linux (the "isolated" level) it also runs as a throw-away uid with no network and
none of the host's private files: through bubblewrap when it works here (nothing but CPython's
C code runs between fork and exec), else through the ``preexec_fn`` unshare path (unsafe in a
threaded process, hence only the fallback). It is not a container: a kernel exploit is outside
what it can promise.

A program may import the standard library and the packages of ``SANDBOX_PACKAGES`` that are
installed (``available_packages()``, the list the model is shown); its own imports of
anything else fail with a message naming what is available.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.util
import io
import os
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
from typing import IO, Literal, cast

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

# bwrap: every namespace but the user one (a user namespace would map the throw-away uid to
# nothing); the root it builds gets these host paths besides /usr and the Python installation.
_BWRAP_NAMESPACES = (
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
)
_ROOT_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = (
    "alternatives",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "mime.types",
)

Launcher = Literal["auto", "unshare", "plain"]

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
        launcher: ``auto`` takes the best this host supports (bwrap, else unshare, else
            plain); ``unshare`` skips bwrap (the fallback, e.g. to test it); ``plain`` is the
            basic level only.
        require_isolation: Refuse to run (a failed result) when the isolated level is not
            available, instead of falling back to the basic level.
    """

    timeout_s: float = 20.0
    memory_bytes: int = 1024 * 1024 * 1024
    max_output_chars: int = 200_000
    max_file_bytes: int = 64 * 1024 * 1024
    max_processes: int = 64
    launcher: Launcher = "auto"
    require_isolation: bool = False


@dataclass
class SandboxResult:
    """What a program run produced."""

    ok: bool
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None
    duration_s: float = 0.0
    timed_out: bool = False
    truncated: bool = False
    files: list[str] = field(default_factory=list)
    workdir: str = ""
    isolation: str = "basic"
    launcher: str = "plain"
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
        tail = self.stderr.strip().splitlines()[-1:]
        if self.returncode is not None and self.returncode < 0:
            name = _signal_name(-self.returncode)
            hint = " (CPU time limit)" if name == "SIGXCPU" else ""
            return (tail[0][:400] + "; " if tail else "") + f"killed by {name}{hint}"
        return (tail or [f"exit code {self.returncode}"])[0][:500]

    def stderr_tail(self, lines: int = 4, chars: int = 600) -> str:
        """The last lines of stderr: for a traceback, the failing line and the error itself."""
        tail = "\n".join(self.stderr.strip().splitlines()[-lines:])
        return tail[-chars:]


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


# --- the unshare launcher: isolation primitives run in the forked child, before exec --------


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
    source_b, target_b, fstype_b, data_b = (
        v and v.encode() for v in (source, target, fstype, data)
    )
    ret = _libc().mount(source_b, target_b, fstype_b, ctypes.c_ulong(flags), data_b)
    _check(ret, f"mount {target}")


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
        # Keep a handle on what must stay visible before the tmpfs covers it.
        handles = [(k, os.open(k, os.O_PATH)) for k in keep if _under(k, directory)]
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


def _unshare_setup(workdir: str, uid: int) -> Callable[[], None]:
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
        _hide_host_dirs(keep, hidden)
        os.chdir(workdir)
        _drop_privileges(uid)

    return setup


# --- the bwrap launcher -------------------------------------------------------------------


def _site_dir(package: str) -> str:
    """The directory ``package`` is imported from (a site-packages, possibly another venv's)."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    origin = Path(spec.origin)
    return str(origin.parent.parent if spec.submodule_search_locations else origin.parent)


@functools.cache
def _python_paths() -> tuple[str, ...]:
    """Host paths the interpreter needs, outermost first, none inside another or ``/usr``.

    Bound at the paths the agent's interpreter uses, so the program's interpreter finds the same
    venv, standard library and ``.pth`` entries (a venv's packages may live in another venv).
    """
    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, str(_RUNNER)}
    wanted |= {os.path.realpath(p) for p in wanted}
    wanted |= {_site_dir(name) for name in available_packages()}
    kept: list[str] = []
    for path in sorted(wanted):
        if os.path.exists(path) and not any(_under(path, k) for k in ["/usr", *kept]):
            kept.append(path)
    return tuple(kept)


def _parents(paths: list[str]) -> list[str]:
    """Every proper ancestor of ``paths`` (outermost first, once each), except ``/``."""
    return list(dict.fromkeys(str(p) for path in paths for p in reversed(Path(path).parents[:-1])))


def _bwrap_command(workdir: str, uid: int, argv: list[str]) -> list[str]:
    """``argv`` inside a new root: read-only system and Python, the workdir read-write.

    bwrap runs as root without a user namespace, so the throw-away uid is real on the host
    (``RLIMIT_NPROC`` counts it, files it writes are its own); ``setpriv`` drops to it, the only
    capabilities kept until then. bwrap copies the host's modes onto the directories it creates
    (``/root`` would stay 0700), so the ancestors of every bind are made 0755 first. Everything
    but the workdir is read-only or owned by root; ``/tmp`` is an empty private tmpfs.
    """
    cmd = [str(shutil.which("bwrap")), *_BWRAP_NAMESPACES, "--die-with-parent", "--new-session"]
    cmd += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    cmd += ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in _ROOT_LINKS:
        if os.path.islink(link):
            cmd += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            cmd += ["--ro-bind", link, link]
    for name in _ETC_FILES:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    binds = list(_python_paths())
    for parent in _parents([*binds, workdir]):
        cmd += ["--perms", "0755", "--dir", parent]
    for path in binds:
        cmd += ["--ro-bind", path, path]
    cmd += ["--bind", workdir, workdir, "--remount-ro", "/", "--chdir", "/", "--"]
    ids = ["--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--no-new-privs"]
    return [*cmd, str(shutil.which("setpriv")), *ids, "--", *argv]


# --- choosing and starting a launcher -----------------------------------------------------


def _spawn(launcher: str, work: Path, uid: int | None, argv: list[str]) -> subprocess.Popen[bytes]:
    """Start ``argv`` through ``launcher``, in its own session; stdout and stderr are pipes."""
    if launcher == "bwrap" and uid is not None:
        argv = _bwrap_command(str(work), uid, argv)
    unshare = launcher == "unshare" and uid is not None
    return subprocess.Popen(
        argv,
        cwd=work,
        env=_scrubbed_env(str(work)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=not unshare,  # the unshare setup calls setsid itself
        preexec_fn=_unshare_setup(str(work), uid) if unshare and uid is not None else None,  # noqa: PLW1509
    )


def _wait(proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Wait for ``proc``; past the timeout kill its whole process group. True if it timed out."""
    try:
        proc.wait(timeout=timeout_s)
        return False
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


@functools.cache
def _launcher_works(launcher: str) -> bool:
    """Whether ``launcher`` isolates on this host: Linux, root, and one real run as a fresh uid.

    The run is what tells: bwrap may be installed yet refused namespaces (a container without
    ``CAP_SYS_ADMIN``), and so may the unshare path.
    """
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    if launcher == "bwrap" and not (shutil.which("bwrap") and shutil.which("setpriv")):
        return False
    work = Path(tempfile.mkdtemp(prefix="ar-probe-"))
    uid = _fresh_uid()
    try:
        os.chown(work, uid, uid)
        probe = [sys.executable, "-I", "-c", "import os; assert os.getuid() != 0"]
        with _spawn(launcher, work, uid, probe) as proc:
            return not _wait(proc, 30) and proc.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        if launcher == "unshare":
            _sweep(uid)
        shutil.rmtree(work, ignore_errors=True)


def isolation_available() -> bool:
    """Whether this host can run the isolated level (root, Linux, namespaces permitted)."""
    return _launcher_works("bwrap") or _launcher_works("unshare")


def _pick(limits: SandboxLimits) -> str:
    """The launcher for one run: the most isolating one that works and ``limits`` allows."""
    if limits.launcher == "plain" or not isolation_available():
        return "plain"
    if limits.launcher == "auto" and _launcher_works("bwrap"):
        return "bwrap"
    return "unshare" if _launcher_works("unshare") else "plain"


def _fresh_uid() -> int:
    return _UID_BASE + secrets.randbelow(_UID_SPAN)


def _sweep(uid: int) -> None:
    """Kill every process of ``uid``: what a program forked, detached or daemonised."""

    def as_uid_kill_all() -> None:
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        # kill(-1) reaches every process this uid may signal (its own), never the caller;
        # ProcessLookupError says none is left.
        with contextlib.suppress(ProcessLookupError):
            for _ in range(3):
                os.kill(-1, signal.SIGKILL)

    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["true"],
            preexec_fn=as_uid_kill_all,  # noqa: PLW1509
            timeout=10,
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin"},
        )


# --- bounded output --------------------------------------------------------------------


class _BoundedReader(threading.Thread):
    """Drain a pipe from now on, keeping what ``limit`` characters need and counting the rest."""

    def __init__(self, stream: IO[bytes] | None, limit: int):
        super().__init__(daemon=True)
        assert stream is not None
        # Four bytes per character covers any UTF-8; a few MB at most ever sits in memory.
        self.stream, self.limit, self.cap = stream, limit, limit * 4 + 4
        self.chunks: list[bytes] = []
        self.kept = self.total = 0
        self.start()

    def run(self) -> None:
        stream = cast("io.BufferedReader", self.stream)
        with contextlib.suppress(OSError, ValueError):  # the pipe closed under us
            while chunk := stream.read1(65536):
                self.total += len(chunk)
                if self.kept < self.cap:
                    piece = chunk[: self.cap - self.kept]
                    self.chunks.append(piece)
                    self.kept += len(piece)

    def text(self) -> tuple[str, bool]:
        """What was read once the pipe closed (or 5 s passed), and whether it was cut."""
        self.join(timeout=5)
        text = b"".join(self.chunks).decode("utf-8", errors="replace")
        if len(text) <= self.limit and self.total == self.kept:
            return text, False
        total = f"{self.total} bytes" if self.total > self.kept else f"{len(text)} characters"
        note = f"\n[output truncated: {total}, kept {min(self.limit, len(text))} characters]"
        return text[: self.limit] + note, True


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


def _runner_argv(program: Path, limits: SandboxLimits) -> list[str]:
    """The runner's command line: the program, what it may import, and its resource limits."""
    cpu = max(1, int(limits.timeout_s) + 1)
    caps = (cpu, limits.memory_bytes, limits.max_file_bytes, limits.max_processes)
    allow = ",".join(available_packages())
    limit = ",".join(map(str, caps))
    return [sys.executable, "-I", str(_RUNNER), str(program), "--allow", allow, "--limits", limit]


def _returncode(launcher: str, code: int | None) -> int | None:
    """Negative for a signal, as subprocess reports it; bwrap reports signal N as 128 + N."""
    if launcher == "bwrap" and code is not None and 128 < code < 128 + 65:
        return 128 - code
    return code


def run_python(
    code: str,
    *,
    limits: SandboxLimits | None = None,
    input_files: list[str] | None = None,
) -> SandboxResult:
    """Run ``code`` in a fresh private directory and collect its output and the files it wrote.

    Args:
        code: The program text.
        limits: Resource limits; defaults are conservative.
        input_files: Files copied into the working directory before the run (by base name).

    Returns:
        The result; a program that crashes, times out or hits a limit is a failed result,
        never an exception.
    """
    limits = limits or SandboxLimits()
    launcher = _pick(limits)
    if limits.require_isolation and launcher == "plain":
        return SandboxResult(
            ok=False,
            refused="the isolated sandbox is required but not available "
            "on this host (needs Linux and root; see docs/sandbox.md)",
        )
    work = Path(tempfile.mkdtemp(prefix="ar-py-")).resolve()
    for src in input_files or []:
        shutil.copy(src, work / Path(src).name)
    before = {p.name for p in work.iterdir()}
    program = work / ".action.py"
    program.write_text(code, encoding="utf-8")
    uid = None if launcher == "plain" else _fresh_uid()
    if uid is not None:
        _chown_tree(work, uid)
    start = time.monotonic()
    proc = _spawn(launcher, work, uid, _runner_argv(program, limits))
    out = _BoundedReader(proc.stdout, limits.max_output_chars)
    err = _BoundedReader(proc.stderr, _STDERR_CHARS)
    timed_out = _wait(proc, limits.timeout_s)
    if launcher == "unshare" and uid is not None:
        _sweep(uid)  # also what escaped the process group (setsid, double fork)
    (stdout, trunc_out), (stderr, _) = out.text(), err.text()
    duration = time.monotonic() - start
    program.unlink(missing_ok=True)
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
        returncode=_returncode(launcher, proc.returncode),
        duration_s=duration,
        timed_out=timed_out,
        truncated=trunc_out,
        files=files,
        workdir=str(work),
        isolation="isolated" if uid is not None else "basic",
        launcher=launcher,
    )
