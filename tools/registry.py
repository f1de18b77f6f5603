"""The tools the planner may choose from: built-ins plus any LangChain tools a caller passes."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.tools import BaseTool

from ..state.models import ToolSpec

AI_PROCESS = ToolSpec(
    name="ai_process",
    description="The language model writes content (data, text or code) as asked by 'prompt'.",
    parameters={"prompt": "exactly what to produce"},
)
PYTHON = ToolSpec(
    name="python",
    description="Runs a Python program in a sandbox (standard library, numpy, pandas, sympy); "
    "the printed output (or files it writes) is the result. Give 'task' (a program is written "
    "for it) or 'code'.",
    parameters={"task": "what the program must compute or produce"},
)


class ToolBox:
    """Built-in tool specs and user tools, looked up by name."""

    def __init__(self, user_tools: Sequence[BaseTool] = (), *, allow_python: bool = True):
        self.user_tools = {t.name: t for t in user_tools}
        clash = {AI_PROCESS.name, PYTHON.name} & set(self.user_tools)
        if clash:
            raise ValueError(f"user tools may not reuse built-in tool names: {sorted(clash)}")
        self.allow_python = allow_python

    def specs(self, *, allow_python: bool | None = None) -> list[ToolSpec]:
        """Tool descriptions for the planner's prompt."""
        python_ok = self.allow_python if allow_python is None else allow_python
        specs = [AI_PROCESS] + ([PYTHON] if python_ok else [])
        for tool in self.user_tools.values():
            props = (tool.args or {}) if hasattr(tool, "args") else {}
            specs.append(
                ToolSpec(
                    name=tool.name,
                    description=(tool.description or "")[:300],
                    parameters={k: str(v.get("type", "any")) for k, v in props.items()},
                )
            )
        return specs

    def names(self, *, allow_python: bool | None = None) -> set[str]:
        """Names the planner may pick."""
        return {s.name for s in self.specs(allow_python=allow_python)}
