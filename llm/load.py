"""One helper that turns a model spec into a ready ``BaseChatModel``.

Specs (``Context.model`` / ``--model``):

- ``"local"``: the embedded Qwen2.5-Coder-0.5B-Instruct (Q4_K_M) behind a managed local
  server, started on a free loopback port or reused when one is already healthy;
- ``"local-small"``: the embedded SmolLM2-135M-Instruct, the same way;
- ``"http(s)://host:port/v1"``: any OpenAI-compatible server (vLLM, Ollama, LM Studio,
  llama.cpp), through ``ChatOpenAI`` - the same code path as OpenAI itself;
- ``"provider:model"``: anything ``langchain.chat_models.init_chat_model`` knows,
  e.g. ``"openai:gpt-4o-mini"``.

A ``BaseChatModel`` passes through unchanged, so tests hand in their fakes.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from .errors import ModelConfigError
from .settings import ModelSettings

#: Local model keys; the registry itself lives in :mod:`.local`.
LOCAL_SPECS = ("local", "local-small")
EMBEDDED_MODEL_TAG = "adaptive_react_embedded"


def is_embedded(model: Any) -> bool:
    """Whether ``model`` is (a client of) one of the small embedded models."""
    if isinstance(model, str):
        return model.strip() in LOCAL_SPECS
    metadata = getattr(model, "metadata", None)
    return isinstance(metadata, dict) and EMBEDDED_MODEL_TAG in metadata


#: Environment variable each provider's SDK reads for its key (for error messages only).
PROVIDER_KEY_VARS: dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "azure_openai": "AZURE_OPENAI_API_KEY",
    "google_genai": "GOOGLE_API_KEY",
    "mistralai": "MISTRAL_API_KEY",
    "groq": "GROQ_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "together": "TOGETHER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
}

_NO_KEY = "not-needed"  # local servers ignore the key, but the OpenAI SDK insists on one
_Key = tuple[str, float, str]
_cache: dict[_Key, BaseChatModel] = {}
_cache_lock = threading.RLock()


def load_chat_model(
    spec: str | BaseChatModel,
    *,
    temperature: float = 0.0,
    settings: ModelSettings | None = None,
) -> BaseChatModel:
    """Return a chat model for ``spec``, cached per (spec, temperature, settings).

    Caching matters for ``"local"``: graph nodes call this on every step and must get
    the same client for the same server instead of probing and starting it again.

    Args:
        spec: A model spec (see module docstring) or a ready model, returned as is.
        temperature: Sampling temperature; 0 for reproducible runs.
        settings: Explicit settings; default :meth:`ModelSettings.load` (the only place
            the environment and config file are read).

    Returns:
        A ``BaseChatModel`` ready to invoke.

    Raises:
        ModelConfigError: Unknown provider, missing API key, unreachable server, or
            missing local model files (the message names the command that fixes it).
    """
    if isinstance(spec, BaseChatModel):
        return spec
    if settings is None:
        settings = ModelSettings.load()
    spec = spec.strip()
    if not spec:
        raise ModelConfigError("Empty model spec; use 'local', 'provider:model' or a URL.")
    key = (spec, float(temperature), _settings_fingerprint(settings))
    with _cache_lock:
        model = _cache.get(key)
        if model is None or (spec in LOCAL_SPECS and not _local_server_alive(model)):
            # First use, or the server went away: find or start another.
            model = _cache[key] = _build(spec, temperature, settings)
        return model


def clear_model_cache() -> None:
    """Forget cached models (tests; after changing settings in a long-lived process)."""
    with _cache_lock:
        _cache.clear()


def _local_server_alive(model: BaseChatModel) -> bool:
    # A reused server belongs to another process that may have exited since; a cached
    # client would then retry a dead port on every step. A pid check costs microseconds.
    from .local import server_alive

    return server_alive(str(getattr(model, "openai_api_base", "") or ""))


def _settings_fingerprint(settings: ModelSettings) -> str:
    # SecretStr dumps as '**********'; hash the real key so two keys never share a client.
    secret = settings.api_key.get_secret_value() if settings.api_key else ""
    payload = settings.model_dump_json() + hashlib.sha256(secret.encode()).hexdigest()
    return hashlib.sha256(payload.encode()).hexdigest()


def _build(spec: str, temperature: float, settings: ModelSettings) -> BaseChatModel:
    """Do the checks (probe, start, key) and build the client, once per cache key."""
    if spec in LOCAL_SPECS:
        return _build_local(spec, temperature, settings)
    if spec.startswith(("http://", "https://")):
        return _build_base_url(spec, temperature, settings)
    return _build_provider(spec, temperature, settings)


def _build_local(spec: str, temperature: float, settings: ModelSettings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    from .local import ensure_server  # lazy: keeps llama_cpp optional for remote users

    server = ensure_server(spec, settings)
    return ChatOpenAI(
        model=server.model_id,
        base_url=server.base_url,
        api_key=SecretStr(_NO_KEY),
        temperature=temperature,
        max_tokens=settings.max_tokens,  # type: ignore[call-arg]  # alias of max_completion_tokens
        timeout=settings.request_timeout,
        max_retries=1,
        # Read by validation: a judge this small is weak evidence (nodes/_evidence.py).
        metadata={EMBEDDED_MODEL_TAG: spec},
    )


def _build_base_url(url: str, temperature: float, settings: ModelSettings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    listed = probe_server(url, settings)
    name = settings.model_name
    if name is None:
        if len(listed) > 1:
            raise ModelConfigError(
                f"The server at {url} serves several models {listed}; choose one with "
                "model_name in the config file or ModelSettings(model_name=...)."
            )
        name = listed[0] if listed else "default"
    key = settings.api_key or SecretStr(_NO_KEY)
    return ChatOpenAI(
        model=name,
        base_url=url,
        api_key=key,
        temperature=temperature,
        timeout=settings.request_timeout,
    )


def _build_provider(spec: str, temperature: float, settings: ModelSettings) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    provider = spec.split(":", 1)[0] if ":" in spec else None
    kwargs: dict[str, Any] = {"temperature": temperature}
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    if settings.base_url is not None and provider in (None, "openai"):
        probe_server(settings.base_url, settings)
        kwargs["base_url"] = settings.base_url
    try:
        model = init_chat_model(spec, **kwargs)
    except ImportError as exc:
        raise ModelConfigError(
            f"Model spec {spec!r} needs a provider package that is not installed: {exc}"
        ) from exc
    except Exception as exc:
        text = str(exc)
        if "infer model provider" in text or "Unsupported model_provider" in text:
            raise ModelConfigError(
                f"Unknown model provider in {spec!r}. Use 'local', 'local-small', an "
                "OpenAI-compatible base URL (http://host:port/v1) or 'provider:model' "
                "such as 'openai:gpt-4o-mini'."
            ) from exc
        if _looks_like_missing_key(exc):
            var = PROVIDER_KEY_VARS.get(provider or "openai", "the provider's API key variable")
            raise ModelConfigError(
                f"No API key for {spec!r}: set {var} (or ADAPTIVE_REACT_API_KEY, or api_key "
                "in the [model] table of the config file). With no key at all, use "
                "--model local for the embedded model."
            ) from exc
        raise ModelConfigError(f"Cannot configure model {spec!r}: {exc}") from exc
    if not isinstance(model, BaseChatModel):  # init_chat_model may return a configurable
        raise ModelConfigError(f"Model spec {spec!r} did not produce a chat model.")
    return model


def _looks_like_missing_key(exc: Exception) -> bool:
    if type(exc).__name__ == "OpenAIError":  # raised by the SDK at construction
        return True
    return any(word in str(exc).lower() for word in ("api_key", "api key", "credentials"))


def probe_server(base_url: str, settings: ModelSettings) -> list[str]:
    """Check that an OpenAI-compatible server answers, and list the models it serves.

    A short probe turns "connection refused after a 10-minute timeout and 2 retries"
    into an immediate, explicit error at load time.

    Args:
        base_url: The server's base URL, ending in ``/v1`` for most servers.
        settings: Supplies the probe timeout and the key to send.

    Returns:
        The model ids from ``GET {base_url}/models`` (empty if it cannot list them).

    Raises:
        ModelConfigError: Nothing answers at ``base_url`` within the probe timeout.
    """
    headers = {}
    if settings.api_key is not None:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    url = base_url.rstrip("/") + "/models"
    try:
        response = httpx.get(url, headers=headers, timeout=settings.probe_timeout)
    except httpx.HTTPError as exc:
        raise ModelConfigError(
            f"Cannot reach the model server at {base_url} ({type(exc).__name__}: {exc}). "
            "Is it running, and is the URL right (most servers expect a '/v1' suffix)?"
        ) from exc
    if response.status_code != 200:
        return []  # it answers; auth or listing problems surface on the first request
    try:
        data = response.json().get("data", [])
        return [str(item["id"]) for item in data if isinstance(item, dict) and "id" in item]
    except (ValueError, AttributeError):
        return []
