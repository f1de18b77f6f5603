"""The react loop's nodes, one module each; each returns a partial state update."""

from ._common import as_node
from .act import make_act
from .intent_analyze import intent_analyze
from .learn import learn
from .observe import observe
from .plan_select import make_plan_select
from .refine_decide import refine_decide
from .validate import validate

__all__ = [
    "as_node",
    "intent_analyze",
    "learn",
    "make_act",
    "make_plan_select",
    "observe",
    "refine_decide",
    "validate",
]
