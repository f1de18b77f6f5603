"""The workflow's shape, both mode subgraphs included, against a stored snapshot.

Regenerate after an intended change with ``UPDATE_SNAPSHOTS=1 pytest tests/graph``.
"""

import os
from pathlib import Path

from adaptive_react.graph.workflow import make_workflow_builder

SNAPSHOT = Path(__file__).parent / "snapshots" / "workflow.mermaid"


def test_workflow_graph_matches_snapshot():
    drawn = make_workflow_builder().compile().get_graph(xray=True).draw_mermaid()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(drawn)
    assert drawn == SNAPSHOT.read_text()
    for node in (
        "react:plan_select",
        "actionplan:generate_actions",
        "actionplan:check_actions",
        "actionplan:review",
    ):
        assert node.replace(":", "\\3a") in drawn
