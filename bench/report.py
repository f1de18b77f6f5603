"""Markdown tables and PNG plots from a results dictionary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

BASELINE = "react-baseline"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(a: Any, b: Any) -> str:
    if a is None or b in (None, 0):
        return "-"
    return f"{a / b:.2f}"


def _phase_order(phases: Any) -> list[str]:
    return sorted(phases, key=lambda p: (p == "heldout", p))


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown: main table with ratios, learning curve, patterns, overhead."""
    meta, summary = results["meta"], results["summary"]
    lines = [
        f"# Benchmark results: {meta['model']}",
        "",
        f"- command: `{meta['command']}`",
        f"- machine: {meta['machine']}",
        f"- date: {meta['date']}, commit {meta['commit']}, {meta['elapsed_s']:.0f} s total",
        f"- tasks: {meta['train_tasks']} train ({meta['patterns']} patterns) + "
        f"{meta['heldout_tasks']} held-out; max_steps {meta['max_steps']}",
        "",
    ]
    first = "epoch1"
    agents = list(summary)
    lines += [
        f"## Same run, first epoch ({first}); ratios are agent / {BASELINE}",
        "",
        "solved: the checker accepted the deliverable; claimed: the agent said it succeeded "
        "(the baselines claim every answer they return); false claims: claimed, checker "
        "rejects; false rejections: not claimed, checker accepts.",
        "",
        "| agent | solved | success | claimed | false claims | false rejections | "
        "calls/task | calls/solved | tokens/task | tokens/solved | s/task | s/solved | "
        "steps/task | ratio success | ratio calls/solved | ratio tokens/solved |",
        "|" + "---|" * 16,
    ]
    base = summary.get(BASELINE, {}).get(first)
    for agent in agents:
        s = summary[agent].get(first)
        if not s:
            continue
        lines.append(
            f"| {agent} | {s['solved']}/{s['tasks']} | {s['success_rate']:.0%} | "
            f"{s.get('claimed', '-')} | {s['false_success_claims']} | "
            f"{s.get('false_rejections', 0)} | "
            f"{_fmt(s['calls_per_task'])} | {_fmt(s['calls_per_solved'])} | "
            f"{_fmt(s['tokens_per_task'], 0)} | {_fmt(s['tokens_per_solved'], 0)} | "
            f"{_fmt(s['wall_s_per_task'], 3)} | {_fmt(s.get('wall_s_per_solved'), 3)} | "
            f"{_fmt(s['steps_per_task'])} | "
            f"{_ratio(s['success_rate'], base and base['success_rate'])} | "
            f"{_ratio(s['calls_per_solved'], base and base['calls_per_solved'])} | "
            f"{_ratio(s['tokens_per_solved'], base and base['tokens_per_solved'])} |"
        )
    lines += _family_table(summary, agents, first)
    lines += [
        "",
        "## Learning curve (one store per learning agent; held-out = the --heldout file)",
        "",
        "| agent | phase | success | claimed | false claims | calls/task | calls/solved | "
        "tokens/task | s/task | steps/task |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for agent in agents:
        for phase in _phase_order(summary[agent]):
            s = summary[agent][phase]
            lines.append(
                f"| {agent} | {phase} | {s['solved']}/{s['tasks']} "
                f"({s['success_rate']:.0%}) | {s.get('claimed', '-')} | "
                f"{s['false_success_claims']} | {_fmt(s['calls_per_task'])} | "
                f"{_fmt(s['calls_per_solved'])} | {_fmt(s['tokens_per_task'], 0)} | "
                f"{_fmt(s['wall_s_per_task'], 2)} | {_fmt(s['steps_per_task'])} |"
            )
    patterns = sorted({p for a in agents for ph in summary[a].values() for p in ph["by_pattern"]})
    lines += [
        "",
        f"## Per pattern ({first}, solved/tasks)",
        "",
        "| pattern | " + " | ".join(agents) + " |",
        "|---" * (len(agents) + 1) + "|",
    ]
    for p in patterns:
        cells = []
        for a in agents:
            pair = summary[a].get(first, {}).get("by_pattern", {}).get(p)
            cells.append(f"{pair[0]}/{pair[1]}" if pair else "-")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    overhead = results.get("overhead") or {}
    if overhead.get("nodes"):
        lines += [
            "",
            "## Overhead (zero-latency scripted model, `perfect` profile)",
            "",
            "| agent | wall ms/task | sandbox ms/task | framework ms/task | "
            "node runs/task | framework ms/node run |",
            "|---|---|---|---|---|---|",
        ]
        for agent, o in overhead["nodes"].items():
            lines.append(
                f"| {agent} | {_fmt(o['wall_ms_per_task'], 1)} | "
                f"{_fmt(o['sandbox_ms_per_task'], 1)} | "
                f"{_fmt(o['framework_ms_per_task'], 1)} | "
                f"{_fmt(o['node_runs_per_task'], 1)} | "
                f"{_fmt(o['framework_ms_per_node_run'], 2)} |"
            )
        base_o = overhead["nodes"].get(BASELINE)
        for agent, o in overhead["nodes"].items():
            if base_o and agent != BASELINE:
                lines.append(
                    f"\nFramework time ratio {agent}/{BASELINE}: "
                    f"{_ratio(o['framework_ms_per_task'], base_o['framework_ms_per_task'])}"
                    " per task."
                )
        lines += [
            "",
            "Node wall time (ms per run, includes sandbox time in act/tools):",
            "",
            "| agent | node | runs | ms/run |",
            "|---|---|---|---|",
        ]
        for agent, o in overhead["nodes"].items():
            for node, v in o["nodes"].items():
                lines.append(f"| {agent} | {node} | {v['runs']} | {v['ms_per_run']:.2f} |")
    if overhead.get("checkpoints"):
        lines += [
            "",
            "## Checkpoint cost (adaptive-react, zero-latency model)",
            "",
            "| backend | checkpoints | ms/checkpoint write | ms per loop step | ms per task |",
            "|---|---|---|---|---|",
        ]
        for kind, c in overhead["checkpoints"].items():
            if "skipped" in c:
                lines.append(f"| {kind} | skipped: {c['skipped']} | | | |")
            else:
                lines.append(
                    f"| {kind} | {c['checkpoints']} | {c['ms_per_checkpoint']:.3f} | "
                    f"{c['ms_per_loop_step']:.2f} | {c['ms_per_task']:.2f} |"
                )
    return "\n".join(lines) + "\n"


def _family_table(summary: dict[str, Any], agents: list[str], phase: str) -> list[str]:
    """Per family: solved / claimed / false claims / false rejections, and seconds per task."""
    families = sorted({f for a in agents for f in summary[a].get(phase, {}).get("by_family", {})})
    if not families:
        return []
    lines = [
        "",
        f"## Per family ({phase}): solved, claimed, false claims, false rejections, s/task",
        "",
        "| family | agent | solved | claimed | false claims | false rejections | "
        "calls/task | s/task | s/solved |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for family in families:
        for agent in agents:
            f = summary[agent].get(phase, {}).get("by_family", {}).get(family)
            if f:
                lines.append(
                    f"| {family} | {agent} | {f['solved']}/{f['tasks']} | {f['claimed']} | "
                    f"{f['false_success_claims']} | {f['false_rejections']} | "
                    f"{_fmt(f['calls_per_task'])} | {_fmt(f['wall_s_per_task'], 2)} | "
                    f"{_fmt(f['wall_s_per_solved'], 2)} |"
                )
    return lines


def _claims_plot(results: dict[str, Any], out_dir: Path, plt: Any) -> str | None:
    """claims.png: solved, claimed and false claims per agent in the first epoch."""
    summary = results["summary"]
    agents = [a for a in summary if "epoch1" in summary[a]]
    if not agents:
        return None
    keys = [
        ("solved", "solved (checker)"),
        ("claimed", "claimed (agent)"),
        ("false_success_claims", "false claims"),
        ("false_rejections", "false rejections"),
    ]
    fig, ax = plt.subplots(figsize=(max(6, 2.2 * len(agents)), 4))
    width = 0.8 / len(keys)
    for i, (key, label) in enumerate(keys):
        xs = [j + i * width for j in range(len(agents))]
        ax.bar(xs, [summary[a]["epoch1"].get(key, 0) for a in agents], width, label=label)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(agents))], agents)
    ax.set_ylabel("tasks")
    ax.set_title(
        f"epoch 1 of {summary[agents[0]]['epoch1']['tasks']} tasks: {results['meta']['model']}"[:90]
    )
    ax.legend()
    fig.tight_layout()
    path = out_dir / "claims.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


