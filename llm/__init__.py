"""Model loading, the embedded local model and robust structured output.

This is the only package that knows how models are named, fetched and served;
graph nodes receive a ready ``BaseChatModel`` and call :func:`invoke_structured`.
"""

from __future__ import annotations

from .errors import ModelConfigError
from .load import clear_model_cache, load_chat_model
from .settings import ModelSettings
from .structured import StructuredOutcome, invoke_structured
from .text import extract_code, extract_json

__all__ = [
    "ModelConfigError",
    "ModelSettings",
    "StructuredOutcome",
    "clear_model_cache",
    "extract_code",
    "extract_json",
    "invoke_structured",
    "load_chat_model",
]
