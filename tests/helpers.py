"""Test helpers: a prompt-kind router over ScriptedChatModel replies."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from langchain_core.messages import BaseMessage
from langgraph.store.memory import InMemoryStore

from adaptive_react.prompts import actionplan, templates

KINDS = {
    "intent": templates.INTENT_SYSTEM[:40],
    "plan": templates.PLAN_SYSTEM[:40],
    "codegen": templates.CODEGEN_SYSTEM[:40],
    "ai": templates.AI_PROCESS_SYSTEM[:40],
    "judge": templates.JUDGE_SYSTEM[:40],
    "agree": templates.AGREE_DIRECT_SYSTEM[:40],
    "tests": templates.CODE_TESTS_SYSTEM[:40],
    "task_plan": actionplan.TASK_PLAN_SYSTEM[:40],
    "actions": actionplan.ACTIONS_SYSTEM[:40],
}


def prompt_kind(messages: list[BaseMessage]) -> str:
    system = str(messages[0].content) if messages else ""
    for kind, prefix in KINDS.items():
        if system.startswith(prefix):
            return kind
    return "other"


class Router:
    """Replies per prompt kind, each kind its own queue; records the kinds in call order."""

    def __init__(self, **queues: list[Any]):
        self.queues = {k: list(v) for k, v in queues.items()}
        self.seen: list[str] = []
        self.prompts: dict[str, list[str]] = defaultdict(list)

    def __call__(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Any:
        kind = prompt_kind(messages)
        self.seen.append(kind)
        self.prompts[kind].append("\n".join(str(m.content) for m in messages))
        queue = self.queues.get(kind)
        if not queue:
            if kind == "intent":
                return "not json"  # the rules fallback takes over
            raise AssertionError(f"no scripted reply left for a {kind!r} prompt")
        return queue.pop(0) if len(queue) > 1 else queue[0]


class LockedPart(InMemoryStore):
    """A store whose namespaces holding ``part`` fail on every read and write, as if locked."""

    def __init__(self, part: str):
        super().__init__()
        self.part = part

    def batch(self, ops: Iterable[Any]) -> list[Any]:
        ops = list(ops)
        if any(self.part in tuple(getattr(op, "namespace", ())) for op in ops):
            raise sqlite3.OperationalError("database is locked")
        return super().batch(ops)
