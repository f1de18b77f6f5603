"""A scripted *flawed* chat model with documented, seeded failure modes.

The model "knows" each task's solution (the ``solution`` field of the task file) and then
makes the mistakes its profile asks for, at the profile's rates. It answers every prompt
kind the adaptive loop sends (recognised by the system prompt, as ``tests/helpers.py`` does)
and a plain ReAct agent's conversation with a ``python`` tool, the way a weak model would.

Failure modes (profile keys; see ``bench/README.md`` for the full description):

- ``code_for_data.rate``: asked for data, answer with a program instead, unless the prompt
  says otherwise (one of ``no_code_phrases``). A disposition per task.
- ``naive_plan.rate``: as a planner with nothing learned, ask ``ai_process`` for *code* that
  computes the data. Skipped once the plan prompt lists that action as failed or a
  strategy as validated.
- ``truncate``: a list typed out by the model (not printed by a program) longer than
  ``threshold`` items is cut to ``keep`` items followed by "...".
- ``off_by_one.rate``: a program computes ``n + 1`` items (its ``n = <int>`` line is off by
  one); a typed list drops its last item.
- ``malformed_json.rate``: a structured answer (a tool call) comes back as cut-off JSON
  text; for the ReAct baseline, the python tool call is written as text.
- ``guided_factor``: rates of ``code_for_data`` and ``off_by_one`` are multiplied by this
  when the prompt carries a guidance marker (``guidance_markers``), i.e. validator findings.

Determinism: at temperature 0 every draw is a pure function of (seed, mode, task, prompt
with paths removed), so the same prompt gets the same answer and dispositions hold per task;
at temperature > 0 each call draws afresh (a retry can differ). ``latency_s`` sleeps per call.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import ConfigDict

from adaptive_react.fakes import ReplyingChatModel, as_message
from adaptive_react.prompts import templates

from .tasks import Task

KINDS = {
    "intent": templates.INTENT_SYSTEM[:40],
    "plan": templates.PLAN_SYSTEM[:40],
    "codegen": templates.CODEGEN_SYSTEM[:40],
    "ai": templates.AI_PROCESS_SYSTEM[:40],
    "judge": templates.JUDGE_SYSTEM[:40],
}
try:  # the actionplan mode's prompts, where that mode exists
    from adaptive_react.prompts import actionplan as _ap

    KINDS["actions"] = _ap.ACTIONS_SYSTEM[:40]
    KINDS["taskplan"] = _ap.TASK_PLAN_SYSTEM[:40]
except ImportError:  # pragma: no cover - older checkouts
    pass
_STRUCTURED = {
    "Intent": "intent",
    "ActionSelection": "plan",
    "JudgeVerdict": "judge",
    "ActionList": "actions",
    "TaskPlan": "taskplan",
}
_CODE_ASK = re.compile(
    r"\b(write|generate|create|produce|give)\b[^.]{0,40}\b(code|program|script|function)\b"
    r"|\bpython (code|program|script|function)\b",
    re.I,
)
_COUNT_LINE = re.compile(r"^n = (\d+)$", re.M)
_PATHS = re.compile(r"/[^\s'\",)]+")
_TEMPLATE = re.compile(r"\b((?:ai_process|python|skill):[a-z]+)\b")

DEFAULT_PROFILE: dict[str, Any] = {
    "name": "default",
    "seed": 0,
    "latency_s": 0.0,
    "code_for_data": {"rate": 0.0},
    "naive_plan": {"rate": 0.0},
    "truncate": {"rate": 0.0, "threshold": 20, "keep": 12},
    "off_by_one": {"rate": 0.0},
    "malformed_json": {"rate": 0.0},
    "guided_factor": 1.0,
    "no_code_phrases": [],
    "guidance_markers": [],
}


def load_profile(path: str | Path) -> dict[str, Any]:
    """Read a profile JSON over the defaults (unknown keys are an error, to catch typos)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    unknown = set(raw) - set(DEFAULT_PROFILE) - {"description"}
    if unknown:
        raise ValueError(f"{path}: unknown profile keys {sorted(unknown)}")
    return {**DEFAULT_PROFILE, **raw}


def _norm(text: str) -> str:
    return " ".join(text.split())


