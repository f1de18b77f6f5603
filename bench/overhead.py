"""Framework overhead: time per node with a zero-latency model, and checkpoint cost per step.

The model is the scripted one with the ``perfect`` profile (no flaws, no latency), so what
remains of the wall time, after the sandbox's own time is taken out, is the framework.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react.agent import with_state_types

from .agents import AGENTS
from .metrics import NodeTimer
from .runner import make_model, run_task
from .tasks import Task

PERFECT = str(Path(__file__).parent / "profiles" / "perfect.json")

_DELEGATED = (
    "get_tuple",
    "list",
    "get_next_version",
    "delete_thread",
    "prune",
    "copy_thread",
    "delete_for_runs",
    "get_delta_channel_history",
)


class TimedSaver(BaseCheckpointSaver):  # type: ignore[type-arg]
    """A checkpointer that forwards to another and times every write and read."""

    def __init__(self, inner: BaseCheckpointSaver[Any]):
        super().__init__(serde=inner.serde)
        self.inner = inner
        self.write_s = 0.0
        self.read_s = 0.0
        self.puts = 0
        self.put_writes_calls = 0
        for name in _DELEGATED:
            if hasattr(inner, name) and name not in ("get_tuple", "list"):
                setattr(self, name, getattr(inner, name))

    def get_tuple(self, config: Any) -> Any:
        """Read a checkpoint (timed)."""
        start = time.perf_counter()
        try:
            return self.inner.get_tuple(config)
        finally:
            self.read_s += time.perf_counter() - start

    def list(self, config: Any, **kwargs: Any) -> Iterator[Any]:
        """List checkpoints (not timed: the bench only lists to count)."""
        return self.inner.list(config, **kwargs)

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        """Write a checkpoint (timed)."""
        start = time.perf_counter()
        try:
            return self.inner.put(config, checkpoint, metadata, new_versions)
        finally:
            self.write_s += time.perf_counter() - start
            self.puts += 1

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        """Write a node's pending writes (timed)."""
        start = time.perf_counter()
        try:
            self.inner.put_writes(config, writes, task_id, task_path)
        finally:
            self.write_s += time.perf_counter() - start
            self.put_writes_calls += 1


@contextmanager
def saver(kind: str, dsn: str | None = None) -> Iterator[BaseCheckpointSaver[Any] | None]:
    """A fresh checkpointer of ``kind``.

    ``sqlite`` is ``SqliteSaver`` on a plain ``sqlite3.connect`` (rollback journal, full sync);
    ``sqlite-cli`` and ``postgres`` are opened exactly as the CLI opens them.
    """
    if kind == "none":
        yield None
    elif kind == "memory":
        yield InMemorySaver()
    elif kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        folder = tempfile.mkdtemp(prefix="bench-sqlite-")
        conn = sqlite3.connect(os.path.join(folder, "cp.sqlite"), check_same_thread=False)
        try:
            yield SqliteSaver(conn)
        finally:
            conn.close()
            shutil.rmtree(folder, ignore_errors=True)
    elif kind == "sqlite-cli":
        # What the CLI opens: WAL, synchronous=NORMAL (adaptive_react.persistence).
        from adaptive_react.persistence import open_persistence

        folder = tempfile.mkdtemp(prefix="bench-sqlite-")
        try:
            with open_persistence(os.path.join(folder, "cp.sqlite")) as (cp, _store):
                yield cp
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    elif kind == "postgres":
        from adaptive_react.persistence import open_persistence

        assert dsn, "postgres needs a DSN"
        with open_persistence(dsn) as (cp, _store):
            yield cp
    else:
        raise ValueError(kind)


