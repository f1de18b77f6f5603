"""``langgraph dev`` (the Studio backend) serving langgraph.json, driven by ``langgraph_sdk``.

The server runs in its own environment (``.venv-studio``: ``pip install -e ".[studio]"``;
``langgraph-cli[inmem]`` cannot share one with ``langserve[server]``). The model is a scripted
OpenAI-compatible endpoint passed as ``Context.model``, so the server uses its real model path.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph_sdk import get_client

from tests.fixtures.procs import ROOT, free_port, quiet_env, server
from tests.fixtures.scripted import primes_text

pytestmark = pytest.mark.server

STUDIO_VENV_ENV = "ADAPTIVE_REACT_STUDIO_VENV"
CONFIG = json.loads((ROOT / "langgraph.json").read_text())
REQUEST = "List the first 12 prime numbers"


def _langgraph_bin() -> Path:
    venv = Path(os.environ.get(STUDIO_VENV_ENV) or ROOT / ".venv-studio")
    exe = venv / "bin" / "langgraph"
    if not exe.exists():
        pytest.skip(
            f"langgraph-cli[inmem] not installed at {venv}: python3 -m venv .venv-studio "
            f"&& .venv-studio/bin/pip install -e '.[studio]' (or set {STUDIO_VENV_ENV})"
        )
    return exe


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[str]:
    exe = _langgraph_bin()
    work = tmp_path_factory.mktemp("studio")
    # The project's own langgraph.json, with its dependency made absolute so the server's
    # scratch directory (.langgraph_api/) lands in a temp dir instead of the checkout.
    config = dict(CONFIG, dependencies=[str(ROOT)])
    (work / "langgraph.json").write_text(json.dumps(config))
    port = free_port()
    cmd = [
        str(exe),
        "dev",
        "--config",
        "langgraph.json",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
        "--no-reload",
    ]
    with server(
        cmd,
        f"http://127.0.0.1:{port}/ok",
        env=quiet_env(),
        cwd=work,
        log=work / "server.log",
        timeout=120,
    ):
        yield f"http://127.0.0.1:{port}"


def test_langgraph_json_exposes_every_graph_without_a_checkpointer():
    import importlib

    for graph_id, spec in CONFIG["graphs"].items():
        module, _, attr = spec.partition(":")
        graph = getattr(importlib.import_module(module), attr)
        assert graph.checkpointer is None, graph_id  # the server brings its own
        assert graph.context_schema is not None, graph_id


def test_assistants_for_every_graph_with_context_schema(studio):
    async def go():
        client = get_client(url=studio)
        found = await client.assistants.search(limit=50)
        ids = {a["graph_id"] for a in found}
        assert set(CONFIG["graphs"]) <= ids
        schemas = await client.assistants.get_schemas(found[0]["assistant_id"])
        return schemas

    schemas = asyncio.run(go())
    context = schemas.get("context_schema") or schemas.get("config_schema") or {}
    assert {"model", "max_steps", "namespace"} <= set(context.get("properties", {}))
    assert "request" in schemas["input_schema"]["properties"]


def test_run_streams_updates_and_custom_events_then_state_and_store(studio, fake_openai):
    async def go():
        client = get_client(url=studio)
        thread = await client.threads.create()
        parts = []
        async for part in client.runs.stream(
            thread["thread_id"],
            "react",
            input={"request": REQUEST},
            context={"model": fake_openai.url, "max_steps": 3, "namespace": "studio"},
            stream_mode=["updates", "custom"],
        ):
            parts.append(part)
        state = await client.threads.get_state(thread["thread_id"])
        items = await client.store.search_items(["adaptive_react", "studio"], limit=100)
        return parts, state, items

    parts, state, items = asyncio.run(go())
    events = [p.event for p in parts]
    assert "error" not in events, [p.data for p in parts if p.event == "error"]
    updates = [p.data for p in parts if p.event == "updates"]
    custom = [p.data for p in parts if p.event == "custom"]
    assert any("intent_analyze" in u for u in updates)
    assert any("validate" in u for u in updates)
    assert {"intent", "validation"} <= {c.get("event") for c in custom}
    assert state["values"]["success"] is True
    assert state["values"]["deliverable"] == primes_text(12)
    assert state["next"] == []
    assert items["items"], "the learn node wrote nothing to the server's store"


@pytest.mark.parametrize("graph_id", [g for g in CONFIG["graphs"] if g != "react"])
def test_every_other_graph_runs_with_a_context_and_streams(studio, fake_openai, graph_id):
    async def go():
        client = get_client(url=studio)
        thread = await client.threads.create()
        parts = [
            p
            async for p in client.runs.stream(
                thread["thread_id"],
                graph_id,
                input={"request": REQUEST, "mode": "react"},
                context={"model": fake_openai.url, "max_steps": 3, "namespace": "studio2"},
                stream_mode=["updates", "custom"],
            )
        ]
        return parts, await client.threads.get_state(thread["thread_id"])

    parts, state = asyncio.run(go())
    assert "error" not in [p.event for p in parts], [p.data for p in parts if p.event == "error"]
    assert any(p.event == "updates" for p in parts)
    assert any(p.event == "custom" for p in parts)
    assert state["next"] == []
    assert state["values"], "no state saved for the thread"
