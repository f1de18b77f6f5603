"""kill -9 the CLI at every node (start, and after its work but before its checkpoint) and at
random moments; ``--thread`` resumes each run to completion with nothing lost or doubled."""

from __future__ import annotations

import concurrent.futures
import uuid

import pytest

from tests.reliability.trials import Trial, problems, run_trial

pytestmark = pytest.mark.fault("crash and resume (kill -9)")

# (node, occurrence, phase): "end" = the node did its work (sandbox ran, store written) but
# LangGraph has not yet saved its writes - a resume replays the node.
KILL_POINTS = [
    "intent_analyze:1:start",
    "intent_analyze:1:end",
    "plan_select:1:start",
    "plan_select:1:end",
    "act:1:start",
    "act:1:end",
    "observe:1:end",
    "validate:1:end",
    "learn:1:start",
    "learn:1:end",
    "refine_decide:1:end",
    "plan_select:2:end",
    "act:2:end",
    "observe:2:start",
    "validate:2:start",
    "learn:2:end",
    "refine_decide:2:start",
    "refine_decide:2:end",
]
RANDOM_KILLS = [2, 5, 8, 11]  # kill -9 from outside once this many checkpoints exist
CI_POINTS = ["act:1:end", "learn:2:end"]


def _trials(db: str, tmp_path, points: list[str], random_kills: list[int]) -> list[Trial]:
    jobs = []
    for i, point in enumerate(points + [f"random@{n}" for n in random_kills]):
        tag = uuid.uuid4().hex[:6]
        t = Trial(
            name=point,
            db=db,
            thread=f"crash-{i}-{tag}",
            namespace=f"crash{i}{tag}",
            out=tmp_path / f"out-{i}",
        )
        jobs.append((t, point))

    def one(job):
        trial, point = job
        if point.startswith("random@"):
            after = int(point.split("@")[1])
            return run_trial(trial, kill_after_checkpoints=after, seed=after)
        return run_trial(trial, kill=point)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, jobs))


def _check(trials: list[Trial], cases, backend: str) -> None:
    report = {t.name: problems(t) for t in trials}
    bad = {k: v for k, v in report.items() if v}
    assert all(t.killed for t in trials if not t.name.startswith("random@")), [
        (t.name, t.killed_at, t.stderr[-1500:]) for t in trials if not t.killed
    ]
    assert not bad, bad
    where = sorted({t.killed_at for t in trials})
    cases(
        len(trials),
        f"{backend}: all resumed to the validated result; 0 steps lost, 0 doubled "
        f"learning events, files written once; killed before: {', '.join(where)}",
    )


def test_crash_resume_sqlite_ci_subset(tmp_path, cases):
    trials = _trials(str(tmp_path / "crash.sqlite"), tmp_path, CI_POINTS, [])
    _check(trials, cases, "SQLite")


@pytest.mark.slow
def test_crash_resume_sqlite_all_nodes(tmp_path, cases):
    trials = _trials(str(tmp_path / "crash.sqlite"), tmp_path, KILL_POINTS, RANDOM_KILLS)
    assert len(trials) >= 20
    _check(trials, cases, "SQLite")


@pytest.mark.slow
@pytest.mark.postgres
def test_crash_resume_postgres(pg_url, tmp_path, cases):
    points = KILL_POINTS[::2]
    trials = _trials(pg_url, tmp_path, points, [])
    _check(trials, cases, "PostgreSQL")
