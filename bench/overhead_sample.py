"""Framework overhead only, same run: create_agent, then adaptive-react, on 12 suite tasks.

The model is the perfect scripted one, so wall time minus model and sandbox time is framework.
Usage: ``PYTHONPATH=. python bench/overhead_sample.py`` (``AGENTS=a,b`` chooses the agents).
"""

from __future__ import annotations

import os

from bench.__main__ import _spread, parse_args
from bench.overhead import node_overhead
from bench.tasks import load_tasks


def main() -> None:
    """Print framework ms per node run and per-node times for each agent."""
    args = parse_args([])
    sample = _spread(load_tasks(args.tasks), 12)
    agents = os.environ.get("AGENTS", "react-baseline,adaptive-react").split(",")
    for name, row in node_overhead(agents, sample, args.max_steps).items():
        flat = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
        flat.pop("nodes")
        print(name, flat)
        print("   ", {n: (d["runs"], round(d["ms_per_run"], 2)) for n, d in row["nodes"].items()})


if __name__ == "__main__":
    main()
