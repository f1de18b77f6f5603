"""Run agents over task files: every agent on the same model and tools, in the same run.

The learning curve is the main run: epochs 1..N over the train tasks on one store per
learning agent, then the held-out paraphrases on that same store.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.store.memory import InMemoryStore

from .agents import AGENTS, AgentEnv, AgentSpec, Outcome
from .checkers import Deliverable, check
from .metrics import ModelUsage
from .scripted import scripted_model
from .tasks import Task


def make_model(spec: str, tasks: Sequence[Task], salt: str = "") -> BaseChatModel:
    """``scripted:PROFILE.json``, or anything ``load_chat_model`` accepts."""
    if spec.startswith("scripted:"):
        return scripted_model(spec.split(":", 1)[1], tasks, salt)
    from adaptive_react.llm import load_chat_model

    return load_chat_model(spec)


def with_usage(model: BaseChatModel) -> tuple[BaseChatModel, ModelUsage]:
    """A copy of ``model`` that reports its calls and tokens to a fresh handler."""
    usage = ModelUsage()
    return model.model_copy(update={"callbacks": [usage]}), usage


def run_task(
    spec: AgentSpec,
    task: Task,
    model: BaseChatModel,
    *,
    store: Any,
    max_steps: int,
    phase: str,
    root: Path,
    checkpointer: Any = None,
    callbacks: list[Any] | None = None,
) -> dict[str, Any]:
    """Run one agent on one task and check the deliverable; never raises."""
    workdir = root / spec.name / phase / task.id
    workdir.mkdir(parents=True, exist_ok=True)
    counted, usage = with_usage(model)
    env = AgentEnv(
        model=counted,
        store=store,
        checkpointer=checkpointer,
        max_steps=max_steps,
        workdir=workdir,
        thread_id=f"{spec.name}-{phase}-{task.id}",
        callbacks=callbacks or [],
    )
    start = time.perf_counter()
    try:
        outcome = spec.run(task, env)
    except Exception as exc:  # noqa: BLE001 - a crashed run is a failed task, recorded
        outcome = Outcome(text="", error=f"{type(exc).__name__}: {exc}"[:500])
        traceback.print_exc()
    wall = time.perf_counter() - start
    passed, detail = check(
        task.checker, Deliverable(outcome.text, outcome.files, task.request), task.args
    )
    return {
        "agent": spec.name,
        "phase": phase,
        "task": task.id,
        "pattern": task.pattern,
        "split": task.split,
        "success": passed,
        "detail": detail,
        "claimed_success": outcome.claimed_success,
        "verdict": outcome.verdict,
        "model_calls": usage.calls,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "tokens_estimated": usage.estimated,
        "wall_s": round(wall, 4),
        "model_s": round(usage.model_s, 4),
        "tool_s": round(outcome.tool_s, 4),
        "steps": outcome.steps,
        "error": outcome.error,
        "deliverable": outcome.text[:300],
    }


def learning_curve(
    agent_names: Sequence[str],
    model_spec: str,
    train: Sequence[Task],
    heldout: Sequence[Task],
    *,
    epochs: int,
    max_steps: int,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Epochs 1..N on the train tasks, then the held-out tasks, per agent.

    Learning agents keep one store for the whole curve; the others start fresh each time.
    The scripted model draws its temperature > 0 samples with a per-epoch salt, so epochs
    are independent samples where sampling is involved, and identical at temperature 0.
    """
    rows: list[dict[str, Any]] = []
    root = Path(tempfile.mkdtemp(prefix="bench-"))
    phases = [(f"epoch{e}", train) for e in range(1, epochs + 1)]
    if heldout:
        phases.append(("heldout", heldout))
    all_tasks = [*train, *heldout]
    try:
        for name in agent_names:
            spec = AGENTS[name]
            store = InMemoryStore() if spec.learns else None
            for phase, tasks in phases:
                model = make_model(model_spec, all_tasks, salt=phase)
                for task in tasks:
                    row = run_task(
                        spec,
                        task,
                        model,
                        store=store if spec.learns else None,
                        max_steps=max_steps,
                        phase=phase,
                        root=root,
                    )
                    rows.append(row)
                    if progress:
                        progress(row)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per agent and phase: what the checker saw next to what the agent said, and costs.

    ``solved`` is the checker's count; ``claimed`` the agent's (the baselines claim every
    answer they return); a false claim is claimed and rejected by the checker, a false
    rejection not claimed and accepted. ``by_family`` has the same counts per pattern.
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["agent"], {}).setdefault(row["phase"], {"rows": []})["rows"].append(row)
    for phases in out.values():
        for phase, bucket in phases.items():
            rs = bucket.pop("rows")
            phases[phase] = {
                **_counts(rs),
                "by_pattern": _by_pattern(rs),
                "by_family": _by_family(rs),
            }
    return out


def _counts(rs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    n = len(rs)
    solved = sum(bool(r["success"]) for r in rs)
    calls = sum(r["model_calls"] for r in rs)
    tokens = sum(r["input_tokens"] + r["output_tokens"] for r in rs)
    wall = sum(r["wall_s"] for r in rs)
    claimed = [r for r in rs if r["claimed_success"] is not None]
    return {
        "tasks": n,
        "solved": solved,
        "success_rate": solved / n if n else 0.0,
        "claimed": sum(bool(r["claimed_success"]) for r in rs),
        "calls_per_task": calls / n if n else 0.0,
        "calls_per_solved": calls / solved if solved else None,
        "tokens_per_task": tokens / n if n else 0.0,
        "tokens_per_solved": tokens / solved if solved else None,
        "tokens_estimated": any(r.get("tokens_estimated") for r in rs),
        "wall_s_per_task": wall / n if n else 0.0,
        "wall_s_per_solved": wall / solved if solved else None,
        "steps_per_task": sum(r["steps"] for r in rs) / n if n else 0.0,
        "false_success_claims": sum(
            bool(r["claimed_success"]) and not r["success"] for r in claimed
        ),
        "false_rejections": sum(r["claimed_success"] is False and r["success"] for r in claimed),
        "honest_failures": sum(r["claimed_success"] is False and not r["success"] for r in claimed),
        "errors": sum(bool(r["error"]) for r in rs),
    }


def _by_family(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["pattern"], []).append(r)
    return {family: _counts(rs) for family, rs in sorted(groups.items())}


def _by_pattern(rows: Sequence[dict[str, Any]]) -> dict[str, list[int]]:
    acc: dict[str, list[int]] = {}
    for r in rows:
        pair = acc.setdefault(r["pattern"], [0, 0])
        pair[0] += int(r["success"])
        pair[1] += 1
    return acc
