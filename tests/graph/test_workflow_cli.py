"""``adaptive-react run --mode actionplan|react --json`` on scripted models."""

import json

import pytest

from adaptive_react import cli
from adaptive_react.analysis.verifiers import expected_sequence
from adaptive_react.commands import run as run_mod
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.state.workflow import ActionList, PlannedAction, TaskPlan, TaskStep
from tests.helpers import Router

REQUEST = "List the first 10 prime numbers"
PRIMES = ", ".join(map(str, expected_sequence("prime", 10)))


@pytest.mark.parametrize("mode", ["actionplan", "react"])
def test_run_mode_json_has_task_plan_and_message_log(mode, tmp_path, monkeypatch, capsys):
    router = Router(
        task_plan=[TaskPlan(tasks=[TaskStep(objective=REQUEST)])],
        actions=[
            ActionList(actions=[PlannedAction(tool="ai_process", parameters={"prompt": REQUEST})])
        ],
        # react mode reads this request by the rules alone and goes straight to a program.
        codegen=[f"```python\nprint({PRIMES!r})\n```"],
        ai=[PRIMES],
    )
    monkeypatch.setattr(run_mod, "_resolve_model", lambda arg: ScriptedChatModel(script=router))
    code = cli.main(
        [
            "run",
            "--mode",
            mode,
            REQUEST,
            "--json",
            "--db",
            str(tmp_path / "db.sqlite"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    result = json.loads(capsys.readouterr().out)

    assert code == 0
    assert result["success"] is True and result["deliverable"] == PRIMES
    assert result["mode"] == mode
    assert result["task_plan"]["tasks"][0]["objective"] == REQUEST
    assert [m["kind"] for m in result["messages"]] == [
        "task_plan",
        "task_start",
        "action_start",
        "action_result",
        "task_complete",
        "workflow_complete",
    ]
    assert result["tasks"][0]["mode"] == mode and len(result["steps"]) == 1
    saved = json.loads((tmp_path / "out" / "result.json").read_text())
    assert saved["messages"] == result["messages"]


def test_run_mode_prints_the_messages_live(tmp_path, monkeypatch, capsys):
    router = Router(
        task_plan=[TaskPlan(tasks=[TaskStep(objective=REQUEST)])],
        actions=[
            ActionList(actions=[PlannedAction(tool="ai_process", parameters={"prompt": REQUEST})])
        ],
        ai=[PRIMES],
    )
    monkeypatch.setattr(run_mod, "_resolve_model", lambda arg: ScriptedChatModel(script=router))
    code = cli.main(
        [
            "run",
            "--mode",
            "actionplan",
            REQUEST,
            "--db",
            str(tmp_path / "db.sqlite"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0 and captured.out.strip() == PRIMES
    for line in (
        "Plan: 1 task",
        "Task 1/1 (actionplan)",
        "Action 1: ai_process succeeded",
        "Workflow complete",
    ):
        assert line in captured.err
