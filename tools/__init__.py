"""Tools the act node runs: the sandboxed python tool and the tool registry."""

from .python_sandbox import (
    DATA_PACKAGES,
    DOCUMENT_PACKAGES,
    SandboxLimits,
    SandboxResult,
    available_packages,
    run_python,
)
from .registry import AI_PROCESS, PYTHON, ToolBox

__all__ = [
    "AI_PROCESS",
    "DATA_PACKAGES",
    "DOCUMENT_PACKAGES",
    "PYTHON",
    "SandboxLimits",
    "SandboxResult",
    "ToolBox",
    "available_packages",
    "run_python",
]
