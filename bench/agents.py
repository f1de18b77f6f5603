"""The agents under comparison, in a registry: adding an agent is one ``@register_agent``.

Every agent gets the same chat model object and the same sandbox (``run_python``) for one
task and returns an :class:`Outcome`. ``learns`` agents keep one store across the epochs of
a run; the others get a fresh setup every time.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_core.tools import StructuredTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore

from adaptive_react.tools import SandboxLimits, run_python

from .tasks import Task

BASELINE_SYSTEM = (
    "You are a helpful assistant. You can run Python 3 programs with the `python` tool; "
    "it returns what the program prints and the names of files it writes. "
    "Answer the user's request."
)


@dataclass
class Outcome:
    """What one agent run produced, before checking."""

    text: str
    files: list[str] = field(default_factory=list)
    steps: int = 0
    # Whether the agent said it succeeded. The adaptive agents say so in their result; the
    # baselines have no such notion, so an answer returned counts as a claim (a user takes it).
    claimed_success: bool | None = None
    error: str | None = None
    tool_s: float = 0.0
    verdict: str | None = None  # the adaptive agents' validation verdict, when they have one


@dataclass
class AgentEnv:
    """What an agent run may use: the model, persistence and limits."""

    model: BaseChatModel
    store: BaseStore | None
    checkpointer: BaseCheckpointSaver[Any] | None
    max_steps: int
    workdir: Path
    thread_id: str
    callbacks: list[Any] = field(default_factory=list)


AgentRun = Callable[[Task, AgentEnv], Outcome]


@dataclass(frozen=True)
class AgentSpec:
    """A registered agent."""

    name: str
    run: AgentRun
    learns: bool
    available: Callable[[], str | None] = lambda: None  # None when usable, else why not


AGENTS: dict[str, AgentSpec] = {}


def register_agent(
    name: str, *, learns: bool, available: Callable[[], str | None] | None = None
) -> Callable[[AgentRun], AgentRun]:
    """Register an agent runner under ``name``."""

    def deco(fn: AgentRun) -> AgentRun:
        AGENTS[name] = AgentSpec(name, fn, learns, available or (lambda: None))
        return fn

    return deco


class SandboxClock:
    """Seconds spent in the sandbox, so framework time can be told from tool time.

    The adaptive loop calls ``run_python`` through its modules: the act node, and validation
    when it runs delivered code or a second route. The benchmark wraps that name in each of
    them in this process (no loop code changes) and times the baseline's tool directly.
    Validation's runs once went unwrapped and counted as framework time.
    """

    seconds = 0.0
    _lock = threading.Lock()
    _installed = False

    @classmethod
    def timed(cls, *args: Any, **kwargs: Any) -> Any:
        """``run_python`` with the time added to the clock."""
        start = time.perf_counter()
        try:
            return run_python(*args, **kwargs)
        finally:
            with cls._lock:
                cls.seconds += time.perf_counter() - start

    @classmethod
    def install(cls) -> None:
        """Route the act node's sandbox calls through the clock (idempotent)."""
        if not cls._installed:
            from adaptive_react.nodes import _evidence, act

            for module in (act, _evidence):
                module.run_python = cls.timed  # type: ignore[attr-defined]
            cls._installed = True

    @classmethod
    def take(cls) -> float:
        """Seconds since the last ``take``."""
        with cls._lock:
            seconds, cls.seconds = cls.seconds, 0.0
        return seconds


def python_tool(task: Task, outdir: Path) -> StructuredTool:
    """The baseline's python tool: our sandbox, with the task's files, keeping written files."""

    def python(code: str) -> str:
        """Run a Python 3 program; returns its printed output and the files it wrote."""
        res = SandboxClock.timed(
            code, limits=SandboxLimits(timeout_s=20), input_files=list(task.files)
        )
        kept = []
        for f in res.files:
            target = outdir / Path(f).name
            shutil.copy(f, target)
            kept.append(str(target))
        shutil.rmtree(res.workdir, ignore_errors=True)
        if not res.ok:
            return f"Error: {res.error}\n{res.stdout[-1000:]}"
        out = res.stdout.strip()
        if kept:
            out += ("\n" if out else "") + "Files written: " + ", ".join(kept)
        return out or "(no output)"

    return StructuredTool.from_function(python, name="python")


