"""The graph's shape is part of the public contract (Studio draws it; callers rely on it)."""

import os
from pathlib import Path

from adaptive_react.graph import builder, graph

SNAPSHOT = Path(__file__).parent / "snapshots" / "react.mermaid"
NODES = {"intent_analyze", "plan_select", "act", "observe", "validate", "learn", "refine_decide"}


def test_compiled_graph_has_the_seven_nodes_and_conditional_edges():
    drawn = graph.get_graph()
    assert NODES <= set(drawn.nodes)
    conditional = {(e.source, e.target) for e in drawn.edges if e.conditional}
    assert ("refine_decide", "plan_select") in conditional
    assert ("refine_decide", "__end__") in conditional
    assert ("intent_analyze", "plan_select") in conditional
    assert ("intent_analyze", "__end__") in conditional


def test_mermaid_snapshot():
    mermaid = builder.compile().get_graph().draw_mermaid()
    if os.environ.get("UPDATE_SNAPSHOTS"):  # deliberate shape changes: rewrite, review, commit
        SNAPSHOT.write_text(mermaid)
    assert mermaid == SNAPSHOT.read_text()