def plots(results: dict[str, Any], out_dir: Path) -> list[str]:
    """learning_curve.png and overhead.png; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    summary = results["summary"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for agent, phases in summary.items():
        order = _phase_order(phases)
        ax1.plot(order, [phases[p]["success_rate"] for p in order], marker="o", label=agent)
        ax2.plot(order, [phases[p]["calls_per_task"] for p in order], marker="o", label=agent)
    ax1.set_title("success rate")
    ax1.set_ylim(0, 1.05)
    ax2.set_title("model calls per task")
    ax2.set_ylim(bottom=0)
    ax1.legend()
    fig.suptitle(f"Learning curve: {results['meta']['model']}")
    fig.tight_layout()
    path = out_dir / "learning_curve.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    written.append(str(path))
    claims = _claims_plot(results, out_dir, plt)
    if claims:
        written.append(claims)
    overhead = results.get("overhead") or {}
    if overhead.get("nodes"):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        names = list(overhead["nodes"])
        fw = [overhead["nodes"][n]["framework_ms_per_task"] for n in names]
        sb = [overhead["nodes"][n]["sandbox_ms_per_task"] for n in names]
        ax1.bar(names, fw, label="framework")
        ax1.bar(names, sb, bottom=fw, label="sandbox")
        ax1.set_title("ms per task, zero-latency model")
        ax1.legend()
        cps = {k: v for k, v in (overhead.get("checkpoints") or {}).items() if "skipped" not in v}
        ax2.bar(list(cps), [v["ms_per_loop_step"] for v in cps.values()])
        ax2.set_title("checkpoint ms per loop step")
        fig.tight_layout()
        path = out_dir / "overhead.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(str(path))
    return written


def rerender(path: str | Path) -> None:
    """Recompute the summary from the recorded runs and rewrite the Markdown and plots."""
    import json

    from .runner import summarize

    path = Path(path)
    results = json.loads(path.read_text())
    results["summary"] = summarize(results["runs"])
    path.write_text(json.dumps(results, indent=1, default=str))
    (path.parent / "results.md").write_text(markdown(results))
    plots(results, path.parent)


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:]:
        rerender(arg)
