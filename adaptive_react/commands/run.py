"""``adaptive-react run``: one request end to end, with live progress and a saved deliverable."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, StreamMode
from pydantic import ValidationError
from rich.console import Console
from rich.prompt import Confirm

from ..agent import MAX_STEPS_LIMIT, create_adaptive_agent, create_workflow_agent
from ..messages import describe, workflow_result
from ..persistence import open_persistence
from ..state.workflow import MessageKind, WorkflowMessage
from . import add_db_option

EXIT_OK, EXIT_UNSOLVED, EXIT_CONFIG, EXIT_MODEL_DOWN, EXIT_UNVERIFIED = 0, 1, 2, 3, 4
# Thread ids name checkpoints and output folders: no separators, no leading dot.
THREAD_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``run`` command."""
    p = sub.add_parser("run", help="run one request through the adaptive loop")
    p.add_argument("request", nargs="?", default="", help="what you want (omit to resume --thread)")
    p.add_argument("--model", default=None, help="local | local-small | provider:model | base URL")
    p.add_argument("--max-steps", type=int, default=8)
    p.add_argument("--thread", default=None, help="thread id: resume it, or continue it")
    add_db_option(p)
    p.add_argument("--namespace", default="default", help="whose learned strategies to use")
    p.add_argument("--json", action="store_true", help="print a machine-readable result")
    p.add_argument("--out", default=None, help="folder for the deliverable and produced files")
    p.add_argument("--approve", action="store_true", help="ask before any code runs")
    p.add_argument("--no-python", action="store_true", help="turn the python tool off")
    p.add_argument(
        "--trust-judge",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="count a model judge's approval as proof (default: yes, except for "
        "the embedded local models, whose approval leaves a result unverified)",
    )
    p.add_argument("--file", action="append", default=[], help="attach an input document")
    p.add_argument(
        "--mode",
        choices=["react", "actionplan", "auto"],
        default=None,
        help="run as a workflow (task plan, then each task in this mode)",
    )
    p.set_defaults(handler=run_command)


def _resolve_model(arg: str | None) -> Any:
    from ..llm import ModelSettings

    # Flags win, then the documented config file, then ADAPTIVE_REACT_* variables.
    settings = ModelSettings.load(model=arg)
    return settings.default_spec()


def _event(chunk: Any) -> WorkflowMessage | None:
    """A custom stream chunk as the event model every node streams, or None when not ours.

    A user's tool may write its own chunks to the same stream; the CLI shows only ours and
    must not stop a run over someone else's shape.
    """
    if isinstance(chunk, WorkflowMessage):
        return chunk
    try:
        return WorkflowMessage.model_validate(chunk)
    except ValidationError:
        return None


class _Wait:
    """The live status line: the running node, the attempt, and seconds spent waiting.

    Rich re-renders it on every refresh of the live display, so the seconds keep counting
    while a model call (5-100 s on the embedded model) blocks the stream.
    """

    def __init__(self) -> None:
        self.node = "starting"
        self.attempt = 0
        self.started = self.since = time.monotonic()

    def saw(self, mode: str, chunk: Any) -> None:
        """Follow the stream: a task starting names the node, a react action the attempt."""
        if mode == "tasks" and isinstance(chunk, dict) and "input" in chunk:
            self.node, self.since = str(chunk.get("name", "")), time.monotonic()
        elif mode == "custom":
            event = _event(chunk)
            if (
                event is not None
                and event.kind == MessageKind.ACTION_START
                and event.step is not None
            ):
                self.attempt = event.step

    def text(self, now: float | None = None) -> str:
        """The status line at ``now``."""
        now = time.monotonic() if now is None else now
        attempt = f" · attempt {self.attempt}" if self.attempt else ""
        return (
            f"[bold]{self.node}[/]{attempt} · {now - self.since:.0f}s "
            f"[dim](run {now - self.started:.0f}s)[/]"
        )

    def __rich__(self) -> str:
        return self.text()


def _live_status_wanted(args: argparse.Namespace, console: Console) -> bool:
    """A live status only for a person watching: never with --json, never into a pipe."""
    return not args.json and console.is_terminal and sys.stdout.isatty()


def _flag_problem(args: argparse.Namespace) -> str | None:
    """The first flag that cannot work, worded for the user; checked before anything opens."""
    if not 1 <= args.max_steps <= MAX_STEPS_LIMIT:
        return f"--max-steps must be between 1 and {MAX_STEPS_LIMIT}"
    if args.thread is not None and not THREAD_ID.fullmatch(args.thread):
        return (
            "--thread must be 1-128 letters, digits, '_', '.', ':' or '-' "
            "and not start with '.' or '-'"
        )
    if not args.namespace or "." in args.namespace:
        return "--namespace must be non-empty and contain no dots"
    try:
        args.request.encode("utf-8")  # undecodable argv bytes arrive as lone surrogates
    except UnicodeEncodeError:
        return "the request is not valid UTF-8 text; send text, attach binary data with --file"
    return None


