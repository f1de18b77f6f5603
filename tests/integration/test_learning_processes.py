"""Learning across processes and concurrent runs on one SQLite file; CLI and export."""

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from adaptive_react import create_adaptive_agent
from adaptive_react.cli import main
from adaptive_react.fakes import ScriptedChatModel
from adaptive_react.learning import StrategyStore
from adaptive_react.learning.training_export import check_openai_chat_line, sources_path
from adaptive_react.persistence import open_persistence
from tests.graph.test_seed_scenario import PRIMES, REQUEST, first_run_router

ROOT = Path(__file__).resolve().parents[2]

RUN = textwrap.dedent("""
    import json, sys
    from adaptive_react import create_adaptive_agent
    from adaptive_react.fakes import ScriptedChatModel
    from adaptive_react.persistence import open_persistence
    from tests.graph.test_seed_scenario import PRIMES, REQUEST, first_run_router
    from tests.helpers import Router

    db, which, request = sys.argv[1], sys.argv[2], sys.argv[3]
    router = first_run_router() if which == "first" else Router(ai=[PRIMES])
    with open_persistence(db) as (saver, store):
        # The seed scenario scripts the planner's first choice.
        agent = create_adaptive_agent(ScriptedChatModel(script=router), checkpointer=saver,
                                      store=store, plan_by_rules=which != "first")
        out = agent.invoke({"request": request},
                           config={"configurable": {"thread_id": which}})
    print(json.dumps({"success": out["success"],
                      "templates": [s.template for s in out["steps"]],
                      "asked": [k for k in router.seen if k != "intent"]}))
""")