def prompt_kind(messages: Sequence[BaseMessage]) -> str:
    """Which of the loop's prompts this is, by its system prompt; "other" for anything else."""
    system = str(messages[0].content) if messages and isinstance(messages[0], SystemMessage) else ""
    return next((k for k, prefix in KINDS.items() if system.startswith(prefix)), "other")


class FlawedPolicy:
    """Decides the reply to one call: the task's solution, with the profile's flaws."""

    def __init__(self, profile: dict[str, Any], tasks: Sequence[Task], salt: str = ""):
        self.profile = profile
        self.tasks = sorted(tasks, key=lambda t: -len(t.request))
        self.salt = salt
        self._draws: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    # -- randomness -------------------------------------------------------------------------
    def _uniform(self, *parts: object) -> float:
        digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def fires(
        self, mode: str, task: Task, temperature: float, key: str = "", guided: bool = False
    ) -> bool:
        """Whether failure ``mode`` happens on this call."""
        rate = float(self.profile[mode]["rate"])
        if guided:
            rate *= float(self.profile["guided_factor"])
        if rate <= 0:
            return False
        if temperature > 0:
            with self._lock:
                self._draws[(mode, task.id)] += 1
                key = f"{key}#{self.salt}#{self._draws[(mode, task.id)]}"
        return self._uniform(self.profile["seed"], mode, task.id, key, guided) < rate

    # -- lookups ----------------------------------------------------------------------------
    def find_task(self, text: str) -> Task | None:
        """The task whose request occurs in the prompt (the longest, if several do)."""
        flat = _norm(text)
        return next((t for t in self.tasks if _norm(t.request) in flat), None)

    def _no_code_asked(self, text: str) -> bool:
        low = text.lower()
        return any(p.lower() in low for p in self.profile["no_code_phrases"])

    def _guided(self, text: str) -> bool:
        return any(m in text for m in self.profile["guidance_markers"])

    # -- content ----------------------------------------------------------------------------
    def program(self, task: Task, temperature: float, guided: bool) -> str:
        """The task's program, possibly off by one."""
        code = task.code or f"print({task.answer!r})"
        match = _COUNT_LINE.search(code)
        if match and self.fires("off_by_one", task, temperature, guided=guided):
            code = code.replace(match.group(0), f"n = {int(match.group(1)) + 1}", 1)
        return code

    def typed_data(self, task: Task, temperature: float, guided: bool) -> str:
        """The answer as the model types it: long lists truncated, maybe one item short."""
        answer = task.answer
        items = answer.split(", ")
        if len(items) > 1 and "\n" not in answer:
            if self.fires("off_by_one", task, temperature, guided=guided):
                items = items[:-1]
            trunc = self.profile["truncate"]
            if len(items) > int(trunc["threshold"]) and self.fires("truncate", task, temperature):
                items = items[: int(trunc["keep"])] + ["..."]
            answer = ", ".join(items)
        return answer

    def malformed(self, payload: dict[str, Any]) -> str:
        """Cut-off JSON, the way a weak model runs out of tokens or loses a quote."""
        text = json.dumps(payload)
        return text[: max(8, len(text) * 2 // 3)]

    # -- the dispatcher ---------------------------------------------------------------------
    def respond(
        self, messages: list[BaseMessage], kwargs: dict[str, Any], temperature: float
    ) -> AIMessage | str | dict[str, Any]:
        """The reply to one call (a dict is a structured answer: a tool call)."""
        text = "\n".join(str(m.content) for m in messages)
        tools = [t["function"]["name"] for t in kwargs.get("tools") or []]
        kind = prompt_kind(messages)
        if tools and tools[0] in _STRUCTURED:
            kind = _STRUCTURED[tools[0]]
        task = self.find_task(text)
        key = hashlib.sha256(_PATHS.sub("", text).encode()).hexdigest()[:16]
        if kind in ("intent", "plan", "judge", "actions", "taskplan"):
            payload = getattr(self, f"_{kind}")(task, text, temperature)
            if task is not None and self.fires("malformed_json", task, temperature, key):
                return self.malformed(payload)
            return payload
        if kind == "codegen":
            return self._codegen(task, text, temperature)
        if kind == "ai":
            return self._ai(task, messages, text, temperature)
        return self._react(task, messages, tools, temperature, key)

    def _intent(self, task: Task | None, text: str, temperature: float) -> dict[str, Any]:
        if task is None:
            return {"data_type": "text", "expected_format": "prose"}
        shapes = {
            "numbers": ("numbers", "list"),
            "value": ("numbers", "single_value"),
            "csv": ("table", "csv"),
            "json": ("table", "json"),
            "python_tests": ("code", "code"),
            "xlsx": ("document", "xlsx"),
            "docx": ("document", "docx"),
            "pdf": ("document", "pdf"),
            "humaneval": ("code", "code"),
            "final_number": ("numbers", "single_value"),
            "json_keys": ("table", "json"),
            "words": ("text", "list"),
        }
        data_type, fmt = shapes.get(task.checker, ("text", "prose"))
        return {
            "data_type": data_type,
            "expected_format": fmt,
            "success_criteria": [],
            "subject": task.pattern.replace("_", " "),
        }

    def _plan(self, task: Task | None, text: str, temperature: float) -> dict[str, Any]:
        failed_part = (
            text.split("FAILED ACTIONS", 1)[1].split("\n\n", 1)[0]
            if "FAILED ACTIONS" in text
            else ""
        )
        failed = set(_TEMPLATE.findall(failed_part))
        learned_part = (
            text.split("LEARNED STRATEGIES", 1)[1].split("\n\n", 1)[0]
            if "LEARNED STRATEGIES" in text
            else ""
        )
        learned = [
            t
            for t, s in re.findall(r"^- ([a-z_]+:[a-z]+): (\d+)/\d+ validated", learned_part, re.M)
            if int(s) > 0
        ]
        if task is None:
            return {"tool": "ai_process", "parameters": {"prompt": "Answer the request."}}
        request = task.request
        actions = {
            "ai_process:code": {
                "tool": "ai_process",
                "parameters": {"prompt": f"Write Python code that computes this: {request}"},
            },
            "python:compute": {"tool": "python", "parameters": {"task": request}},
            "python:document": {"tool": "python", "parameters": {"task": request}},
            "ai_process:data": {"tool": "ai_process", "parameters": {"prompt": request}},
            "ai_process:content": {"tool": "ai_process", "parameters": {"prompt": request}},
        }
        if task.kind == "code":
            order = ["ai_process:content", "python:compute"]
        elif task.kind == "document":
            order = ["python:document", "ai_process:content"]
        else:
            order = ["python:compute", "ai_process:data"]
            if self.fires("naive_plan", task, temperature) and not learned:
                order.insert(0, "ai_process:code")
        order = [t for t in learned if t in actions] + order
        choice = next((t for t in order if t not in failed), order[-1])
        return {**actions[choice], "rationale": f"{choice} should deliver this"}

    def _actions(self, task: Task | None, text: str, temperature: float) -> dict[str, Any]:
        """Actionplan mode: the whole batch at once; findings of a failed review guide it."""
        if task is None:
            return {"actions": [{"tool": "ai_process", "parameters": {"prompt": "Answer."}}]}
        guided = self._guided(text)
        if task.kind == "code":
            action = {"tool": "ai_process", "parameters": {"prompt": task.request}}
        elif task.kind == "data" and not guided and self.fires("naive_plan", task, temperature):
            action = {
                "tool": "ai_process",
                "parameters": {"prompt": f"Write Python code that computes this: {task.request}"},
            }
        else:
            action = {
                "tool": "python",
                "parameters": {"code": self.program(task, temperature, guided)},
            }
        return {"actions": [{**action, "rationale": "one action delivers this"}]}

    def _taskplan(self, task: Task | None, text: str, temperature: float) -> dict[str, Any]:
        """One step: every benchmark request is one piece of work."""
        request = task.request if task else "Answer the request."
        return {"overview": "", "tasks": [{"objective": request, "success_criteria": []}]}

    def _judge(self, task: Task | None, text: str, temperature: float) -> dict[str, Any]:
        part = text.split("REQUIREMENTS TO CHECK:", 1)[-1].split("CONTENT", 1)[0]
        count = len(re.findall(r"^\d+\. ", part, re.M)) or 1
        # A weak judge: it approves whatever it is shown.
        return {
            "items": [
                {"index": i, "passed": True, "reason": "looks right"} for i in range(1, count + 1)
            ]
        }

    def _codegen(self, task: Task | None, text: str, temperature: float) -> str:
        if task is None:
            return "```python\nprint('I do not know')\n```"
        if task.kind == "code":
            return task.answer
        return f"```python\n{self.program(task, temperature, self._guided(text))}\n```"

    def _ai(
        self, task: Task | None, messages: list[BaseMessage], text: str, temperature: float
    ) -> str:
        if task is None:
            return "I am not sure."
        human = "\n".join(str(m.content) for m in messages if isinstance(m, HumanMessage))
        guided = self._guided(text)
        if task.kind == "code":
            return task.answer
        if task.kind == "document":
            return "I cannot create files, but the document would contain the requested content."
        if _CODE_ASK.search(human):
            return f"```python\n{self.program(task, temperature, guided)}\n```"
        if not self._no_code_asked(text) and self.fires(
            "code_for_data", task, temperature, guided=guided
        ):
            return (
                "Here is a Python program that computes it:\n"
                f"```python\n{self.program(task, temperature, guided)}\n```"
            )
        return self.typed_data(task, temperature, guided)

    def _react(
        self,
        task: Task | None,
        messages: list[BaseMessage],
        tools: list[str],
        temperature: float,
        key: str,
    ) -> AIMessage | str:
        if task is None:
            return "I don't know how to do that."
        tool_results = [m for m in messages if isinstance(m, ToolMessage)]
        human = "\n".join(str(m.content) for m in messages if isinstance(m, HumanMessage))
        if not tool_results:
            if task.kind == "code" or "python" not in tools:
                return task.answer or "I cannot do that without a tool."
            if (
                task.kind == "data"
                and not self._no_code_asked(human)
                and self.fires("code_for_data", task, temperature)
            ):
                return (
                    "You can compute this with a short Python program:\n"
                    f"```python\n{self.program(task, temperature, False)}\n```"
                )
            code = self.program(task, temperature, False)
            if self.fires("malformed_json", task, temperature, key):
                return '{"name": "python", "arguments": ' + self.malformed({"code": code})
            return AIMessage(
                content="",
                tool_calls=[
                    {"name": "python", "args": {"code": code}, "id": f"call_{uuid.uuid4().hex[:8]}"}
                ],
            )
        output = str(tool_results[-1].content).strip()
        if task.kind == "document":
            return f"Done. {output}"
        if output.lower().startswith("error"):
            return f"The program failed: {output[:200]}"
        items = output.split(", ")
        trunc = self.profile["truncate"]
        if (
            "\n" not in output
            and len(items) > int(trunc["threshold"])
            and self.fires("truncate", task, temperature)
        ):
            output = ", ".join(items[: int(trunc["keep"])]) + ", ..."
        return f"Here is the result:\n{output}"


class FlawedChatModel(ReplyingChatModel):
    """A chat model driven by a :class:`FlawedPolicy`; reports usage like an API would."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    policy: Any
    temperature: float = 0.0
    latency_s: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "scripted-flawed"

    def _next_reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        if self.latency_s:
            time.sleep(self.latency_s)
        reply = self.policy.respond(list(messages), kwargs, self.temperature)
        message = as_message(reply, kwargs)
        prompt_chars = sum(len(str(m.content)) for m in messages)
        out_chars = len(str(message.content)) + sum(
            len(json.dumps(tc["args"])) for tc in message.tool_calls
        )
        message.usage_metadata = {
            "input_tokens": prompt_chars // 4 + 1,
            "output_tokens": out_chars // 4 + 1,
            "total_tokens": (prompt_chars + out_chars) // 4 + 2,
        }
        return message


def scripted_model(
    profile_path: str | Path, tasks: Sequence[Task], salt: str = ""
) -> FlawedChatModel:
    """A flawed model for ``tasks`` with the profile at ``profile_path``."""
    profile = load_profile(profile_path)
    return FlawedChatModel(
        policy=FlawedPolicy(profile, tasks, salt), latency_s=float(profile["latency_s"])
    )
