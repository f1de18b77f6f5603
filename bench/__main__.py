"""``python -m bench``: run the benchmark and write JSON, Markdown and PNG results.

Examples::

    python -m bench --model scripted:bench/profiles/flawed.json
    python -m bench --model local --tasks bench/tasks/external_small.jsonl \\
        --agents direct,react-baseline,adaptive-react --epochs 1 --no-overhead \\
        --out bench/results/local-external
    python -m bench --model http://127.0.0.1:8000/v1 --tasks bench/tasks/external.jsonl \\
        --agents direct,react-baseline,adaptive-react --epochs 2 --no-overhead
    python -m bench --overhead-only --agents react-baseline,adaptive-react
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Tracing without network hangs at exit; a benchmark never traces.
os.environ.pop("LANGSMITH_TRACING", None)
os.environ.pop("LANGCHAIN_TRACING_V2", None)

HERE = Path(__file__).parent


def machine() -> str:
    """CPU model, core count, memory and Python: enough to compare timings."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def commit() -> str:
    """The current git commit (short), or "unknown"."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--model",
        default=f"scripted:{HERE / 'profiles' / 'flawed.json'}",
        help="scripted:PROFILE.json, local, local-small, provider:model or a base URL",
    )
    p.add_argument(
        "--tasks",
        default=str(HERE / "tasks" / "suite.jsonl"),
        help="task file (JSONL, see bench/README.md)",
    )
    p.add_argument(
        "--heldout",
        default=None,
        help="tasks run after the epochs on the same store, or 'none' (default: the "
        "scripted suite's paraphrases with the default --tasks, none otherwise)",
    )
    p.add_argument(
        "--agents",
        default="direct,react-baseline,adaptive-react,adaptive-actionplan",
        help="comma-separated agent names (unavailable ones are skipped)",
    )
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--max-steps", type=int, default=4)
    p.add_argument("--limit", type=int, default=0, help="only the first N tasks of each file")
    p.add_argument("--patterns", default="", help="comma-separated patterns to keep")
    p.add_argument("--no-overhead", action="store_true", help="skip the overhead measurements")
    p.add_argument("--overhead-tasks", type=int, default=12)
    p.add_argument(
        "--overhead-only",
        action="store_true",
        help="only framework ms per node run, same run for every agent; prints, writes nothing",
    )
    p.add_argument(
        "--pg-dsn",
        default=os.environ.get("ADAPTIVE_REACT_BENCH_PG_DSN"),
        help="PostgreSQL DSN for the checkpoint cost (default: "
        "$ADAPTIVE_REACT_BENCH_PG_DSN; skipped when unset)",
    )
    p.add_argument(
        "--out",
        default=str(HERE / "results" / "scripted"),
        help="output folder (results.json, results.md, *.png)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="run agents in parallel processes (faster; per-task times noisier)",
    )
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.heldout is None:
        suite = Path(args.tasks).resolve() == (HERE / "tasks" / "suite.jsonl").resolve()
        args.heldout = str(HERE / "tasks" / "heldout.jsonl") if suite else "none"
    return args


def print_row(row: dict[str, Any]) -> None:
    """One progress line per task run."""
    mark = "ok " if row["success"] else "FAIL"
    print(
        f"{row['agent']:<20} {row['phase']:<8} {row['task']:<22} {mark} "
        f"calls={row['model_calls']:<3} steps={row['steps']} {row['wall_s']:.2f}s "
        f"{row['detail'][:60]}",
        flush=True,
    )


def select(tasks: list[Any], args: argparse.Namespace) -> list[Any]:
    """Apply --patterns and --limit."""
    if args.patterns:
        keep = set(args.patterns.split(","))
        tasks = [t for t in tasks if t.pattern in keep]
    return tasks[: args.limit] if args.limit else tasks


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; returns the results dictionary it wrote."""
    from .agents import AGENTS
    from .overhead import checkpoint_cost, node_overhead
    from .report import markdown, plots
    from .runner import learning_curve, summarize
    from .tasks import load_tasks

    args = parse_args(argv)
    started = time.perf_counter()
    train = select(load_tasks(args.tasks), args)
    heldout = [] if args.heldout == "none" else select(load_tasks(args.heldout), args)
    agents, skipped = [], {}
    for name in args.agents.split(","):
        if name not in AGENTS:
            raise SystemExit(f"unknown agent {name!r}; known: {sorted(AGENTS)}")
        why = AGENTS[name].available()
        if why:
            skipped[name] = why
            print(f"skipping {name}: {why}", file=sys.stderr)
        else:
            agents.append(name)

    if args.overhead_only:
        return _overhead_only(agents, _spread(train, args.overhead_tasks), args.max_steps)
    progress = None if args.quiet else print_row

    if args.jobs > 1 and len(agents) > 1:
        # One process per agent: wall time of the whole run drops, per-task times get noisier.
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [
                pool.submit(
                    learning_curve,
                    [name],
                    args.model,
                    train,
                    heldout,
                    epochs=args.epochs,
                    max_steps=args.max_steps,
                    progress=progress,
                )
                for name in agents
            ]
            rows = [row for f in futures for row in f.result()]
    else:
        rows = learning_curve(
            agents,
            args.model,
            train,
            heldout,
            epochs=args.epochs,
            max_steps=args.max_steps,
            progress=progress,
        )
    overhead: dict[str, Any] = {}
    if not args.no_overhead:
        sample = _spread(train, args.overhead_tasks)
        overhead["nodes"] = node_overhead(agents, sample, args.max_steps)
        overhead["checkpoints"] = checkpoint_cost(sample, args.max_steps, args.pg_dsn)
    results = {
        "meta": {
            "command": "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:]),
            "model": args.model,
            "machine": machine(),
            "commit": commit(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "agents": agents,
            "skipped": skipped,
            "train_tasks": len(train),
            "heldout_tasks": len(heldout),
            "patterns": len({t.pattern for t in train}),
            "epochs": args.epochs,
            "max_steps": args.max_steps,
            "elapsed_s": time.perf_counter() - started,
        },
        "summary": summarize(rows),
        "overhead": overhead,
        "runs": rows,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    (out / "results.md").write_text(markdown(results))
    plots(results, out)
    if not args.quiet:
        print(markdown(results))
        print(f"wrote {out}/results.json, results.md, *.png")
    return results


def _overhead_only(agents: list[str], sample: list[Any], max_steps: int) -> dict[str, Any]:
    """Framework time per node run of each agent on the perfect scripted model."""
    from .overhead import node_overhead

    rows = node_overhead(agents, sample, max_steps)
    for name, row in rows.items():
        flat = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
        flat.pop("nodes")
        print(name, flat)
        print("   ", {n: (d["runs"], round(d["ms_per_run"], 2)) for n, d in row["nodes"].items()})
    return rows


def _spread(tasks: list[Any], n: int) -> list[Any]:
    """Up to ``n`` tasks taken round-robin over patterns, data tasks first."""
    by: dict[str, list[Any]] = {}
    for t in tasks:
        by.setdefault(t.pattern, []).append(t)
    picked: list[Any] = []
    while len(picked) < n and any(by.values()):
        for group in by.values():
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return picked


if __name__ == "__main__":
    main()
