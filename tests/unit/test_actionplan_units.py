"""Task plan repair, action list checks, auto mode choice, rows parsing, message templates."""

import pytest
from langchain_core.tools import tool

from adaptive_react.nodes.actionplan_check import check_actions
from adaptive_react.nodes.task_plan import MAX_TASKS, repair_task_plan
from adaptive_react.nodes.workflow import choose_mode
from adaptive_react.prompts import actionplan, render
from adaptive_react.state import StrategyView
from adaptive_react.state.workflow import PlannedAction, TaskPlan, TaskStep
from adaptive_react.tools import ToolBox
from adaptive_react.tools.documents import rows_from_text


@tool
def lookup(city: str, year: int = 2024) -> str:
    """Look a city up."""
    return city


def test_plan_repairs_blank_and_duplicate_steps():
    plan = TaskPlan(
        tasks=[
            TaskStep(objective="  A  b "),
            TaskStep(objective=""),
            TaskStep(objective="a B", success_criteria=[" ", "ok"]),
        ]
    )
    fixed, repairs, error = repair_task_plan(plan)
    assert error is None and [t.objective for t in fixed.tasks] == ["A b"]
    assert repairs == ["dropped an empty step", "dropped a duplicate step"]


@pytest.mark.parametrize(
    "tasks, reason",
    [
        ([], "no task steps"),
        ([TaskStep(objective=f"step {i}") for i in range(MAX_TASKS + 1)], "at most"),
    ],
)
def test_plan_rejected_with_a_clear_error(tasks, reason):
    fixed, _, error = repair_task_plan(TaskPlan(tasks=tasks))
    assert fixed is None and reason in error


def test_check_actions_finds_every_problem_before_running():
    box = ToolBox([lookup])
    actions = [
        PlannedAction(tool="create_docx", parameters={"filename": "a.docx", "rows": "previous"}),
        PlannedAction(tool="ai_process", parameters={"prompt": " "}),
        PlannedAction(tool="python", parameters={}),
        PlannedAction(tool="lookup", parameters={"town": "x"}),
        PlannedAction(tool="nope"),
    ]
    problems = check_actions(actions, box, allow_python=True)
    assert len(problems) == 6, problems
    assert check_actions([], box, allow_python=True) == ["the action list is empty"]
    python_off = check_actions(
        [PlannedAction(tool="python", parameters={"code": "1"})], box, allow_python=False
    )
    assert "turned off" in python_off[0]
    ok = [
        PlannedAction(tool="lookup", parameters={"city": "Bern"}),
        PlannedAction(tool="create_xlsx", parameters={"filename": "a.xlsx", "rows": "previous"}),
    ]
    assert check_actions(ok, box, allow_python=True) == []


def view(template, attempts, successes):
    return StrategyView(pattern="p", template=template, attempts=attempts, successes=successes)


def test_auto_mode_compares_modes_on_their_own_templates():
    prefixes = {"react": None, "actionplan": "actionplan:"}
    assert choose_mode([], prefixes, default="react")[0] == "react"
    learned = [view("actionplan:python-create_xlsx", 4, 4), view("python:document", 4, 1)]
    assert choose_mode(learned, prefixes, default="react")[0] == "actionplan"
    learned = [view("actionplan:ai_process", 5, 0), view("ai_process:data", 2, 2)]
    assert choose_mode(learned, prefixes, default="actionplan")[0] == "react"


@pytest.mark.parametrize(
    "text, columns, rows",
    [
        ("2, 3, 5", ["n", "prime"], [[1, 2], [2, 3], [3, 5]]),
        ("n,prime\n1,2\n2,3", ["n", "prime"], [[1, 2], [2, 3]]),
        ("[[1, 2.5], [2, 3]]", [], [[1, 2.5], [2, 3]]),
        ("a\tb\nc\td", [], [["a", "b"], ["c", "d"]]),
    ],
)
def test_rows_from_previous_text(text, columns, rows):
    assert rows_from_text(text, columns) == rows


def test_every_template_renders():
    values = dict(
        max_tasks=3,
        objective="O",
        documents="",
        history="",
        rules="R",
        max_actions=2,
        intent="I",
        strategies="S",
        tools="T",
        findings=["f"],
        prompt="p",
        previous="x",
        task="t",
        filename="f.txt",
        index=1,
        deliverable="d",
        tasks=["a"],
        overview="o",
        repairs=["r"],
        total=2,
        mode="react",
        action=1,
        tool="python",
        rationale="why",
        success=False,
        error="boom",
        files=["a.xlsx"],
        attempt=1,
        summary="s",
        done=1,
        results=[],
        reason="r",
        problems=["p"],
    )
    names = [n for n in dir(actionplan) if n.isupper()]
    assert len(names) >= 15
    for name in names:
        assert render(getattr(actionplan, name), **values)