@register_agent("direct", learns=False)
def run_direct(task: Task, env: AgentEnv) -> Outcome:
    """One call of the same model, the request as the user message: the simplest thing.

    No tool, so an attached text file is pasted into the message, as a chat user would.
    """
    message = HumanMessage(_request_with_file_text(task))
    reply = env.model.invoke([message], config={"callbacks": env.callbacks})
    return Outcome(text=reply.text, steps=1, claimed_success=True)


def _request_with_file_text(task: Task) -> str:
    if not task.files:
        return task.request
    parts = [task.request]
    for name in task.files:
        path = Path(name)
        parts.append(f"\nAttached file {path.name}:\n```\n{path.read_text(errors='replace')}```")
    return "\n".join(parts)


@register_agent("react-baseline", learns=False)
def run_baseline(task: Task, env: AgentEnv) -> Outcome:
    """LangChain ``create_agent`` with one python tool: the plain ReAct loop.

    Its deliverable is its final message, taken raw. When the step budget runs out, a user
    of ``create_agent`` sees the last thing the conversation produced, so that is the
    deliverable (the last non-empty AI text or tool output), and it claims nothing.
    """
    from langchain.agents import create_agent
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.errors import GraphRecursionError

    checkpointer = env.checkpointer or InMemorySaver()
    agent = create_agent(
        env.model,
        tools=[python_tool(task, env.workdir)],
        system_prompt=BASELINE_SYSTEM,
        checkpointer=checkpointer,
    )
    SandboxClock.take()
    config = {
        "recursion_limit": 2 * env.max_steps + 1,
        "callbacks": env.callbacks,
        "configurable": {"thread_id": env.thread_id},
    }
    try:
        out = agent.invoke({"messages": [HumanMessage(task.request_with_files())]}, config=config)
    except GraphRecursionError:
        messages = list(agent.get_state(config).values.get("messages") or [])
        return Outcome(
            text=_last_text(messages),
            files=_files(env.workdir),
            steps=sum(1 for m in messages if m.type == "tool"),
            claimed_success=False,
            error="step budget exhausted",
            tool_s=SandboxClock.take(),
        )
    messages = out["messages"]
    final = messages[-1]
    text = final.text if final.type == "ai" else ""
    return Outcome(
        text=text,
        files=_files(env.workdir),
        steps=sum(1 for m in messages if m.type == "tool"),
        claimed_success=bool(text.strip()),
        tool_s=SandboxClock.take(),
    )


def _last_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if message.type in ("ai", "tool") and message.text.strip():
            return str(message.text)
    return ""


def _files(workdir: Path) -> list[str]:
    return sorted(str(p) for p in workdir.iterdir() if p.is_file())


@register_agent("adaptive-react", learns=True)
def run_adaptive(task: Task, env: AgentEnv) -> Outcome:
    """The adaptive loop in react mode."""
    from adaptive_react import create_adaptive_agent

    SandboxClock.install()
    agent = create_adaptive_agent(
        env.model,
        checkpointer=env.checkpointer,
        store=env.store,
        max_steps=env.max_steps,
        namespace="bench",
        output_dir=str(env.workdir),
    )
    return _invoke_loop(agent, task, env)


def _invoke_loop(agent: Any, task: Task, env: AgentEnv) -> Outcome:
    SandboxClock.take()
    out = agent.invoke(
        {"request": task.request_with_files(), "files": list(task.files)},
        config={"configurable": {"thread_id": env.thread_id}, "callbacks": env.callbacks},
    )
    validation = out.get("validation")
    verdict = getattr(validation, "verdict", None)
    return Outcome(
        # The deliverable exactly as a caller gets it: the checker reads it with the same
        # rules as every other agent's text.
        text=str(out.get("deliverable") or ""),
        files=list(out.get("files_out") or []),
        steps=len(out.get("steps") or []),
        # The agent's own claim: its success flag (which means a verified verdict).
        claimed_success=bool(out.get("success")) or verdict == "verified",
        tool_s=SandboxClock.take(),
        verdict=str(verdict) if verdict else None,
    )


