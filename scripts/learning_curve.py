"""Learning curve: the same tasks for several epochs on one store, calls per solved task.

Runs N tasks of a few request patterns for ``--epochs`` epochs against one persistent store
and prints, per epoch, the success rate, the model calls and the calls per solved task; a PNG
plot is written next to it. With the default scripted *flawed* model (below) the first task of
each pattern pays for the seed scenario's mistake (code instead of data) and every later one
reuses what was learned, so calls per solved task fall from epoch 1 to epoch 2.

    python scripts/learning_curve.py --tasks 8 --epochs 3 --png learning_curve.png
    python scripts/learning_curve.py --model openai:gpt-4o-mini --db curve.sqlite

The flawed model here is deliberately small and self-contained; the benchmark suite in
``bench/`` has a richer one with seeded failure rates.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from adaptive_react import create_adaptive_agent
from adaptive_react.analysis import rules_intent
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.persistence import open_persistence
from adaptive_react.prompts import templates

SUBJECTS = {
    "prime": "prime numbers",
    "fibonacci": "Fibonacci numbers",
    "square": "square numbers",
    "even": "even numbers",
}


def make_tasks(count: int) -> list[str]:
    """``count`` requests cycling over four patterns, each pattern with varied counts."""
    props = list(SUBJECTS)
    return [f"List the first {10 + 5 * i} {SUBJECTS[props[i % 4]]}" for i in range(count)]


class FlawedModel:
    """A weak model's habits: plans code for data requests until told that failed.

    Intent: the rules' reading. Plan: with nothing learned, ask ``ai_process`` for a program
    (the seed mistake); once the prompt lists that as failed, ask for the data. ``ai_process``:
    a program when asked for code, the correct list otherwise. Codegen: a correct program.
    """

    kinds = {
        k: getattr(templates, f"{k.upper()}_SYSTEM")[:40]
        for k in ("intent", "plan", "codegen", "ai_process", "judge")
    }

    def __init__(self) -> None:
        self.calls = 0

    def _kind(self, messages: list[BaseMessage]) -> str:
        system = str(messages[0].content) if messages else ""
        return next((k for k, p in self.kinds.items() if system.startswith(p)), "other")

    def __call__(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        """One reply, chosen by the prompt kind (as tests/helpers.py recognises them)."""
        self.calls += 1
        kind, text = self._kind(messages), "\n".join(str(m.content) for m in messages)
        request = next(
            (r for r in re.findall(r"(?:List|Give me) the first \d+ [A-Za-z ]+", text)), ""
        )
        n = int(re.search(r"first (\d+)", request or text).group(1))  # type: ignore[union-attr]
        prop = next((p for p, s in SUBJECTS.items() if s.split()[0] in text), "prime")
        if kind == "intent":
            return rules_intent(request)
        if kind == "plan":
            if "ai_process:code" in text:
                return {
                    "tool": "ai_process",
                    "parameters": {
                        "prompt": f"List the first {n} {SUBJECTS[prop]}, comma-separated"
                    },
                }
            return {
                "tool": "ai_process",
                "parameters": {
                    "prompt": f"Write Python code that generates the first {n} {SUBJECTS[prop]}"
                },
            }
        if kind == "ai_process" and re.search(r"write python code", text, re.I):
            return f"```python\nprint(first_{prop}({n}))\n```"
        if kind == "codegen":
            return f"```python\nprint({expected_sequence(prop, n)})\n```"
        if kind == "judge":
            return {"items": []}
        return ", ".join(map(str, expected_sequence(prop, n) or []))


def run_curve(tasks: list[str], epochs: int, db: str, model: Any = None) -> list[dict[str, Any]]:
    """Run every task once per epoch on one store; one summary row per epoch."""
    rows = []
    with open_persistence(db) as (saver, store):
        for epoch in range(1, epochs + 1):
            solved = calls = 0
            start = time.monotonic()
            for request in tasks:
                chat = model or ScriptedChatModel(script=FlawedModel())
                agent = create_adaptive_agent(
                    chat, checkpointer=saver, store=store, namespace="curve"
                )
                out = agent.invoke(
                    {"request": request},
                    config={"configurable": {"thread_id": f"curve-{epoch}-{uuid.uuid4().hex[:8]}"}},
                )
                solved += bool(out["success"])
                calls += int(out["model_calls"])
            rows.append(
                {
                    "epoch": epoch,
                    "tasks": len(tasks),
                    "solved": solved,
                    "success_rate": solved / len(tasks),
                    "model_calls": calls,
                    "calls_per_solved": calls / solved if solved else None,
                    "seconds": round(time.monotonic() - start, 2),
                }
            )
    return rows


def plot(rows: list[dict[str, Any]], png: Path) -> None:
    """Success rate and calls per solved task against the epoch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [r["epoch"] for r in rows]
    fig, ax1 = plt.subplots(figsize=(6, 4))
    ax1.plot(epochs, [r["calls_per_solved"] or 0 for r in rows], "o-", color="tab:blue")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("model calls per solved task", color="tab:blue")
    ax1.set_xticks(epochs)
    ax2 = ax1.twinx()
    ax2.plot(epochs, [r["success_rate"] for r in rows], "s--", color="tab:green")
    ax2.set_ylabel("success rate", color="tab:green")
    ax2.set_ylim(0, 1.05)
    fig.suptitle("adaptive-react learning curve")
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print a table (or JSON), write the PNG."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--db", default=None, help="SQLite file (default: a fresh temporary one)")
    p.add_argument("--model", default=None, help="a real model spec instead of the flawed one")
    p.add_argument("--png", default="learning_curve.png")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    db = args.db or str(Path(tempfile.mkdtemp()) / "curve.sqlite")
    rows = run_curve(make_tasks(args.tasks), args.epochs, db, args.model)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'epoch':>5} {'solved':>8} {'success':>8} {'calls':>6} {'calls/solved':>13}")
        for r in rows:
            cps = f"{r['calls_per_solved']:.2f}" if r["calls_per_solved"] else "-"
            print(
                f"{r['epoch']:>5} {r['solved']:>4}/{r['tasks']:<3} {r['success_rate']:>8.0%} "
                f"{r['model_calls']:>6} {cps:>13}"
            )
    plot(rows, Path(args.png))
    print(f"plot written to {args.png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
