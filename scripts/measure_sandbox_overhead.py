"""Per-run start overhead of each sandbox launcher (not a test: timings are never asserted).

Runs an empty program N times through every launcher this host supports and prints the median
and the 90th percentile wall time in ms, next to a bare ``python -I -c pass`` for reference.
Usage: ``python scripts/measure_sandbox_overhead.py [runs]``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import adaptive_react.tools.python_sandbox as sb


def _ms(run: object, runs: int) -> tuple[float, float]:
    """Median and 90th percentile of ``runs`` calls of ``run``, in ms (one warm-up first)."""
    assert callable(run)
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def main() -> None:
    """Time every launcher this host supports; the run count is the optional argument."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    bare = [sys.executable, "-I", "-c", "pass"]
    rows = {"bare python -I": _ms(lambda: subprocess.run(bare, check=True), runs)}
    for launcher, choice in (("bwrap", "auto"), ("unshare", "unshare"), ("plain", "plain")):
        limits = sb.SandboxLimits(launcher=choice)
        if sb.run_python("pass", limits=limits).launcher != launcher:
            print(f"{launcher}: not available here")
            continue
        rows[launcher] = _ms(lambda limits=limits: sb.run_python("pass", limits=limits), runs)
    for name, (median, p90) in rows.items():
        print(f"{name:16s} median {median:6.1f} ms   p90 {p90:6.1f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()
