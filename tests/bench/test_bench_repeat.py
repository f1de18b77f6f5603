"""The repeated-run harness: its checker and its tally (the runs themselves need a model)."""

from __future__ import annotations

from bench.checkers import Deliverable, check
from bench.repeat import RunRow, markdown, summarise
from bench.tasks import load_tasks


def test_first_primes_checker_accepts_exactly_the_first_n():
    assert check("first_primes", Deliverable(text="2, 3, 5, 7, 11"), {"n": 5})[0]
    ok, detail = check("first_primes", Deliverable(text="2, 3, 5, 7, 9"), {"n": 5})
    assert not ok and "item 5" in detail
    assert not check("first_primes", Deliverable(text="2, 3, 5, 7"), {"n": 5})[0]


def _row(run: int, solved: bool, claimed: bool, calls: int, wall: float) -> RunRow:
    return RunRow(
        task="t",
        run=run,
        exit_code=0 if claimed else 1,
        solved=solved,
        claimed=claimed,
        verdict="verified" if claimed else "rejected",
        model_calls=calls,
        steps=1,
        wall_s=wall,
        detail="",
    )


def test_summary_counts_false_claims_and_takes_medians():
    rows = [
        _row(1, True, True, 2, 10.0),
        _row(2, False, True, 4, 30.0),
        _row(3, False, False, 6, 50.0),
    ]
    s = summarise(rows)["t"]
    assert (s["solved"], s["claimed"], s["false_claims"], s["exit_0"]) == (1, 2, 1, 2)
    assert s["median_wall_s"] == 30.0 and s["median_calls"] == 4
    md = markdown({"model": "m", "command": "c", "machine": "x", "date": "d"}, {"t": s}, rows)
    assert "| t | 1/3 | 2 | 1 | 2 | 30.0 | 4 |" in md
    assert (s["first_run_calls"], s["later_median_calls"]) == (2, 5)


def test_a_shared_store_run_says_so_and_names_the_commit():
    rows = [_row(1, True, True, 2, 10.0), _row(2, True, True, 0, 3.0)]
    meta = {
        "model": "m",
        "command": "c",
        "machine": "x",
        "date": "d",
        "commit": "abc1234",
        "shared_store": True,
    }
    md = markdown(meta, summarise(rows), rows)
    assert "one store per task, shared by its runs" in md and "commit abc1234" in md
    assert md.count("| t | 2/2 |") == 1 and "| 2 | 0 |" in md


def test_the_repeat_task_file_loads():
    ids = [t.id for t in load_tasks("bench/tasks/repeat.jsonl")]
    assert ids == ["seed-1000-primes", "readme-25-primes"]