def run_process(db, which, request=REQUEST):
    proc = subprocess.run(
        [sys.executable, "-c", RUN, str(db), which, request],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_second_process_picks_the_learned_strategy_first(tmp_path):
    db = tmp_path / "learn.sqlite"
    first = run_process(db, "first")
    assert first == {
        "success": True,
        "templates": ["ai_process:code", "ai_process:data"],
        "asked": ["plan", "ai", "plan", "ai"],
    }
    second = run_process(db, "second")
    assert second == {"success": True, "templates": ["ai_process:data"], "asked": ["ai"]}

    # `strategies list` shows what was learned, from the same file.
    code = main(["strategies", "list", "--db", str(db)])
    assert code == 0


def test_strategies_cli_after_the_seed_scenario(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    with open_persistence(db) as (saver, store):
        agent = create_adaptive_agent(
            ScriptedChatModel(script=first_run_router()),
            checkpointer=saver,
            store=store,
            plan_by_rules=False,
        )
        agent.invoke({"request": REQUEST}, config={"configurable": {"thread_id": "seed"}})
    capsys.readouterr()
    assert main(["strategies", "list", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert "numbers/raw_data/count+property=prime" in shown
    assert "ai_process:data" in shown and "1/1 validated (100%)" in shown
    assert "ai_process:code" in shown and "0/1 validated (0%)" in shown
    assert "it delivered code instead of numbers" in shown
    assert main(["strategies", "show", REQUEST, "--db", db, "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert {r["template"] for r in detail["records"]} == {"ai_process:code", "ai_process:data"}

    exported = tmp_path / "learned.json"
    assert main(["strategies", "export", str(exported), "--db", db]) == 0
    other = str(tmp_path / "other.sqlite")
    assert main(["strategies", "import", str(exported), "--db", other, "--namespace", "team"]) == 0
    capsys.readouterr()
    assert main(["strategies", "list", "--db", other, "--namespace", "team", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something-else"}))
    assert main(["strategies", "import", str(bad), "--db", other]) == 2
    assert main(["strategies", "reset", "--db", other, "--namespace", "team"]) == 2
    assert main(["strategies", "reset", "--db", other, "--namespace", "team", "--yes"]) == 0
    assert main(["strategies", "forget", REQUEST, "--db", db]) == 0
    capsys.readouterr()
    main(["strategies", "list", "--db", db, "--json"])
    assert json.loads(capsys.readouterr().out) == []


def test_eight_concurrent_runs_on_one_sqlite_store_count_exactly(tmp_path):
    with open_persistence(str(tmp_path / "many.sqlite")) as (saver, store):
        errors = []

        def one(i):
            try:
                agent = create_adaptive_agent(
                    ScriptedChatModel(script=first_run_router()),
                    checkpointer=saver,
                    store=store,
                    plan_by_rules=False,
                )
                out = agent.invoke(
                    {"request": REQUEST}, config={"configurable": {"thread_id": f"c{i}"}}
                )
                assert out["success"]
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        # Every run starts from the same empty store: the first plan is scripted, so each run
        # records one failed ai_process:code and one validated ai_process:data outcome.
        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        views = {v.template: v for v in StrategyStore(store).records()}
    assert (views["ai_process:code"].attempts, views["ai_process:code"].successes) == (8, 0)
    assert (views["ai_process:data"].attempts, views["ai_process:data"].successes) == (8, 8)


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str
    content: str

    @field_validator("role")
    @classmethod
    def _role(cls, v):
        assert v in {"system", "user", "assistant"}
        return v


class _ChatExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messages: list[_Message]


def test_export_training_writes_valid_openai_chat_jsonl(tmp_path):
    db = str(tmp_path / "t.sqlite")
    with open_persistence(db) as (saver, store):
        agent = create_adaptive_agent(
            ScriptedChatModel(script=first_run_router()),
            checkpointer=saver,
            store=store,
            plan_by_rules=False,
        )
        agent.invoke({"request": REQUEST}, config={"configurable": {"thread_id": "a"}})
        strategies = StrategyStore(store)
        (failed,) = [e for e in strategies.all_events() if not e.success]
        # The same failure in another thread, earlier: deduplicated into the same line.
        strategies.record(
            failed.model_copy(update={"thread_id": "b", "event_id": "b-1", "ts": failed.ts - 10})
        )
        # A failure with no later success for its values pairs with nothing.
        strategies.record(
            failed.model_copy(
                update={
                    "thread_id": "z",
                    "event_id": "z-1",
                    "request": "Calculate the first 7 primes",
                }
            )
        )
    out = tmp_path / "train.jsonl"
    assert main(["export-training", "--format", "openai-chat", str(out), "--db", db]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    for line in lines:
        assert check_openai_chat_line(line) == []
        example = _ChatExample.model_validate_json(line)
        roles = [m.role for m in example.messages]
        assert roles == ["system", "user", "assistant"]
        assert example.messages[1].content == REQUEST
        assert example.messages[2].content == PRIMES
    (source,) = [json.loads(x) for x in sources_path(out).read_text().splitlines()]
    assert source["failed_thread_ids"] == ["b", "a"]
    assert source["success_thread_id"] == "a"
    assert source["template"] == "ai_process:data"
    assert source["action_prompt"]
    # The checker rejects what the fine-tuning API rejects.
    assert check_openai_chat_line('{"messages": [], "meta": 1}')
    assert check_openai_chat_line('{"messages": [{"role": "user", "content": "hi"}]}')


def test_learning_curve_calls_per_solved_task_fall_after_the_first_epoch(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "learning_curve", ROOT / "scripts" / "learning_curve.py"
    )
    curve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(curve)
    png = tmp_path / "curve.png"
    assert (
        curve.main(
            [
                "--tasks",
                "4",
                "--epochs",
                "3",
                "--db",
                str(tmp_path / "c.sqlite"),
                "--png",
                str(png),
                "--json",
            ]
        )
        == 0
    )
    assert png.stat().st_size > 1000
    rows = curve.run_curve(curve.make_tasks(4), 2, str(tmp_path / "d.sqlite"))
    assert [r["success_rate"] for r in rows] == [1.0, 1.0]
    assert rows[1]["calls_per_solved"] < rows[0]["calls_per_solved"]
