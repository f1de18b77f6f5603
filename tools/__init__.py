"""Tools the act node runs: the sandboxed python tool and the tool registry."""

from .python_sandbox import SandboxLimits, SandboxResult, run_python
from .registry import AI_PROCESS, PYTHON, ToolBox

__all__ = ["AI_PROCESS", "PYTHON", "SandboxLimits", "SandboxResult", "ToolBox", "run_python"]