def node_overhead(
    agent_names: Sequence[str], tasks: Sequence[Task], max_steps: int
) -> dict[str, Any]:
    """Per agent: wall, model, sandbox and framework time per task and per node execution."""
    out: dict[str, Any] = {}
    root = Path(tempfile.mkdtemp(prefix="bench-oh-"))
    try:
        for name in agent_names:
            spec = AGENTS[name]
            timer = NodeTimer()
            model = make_model(f"scripted:{PERFECT}", tasks)
            # One untimed warm-up pass over every task, so lazy imports (openpyxl for a
            # spreadsheet, an SDK on first use) and first-call caches are not counted as
            # framework time; warming up on one task left the others' imports in the timing.
            for t in tasks:
                run_task(
                    spec,
                    t,
                    model,
                    store=InMemoryStore(),
                    max_steps=max_steps,
                    phase="warmup",
                    root=root,
                )
            rows = [
                run_task(
                    spec,
                    t,
                    model,
                    store=InMemoryStore(),
                    max_steps=max_steps,
                    phase="overhead",
                    root=root,
                    callbacks=[timer],
                )
                for t in tasks
            ]
            n = len(rows)
            wall = sum(r["wall_s"] for r in rows)
            model_s = sum(r["model_s"] for r in rows)
            tool_s = sum(r["tool_s"] for r in rows)
            node_runs = sum(timer.counts.values())
            framework = wall - model_s - tool_s
            out[name] = {
                "tasks": n,
                "solved": sum(r["success"] for r in rows),
                "wall_ms_per_task": 1000 * wall / n,
                "model_ms_per_task": 1000 * model_s / n,
                "sandbox_ms_per_task": 1000 * tool_s / n,
                "framework_ms_per_task": 1000 * framework / n,
                "node_runs_per_task": node_runs / n,
                "framework_ms_per_node_run": 1000 * framework / node_runs if node_runs else None,
                "model_calls_per_task": sum(r["model_calls"] for r in rows) / n,
                "nodes": {
                    k: {
                        "runs": timer.counts[k],
                        "ms_per_run": 1000 * timer.seconds[k] / timer.counts[k],
                    }
                    for k in sorted(timer.counts)
                },
            }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return out


def checkpoint_cost(
    tasks: Sequence[Task], max_steps: int, pg_dsn: str | None = None, agent: str = "adaptive-react"
) -> dict[str, Any]:
    """Checkpointer time per graph step (node execution) and per loop step, per backend."""
    kinds = ["memory", "sqlite", "sqlite-cli"] + (["postgres"] if pg_dsn else [])
    out: dict[str, Any] = {}
    spec = AGENTS[agent]
    root = Path(tempfile.mkdtemp(prefix="bench-cp-"))
    try:
        for kind in kinds:
            with saver(kind, pg_dsn) as inner:
                assert inner is not None
                # The agent clones a saver to set its serializer (with_state_types); timing a
                # clone would leave these counters at zero, so the inner saver gets the
                # agent's serializer first and the timed wrapper is then used as it is.
                timed = TimedSaver(with_state_types(inner))
                model = make_model(f"scripted:{PERFECT}", tasks)
                run_task(
                    spec,
                    tasks[0],
                    model,
                    store=InMemoryStore(),
                    max_steps=max_steps,
                    phase=f"warmup-{kind}",
                    root=root,
                    checkpointer=timed,
                )
                timed.write_s = timed.read_s = 0.0
                timed.puts = timed.put_writes_calls = 0
                rows = [
                    run_task(
                        spec,
                        t,
                        model,
                        store=InMemoryStore(),
                        max_steps=max_steps,
                        phase=f"cp-{kind}",
                        root=root,
                        checkpointer=timed,
                    )
                    for t in tasks
                ]
                if timed.puts == 0:
                    raise RuntimeError(f"no checkpoint write reached the {kind} timer")
                loop_steps = sum(r["steps"] for r in rows) or 1
                total = timed.write_s + timed.read_s
                out[kind] = {
                    "tasks": len(rows),
                    "checkpoints": timed.puts,
                    "put_writes": timed.put_writes_calls,
                    "loop_steps": loop_steps,
                    "ms_per_checkpoint": 1000 * timed.write_s / max(timed.puts, 1),
                    "ms_per_loop_step": 1000 * total / loop_steps,
                    "ms_per_task": 1000 * total / len(rows),
                    "wall_ms_per_task": 1000 * sum(r["wall_s"] for r in rows) / len(rows),
                }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if not pg_dsn:
        out["postgres"] = {"skipped": "no DSN (--pg-dsn or ADAPTIVE_REACT_BENCH_PG_DSN)"}
    return out
