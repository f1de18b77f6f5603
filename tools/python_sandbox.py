"""Run model-written Python in a separate, limited process.

The guarantees are deliberately modest and documented in docs/sandbox.md: a fresh temporary
working directory, a scrubbed environment (no API keys), CPU/memory/file-size/process limits,
a wall-clock timeout that kills the whole process group, bounded and UTF-8-safe output, and an
import guard against the agent's own modules. It is not a security boundary against a
determined attacker with a kernel exploit; containers are.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

_RUNNER = Path(__file__).with_name("_runner.py")
_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits for one program run."""

    timeout_s: float = 20.0
    memory_bytes: int = 1024 * 1024 * 1024
    max_output_chars: int = 200_000
    max_file_bytes: int = 64 * 1024 * 1024
    max_processes: int = 64


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

    @property
    def error(self) -> str | None:
        """A one-line reason when the run failed."""
        if self.ok:
            return None
        if self.timed_out:
            return "the program did not finish within its time limit"
        tail = self.stderr.strip().splitlines()[-1:] or [f"exit code {self.returncode}"]
        return tail[0][:500]


def _limit_resources(limits: SandboxLimits) -> None:
    # Runs in the child between fork and exec: a new session so the timeout can kill the
    # whole group, then hard limits the program cannot raise again.
    os.setsid()
    cpu = max(1, int(limits.timeout_s) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes, limits.max_file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() != 0:
        # RLIMIT_NPROC counts the user's processes; root ignores it, so it only helps here.
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))


def _decode(data: bytes, limit: int) -> tuple[str, bool]:
    text = data.decode("utf-8", errors="replace")
    if len(text) <= limit:
        return text, False
    return text[:limit] + f"\n[output truncated: {len(text)} characters, kept {limit}]", True


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
        workdir: An existing directory to run in; a fresh temporary one when omitted.
        input_files: Files copied into the working directory before the run.
    """
    limits = limits or SandboxLimits()
    work = Path(workdir or tempfile.mkdtemp(prefix="ar-py-"))
    for src in input_files or []:
        shutil.copy(src, work / Path(src).name)
    before = {p.name for p in work.iterdir()}
    program = work / ".action.py"
    program.write_text(code, encoding="utf-8")
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    env.update(HOME=str(work), TMPDIR=str(work), PYTHONIOENCODING="utf-8",
               PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-I", str(_RUNNER), str(program)],
        cwd=work,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: _limit_resources(limits),  # noqa: PLW1509
    )
    timed_out = False
    try:
        out, err = proc.communicate(timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    duration = time.monotonic() - start
    program.unlink(missing_ok=True)
    stdout, trunc_out = _decode(out, limits.max_output_chars)
    stderr, _ = _decode(err, 20_000)
    files = sorted(
        str(p) for p in work.iterdir() if p.name not in before and p.is_file()
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
    )