def _actionplan_factory() -> Callable[..., Any] | None:
    """A constructor for the actionplan mode: the public one if exported, else the subgraph."""
    import importlib

    for module, name in (
        ("adaptive_react", "create_actionplan_agent"),
        ("adaptive_react.agent", "create_actionplan_agent"),
    ):
        try:
            factory = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if callable(factory):
            return factory  # type: ignore[no-any-return]
    try:
        from adaptive_react.graph.actionplan import make_actionplan_builder
    except ImportError:
        return None
    return _compile_actionplan_subgraph if make_actionplan_builder else None


def _compile_actionplan_subgraph(
    model: Any, *, checkpointer: Any, store: Any, max_steps: int, namespace: str, output_dir: str
) -> Any:
    """The actionplan subgraph compiled on its own, with a default Context bound."""
    from adaptive_react.graph.actionplan import make_actionplan_builder
    from adaptive_react.state import Context

    graph = make_actionplan_builder().compile(checkpointer=checkpointer, store=store)
    ctx = Context(model=model, max_steps=max_steps, namespace=namespace, output_dir=output_dir)

    class Bound:
        def invoke(self, state: dict[str, Any], config: dict[str, Any]) -> Any:
            state = {**state, "max_attempts": max_steps}
            return graph.invoke(state, {**config, "recursion_limit": 200}, context=ctx)

    return Bound()


@register_agent(
    "adaptive-actionplan",
    learns=True,
    available=lambda: None if _actionplan_factory() else "actionplan mode not built yet",
)
def run_actionplan(task: Task, env: AgentEnv) -> Outcome:
    """The adaptive loop in actionplan mode (plan the whole batch, run it, review, retry)."""
    factory = _actionplan_factory()
    assert factory is not None
    SandboxClock.install()
    agent = factory(
        env.model,
        checkpointer=env.checkpointer,
        store=env.store,
        max_steps=env.max_steps,
        namespace="bench",
        output_dir=str(env.workdir),
    )
    return _invoke_loop(agent, task, env)


@register_agent("create_agent+adaptive", learns=True)
def run_baseline_adaptive(task: Task, env: AgentEnv) -> Outcome:
    """The react-baseline agent (same tool, same prompt) plus ``AdaptiveMiddleware``.

    The middleware's own model calls (intent, judge) use the same model object; its verdict
    is the agent's claim, so a false success here is the middleware's false claim.
    """
    from langchain.agents import create_agent
    from langgraph.errors import GraphRecursionError

    from adaptive_react.middleware import AdaptiveMiddleware

    agent = create_agent(
        env.model,
        tools=[python_tool(task, env.workdir)],
        system_prompt=BASELINE_SYSTEM,
        middleware=[AdaptiveMiddleware(env.model, namespace="bench")],
        checkpointer=env.checkpointer,
        store=env.store,
    )
    SandboxClock.take()
    config = {
        # Each retry is one more model call and at most a few tool rounds.
        "recursion_limit": 4 * env.max_steps + 1,
        "callbacks": env.callbacks,
        "configurable": {"thread_id": env.thread_id},
    }
    try:
        out = agent.invoke({"messages": [HumanMessage(task.request_with_files())]}, config=config)
    except GraphRecursionError:
        return Outcome(
            text="", steps=env.max_steps, error="step budget exhausted", tool_s=SandboxClock.take()
        )
    messages = out["messages"]
    final = next((m for m in reversed(messages) if m.type == "ai"), None)
    return Outcome(
        text=final.text if final is not None else "",
        files=sorted(str(p) for p in env.workdir.iterdir() if p.is_file()),
        steps=sum(1 for m in messages if m.type == "tool"),
        claimed_success=bool(out.get("success")),
        tool_s=SandboxClock.take(),
    )
