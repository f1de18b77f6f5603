"""Explicit model settings: arguments, then a config file, then environment variables.

The LangGraph templates read environment variables in ``__post_init__`` by guesswork;
we do the opposite. Nothing in this package looks at the environment except
:meth:`ModelSettings.load`, so a caller (or a test) always knows where a value came
from and can pass its own.

Config file (TOML), first match wins:

1. the ``config_path`` argument of :meth:`ModelSettings.load`;
2. ``$ADAPTIVE_REACT_CONFIG``;
3. ``$XDG_CONFIG_HOME/adaptive-react/config.toml`` (``~/.config/adaptive-react/config.toml``).

Its ``[model]`` table takes the field names of :class:`ModelSettings`::

    [model]
    model = "local"                      # or "local-small", "openai:gpt-4o-mini", a URL
    base_url = "http://127.0.0.1:8080/v1"
    api_key = "sk-..."
    cache_dir = "~/.cache/adaptive-react"
    keep_server = false
    idle_exit_s = 60                     # an unused embedded server exits after this; 0: never

Environment variables (used only for fields that neither the arguments nor the file set):
``ADAPTIVE_REACT_MODEL``, ``ADAPTIVE_REACT_BASE_URL``, ``ADAPTIVE_REACT_API_KEY``,
``ADAPTIVE_REACT_CACHE``, ``ADAPTIVE_REACT_KEEP_SERVER``, ``ADAPTIVE_REACT_IDLE_EXIT``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from .errors import ModelConfigError

#: Environment variable -> settings field. The only variables this package reads.
ENV_VARS: dict[str, str] = {
    "ADAPTIVE_REACT_MODEL": "model",
    "ADAPTIVE_REACT_BASE_URL": "base_url",
    "ADAPTIVE_REACT_API_KEY": "api_key",
    "ADAPTIVE_REACT_CACHE": "cache_dir",
    "ADAPTIVE_REACT_KEEP_SERVER": "keep_server",
    "ADAPTIVE_REACT_IDLE_EXIT": "idle_exit_s",
}
CONFIG_ENV_VAR = "ADAPTIVE_REACT_CONFIG"
DEFAULT_CACHE_DIR = Path("~/.cache/adaptive-react")


def default_config_path(environ: Mapping[str, str]) -> Path:
    """Return the per-user config file path (XDG convention)."""
    base = environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "adaptive-react" / "config.toml"


class ModelSettings(BaseModel):
    """How to find and talk to the chat model.

    Build it with :meth:`load` in applications; construct it directly in tests.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = Field(
        default=None,
        description="Default model spec: 'local', 'local-small', 'provider:model' or a base URL.",
    )
    base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible base URL; the default spec when `model` is unset, and "
        "the endpoint for 'openai:<name>' specs (vLLM, Ollama, LM Studio, llama.cpp).",
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key for `base_url` or the provider of the spec."
    )
    model_name: str | None = Field(
        default=None,
        description="Model name sent to a base-URL server; default: the one it lists.",
    )
    cache_dir: Path = Field(
        default=DEFAULT_CACHE_DIR,
        description="Where wheels, the assembled GGUF files and server state live.",
    )
    keep_server: bool = Field(
        default=False,
        description="Leave the embedded model server running at exit so later runs reuse it.",
    )
    idle_exit_s: float = Field(
        default=60.0,
        ge=0,
        description="Seconds an embedded server waits without a live lease (no process using "
        "it, no keep) before it exits by itself; the guard against servers orphaned by a "
        "killed run. 0 disables it.",
    )
    n_ctx: int = Field(default=8192, description="Context window of the embedded model.")
    n_threads: int | None = Field(
        default=None, description="CPU threads for the embedded model (default: all cores)."
    )
    max_tokens: int | None = Field(
        default=2048,
        description="Completion cap for the embedded model, so a looping 0.5B model cannot "
        "generate to the end of the context.",
    )
    request_timeout: float = Field(default=600.0, description="Seconds per model request.")
    probe_timeout: float = Field(
        default=3.0, description="Seconds for the health probe of a base URL."
    )
    startup_timeout: float = Field(
        default=180.0, description="Seconds to wait for the embedded server to become ready."
    )

    @property
    def resolved_cache_dir(self) -> Path:
        """The cache directory with ``~`` expanded."""
        return self.cache_dir.expanduser()

    def default_spec(self) -> str:
        """The spec to use when the caller names none: model, else base URL, else 'local'."""
        return self.model or self.base_url or "local"

    @classmethod
    def load(
        cls,
        *,
        config_path: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> ModelSettings:
        """Load settings: explicit arguments, then the config file, then the environment.

        Args:
            config_path: Config file to read; a named file must exist.
            environ: Environment to read (default ``os.environ``); tests pass a dict.
            **overrides: Field values from the caller (e.g. CLI flags). ``None`` means
                "not given", so ``model=args.model`` can be passed unconditionally.

        Returns:
            The merged, validated settings.

        Raises:
            ModelConfigError: The config file is missing, unreadable or has unknown keys.
        """
        env = os.environ if environ is None else environ
        values = {field: env[var] for var, field in ENV_VARS.items() if env.get(var)}
        values.update(_read_config_file(config_path, env))
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise ModelConfigError(f"Invalid model settings: {exc}") from exc


def _read_config_file(config_path: str | Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    explicit = config_path if config_path is not None else env.get(CONFIG_ENV_VAR)
    path = Path(explicit).expanduser() if explicit else default_config_path(env)
    if not path.is_file():
        if explicit:
            raise ModelConfigError(
                f"Config file {path} does not exist (named by "
                f"{'argument' if config_path else CONFIG_ENV_VAR})."
            )
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelConfigError(f"Cannot read config file {path}: {exc}") from exc
    section = data.get("model", {})
    if not isinstance(section, dict):
        raise ModelConfigError(f"Config file {path}: [model] must be a table.")
    unknown = sorted(set(section) - set(ModelSettings.model_fields))
    if unknown:
        raise ModelConfigError(f"Config file {path}: unknown [model] keys {unknown}.")
    return dict(section)
