"""``python -m bench.repeat``: one request, N runs, each on a fresh store, as a user runs it.

The seed request's promise ("right 9 times in 10 on a fresh store") is about what a new user
sees, so every run is the CLI in its own process with its own SQLite file: no strategy, skill
or cached client carries over from one run to the next (the model server does, as it does
for a user). The task's checker, not the agent, decides whether a run was right.

``--shared-store`` measures the other promise, "one call once learned": every run of a task is
still its own process, but all of them use one SQLite file (fresh when the task starts), so
run 1 is first sight and runs 2..N replay what it learned.

Example::

    python -m bench.repeat --model local --tasks bench/tasks/repeat.jsonl --runs 10 \\
        --out bench/results/repeat-local
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .checkers import Deliverable, check
from .tasks import Task, load_tasks

#: A run that takes longer than this is cut and counted as a failure.
RUN_TIMEOUT_S = 900


@dataclass
class RunRow:
    task: str
    run: int
    exit_code: int
    solved: bool
    claimed: bool
    verdict: str
    model_calls: int
    steps: int
    wall_s: float
    detail: str


def _one_run(task: Task, model: str, max_steps: int, index: int, db: Path | None = None) -> RunRow:
    """One CLI process; on ``db`` when given, else on a store of its own."""
    request = task.request
    with tempfile.TemporaryDirectory(prefix="repeat-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "adaptive_react.cli",
            "run",
            request,
            "--json",
            "--model",
            model,
            "--max-steps",
            str(max_steps),
            "--db",
            str(db or Path(tmp) / "fresh.sqlite"),
            "--out",
            str(Path(tmp) / "out"),
        ]
        start = time.monotonic()
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
            )
            code, stdout = proc.returncode, proc.stdout
        except subprocess.TimeoutExpired:
            code, stdout = -1, ""
        wall = time.monotonic() - start
    try:
        result = json.loads(stdout)
    except json.JSONDecodeError:
        result = {}
    text = str(result.get("deliverable") or "")
    solved, detail = check(task.checker, Deliverable(text=text, request=request), task.args)
    if not result:
        detail = f"no JSON result (exit {code})"
    return RunRow(
        task=task.id,
        run=index,
        exit_code=code,
        solved=solved,
        claimed=bool(result.get("success")),
        verdict=str(result.get("verdict", "")),
        model_calls=int(result.get("model_calls") or 0),
        steps=len(result.get("steps") or []),
        wall_s=round(wall, 1),
        detail=detail[:200],
    )


def summarise(rows: list[RunRow]) -> dict[str, Any]:
    """Per task: right runs, claims, false claims, medians of wall time and calls."""
    out: dict[str, Any] = {}
    for task in dict.fromkeys(r.task for r in rows):
        mine = [r for r in rows if r.task == task]
        out[task] = {
            "runs": len(mine),
            "solved": sum(r.solved for r in mine),
            "claimed": sum(r.claimed for r in mine),
            "false_claims": sum(r.claimed and not r.solved for r in mine),
            "exit_0": sum(r.exit_code == 0 for r in mine),
            "median_wall_s": round(statistics.median(r.wall_s for r in mine), 1),
            "median_calls": statistics.median(r.model_calls for r in mine),
            "median_steps": statistics.median(r.steps for r in mine),
            # On a shared store: first sight, then what the learned runs cost.
            "first_run_calls": mine[0].model_calls,
            "later_median_calls": (
                statistics.median(r.model_calls for r in mine[1:]) if len(mine) > 1 else None
            ),
        }
    return out


def markdown(meta: dict[str, Any], summary: dict[str, Any], rows: list[RunRow]) -> str:
    store = (
        "one store per task, shared by its runs"
        if meta.get("shared_store")
        else "a fresh store per run"
    )
    lines = [
        f"# Repeated runs, {store}: {meta['model']}",
        "",
        f"- command: `{meta['command']}`",
        f"- machine: {meta['machine']}",
        f"- date: {meta['date']}, commit {meta.get('commit', '?')}",
        "",
        "| task | right | claimed | false claims | exit 0 | median s | median calls "
        "| median steps | calls, run 1 | median calls, runs 2.. |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for task, s in summary.items():
        lines.append(
            f"| {task} | {s['solved']}/{s['runs']} | {s['claimed']} | "
            f"{s['false_claims']} | {s['exit_0']} | {s['median_wall_s']} | "
            f"{s['median_calls']} | {s['median_steps']} | {s['first_run_calls']} | "
            f"{s['later_median_calls']} |"
        )
    lines += [
        "",
        "| task | run | right | verdict | exit | calls | steps | s | checker |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.task} | {r.run} | {'yes' if r.solved else 'no'} | {r.verdict} | "
            f"{r.exit_code} | {r.model_calls} | {r.steps} | {r.wall_s} | "
            f"{r.detail.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def _commit() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
            ).stdout.strip()
            or "?"
        )
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.repeat",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", default="local")
    p.add_argument("--tasks", default="bench/tasks/repeat.jsonl")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--max-steps", type=int, default=8)
    p.add_argument("--only", default="", help="comma-separated task ids to keep")
    p.add_argument(
        "--shared-store",
        action="store_true",
        help="all runs of a task share one store: first sight, then learned",
    )
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    tasks = load_tasks(Path(args.tasks))
    if args.only:
        keep = set(args.only.split(","))
        tasks = [t for t in tasks if t.id in keep]
    rows: list[RunRow] = []
    for task in tasks:
        with tempfile.TemporaryDirectory(prefix="repeat-store-") as shared:
            db = Path(shared) / "shared.sqlite" if args.shared_store else None
            for i in range(1, args.runs + 1):
                row = _one_run(task, args.model, args.max_steps, i, db)
                rows.append(row)
                print(
                    f"{task.id:24} run {i:2} {'ok' if row.solved else 'FAIL':4} "
                    f"exit={row.exit_code} calls={row.model_calls} steps={row.steps} "
                    f"{row.wall_s}s {row.detail[:80]}",
                    flush=True,
                )
    meta = {
        "model": args.model,
        "command": "python -m bench.repeat " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": _commit(),
        "shared_store": args.shared_store,
    }
    summary = summarise(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps({"meta": meta, "summary": summary, "runs": [asdict(r) for r in rows]}, indent=2),
        encoding="utf-8",
    )
    (out / "results.md").write_text(markdown(meta, summary, rows), encoding="utf-8")
    print(f"wrote {out}/results.json, results.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
