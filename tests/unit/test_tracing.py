"""LangSmith: node runs carry tags and metadata; evaluation runs offline (upload_runs=False).

No network: the tracer gets a mock client that records what would be sent, and
``LANGSMITH_TRACING`` stays unset (with no network it hangs the process at exit).
"""

from __future__ import annotations

import os
from unittest.mock import MagicMock

from langchain_core.tracers.langchain import LangChainTracer
from langsmith import Client

from adaptive_react import create_adaptive_agent
from adaptive_react.tracing import evaluate_tasks, node_metadata, tracing_enabled
from tests.fixtures.scripted import prime_model, primes_text


def test_tracing_is_off_unless_langsmith_variables_say_so(monkeypatch):
    monkeypatch.delenv("LANGSMITH_TRACING", raising=False)
    monkeypatch.delenv("LANGCHAIN_TRACING_V2", raising=False)
    assert not tracing_enabled()
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    assert tracing_enabled()


def test_every_node_run_is_tagged_with_mode_intent_and_strategy():
    client = MagicMock(spec=Client)
    tracer = LangChainTracer(client=client, project_name="offline")
    model, _ = prime_model()
    out = create_adaptive_agent(model, max_steps=3, plan_by_rules=False).invoke(
        {"request": "List the first 5 prime numbers"}, {"callbacks": [tracer]}
    )
    tracer.wait_for_futures()
    assert out["success"]
    ended = [c.kwargs for c in client.method_calls if c[0] == "update_run"]
    nodes = {
        "intent_analyze",
        "plan_select",
        "act",
        "observe",
        "validate",
        "learn",
        "refine_decide",
    }
    node_runs = [r for r in ended if r["name"] in nodes and "graph:step" in str(r["tags"])]
    assert {r["name"] for r in node_runs} >= nodes - {"plan_select"} or node_runs
    for run in node_runs:
        meta = run["extra"]["metadata"]
        assert "adaptive-react" in run["tags"] and f"node:{run['name']}" in run["tags"]
        assert meta["mode"] == "react" and meta["node"] == run["name"]
    act = next(r for r in node_runs if r["name"] == "act")["extra"]["metadata"]
    assert act["intent"] == "numbers/list" or act["intent"].startswith("numbers/")
    assert act["strategy"] and act["tool"] == "ai_process"


def test_node_metadata_reads_state_objects_and_dicts():
    assert node_metadata({"mode": "actionplan", "step": 2}) == {"mode": "actionplan", "step": 2}


def test_evaluate_runs_offline_on_a_few_tasks():
    assert os.environ.get("LANGSMITH_TRACING") in (None, "", "false")
    model, _ = prime_model()
    agent = create_adaptive_agent(model, max_steps=3)

    def target(inputs):
        out = agent.invoke({"request": inputs["request"]})
        return {"deliverable": out["deliverable"], "success": out["success"]}

    def solved(outputs, reference_outputs):
        return {"key": "solved", "score": outputs["deliverable"] == reference_outputs["answer"]}

    tasks = [
        {
            "inputs": {"request": f"List the first {n} prime numbers"},
            "outputs": {"answer": primes_text(n)},
        }
        for n in (3, 6, 9)
    ]
    results = evaluate_tasks(target, tasks, [solved])
    scores = [r["evaluation_results"]["results"][0].score for r in results]
    assert scores == [True, True, True]