def run_command(args: argparse.Namespace) -> int:
    """Run (or resume) one request; print progress to stderr and the result to stdout."""
    console = Console(stderr=True)
    problem = _flag_problem(args)
    if problem is not None:
        console.print(f"[red]{problem}[/]")
        return EXIT_CONFIG
    from ..llm import ModelConfigError
    from ..llm.faults import is_transient

    thread = args.thread or f"run-{uuid.uuid4().hex[:12]}"
    config: RunnableConfig = {"configurable": {"thread_id": thread}}
    out_dir = Path(args.out) if args.out else Path.cwd() / "runs" / thread
    try:
        model = _resolve_model(args.model)
        with open_persistence(args.db) as (saver, store):
            agent = (create_workflow_agent if args.mode else create_adaptive_agent)(
                model,
                checkpointer=saver,
                store=store,
                max_steps=args.max_steps,
                namespace=args.namespace,
                allow_python=not args.no_python,
                require_approval=args.approve,
                output_dir=str(out_dir),
                trust_judge=args.trust_judge,
            )
            snapshot = agent.get_state(config)
            if snapshot.next and not args.request:
                payload: Any = None  # resume an interrupted or crashed run where it stopped
                console.print(f"resuming thread {thread} at {', '.join(snapshot.next)}")
            elif snapshot.values and not args.request:
                payload = None  # finished (maybe killed before saving): report it again
                console.print(f"thread {thread} already finished")
            elif not args.request:
                console.print("[red]give a request, or --thread of a run to resume[/]")
                return EXIT_CONFIG
            else:
                payload = {
                    "request": args.request,
                    "files": [str(Path(f).resolve()) for f in args.file],
                }
                if args.mode:
                    payload["mode"] = args.mode
            _stream(agent, payload, config, args, console)
            state = agent.get_state(config).values
    except ModelConfigError as exc:
        console.print(f"[red]model not usable:[/] {exc}")
        return EXIT_CONFIG
    except Exception as exc:
        if not is_transient(exc):
            raise
        # The retry policy gave up; completed steps are checkpointed, so say how to go on.
        console.print(
            f"[red]the model kept failing ({type(exc).__name__}: {exc}); "
            f"nothing is lost: resume with --thread {thread}[/]"
        )
        return EXIT_MODEL_DOWN
    result = _result(state, thread)
    if args.mode:
        result.update(workflow_result(state))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "deliverable.txt").write_text(result["deliverable"] + "\n", encoding="utf-8")
    (out_dir / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        console.print(result["final_message"])
        print(result["deliverable"])
        console.print(f"saved to {out_dir}")
    return exit_code(result)


def _stream(
    agent: Any, payload: Any, config: RunnableConfig, args: argparse.Namespace, console: Console
) -> None:
    """Stream the run to its end, printing our events and asking each approval question."""
    live = _live_status_wanted(args, console)
    modes: list[StreamMode] = ["custom", "updates"]
    if live:
        modes.append("tasks")  # a task starting names the node the status shows
    while True:
        interrupted = None
        wait = _Wait() if live else None
        parts: Any = agent.stream(payload, config, stream_mode=modes, subgraphs=bool(args.mode))
        # The status is stopped before a question is asked (below the loop).
        status: Any = console.status(wait) if wait else contextlib.nullcontext()
        with status:
            for *_ns, mode, chunk in parts:
                if mode == "custom":
                    chunk = _event(chunk)  # parsed once, here
                    if chunk is None:
                        continue
                if wait is not None:
                    wait.saw(mode, chunk)
                if mode == "custom" and not args.json:
                    line = describe(chunk)
                    if line:
                        console.print(line)
                elif mode == "updates" and "__interrupt__" in chunk:
                    interrupted = chunk["__interrupt__"][0].value
        if interrupted is None:
            return
        payload = Command(resume=_ask(console, interrupted, args.json))


def exit_code(result: dict[str, Any]) -> int:
    """0 verified, 4 delivered but unverified, 1 rejected: scripts can tell the three apart."""
    if result["success"]:
        return EXIT_OK
    return EXIT_UNVERIFIED if result.get("verdict") == "unverified" else EXIT_UNSOLVED


def _ask(console: Console, question: Any, json_mode: bool) -> bool:
    if json_mode or not sys.stdin.isatty():
        console.print("[yellow]approval needed but no terminal to ask: declined[/]")
        return False
    console.print("[bold]The agent wants to run this program:[/]")
    console.print(question.get("code", ""), markup=False)
    return Confirm.ask("Run it?", console=console, default=False)


def _verdict(state: dict[str, Any], validation: Any) -> str:
    """The run's verdict; an old checkpoint without one falls back to its last validation."""
    fallback = str(getattr(validation, "verdict", None) or "rejected")
    return str(state.get("verdict") or ("verified" if state.get("success") else fallback))


def _result(state: dict[str, Any], thread: str) -> dict[str, Any]:
    """The documented machine-readable result (see README, "JSON result")."""
    validation = state.get("validation")
    return {
        "thread_id": thread,
        "request": state.get("request", ""),
        "success": bool(state.get("success")),
        "verdict": _verdict(state, validation),
        "deliverable": state.get("deliverable", ""),
        "final_message": state.get("final_message", ""),
        "files": list(state.get("files_out") or []),
        "steps": [s.model_dump(mode="json") for s in state.get("steps", [])],
        "validation": validation.model_dump(mode="json") if validation else None,
        "lessons": list(state.get("lessons", [])),
        "model_calls": state.get("model_calls", 0),
        "faults": dict(state.get("faults") or {}),
        "intent": state["intent"].model_dump(mode="json") if state.get("intent") else None,
    }
