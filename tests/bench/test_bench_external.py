"""CI smoke test of the external tasks (issue 13) on the scripted model.

Thresholds are on deterministic counts only: the scripted model draws from hashes, and the
checkers are code. Held-out HumanEval problems (odd ids) are only loaded here, never read.
"""

import json
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.agents import AGENTS
from bench.checkers import Deliverable, check, extract_function
from bench.external import humaneval_problems, humaneval_tasks
from bench.runner import learning_curve, summarize
from bench.tasks import load_tasks

ROOT = Path(__file__).resolve().parents[2]
TASKS = ROOT / "bench" / "tasks"
FLAWED = ROOT / "bench" / "profiles" / "flawed.json"
AGENT_NAMES = ["direct", "react-baseline", "adaptive-react"]


def test_the_split_is_decided_by_task_number():
    dev = humaneval_tasks("dev")
    heldout = humaneval_tasks("heldout")
    assert len(dev) == len(heldout) == 82
    assert all(int(t.id.split("/")[1]) % 2 == 0 for t in dev)
    assert all(int(t.id.split("/")[1]) % 2 == 1 for t in heldout)
    # Only the development split carries a reference for the scripted model.
    assert all(t.answer for t in dev) and not any(t.answer for t in heldout)
    with pytest.raises(ValueError, match="odd"):
        humaneval_tasks("heldout", ids=[2])
    with pytest.raises(ValueError, match="even"):
        humaneval_tasks("dev", ids=[3])


def test_the_small_subset_is_the_documented_twelve():
    tasks = load_tasks(TASKS / "external_small.jsonl")
    families = [t.pattern for t in tasks]
    assert len(tasks) == 12
    assert families.count("humaneval") == 4 and families.count("word_problem") == 3
    assert sum(f.startswith("structured_") for f in families) == 3
    assert families.count("file_question") == 1 and families.count("number_family") == 1
    assert {t.id for t in tasks if t.pattern == "humaneval"} == {
        "HumanEval/1",
        "HumanEval/3",
        "HumanEval/5",
        "HumanEval/7",
    }
    full = {t.id for t in load_tasks(TASKS / "external.jsonl")}
    assert {t.id for t in tasks} <= full


def test_written_tasks_pass_their_checkers_with_their_own_programs():
    from adaptive_react.tools import run_python

    for task in load_tasks(TASKS / "external.jsonl"):
        if task.pattern == "humaneval":
            continue
        res = run_python(task.code, input_files=list(task.files))
        assert res.ok, (task.id, res.error)
        ok, detail = check(task.checker, Deliverable(res.stdout, [], task.request), task.args)
        assert ok, (task.id, detail)


def test_hidden_tests_accept_the_reference_and_reject_a_wrong_function():
    problem = humaneval_problems()["HumanEval/0"]
    right = "Here it is:\n```python\n" + problem["prompt"] + problem["canonical_solution"] + "```"
    wrong = "```python\ndef has_close_elements(numbers, threshold):\n    return False\n```"
    args = {"task_id": "HumanEval/0"}
    assert check("humaneval", Deliverable(right), args)[0]
    ok, detail = check("humaneval", Deliverable(wrong), args)
    assert not ok and "hidden tests failed" in detail
    looping = "```python\ndef has_close_elements(numbers, threshold):\n    while True: pass\n```"
    assert not check("humaneval", Deliverable(looping), {**args, "timeout_s": 2})[0]


@pytest.mark.parametrize(
    ("name", "text", "args", "expected"),
    [
        ("final_number", "14 * 12 = 168, minus 142 leaves 26 muffins.", {"expected": 26}, True),
        ("final_number", "There are 26 left, I think, or maybe 27.", {"expected": 26}, False),
        # A program that would print the answer is not the answer.
        ("final_number", "```python\nprint(10 - 8.5)\n```", {"expected": 1.5}, False),
        ("final_number", "No idea.", {"expected": 1}, False),
        ("json_keys", '{"w": 2, "h": 5}', {"keys": ["w", "h"], "values": {"h": 5}}, True),
        ("json_keys", '{"w": 2}', {"keys": ["w", "h"]}, False),
        ("json_keys", '{"w": 2, "h": 4}', {"keys": ["w", "h"], "values": {"h": 5}}, False),
        ("words", "In order:\n- ant\n- bee\n- cat", {"expected": ["ant", "bee", "cat"]}, True),
        ("words", "bee, ant, cat", {"expected": ["ant", "bee", "cat"]}, False),
    ],
)
def test_new_checkers(name, text, args, expected):
    ok, detail = check(name, Deliverable(text, [], "a request"), args)
    assert ok is expected, detail


def test_one_extraction_for_every_agent():
    # The same function reads fenced code from any agent, and refuses unfenced prose+code.
    fenced = "Sure.\n```python\ndef f(x):\n    return x\n```\nHope it helps."
    assert extract_function(fenced, "f") == "def f(x):\n    return x\n"
    assert extract_function("def f(x):\n    return x\n", "f") is not None
    assert extract_function("Sure. def f(x): return x and more words", "f") is None


@pytest.fixture(scope="module")
def smoke_rows():
    tasks = load_tasks(TASKS / "external_dev.jsonl")[:2] + [
        t
        for t in load_tasks(TASKS / "external.jsonl")
        if t.id
        in {"word-muffins", "struct-json-rectangle", "struct-sorted-words", "family-triangular"}
    ]
    assert len(tasks) == 6
    return learning_curve(AGENT_NAMES, f"scripted:{FLAWED}", tasks, [], epochs=1, max_steps=4)


def test_smoke_counts_on_the_scripted_model(smoke_rows):
    summary = summarize(smoke_rows)
    assert set(summary) == set(AGENT_NAMES)  # the direct baseline's row is present
    adaptive = summary["adaptive-react"]["epoch1"]
    assert adaptive["false_success_claims"] == 0
    for name in ("direct", "react-baseline"):
        s = summary[name]["epoch1"]
        assert s["claimed"] == s["tasks"]  # a baseline claims every answer it returns
        assert s["false_success_claims"] == s["tasks"] - s["solved"]
    assert all(r["model_calls"] == 1 for r in smoke_rows if r["agent"] == "direct")
    assert "humaneval" in summary["direct"]["epoch1"]["by_family"]


def test_cli_dry_run_over_the_new_task_file_writes_json_markdown_and_plots(tmp_path):
    results = main(
        [
            "--model",
            f"scripted:{FLAWED}",
            "--tasks",
            str(TASKS / "external_small.jsonl"),
            "--epochs",
            "1",
            "--limit",
            "6",
            "--agents",
            ",".join(AGENT_NAMES),
            "--no-overhead",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert results["meta"]["heldout_tasks"] == 0  # no scripted paraphrases with other tasks
    for name in ("results.json", "results.md", "learning_curve.png", "claims.png"):
        assert (tmp_path / name).is_file(), name
    md = (tmp_path / "results.md").read_text()
    assert "| direct |" in md and "false claims" in md and "## Per family" in md
    assert json.loads((tmp_path / "results.json").read_text())["runs"]


def test_the_registry_has_the_direct_baseline():
    assert not AGENTS["direct"].learns and AGENTS["direct"].available() is None
