"""The real ``adaptive-react run`` CLI with the scenario's scripted model, for subprocess trials.

``python -m tests.reliability.cli_entry run ...`` (from the project root) runs exactly the CLI's
code path (argument parsing, ``open_persistence``, ``agent.stream``, result files); only the
model is scripted. Environment switches, read here and nowhere in the package:

* ``AR_TRIAL_DELAY``: seconds each model call takes (spreads a run out for random kills).
* ``AR_TRIAL_KILL``: ``node:occurrence:phase`` (phase ``start`` or ``end``): the process
  SIGKILLs itself when that node starts, or when it has done its work but before LangGraph
  has persisted its writes - the moment a crash is most likely to duplicate a side effect.
* ``AR_TRIAL_FAULT_RATE`` / ``AR_TRIAL_SEED``: inject model faults.
* ``AR_TRIAL_ALWAYS_FAIL``: every model call raises this transport error kind.

The planner is asked for the first action too (``plan_by_rules=False``): the scenario
scripts that choice.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from typing import Any

from adaptive_react import cli
from adaptive_react.commands import run as run_mod
from adaptive_react.graph import react as react_mod
from adaptive_react.graph import retry as retry_mod
from tests.reliability.scenario import scenario_model

_counts: dict[str, int] = {}


def _killing(fn: Any, node: str, occurrence: int, phase: str) -> Any:
    @functools.wraps(fn)
    def wrapped(state: Any, runtime: Any) -> Any:
        _counts[fn.__name__] = _counts.get(fn.__name__, 0) + 1
        hit = fn.__name__ == node and _counts[fn.__name__] == occurrence
        if hit and phase == "start":
            os.kill(os.getpid(), signal.SIGKILL)
        update = fn(state, runtime)
        if hit and phase == "end":
            os.kill(os.getpid(), signal.SIGKILL)
        return update

    return wrapped


def _install_kill(spec: str) -> None:
    node, occurrence, phase = spec.split(":")
    k = int(occurrence)
    for name in ("intent_analyze", "observe", "validate", "learn", "refine_decide"):
        setattr(react_mod, name, _killing(getattr(react_mod, name), node, k, phase))
    for factory in ("make_plan_select", "make_act"):
        original = getattr(react_mod, factory)

        def make(toolbox: Any, __orig: Any = original) -> Any:
            return _killing(__orig(toolbox), node, k, phase)

        setattr(react_mod, factory, make)


def main(argv: list[str]) -> int:
    kill = os.environ.get("AR_TRIAL_KILL")
    if kill:
        _install_kill(kill)
    retry_mod.INITIAL_INTERVAL_S, retry_mod.MAX_INTERVAL_S = 0.01, 0.05
    model, _ = scenario_model(
        rate=float(os.environ.get("AR_TRIAL_FAULT_RATE", "0")),
        seed=int(os.environ.get("AR_TRIAL_SEED", "0")),
        always=os.environ.get("AR_TRIAL_ALWAYS_FAIL") or None,
        delay_s=float(os.environ.get("AR_TRIAL_DELAY", "0")),
    )
    run_mod._resolve_model = lambda arg: model  # type: ignore[assignment]
    # The scenario scripts the planner's first choice, so the planner is always asked.
    run_mod.create_adaptive_agent = functools.partial(  # type: ignore[assignment]
        run_mod.create_adaptive_agent, plan_by_rules=False
    )
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
