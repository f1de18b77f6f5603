"""Action templates: the fixed vocabulary of approaches that learning counts.

Free-form model output never becomes a key or an instruction; an action is reduced to one of
these templates, and each template's guidance is text we wrote.
"""

from __future__ import annotations

import re

from ..state.models import ActionSelection, DataType, Intent

AI_DATA = "ai_process:data"
AI_CODE = "ai_process:code"
AI_CONTENT = "ai_process:content"
PY_COMPUTE = "python:compute"
PY_DOCUMENT = "python:document"
SKILL = "skill:python"

GUIDANCE: dict[str, str] = {
    AI_DATA: "Ask the model for the data itself, with the exact count and format required.",
    AI_CODE: "Asking the model for a program hands the user code, not the data.",
    AI_CONTENT: "Ask the model for the content itself.",
    PY_COMPUTE: "Compute the data with a short program and deliver its printed output.",
    PY_DOCUMENT: "Write the file with a short program (openpyxl, python-docx, reportlab).",
    SKILL: "Re-run a verified program from an earlier run with this request's values.",
}

_CODE_WORDS = re.compile(
    r"\b(write|generate|create|produce)\b[^.]{0,40}\b(code|program|script|function|algorithm)\b"
    r"|\bpython (code|program|script)\b|\bcode to\b",
    re.IGNORECASE,
)


def action_template(selection: ActionSelection, intent: Intent | None) -> str:
    """Reduce a concrete action to its template."""
    if selection.template.startswith("skill:"):
        return SKILL
    if selection.tool == "python":
        return PY_DOCUMENT if intent and intent.data_type == DataType.DOCUMENT else PY_COMPUTE
    if selection.tool == "ai_process":
        prompt = str(selection.parameters.get("prompt", ""))
        if intent is not None and intent.data_type == DataType.CODE:
            return AI_CONTENT
        if _CODE_WORDS.search(prompt):
            return AI_CODE
        if intent is not None and intent.data_type in (DataType.NUMBERS, DataType.TABLE):
            return AI_DATA
        return AI_CONTENT
    return f"tool:{selection.tool}"


def default_order(intent: Intent, *, python_allowed: bool = True) -> list[str]:
    """Templates to try, best first, when nothing has been learned for a pattern.

    Weak local models rarely list long sequences correctly but write short programs well,
    so computed data comes first for data requests.
    """
    if intent.data_type == DataType.DOCUMENT:
        order = [PY_DOCUMENT]
    elif intent.data_type in (DataType.NUMBERS, DataType.TABLE, DataType.ANALYSIS):
        order = [PY_COMPUTE, AI_DATA]
    else:
        order = [AI_CONTENT, PY_COMPUTE]
    return [t for t in order if python_allowed or not t.startswith("python:")]
