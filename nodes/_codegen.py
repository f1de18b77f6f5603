"""Program writing shared by react's plan_select and actionplan's executor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from ..learning.repair import RepairBrief
from ..llm import extract_code
from ..prompts import elements, render, templates
from ..state import DataType, Intent
from ..state.attempts import Attempt
from ..tools import DATA_PACKAGES, DOCUMENT_PACKAGES, available_packages

# How a program is written after a repair failed: another framing of the same task.
_FRAMINGS = {"fresh": templates.REFRAME_FRESH, "short": templates.REFRAME_SHORT}


def shown_packages(intent: Intent | None) -> list[str]:
    """The installed packages the model is told it may import.

    Data packages always, document ones for a document request; never a package the sandbox
    cannot import.
    """
    document = intent is not None and intent.data_type == DataType.DOCUMENT
    wanted = DATA_PACKAGES + (DOCUMENT_PACKAGES if document else ())
    return [name for name in available_packages() if name in wanted]


def _ask(
    model: BaseChatModel, intent: Intent | None, template: str, task: str, **fields: Any
) -> str:
    """One program for ``template``; a fenced block is taken, so stray tags and prose are dropped.

    The requirements are the intent's criteria in the request's terms only: a program writer
    told the expected value copies it into ``print``.
    """
    system = render(templates.CODEGEN_SYSTEM, libraries=shown_packages(intent))
    user = render(template, task=task, requirements=elements.producer_criteria(intent), **fields)
    reply = model.invoke([SystemMessage(system), HumanMessage(user)])
    return extract_code(str(reply.content))


def write_code(
    model: BaseChatModel,
    intent: Intent | None,
    task: str,
    problems: Sequence[str] = (),
    advice: Sequence[str] = (),
) -> str:
    """Ask for one program.

    ``advice`` is what earlier runs on this kind of request taught (auto-trainer heuristics).
    """
    return _ask(
        model,
        intent,
        templates.CODEGEN_USER,
        task,
        previous_problems=list(problems),
        advice=list(advice),
    )


def repair_code(
    model: BaseChatModel, intent: Intent | None, task: str, attempt: Attempt, brief: RepairBrief
) -> str:
    """Ask for the last program changed: the model sees it, what it printed and what is wrong.

    Editing a concrete program was measured to be what a weak model can do; asked the task
    again, it wrote the same program again.
    """
    return _ask(
        model,
        intent,
        templates.CODEGEN_REPAIR,
        task,
        program=attempt.program,
        output=attempt.excerpt,
        output_chars=attempt.output_chars,
        findings=brief.findings,
        instructions=brief.instructions,
    )


def reframe_code(
    model: BaseChatModel,
    intent: Intent | None,
    task: str,
    framing: str,
    findings: Sequence[str] = (),
) -> str:
    """Ask for the program again in another framing ('fresh' or 'short') after a repair failed.

    ``findings`` says what was wrong before (producer-safe): the new program should not
    fall into the same hole, but it is not shown the old program to stay close to.
    """
    return _ask(
        model,
        intent,
        templates.CODEGEN_REFRAME,
        task,
        framing=_FRAMINGS[framing],
        findings=list(findings),
    )
