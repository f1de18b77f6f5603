"""Unit tests for model specs, settings loading and configuration errors (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from adaptive_react.llm import ModelConfigError, ModelSettings, clear_model_cache, load_chat_model
from adaptive_react.llm import load as load_mod


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clear_model_cache()
    for var in (
        "OPENAI_API_KEY",
        "ADAPTIVE_REACT_MODEL",
        "ADAPTIVE_REACT_BASE_URL",
        "ADAPTIVE_REACT_API_KEY",
        "ADAPTIVE_REACT_CACHE",
        "ADAPTIVE_REACT_CONFIG",
        "ADAPTIVE_REACT_KEEP_SERVER",
        "ADAPTIVE_REACT_IDLE_EXIT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _write_config(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


# --- settings -------------------------------------------------------------------------


def test_defaults_without_file_or_env() -> None:
    settings = ModelSettings.load()
    assert settings.model is None
    assert settings.default_spec() == "local"
    assert settings.resolved_cache_dir == Path("~/.cache/adaptive-react").expanduser()


def test_precedence_arguments_then_file_then_env(tmp_path: Path) -> None:
    config = _write_config(
        tmp_path / "c.toml", '[model]\nmodel = "openai:gpt-4o-mini"\nkeep_server = true\n'
    )
    env = {
        "ADAPTIVE_REACT_MODEL": "local-small",
        "ADAPTIVE_REACT_BASE_URL": "http://127.0.0.1:9/v1",
        "ADAPTIVE_REACT_CACHE": str(tmp_path / "cache"),
    }
    from_file = ModelSettings.load(config_path=config, environ=env)
    assert from_file.model == "openai:gpt-4o-mini"  # file beats env
    assert from_file.keep_server is True
    assert from_file.base_url == "http://127.0.0.1:9/v1"  # env fills what the file lacks
    assert from_file.cache_dir == tmp_path / "cache"
    from_args = ModelSettings.load(config_path=config, environ=env, model="local", base_url=None)
    assert from_args.model == "local"  # arguments beat the file; None means "not given"
    assert from_args.base_url == "http://127.0.0.1:9/v1"


def test_config_file_from_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _write_config(tmp_path / "c.toml", '[model]\napi_key = "sk-test"\n')
    monkeypatch.setenv("ADAPTIVE_REACT_CONFIG", str(config))
    settings = ModelSettings.load()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(settings)


def test_default_config_file_location(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg" / "adaptive-react"
    xdg.mkdir(parents=True)
    _write_config(xdg / "config.toml", '[model]\nmodel = "local-small"\n')
    assert ModelSettings.load().model == "local-small"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('[model]\nmodle = "x"\n', "unknown"),
        ("[model\n", "Cannot read"),
        ('model = "local"\n', "must be a table"),
        ("[model]\nkeep_server = 3.5\n", "Invalid model settings"),
    ],
)
def test_bad_config_files(tmp_path: Path, body: str, match: str) -> None:
    config = _write_config(tmp_path / "c.toml", body)
    with pytest.raises(ModelConfigError, match=match):
        ModelSettings.load(config_path=config)


def test_idle_exit_from_file_or_env(tmp_path: Path) -> None:
    assert ModelSettings.load().idle_exit_s == 60
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "ADAPTIVE_REACT_IDLE_EXIT": "0"}
    assert ModelSettings.load(environ=env).idle_exit_s == 0
    config = _write_config(tmp_path / "c.toml", "[model]\nidle_exit_s = 5\n")
    assert ModelSettings.load(config_path=config, environ=env).idle_exit_s == 5  # file wins
    with pytest.raises(ModelConfigError, match="idle_exit_s"):
        ModelSettings.load(environ={**env, "ADAPTIVE_REACT_IDLE_EXIT": "-1"})


def test_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ModelConfigError, match="does not exist"):
        ModelSettings.load(config_path=tmp_path / "missing.toml")


# --- specs ----------------------------------------------------------------------------


def test_model_object_passes_through() -> None:
    fake = FakeListChatModel(responses=["hi"])
    assert load_chat_model(fake) is fake


def test_openai_spec_without_key_names_the_variable() -> None:
    with pytest.raises(ModelConfigError, match="OPENAI_API_KEY"):
        load_chat_model("openai:gpt-4o-mini", settings=ModelSettings())


def test_openai_spec_with_key_builds_and_caches() -> None:
    settings = ModelSettings(api_key="sk-test")
    first = load_chat_model("openai:gpt-4o-mini", settings=settings)
    assert type(first).__name__ == "ChatOpenAI"
    assert load_chat_model("openai:gpt-4o-mini", settings=settings) is first
    assert load_chat_model("openai:gpt-4o-mini", temperature=0.5, settings=settings) is not first


@pytest.mark.parametrize("spec", ["foo:bar", "llama3"])
def test_unknown_provider(spec: str) -> None:
    with pytest.raises(ModelConfigError, match="Unknown model provider"):
        load_chat_model(spec, settings=ModelSettings())


def test_missing_provider_package() -> None:
    pytest.importorskip("langchain_core")
    try:
        import langchain_anthropic  # noqa: F401
    except ImportError:
        with pytest.raises(ModelConfigError, match="not installed"):
            load_chat_model("anthropic:claude-3-5-haiku-latest", settings=ModelSettings())
    else:
        pytest.skip("langchain-anthropic is installed")


def test_unreachable_base_url_fails_fast() -> None:
    settings = ModelSettings(probe_timeout=0.5)
    with pytest.raises(ModelConfigError, match="Cannot reach"):
        load_chat_model("http://127.0.0.1:9/v1", settings=settings)  # port 9: discard


def _fake_get(payload: dict[str, Any], status: int = 200) -> Any:
    def get(url: str, **_: Any) -> httpx.Response:
        return httpx.Response(status, json=payload, request=httpx.Request("GET", url))

    return get


def test_base_url_uses_the_listed_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_mod.httpx, "get", _fake_get({"data": [{"id": "qwen"}]}))
    model = load_chat_model("http://127.0.0.1:8000/v1", settings=ModelSettings())
    assert model.model_name == "qwen"  # type: ignore[attr-defined]
    assert str(model.openai_api_base) == "http://127.0.0.1:8000/v1"  # type: ignore[attr-defined]


def test_base_url_with_several_models_needs_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_mod.httpx, "get", _fake_get({"data": [{"id": "a"}, {"id": "b"}]}))
    with pytest.raises(ModelConfigError, match="model_name"):
        load_chat_model("http://127.0.0.1:8000/v1", settings=ModelSettings())
    named = load_chat_model("http://127.0.0.1:8000/v1", settings=ModelSettings(model_name="b"))
    assert named.model_name == "b"  # type: ignore[attr-defined]


def test_openai_spec_with_base_url_probes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_mod.httpx, "get", _fake_get({}, status=401))
    settings = ModelSettings(base_url="http://127.0.0.1:8000/v1", api_key="k")
    model = load_chat_model("openai:my-model", settings=settings)
    assert str(model.openai_api_base) == "http://127.0.0.1:8000/v1"  # type: ignore[attr-defined]


def test_local_spec_delegates_to_the_server_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    from adaptive_react.llm import local

    seen: list[str] = []

    def ensure_server(spec: str, settings: ModelSettings) -> local.ServerHandle:
        seen.append(spec)
        return local.ServerHandle(
            base_url="http://127.0.0.1:5555/v1", model_id="qwen", port=5555, pid=1, owned=False
        )

    alive = {"value": True}
    monkeypatch.setattr(local, "ensure_server", ensure_server)
    monkeypatch.setattr(local, "server_alive", lambda base_url: alive["value"])
    model = load_chat_model("local", settings=ModelSettings())
    assert seen == ["local"]
    assert model.model_name == "qwen"  # type: ignore[attr-defined]
    assert model.max_tokens == 2048  # type: ignore[attr-defined]
    assert load_chat_model("local", settings=ModelSettings()) is model
    assert seen == ["local"]  # cached: no second probe or start
    alive["value"] = False  # the (reused) server went away: find or start another
    assert load_chat_model("local", settings=ModelSettings()) is not model
    assert seen == ["local", "local"]


def test_local_spec_without_model_files_names_the_command(tmp_path: Path) -> None:
    settings = ModelSettings(cache_dir=tmp_path / "empty")
    with pytest.raises(ModelConfigError, match="scripts/fetch_model.py"):
        load_chat_model("local", settings=settings)
