"""Concrete actions built from a learned template, without asking the model to plan.

Once a template is known to work for a pattern, planning it again with the model costs a call
and risks a worse choice; these builders fill our own wording with the request.
"""

from __future__ import annotations

from ..state.models import ActionSelection, CriterionKind, Intent
from .templates import ACTION_COMPUTE, ACTION_CONTENT, ACTION_DATA, ACTION_DOCUMENT, render

_BUILDERS = {
    "ai_process:data": ("ai_process", "prompt", ACTION_DATA),
    "ai_process:content": ("ai_process", "prompt", ACTION_CONTENT),
    "python:compute": ("python", "task", ACTION_COMPUTE),
    "python:document": ("python", "task", ACTION_DOCUMENT),
}


def buildable(template: str) -> bool:
    """Whether ``build_action`` knows the template."""
    return template in _BUILDERS


def build_action(
    template: str, request: str, intent: Intent, *, rationale: str, strategy_id: str | None = None
) -> ActionSelection:
    """An action for ``template`` on this request, worded by us."""
    tool, param, text = _BUILDERS[template]
    count = intent.criterion(CriterionKind.COUNT)
    return ActionSelection(
        tool=tool,
        parameters={param: render(text, request=request, count=count.value if count else None)},
        rationale=rationale,
        strategy_id=strategy_id,
        template=template,
    )
