"""act: run the selected action; any failure becomes a failed ActionResult, never a crash."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ..learning import attempts as ladder
from ..learning.repair import producer_safe
from ..llm import faults
from ..prompts import render, templates
from ..state import ActionResult, ActionSelection, Context, DataType, Intent, ReactState
from ..state.attempts import Attempt
from ..state.workflow import MessageKind
from ..tools import SandboxLimits, ToolBox, run_python
from ._common import call_with_timeout, context_of, current_thread_id, emit, model_of

MAX_CONTENT_CHARS = 200_000
TOOL_TIMEOUT_S = 60.0


def output_dir(ctx: Context) -> Path:
    """Where files a run produces are kept: the configured folder or one per thread."""
    if ctx.output_dir:
        path = Path(ctx.output_dir)
    else:
        thread = current_thread_id() or "no-thread"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in thread)[:80]
        path = Path(tempfile.gettempdir()) / "adaptive-react" / safe
    path.mkdir(parents=True, exist_ok=True)
    return path


def _approved(answer: Any) -> bool:
    if isinstance(answer, dict):
        answer = answer.get("approve", answer.get("approved", False))
    if isinstance(answer, str):
        return answer.strip().lower() in {"y", "yes", "approve", "ok", "true"}
    return bool(answer)


def _run_python(sel: ActionSelection, job: ActionInput, ctx: Context) -> tuple[ActionResult, str]:
    """Run the program; also returns the end of its stderr (a traceback) for a repair."""
    code = str(sel.parameters.get("code", ""))
    if ctx.require_approval:
        answer = interrupt(
            {
                "kind": "approve_code",
                "tool": "python",
                "code": code,
                "question": "Run this program? (yes/no)",
            }
        )
        if not _approved(answer):
            return ActionResult(
                tool="python", success=False, error="a human declined to run it"
            ), ""
    limits = SandboxLimits(timeout_s=ctx.python_timeout_s)
    res = run_python(code, limits=limits, input_files=list(job.files))
    files: list[str] = []
    if res.files and job.intent and job.intent.data_type == DataType.DOCUMENT:
        dest = output_dir(ctx)
        files = [str(shutil.copy(f, dest)) for f in res.files]  # out of the workdir, kept
    shutil.rmtree(res.workdir, ignore_errors=True)
    content = res.stdout.strip()
    if not res.ok:
        content = content[-2000:]
    result = ActionResult(
        tool="python",
        success=res.ok,
        content=content,
        files=files,
        error=res.error,
        duration_s=res.duration_s,
        truncated=res.truncated,
    )
    return result, "" if res.ok else res.stderr_tail()


def _run_ai(sel: ActionSelection, job: ActionInput, runtime: Runtime[Context]) -> ActionResult:
    ctx = context_of(runtime)
    wants_data = bool(job.intent and job.intent.data_type in (DataType.NUMBERS, DataType.TABLE))
    messages = [
        SystemMessage(render(templates.AI_PROCESS_SYSTEM, wants_data=wants_data)),
        HumanMessage(
            render(
                templates.AI_PROCESS_USER,
                prompt=str(sel.parameters.get("prompt") or job.request),
                # validator suggestions can quote expected values: filtered
                requirements=[g for g in map(producer_safe, job.guidance) if g],
            )
        ),
    ]
    temperature = ctx.retry_temperature if job.retry else ctx.temperature
    reply = model_of(runtime, temperature).invoke(messages)
    content = str(reply.content).strip()
    return ActionResult(tool="ai_process", success=True, content=content, model_calls=1)


def _recorded(
    state: ReactState, sel: ActionSelection, result: ActionResult, traceback: str
) -> list[Attempt]:
    """This round's attempts with the one just run completed.

    Completed means its output recorded, and whether that output repeats an earlier one
    (then it is not a new idea, whatever produced it).
    """
    history = ladder.of_round(state.attempts, state.request_id)
    pending = history[-1] if history and history[-1].step == state.step + 1 else None
    if pending is None:  # a checkpoint from before attempts were recorded
        pending = Attempt(
            request_id=state.request_id,
            step=state.step + 1,
            approach=ladder.FIRST,
            tool=sel.tool,
            program=str(sel.parameters.get("code", "")),
        )
    else:
        history = history[:-1]
    key = ladder.output_key(result.content, result.error)
    done = pending.model_copy(
        update={
            "excerpt": ladder.excerpt(result.content),
            "output_chars": len(result.content),
            "output_key": key,
            "error": result.error,
            "traceback": traceback,
            "repeat": ladder.seen_before(history, key),
        }
    )
    return [*history, done]


@dataclass(frozen=True)
class ActionInput:
    """What running an action reads besides the action itself.

    React's ``act`` and actionplan's ``execute_action`` each fill it from their own state,
    so neither has to build the other's state to share the executor.
    """

    request: str
    intent: Intent | None
    files: Sequence[str] = ()
    guidance: Sequence[str] = ()
    retry: bool = False  # a later attempt samples at the retry temperature


def run_action(
    sel: ActionSelection, job: ActionInput, toolbox: ToolBox, runtime: Runtime[Context]
) -> tuple[ActionResult, str]:
    """Run one action; any failure becomes a failed result, never a crash.

    Also returns the end of a failed program's stderr (its traceback), for a repair.
    """
    ctx = context_of(runtime)
    start = time.monotonic()
    traceback = ""
    try:
        if sel.tool == "python":
            if not (ctx.allow_python and toolbox.allow_python):
                raise PermissionError("the python tool is turned off for this run")
            result, traceback = _run_python(sel, job, ctx)
        elif sel.tool == "ai_process":
            result = _run_ai(sel, job, runtime)
        elif sel.tool in toolbox.user_tools:
            tool = toolbox.user_tools[sel.tool]
            out = call_with_timeout(lambda: tool.ainvoke(sel.parameters), TOOL_TIMEOUT_S)
            result = ActionResult(tool=sel.tool, success=True, content=str(out))
        else:
            raise LookupError(f"unknown tool {sel.tool!r}")
    except Exception as exc:  # noqa: BLE001 - a failed action is data for the next step
        if type(exc).__name__ in {"GraphInterrupt", "ModelConfigError"}:
            raise
        if sel.tool == "ai_process" and faults.is_transient(exc):
            raise  # the node's retry policy backs off and retries the model call
        result = ActionResult(
            tool=sel.tool, success=False, error=f"{type(exc).__name__}: {exc}"[:1000]
        )
    update: dict[str, Any] = {"duration_s": time.monotonic() - start}
    if len(result.content) > MAX_CONTENT_CHARS:
        update |= {"content": result.content[:MAX_CONTENT_CHARS], "truncated": True}
    return result.model_copy(update=update), traceback


def make_act(toolbox: ToolBox):  # type: ignore[no-untyped-def]
    """Act bound to the graph's tools."""

    def act(state: ReactState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Run the one selected action and report what it produced."""
        sel = state.selection
        assert sel is not None, "act runs after plan_select"
        job = ActionInput(state.request, state.intent, state.files, state.guidance, state.step > 0)
        result, traceback = run_action(sel, job, toolbox, runtime)
        attempts = _recorded(state, sel, result, traceback)
        emit(
            MessageKind.ACTION_RESULT,
            step=state.step + 1,
            success=result.success,
            data={
                "tool": sel.tool,
                "error": result.error,
                "chars": len(result.content),
                "files": result.files,
                "repeat": attempts[-1].repeat,
            },
        )
        return {
            "result": result,
            "step": state.step + 1,
            "model_calls": result.model_calls,
            "attempts": attempts,
        }

    return act
