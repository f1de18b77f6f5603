"""Scale-out: two server processes on one PostgreSQL database behave as one service."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.langserve_proc import KEYS, need_langserve, serve
from tests.fixtures.scripted import primes_text

pytestmark = [pytest.mark.server, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg_db(pg_server):
    import uuid

    import psycopg

    name = f"scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.rpartition("/")[0] + f"/{name}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, fake_openai, pg_db):
    need_langserve()
    work = tmp_path_factory.mktemp("scale")
    with (
        serve(work / "a", model=fake_openai.url, db=pg_db) as a,
        serve(work / "b", model=fake_openai.url, db=pg_db) as b,
    ):
        yield a, b


def call(url, request, tid, user="alice"):
    from langserve import RemoteRunnable

    runnable = RemoteRunnable(f"{url}/react", headers={"X-API-Key": KEYS[user]}, timeout=60)
    return runnable.invoke({"request": request}, config={"configurable": {"thread_id": tid}})


def state(url, tid, user="alice"):
    r = httpx.get(f"{url}/react/threads/{tid}/state", headers={"X-API-Key": KEYS[user]})
    r.raise_for_status()
    return r.json()


def test_a_thread_started_on_one_server_continues_on_the_other(two_servers, pg_db):
    a, b = two_servers
    first = call(a, "List the first 4 prime numbers", "shared-thread")
    assert first["deliverable"] == primes_text(4)
    assert state(b, "shared-thread")["values"]["deliverable"] == primes_text(4)

    second = call(b, "List the first 7 prime numbers", "shared-thread")
    assert second["deliverable"] == primes_text(7)
    seen_by_a = state(a, "shared-thread")["values"]
    assert seen_by_a["request"] == "List the first 7 prime numbers"
    assert seen_by_a["deliverable"] == primes_text(7)

    # One thread, two turns: both inputs sit in one checkpoint chain, the second turn's first
    # checkpoint descending from the first turn's last.
    from adaptive_react.postgres import open_postgres

    with open_postgres(pg_db) as (saver, _):
        chain = list(saver.list({"configurable": {"thread_id": "alice:shared-thread"}}))
    inputs = [c for c in chain if (c.metadata or {}).get("source") == "input"]
    assert len(inputs) == 2
    parents = {c.config["configurable"]["checkpoint_id"] for c in chain}
    assert all(
        c.parent_config["configurable"]["checkpoint_id"] in parents
        for c in chain
        if c.parent_config
    )


def test_a_strategy_learned_through_one_server_is_used_by_the_other(two_servers, fake_openai):
    a, b = two_servers
    request = "List the first 11 prime numbers"
    assert call(a, request, "learn-on-a")["success"]
    fake_openai.script.kinds.clear()
    out = call(b, request, "use-on-b")
    assert out["success"] and out["steps"][0]["strategy_id"]
    assert not {"intent", "plan"} & set(fake_openai.script.kinds)
