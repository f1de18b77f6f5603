"""The CLI's live status: node, attempt and elapsed seconds on a terminal; nothing otherwise."""

import argparse
import json

from rich.console import Console

from adaptive_react import cli
from adaptive_react.commands import run as run_mod
from adaptive_react.fakes import ScriptedChatModel
from tests.graph.test_recovery import COUNTED, INTENT, PLAN, REQUEST
from tests.helpers import Router


def test_the_status_line_names_node_attempt_and_seconds(monkeypatch):
    clock = iter([100.0, 103.0])
    monkeypatch.setattr(run_mod.time, "monotonic", lambda: next(clock))
    wait = run_mod._Wait()
    wait.saw("custom", {"event": "action_start", "step": 2})
    wait.saw("tasks", {"name": "plan_select", "input": object(), "id": "x", "triggers": []})
    wait.saw("tasks", {"name": "plan_select", "result": {}, "id": "x", "error": None})
    assert wait.text(now=112.4) == "[bold]plan_select[/] · attempt 2 · 9s [dim](run 12s)[/]"


def test_the_status_is_for_terminals_only(monkeypatch):
    terminal = Console(force_terminal=True)
    monkeypatch.setattr(run_mod.sys.stdout, "isatty", lambda: True, raising=False)
    assert run_mod._live_status_wanted(argparse.Namespace(json=False), terminal)
    assert not run_mod._live_status_wanted(argparse.Namespace(json=True), terminal)
    piped = Console(force_terminal=False)
    assert not run_mod._live_status_wanted(argparse.Namespace(json=False), piped)
    monkeypatch.setattr(run_mod.sys.stdout, "isatty", lambda: False, raising=False)
    assert not run_mod._live_status_wanted(argparse.Namespace(json=False), terminal)


def _cli(tmp_path, monkeypatch, *extra):
    router = Router(intent=[INTENT], plan=[PLAN], codegen=[COUNTED])
    monkeypatch.setattr(run_mod, "_resolve_model", lambda arg: ScriptedChatModel(script=router))
    return cli.main(
        [
            "run",
            REQUEST,
            "--db",
            str(tmp_path / "db.sqlite"),
            "--out",
            str(tmp_path / "out"),
            *extra,
        ]
    )


def test_a_terminal_run_follows_the_nodes_and_keeps_stdout_clean(tmp_path, monkeypatch, capsys):
    seen: list = []

    class Recording(run_mod._Wait):
        def saw(self, mode, chunk):
            super().saw(mode, chunk)
            seen.append((self.node, self.attempt))

    monkeypatch.setattr(run_mod, "_Wait", Recording)
    monkeypatch.setattr(run_mod, "_live_status_wanted", lambda args, console: True)
    assert _cli(tmp_path, monkeypatch) == 0
    assert ("act", 1) in seen and ("validate", 1) in seen
    assert capsys.readouterr().out.strip().startswith("2, 3, 5, 7")


def test_json_output_has_no_status(tmp_path, monkeypatch, capsys):
    def refuse():
        raise AssertionError("no live status with --json")

    monkeypatch.setattr(run_mod, "_Wait", refuse)
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    monkeypatch.setattr(run_mod.sys.stdout, "isatty", lambda: True, raising=False)
    assert _cli(tmp_path, monkeypatch, "--json") == 0
    assert json.loads(capsys.readouterr().out)["success"] is True


def test_a_chunk_that_is_not_ours_is_skipped_not_fatal():
    # A user's tool may write its own chunks to the custom stream; the CLI must keep going.
    assert run_mod._event({"progress": 0.5}) is None
    assert run_mod._event("plain text") is None
    wait = run_mod._Wait()
    wait.saw("custom", {"progress": 0.5})
    assert wait.attempt == 0
    assert run_mod._event({"event": "action_start", "step": 3}).step == 3
