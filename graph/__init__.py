"""Graph assembly: the uncompiled ``builder`` and the compiled ``graph``."""

from .actionplan import actionplan_builder, make_actionplan_builder
from .react import RECURSION_LIMIT, builder, graph, make_builder
from .workflow import Mode, make_workflow_builder, register_mode, workflow_builder, workflow_graph

__all__ = [
    "RECURSION_LIMIT",
    "Mode",
    "actionplan_builder",
    "builder",
    "graph",
    "make_actionplan_builder",
    "make_builder",
    "make_workflow_builder",
    "register_mode",
    "workflow_builder",
    "workflow_graph",
]
