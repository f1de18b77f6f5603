"""Program writing shared by react's plan_select and actionplan's executor."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from ..llm import extract_code
from ..llm.calls import ainvoke_model
from ..prompts import elements, render, templates
from ..state import DataType, Intent

_DOCUMENT_LIBS = ", openpyxl, python-docx and reportlab"


def requirements(intent: Intent | None) -> list[str]:
    """The intent's criteria as requirement lines, in the request's terms only.

    A program writer told the expected value copies it into ``print``; the requirement says
    what is checked, never the answer the rules computed.
    """
    return elements.producer_criteria(intent)


async def write_code(
    model: BaseChatModel, intent: Intent | None, task: str, problems: Sequence[str] = (),
    advice: Sequence[str] = (),
) -> str:
    """Ask for one program (a fenced block is taken, so stray tags and prose are dropped).

    ``advice`` is what earlier runs on this kind of request taught (auto-trainer heuristics).
    """
    document = intent is not None and intent.data_type == DataType.DOCUMENT
    messages = [
        SystemMessage(render(templates.CODEGEN_SYSTEM,
                             extra_libs=_DOCUMENT_LIBS if document else "")),
        HumanMessage(render(templates.CODEGEN_USER, task=task, requirements=requirements(intent),
                            previous_problems=list(problems), advice=list(advice))),
    ]
    reply = await ainvoke_model(model, messages)
    return extract_code(str(reply.content))
