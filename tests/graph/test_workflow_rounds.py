"""An attached CSV answered from the file, then a follow-up round that reuses the answer."""

import csv
import statistics

from docx import Document
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from adaptive_react.agent import create_workflow_agent
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.nodes.validate import JudgeItem, JudgeVerdict
from adaptive_react.state.workflow import ActionList, PlannedAction, TaskPlan, TaskStep
from tests.helpers import Router

FIRST = "What is the average of the price column in prices.csv?"
SECOND = "Now write that average into a Word document"
SECOND_TASK = "Write the average price from the previous round into a Word document"
MEAN_CODE = (
    "import csv\nrows = list(csv.DictReader(open('prices.csv')))\n"
    "print(round(sum(float(r['price']) for r in rows) / len(rows), 2))\n"
)
READ_CODE = "print(open('task-1-1.txt').read().strip())\n"
# The agreement check's second, independently written program (another way to the mean).
SECOND_MEAN_CODE = (
    "```python\nimport statistics, csv\nwith open('prices.csv') as fh:\n"
    "    print(round(statistics.mean(float(r['price']) for r in csv.DictReader(fh)), 2))\n```"
)


def write_prices(path):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["item", "price"])
        for i in range(300):
            w.writerow([f"item-{i}", f"{(i * 37) % 101 + 0.5:.2f}"])
    with path.open() as fh:
        return round(statistics.mean(float(r["price"]) for r in csv.DictReader(fh)), 2)


def test_csv_answered_from_the_file_then_follow_up_round_reuses_it(tmp_path):
    data = tmp_path / "in" / "prices.csv"
    data.parent.mkdir()
    mean = write_prices(data)
    out_dir = tmp_path / "out"
    router = Router(
        task_plan=[
            TaskPlan(tasks=[TaskStep(objective=FIRST)]),
            TaskPlan(tasks=[TaskStep(objective=SECOND_TASK)]),
        ],
        actions=[
            ActionList(actions=[PlannedAction(tool="python", parameters={"code": MEAN_CODE})]),
            ActionList(
                actions=[
                    PlannedAction(tool="python", parameters={"code": READ_CODE}),
                    PlannedAction(
                        tool="create_docx",
                        parameters={
                            "filename": "average.docx",
                            "title": "Average price",
                            "columns": ["average price"],
                            "rows": "previous",
                        },
                    ),
                ]
            ),
        ],
        judge=[JudgeVerdict(items=[JudgeItem(index=1, passed=True, reason="mean of the column")])],
        codegen=[SECOND_MEAN_CODE],
    )
    agent = create_workflow_agent(
        ScriptedChatModel(script=router),
        store=InMemoryStore(),
        checkpointer=InMemorySaver(),
        output_dir=str(out_dir),
    )
    config = {"configurable": {"thread_id": "rounds-1"}}

    first = agent.invoke({"request": FIRST, "files": [str(data)], "mode": "actionplan"}, config)

    assert first["success"] is True, first["final_message"]
    assert first["deliverable"] == str(mean)
    plan_prompt, actions_prompt = router.prompts["task_plan"][0], router.prompts["actions"][0]
    for prompt in (plan_prompt, actions_prompt):
        assert "AVAILABLE DOCUMENTS" in prompt and "prices.csv (csv," in prompt
        assert "item-299" not in prompt  # listed with a bounded preview, never pasted whole

    second = agent.invoke({"request": SECOND, "mode": "actionplan"}, config)

    assert second["success"] is True, second["final_message"]
    assert second["round"] == 2
    # The second round saw the first one through the workflow-history element ...
    plan_prompt, actions_prompt = router.prompts["task_plan"][1], router.prompts["actions"][1]
    for prompt in (plan_prompt, actions_prompt):
        assert "WORKFLOW HISTORY" in prompt
        assert FIRST in prompt and f"delivered: {mean}" in prompt
    # ... and reused its deliverable (a file the tools read) in the new document.
    assert "task-1-1.txt" in actions_prompt
    doc = Document(second["files_out"][0])
    assert doc.tables[0].rows[1].cells[0].text == str(mean)
    # Each round keeps its own messages; the log in state covers both rounds.
    rounds = {m.round for m in second["workflow_messages"]}
    assert rounds == {1, 2}
    assert [m.kind.value for m in second["workflow_messages"] if m.round == 2][0] == "task_plan"
