"""Benchmark tasks: the JSONL format and its loader.

One JSON object per line::

    {"id": "primes-train-0",            # unique in the file
     "pattern": "primes",               # groups tasks for per-pattern results
     "split": "train",                  # "train" (learning-curve epochs) or "heldout"
     "kind": "data",                    # "data", "code" or "document" (scripted model only)
     "request": "List the first 10 prime numbers",
     "files": ["bench/data/sales.csv"],  # optional inputs; relative to the cwd or the file
     "checker": {"name": "numbers", "args": {"expected": [2, 3, 5]}},
     "solution": {"answer": "2, 3, 5", "code": "print(...)"}}  # optional, scripted model only

A line ``{"source": "humaneval", "split": "heldout", ...}`` stands for tasks from a public
benchmark instead (see :mod:`bench.external`). ``checker.name`` must be registered in
:mod:`bench.checkers`; ``solution`` is what the scripted model "knows" (real models never
see it), so a task file for real models can omit it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checkers import CHECKERS


@dataclass(frozen=True)
class Task:
    """One benchmark task."""

    id: str
    request: str
    checker: str
    args: dict[str, Any] = field(default_factory=dict)
    pattern: str = "other"
    split: str = "train"
    kind: str = "data"
    files: tuple[str, ...] = ()
    answer: str = ""
    code: str = ""

    def request_with_files(self) -> str:
        """The request, with the attached files named the way both agents are told."""
        if not self.files:
            return self.request
        names = ", ".join(Path(f).name for f in self.files)
        return f"{self.request}\n(Attached files, in the python tool's working directory: {names})"


def load_tasks(path: str | Path) -> list[Task]:
    """Read a task file; fail loudly on an unknown checker, a missing file or a duplicate id.

    Args:
        path: A JSONL file in the format described in this module's docstring.

    Raises:
        ValueError: On a malformed line, an unknown checker or a duplicate id.
        FileNotFoundError: When a task's input file does not exist.
    """
    path = Path(path)
    tasks: list[Task] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            raw = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: not a task ({exc})") from exc
        if isinstance(raw, dict) and "source" in raw:
            from .external import expand_source  # imports this module

            for task in expand_source(raw):
                if task.id in seen:
                    raise ValueError(f"{path}:{lineno}: duplicate task id {task.id!r}")
                seen.add(task.id)
                tasks.append(task)
            continue
        try:
            checker = raw["checker"]
            tid, request = str(raw["id"]), str(raw["request"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{lineno}: not a task ({exc})") from exc
        if checker["name"] not in CHECKERS:
            raise ValueError(
                f"{path}:{lineno}: unknown checker {checker['name']!r}; known: {sorted(CHECKERS)}"
            )
        if tid in seen:
            raise ValueError(f"{path}:{lineno}: duplicate task id {tid!r}")
        seen.add(tid)
        solution = raw.get("solution") or {}
        tasks.append(
            Task(
                id=tid,
                request=request,
                checker=checker["name"],
                args=checker.get("args") or {},
                pattern=str(raw.get("pattern", "other")),
                split=str(raw.get("split", "train")),
                kind=str(raw.get("kind", "data")),
                files=tuple(_resolve(f, path) for f in raw.get("files") or []),
                answer=str(solution.get("answer", "")),
                code=str(solution.get("code", "")),
            )
        )
    return tasks


def _resolve(name: str, task_file: Path) -> str:
    for candidate in (Path(name), task_file.parent / name, task_file.parent.parent.parent / name):
        if candidate.is_file():
            return str(candidate.resolve())
    raise FileNotFoundError(f"{task_file}: input file {name!r} not found")
