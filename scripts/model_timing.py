#!/usr/bin/env python
"""Time the embedded models on this machine and print a Markdown table.

Usage::

    python scripts/model_timing.py [--models local,local-small] [--repeat 3] [--threads N]
                                   [--agent "List the first 25 prime numbers"]

Each model gets a fresh server (free loopback port) so the load time is real, then:

- *server ready*: process start to the first healthy ``/v1/models`` (model load included);
- *prompt tok/s*: a ~500-token prompt with ``max_tokens=1`` (a unique prefix each time,
  so llama.cpp's prefix cache cannot help);
- *generation tok/s*: a long answer capped by ``max_tokens``, minus the prompt time;
- *structured call*: :func:`invoke_structured` for a small intent schema, the kind of call
  the agent makes on every step (median of ``--repeat``);
- with ``--agent``: one run of the adaptive agent against that server, seconds per step.

Everything goes through ``ChatOpenAI`` over HTTP, the path the agent uses. The machine's
load average is printed with the table: on shared 2-core machines it moves the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import uuid
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field, SecretStr

from adaptive_react.llm import ModelSettings, invoke_structured, local

FILLER = (
    "The agent reads a request, decides what kind of deliverable it needs, writes a small "
    "program, runs it in a sandbox and validates the output before it answers. "
)


class Intent(BaseModel):
    """What the user asked for."""

    kind: str = Field(description="one of: list, value, document, chat")
    count: int | None = Field(description="how many items the user wants, if stated")
    topic: str = Field(description="the subject in a few words")


def _client(handle: local.ServerHandle, max_tokens: int) -> ChatOpenAI:
    return ChatOpenAI(
        model=handle.model_id,
        base_url=handle.base_url,
        api_key=SecretStr("not-needed"),
        temperature=0,
        max_tokens=max_tokens,  # type: ignore[call-arg]
        timeout=900,
        max_retries=0,
    )


def _timed(model: ChatOpenAI, prompt: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    reply = model.invoke([HumanMessage(prompt)])
    elapsed = time.perf_counter() - start
    usage = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
    return elapsed, int(usage["input_tokens"]), int(usage["output_tokens"])


def measure(key: str, settings: ModelSettings, repeat: int) -> dict[str, Any]:
    """Start a fresh server for ``key`` and measure it; the server is stopped afterwards."""
    model = local.get_model(key)
    path = local.ensure_model_file(key, settings)
    start = time.perf_counter()
    handle = local.start_server(model, path, settings)
    row: dict[str, Any] = {"model": key, "ready_s": time.perf_counter() - start}
    try:
        row["first_s"], _, _ = _timed(_client(handle, 8), "Say hello.")
        prompt_rates: list[float] = []
        gen_rates: list[float] = []
        structured: list[float] = []
        valid = 0
        for _ in range(repeat):
            nonce = uuid.uuid4().hex
            elapsed, p_tokens, _ = _timed(
                _client(handle, 1), f"[{nonce}] {FILLER * 14}\nSummarise the text above."
            )
            prompt_rates.append(p_tokens / elapsed)
            elapsed, p_tokens, g_tokens = _timed(
                _client(handle, 128),
                f"[{nonce}] Write the numbers from 1 to 400 separated by commas.",
            )
            prompt_time = p_tokens / statistics.median(prompt_rates)
            gen_rates.append(g_tokens / max(elapsed - prompt_time, 1e-6))
            messages = [
                SystemMessage("You classify user requests."),
                HumanMessage(f"List the first {20 + len(structured)} prime numbers."),
            ]
            t0 = time.perf_counter()
            outcome = invoke_structured(_client(handle, 128), Intent, messages)
            structured.append(time.perf_counter() - t0)
            valid += outcome.value is not None
        row.update(
            prompt_tps=statistics.median(prompt_rates),
            gen_tps=statistics.median(gen_rates),
            structured_s=statistics.median(structured),
            structured_valid=f"{valid}/{repeat}",
            handle=handle,
        )
        return row
    except BaseException:
        local.stop_server(handle, settings, f"timing-{key}")
        raise


def time_agent(handle: local.ServerHandle, request: str) -> dict[str, Any]:
    """One run of the adaptive agent on the server; wall time per recorded step."""
    from adaptive_react import create_adaptive_agent

    agent = create_adaptive_agent(model=handle.base_url)
    start = time.perf_counter()
    result = agent.invoke({"request": request})
    wall = time.perf_counter() - start
    steps = len(result.get("steps") or []) or 1
    return {
        "request": request,
        "success": result.get("success"),
        "steps": steps,
        "model_calls": result.get("model_calls"),
        "wall_s": wall,
        "per_step_s": wall / steps,
    }


def main() -> int:
    """Parse arguments, measure, print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="local,local-small")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--agent", default=None, help="also time one agent run on 'local'")
    args = parser.parse_args()
    settings = ModelSettings.load(n_threads=args.threads)
    load_before = os.getloadavg()
    rows = []
    agent_row = None
    for key in args.models.split(","):
        row = measure(key.strip(), settings, args.repeat)
        handle = row.pop("handle")
        try:
            if args.agent and key.strip() == "local":
                agent_row = time_agent(handle, args.agent)
        finally:
            local.stop_server(handle, settings, f"timing-{key}")
        rows.append(row)
    load_after = os.getloadavg()

    threads = settings.n_threads or os.cpu_count()
    print(
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{threads} llama threads, load average {load_before[0]:.1f} before / "
        f"{load_after[0]:.1f} after; llama-cpp-python built with -DGGML_NATIVE=OFF.\n"
    )
    print(
        "| model | server ready (s) | first request (s) | prompt tok/s | generation tok/s "
        "| structured call (s) | structured valid |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['model']} | {r['ready_s']:.1f} | {r['first_s']:.1f} | {r['prompt_tps']:.0f} "
            f"| {r['gen_tps']:.1f} | {r['structured_s']:.1f} | {r['structured_valid']} |"
        )
    if agent_row:
        print("\n| agent request | success | steps | model calls | wall (s) | s per step |")
        print("|---|---|---:|---:|---:|---:|")
        a = agent_row
        print(
            f"| {a['request']} | {a['success']} | {a['steps']} | {a['model_calls']} "
            f"| {a['wall_s']:.0f} | {a['per_step_s']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
