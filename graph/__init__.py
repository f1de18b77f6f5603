"""Graph assembly: the uncompiled ``builder`` and the compiled ``graph``."""

from .react import RECURSION_LIMIT, builder, graph, make_builder

__all__ = ["RECURSION_LIMIT", "builder", "graph", "make_builder"]
