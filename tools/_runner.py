"""Executed inside the sandbox subprocess; imports nothing from the agent.

The import guard is a speed bump that turns an accidental ``import adaptive_react`` into a
clear error; it is not the boundary (a determined program can undo anything in its own
interpreter). The boundary is the process: another uid, no network, no view of the store's
files (see docs/sandbox.md).

Runs a program like a REPL would: a bare expression on the last line is printed, and a
program that prints nothing but defines ``result`` gets ``result`` printed, so a model that
"returns a value" still delivers it. Kept dependency-free so it runs under ``python -I``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from types import CodeType, ModuleType
from typing import Any, TextIO

_BLOCKED = ("adaptive_react", "langgraph", "langchain", "langsmith", "psycopg", "sqlite3")
_real_import = builtins.__import__
_real_import_module = importlib.import_module


def _check(name: str) -> None:
    if name.split(".")[0].startswith(_BLOCKED):
        raise ImportError(f"import of {name!r} is not allowed in the sandbox")


def _guarded_import(
    name: str,
    globals: Any = None,  # noqa: A002
    locals: Any = None,  # noqa: A002
    fromlist: Any = (),
    level: int = 0,
) -> ModuleType:
    if level == 0:
        _check(name)
    return _real_import(name, globals, locals, fromlist, level)


def _guarded_import_module(name: str, package: str | None = None) -> ModuleType:
    if not name.startswith("."):
        _check(name)
    return _real_import_module(name, package)


def _prepare(source: str) -> CodeType:
    tree = ast.parse(source, filename="<action>", mode="exec")
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        call = ast.Expr(
            ast.Call(func=ast.Name("__show__", ast.Load()), args=[last.value], keywords=[])
        )
        tree.body[-1] = ast.copy_location(call, last)
        ast.fix_missing_locations(tree)
    return compile(tree, "<action>", "exec")


class _CountingStdout:
    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.written = 0

    def write(self, text: str) -> int:
        self.written += len(text)
        return self.inner.write(text)

    def flush(self) -> None:
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        # buffer, encoding, fileno, isatty...: a program writing bytes still works.
        return getattr(self.inner, name)


def _show(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, (list, tuple, set)) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        print(", ".join(str(int(v)) if float(v).is_integer() else str(v) for v in value))
    else:
        print(value)


def main() -> None:
    path = sys.argv[1]
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    code = _prepare(source)
    out = _CountingStdout(sys.stdout)
    sys.stdout = out  # type: ignore[assignment]
    builtins.__import__ = _guarded_import
    importlib.import_module = _guarded_import_module
    namespace = {"__name__": "__main__", "__show__": _show}
    exec(code, namespace)
    if out.written == 0 and "result" in namespace:
        _show(namespace["result"])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
