"""Executed inside the sandbox subprocess; imports nothing from the agent.

The import guard is a speed bump that turns an accidental ``import adaptive_react`` into a
clear error; it is not the boundary (a determined program can undo anything in its own
interpreter). The boundary is the process: another uid, no network, no view of the store's
files (see docs/sandbox.md).

The program's own imports are also held to what the model was told it may use: the standard
library and the packages the agent passes with ``--allow``. Anything else fails with a message
that names what is available, which a retry can act on; a bare "No module named 'x'" made
weak models ask for the same module again. Imports made by those packages themselves are not
held to the list (pandas imports dateutil), only to the block list.

Runs a program like a REPL would: a bare expression on the last line is printed, and a
program that prints nothing but defines ``result`` gets ``result`` printed, so a model that
"returns a value" still delivers it. Kept dependency-free so it runs under ``python -I``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import resource
import sys
import traceback
from collections.abc import Callable
from types import CodeType, ModuleType
from typing import Any, TextIO

_BLOCKED = ("adaptive_react", "langgraph", "langchain", "langsmith", "psycopg", "sqlite3")
_real_import = builtins.__import__
_real_import_module = importlib.import_module
_allowed: frozenset[str] = frozenset()


def _unavailable(top: str) -> ModuleNotFoundError:
    listed = ", ".join(sorted(_allowed)) or "none"
    return ModuleNotFoundError(
        f"module {top!r} is not available in the sandbox; available: the standard library "
        f"and {listed}",
        name=top,
    )


def _guarded(name: str, relative: bool, do_import: Callable[[], ModuleType]) -> ModuleType:
    """Hold an absolute import to the block list and, if the program's own, to the allowed list.

    Whether it is the program's own is read off the importing frame (0: here, 1: the import
    hook, 2: whoever imports): only the program runs as ``__main__``, a library never does.
    """
    if relative:
        return do_import()
    top = name.split(".")[0]
    if top.startswith(_BLOCKED):
        raise ImportError(f"import of {name!r} is not allowed in the sandbox")
    if sys._getframe(2).f_globals.get("__name__") != "__main__":
        return do_import()
    if top not in _allowed and top not in sys.stdlib_module_names:
        raise _unavailable(top)
    try:
        return do_import()
    except ModuleNotFoundError as exc:
        if exc.name != top:
            raise
        raise _unavailable(top) from None  # a standard module this Python was built without


def _guarded_import(
    name: str,
    globals: Any = None,  # noqa: A002
    locals: Any = None,  # noqa: A002
    fromlist: Any = (),
    level: int = 0,
) -> ModuleType:
    return _guarded(name, level != 0, lambda: _real_import(name, globals, locals, fromlist, level))


def _guarded_import_module(name: str, package: str | None = None) -> ModuleType:
    return _guarded(name, name.startswith("."), lambda: _real_import_module(name, package))


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


def _report(exc: BaseException, source: str) -> None:
    """Print the traceback without this runner's own frames, with the program's own lines.

    The program's lines are what a repair must see; the runner's frames would push them out
    of a short excerpt, and ``<action>`` has no file Python could quote the lines from.
    """
    lines = source.splitlines()
    report = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    frames = []
    # A syntax error is raised while compiling: the frames are the compiler's, not the program's.
    for frame in [] if isinstance(exc, SyntaxError) else report.stack:
        if frame.filename == __file__:
            continue
        if frame.filename == "<action>" and frame.lineno and 0 < frame.lineno <= len(lines):
            frame = traceback.FrameSummary(
                frame.filename, frame.lineno, frame.name, line=lines[frame.lineno - 1]
            )
        frames.append(frame)
    report.stack = traceback.StackSummary.from_list(frames)
    sys.stdout.flush()
    sys.stderr.write("".join(report.format()))


def _limit(spec: str) -> None:
    """Set the run's resource limits before the program starts; its processes inherit them.

    Done here rather than between fork and exec, so no launcher needs a ``preexec_fn``. Root
    ignores ``RLIMIT_NPROC`` (and could raise the others again), which is why the isolated
    level runs the program as a throw-away uid.
    """
    cpu, memory, file_size, processes = (int(v) for v in spec.split(","))
    for which, value in (
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_FSIZE, file_size),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))
    if os.getuid() != 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


def main() -> None:
    global _allowed
    path = sys.argv[1]
    options = dict(zip(sys.argv[2::2], sys.argv[3::2], strict=False))
    _allowed = frozenset(n for n in options.get("--allow", "").split(",") if n)
    if "--limits" in options:
        _limit(options["--limits"])
    # The program runs where it was written (bwrap itself cannot enter the 0700 workdir).
    os.chdir(os.path.dirname(os.path.abspath(path)))
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    out = _CountingStdout(sys.stdout)
    sys.stdout = out  # type: ignore[assignment]
    builtins.__import__ = _guarded_import
    importlib.import_module = _guarded_import_module
    namespace = {"__name__": "__main__", "__show__": _show}
    try:
        exec(_prepare(source), namespace)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported like Python would, then exit 1
        _report(exc, source)
        sys.exit(1)
    if out.written == 0 and "result" in namespace:
        _show(namespace["result"])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
