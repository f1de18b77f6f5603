"""Subprocess trials of the real CLI: start, kill -9, resume with ``--thread``, verify.

Used by the crash-and-resume and concurrency tests; every helper takes a ``--db`` target so
the same trial runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adaptive_react.persistence import open_persistence
from tests.reliability.scenario import PRIMES, REQUEST

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 240


def cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``adaptive-react`` (scripted model) as a child process."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("LANGSMITH_TRACING", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.cli_entry", *args],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    return proc.returncode, out, err


@dataclass
class Trial:
    """One kill-and-resume trial and what it showed."""

    name: str
    db: str
    thread: str
    namespace: str
    out: Path
    killed: bool = False
    killed_at: str = ""
    resumed_from: str = ""
    resume_rc: int | None = None
    result: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)

    def args(self, *, with_request: bool) -> list[str]:
        base = [
            "run",
            *([REQUEST] if with_request else []),
            "--db",
            self.db,
            "--thread",
            self.thread,
            "--namespace",
            self.namespace,
            "--out",
            str(self.out),
            "--json",
        ]
        return base


def _sqlite_checkpoints(db: str, thread: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute(
                "select count(*) from checkpoints where thread_id = ?", (thread,)
            ).fetchone()
        finally:
            conn.close()
        return int(row[0])
    except sqlite3.Error:
        return 0


def run_trial(
    trial: Trial, *, kill: str | None = None, kill_after_checkpoints: int = 0, seed: int = 0
) -> Trial:
    """Start the run, kill it (self-kill at a node, or kill -9 after N checkpoints), resume."""
    env = {"AR_TRIAL_KILL": kill} if kill else {}
    proc = cli(trial.args(with_request=True), env)
    if kill_after_checkpoints:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while proc.poll() is None and time.monotonic() < deadline:
            if _sqlite_checkpoints(trial.db, trial.thread) >= kill_after_checkpoints:
                time.sleep(random.Random(seed).uniform(0, 0.05))
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    rc, _, err = finish(proc)
    trial.killed = rc == -signal.SIGKILL
    state = snapshot(trial)
    trial.killed_at = (
        ",".join(state.next)
        if state and state.next
        else ("finished" if state and state.values else "before any checkpoint")
    )
    trial.stderr = "\n".join(
        line for line in err.splitlines() if "Deserializing unregistered type" not in line
    )[-3000:]
    # Resume exactly as a user would: --thread alone (a fresh start if nothing was saved).
    resume = cli(trial.args(with_request=trial.killed_at == "before any checkpoint"))
    trial.resume_rc, out, err = finish(resume)
    trial.stderr += err
    trial.resumed_from = trial.killed_at
    try:
        trial.result = json.loads(out)
    except json.JSONDecodeError:
        trial.result = {}
    trial.events = learned_events(trial.db, trial.namespace)
    return trial


def snapshot(trial: Trial) -> Any:
    from adaptive_react import create_adaptive_agent
    from adaptive_react.fakes import ScriptedChatModel

    with open_persistence(trial.db) as (saver, store):
        agent = create_adaptive_agent(ScriptedChatModel(script=[]), checkpointer=saver, store=store)
        return agent.get_state({"configurable": {"thread_id": trial.thread}})


def learned_events(db: str, namespace: str) -> list[dict[str, Any]]:
    """Every outcome event stored under a namespace."""
    with open_persistence(db) as (_, store):
        items = store.search(("adaptive_react", namespace), limit=10_000)
        return [dict(i.value, _key=i.key) for i in items if "events" in i.namespace]


def problems(trial: Trial, expected_steps: int = 2) -> list[str]:
    """Everything that is wrong with a finished trial (empty when it is sound)."""
    found = []
    if trial.resume_rc != 0:
        found.append(f"resume exit {trial.resume_rc}: {trial.stderr[-600:]}")
        return found
    r = trial.result
    if not r.get("success") or r.get("deliverable") != PRIMES:
        found.append(f"not solved: {r.get('final_message')}")
    steps = [s["step"] for s in r.get("steps", [])]
    if steps != list(range(1, expected_steps + 1)):
        found.append(f"steps lost or repeated: {steps}")
    mine = [e for e in trial.events if e.get("thread_id") == trial.thread]
    recorded = sorted(e["step"] for e in mine)
    if recorded != list(range(1, expected_steps + 1)):
        found.append(
            f"learning recorded steps {recorded} (keys {[e['_key'] for e in mine]}), "
            f"expected each of 1..{expected_steps} once"
        )
    files = sorted(p.name for p in trial.out.iterdir()) if trial.out.exists() else []
    if files != ["deliverable.txt", "result.json"]:
        found.append(f"output files {files}")
    elif (trial.out / "deliverable.txt").read_text() != PRIMES + "\n":
        found.append("deliverable file differs")
    if "database is locked" in trial.stderr:
        found.append("database is locked")
    return found
