"""Executed inside the sandbox subprocess; imports nothing from the agent.

Runs a program like a REPL would: a bare expression on the last line is printed, and a
program that prints nothing but defines ``result`` gets ``result`` printed, so a model that
"returns a value" still delivers it. Kept dependency-free so it runs under ``python -I``.
"""

import ast
import builtins
import sys

_BLOCKED = ("adaptive_react", "langgraph", "langchain", "langsmith", "psycopg", "sqlite3")
_real_import = builtins.__import__


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
    root = name.split(".")[0]
    if level == 0 and (root in _BLOCKED or name.startswith(_BLOCKED)):
        raise ImportError(f"import of {name!r} is not allowed in the sandbox")
    return _real_import(name, globals, locals, fromlist, level)


def _prepare(source):
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
    def __init__(self, inner):
        self.inner = inner
        self.written = 0

    def write(self, text):
        self.written += len(text)
        return self.inner.write(text)

    def flush(self):
        self.inner.flush()


def _show(value):
    if value is None:
        return
    if isinstance(value, (list, tuple, set)) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        print(", ".join(str(int(v)) if float(v).is_integer() else str(v) for v in value))
    else:
        print(value)


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    code = _prepare(source)
    out = _CountingStdout(sys.stdout)
    sys.stdout = out
    builtins.__import__ = _guarded_import
    namespace = {"__name__": "__main__", "__show__": _show}
    exec(code, namespace)
    if out.written == 0 and "result" in namespace:
        _show(namespace["result"])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
