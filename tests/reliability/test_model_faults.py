"""Model faults at 30%: rate limits, timeouts, dropped connections, malformed structured output.

Runs still finish (node retry policy with backoff, repair, deterministic fallbacks) and the
output's ``faults`` says what failed and how often; a model that never recovers ends with a
clear error in bounded time.
"""

from __future__ import annotations

import time

import openai
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react import create_adaptive_agent
from adaptive_react.cli import build_parser
from adaptive_react.commands import run as run_mod
from adaptive_react.graph import retry as retry_mod
from tests.reliability.scenario import PRIMES, REQUEST, scenario_model

pytestmark = pytest.mark.fault("model faults (30% injected)")


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setattr(retry_mod, "INITIAL_INTERVAL_S", 0.01)
    monkeypatch.setattr(retry_mod, "MAX_INTERVAL_S", 0.05)


def _run(seed: int) -> tuple[dict, dict]:
    model, script = scenario_model(rate=0.3, seed=seed)
    agent = create_adaptive_agent(
        model, checkpointer=InMemorySaver(), store=InMemoryStore(), namespace=f"faults{seed}"
    )
    out = agent.invoke(
        {"request": REQUEST}, config={"configurable": {"thread_id": f"faults-{seed}"}}
    )
    return out, script.injected


def _check_seeds(seeds, cases):
    total_injected: dict[str, int] = {}
    solved = 0
    for seed in seeds:
        out, injected = _run(seed)
        assert out["final_message"], seed
        # Every injected fault is accounted for in the output, by kind.
        assert out["faults"] == injected, (seed, out["faults"], injected)
        solved += bool(out["success"] and out["deliverable"] == PRIMES)
        for k, n in injected.items():
            total_injected[k] = total_injected.get(k, 0) + n
    assert solved == len(seeds)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(total_injected.items()))
    cases(
        len(seeds),
        f"{solved}/{len(seeds)} runs solved; faults injected and reported exactly: {kinds}",
    )


def test_runs_finish_and_report_faults_ci(cases):
    _check_seeds(range(4), cases)


@pytest.mark.slow
def test_runs_finish_and_report_faults_many_seeds(cases):
    _check_seeds(range(4, 30), cases)


@pytest.mark.parametrize("kind", ["rate_limit", "timeout", "connection"])
def test_a_model_that_never_recovers_ends_with_its_error(kind, cases):
    model, script = scenario_model(always=kind)
    agent = create_adaptive_agent(model, checkpointer=InMemorySaver(), store=InMemoryStore())
    start = time.monotonic()
    with pytest.raises(openai.APIError):
        agent.invoke({"request": REQUEST}, config={"configurable": {"thread_id": f"down-{kind}"}})
    assert time.monotonic() - start < 30
    assert script.calls == retry_mod.MAX_ATTEMPTS  # retried with backoff, then gave up
    cases(1, f"{kind} forever: error raised after {retry_mod.MAX_ATTEMPTS} attempts, no hang")


def test_cli_says_the_model_is_down_and_how_to_resume(monkeypatch, tmp_path, capsys, cases):
    model, _ = scenario_model(always="connection")
    monkeypatch.setattr(run_mod, "_resolve_model", lambda arg: model)
    args = build_parser().parse_args(
        [
            "run",
            REQUEST,
            "--thread",
            "down-cli",
            "--db",
            str(tmp_path / "d.sqlite"),
            "--json",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    code = args.handler(args)
    err = capsys.readouterr().err
    assert code == run_mod.EXIT_MODEL_DOWN
    assert "kept failing" in err and "--thread down-cli" in err
    cases(1, "CLI: exit 3, 'the model kept failing ... resume with --thread'")


def test_malformed_output_everywhere_falls_back(cases):
    model, _ = scenario_model(rate=1.0, kinds=("malformed_output",))
    agent = create_adaptive_agent(model, checkpointer=InMemorySaver(), store=InMemoryStore())
    out = agent.invoke({"request": REQUEST}, config={"configurable": {"thread_id": "bad"}})
    assert out["final_message"]
    assert out["faults"].get("malformed_output", 0) >= 2
    ending = "solved" if out["success"] else "honest failure"
    cases(
        1,
        f"all structured output malformed: run ends ({ending}), "
        f"{out['faults']['malformed_output']} malformed replies reported",
    )


def test_every_model_node_of_every_graph_retries_transient_errors():
    """The actionplan and workflow graphs once lost the policy the react graph had."""
    from adaptive_react.graph.actionplan import make_actionplan_builder
    from adaptive_react.graph.react import make_builder
    from adaptive_react.graph.workflow import make_workflow_builder

    for builder in (make_builder(), make_actionplan_builder(), make_workflow_builder()):
        model_nodes = set(builder.nodes) & retry_mod.MODEL_NODES
        assert model_nodes, sorted(builder.nodes)
        for name in model_nodes:
            policy = builder.nodes[name].retry_policy
            assert policy is not None and policy.max_attempts == retry_mod.MAX_ATTEMPTS, name
    assert "generate_actions" in make_actionplan_builder().nodes
    assert "task_plan" in make_workflow_builder().nodes


def test_actionplan_mode_retries_a_model_that_never_recovers_then_raises():
    from adaptive_react.graph.actionplan import make_actionplan_builder
    from adaptive_react.state import Context

    model, script = scenario_model(always="connection")
    graph = make_actionplan_builder().compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    with pytest.raises(openai.APIError):
        graph.invoke(
            {"request": REQUEST},
            {"configurable": {"thread_id": "ap-down"}},
            context=Context(model=model),
        )
    assert script.calls == retry_mod.MAX_ATTEMPTS  # before: one attempt, then the error
