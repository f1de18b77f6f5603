"""The LangServe app (`adaptive-react serve`) under uvicorn, via `langserve.RemoteRunnable`."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.langserve_proc import KEYS, need_langserve, serve
from tests.fixtures.scripted import primes_text

pytestmark = pytest.mark.server
REQUEST = "List the first 8 prime numbers"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, fake_openai):
    need_langserve()
    work = tmp_path_factory.mktemp("langserve")
    with serve(work, model=fake_openai.url, db=str(work / "state.sqlite")) as url:
        yield url


def remote(url, user="alice"):
    from langserve import RemoteRunnable

    return RemoteRunnable(f"{url}/react", headers={"X-API-Key": KEYS[user]}, timeout=60)


def thread(tid):
    return {"configurable": {"thread_id": tid}}


def test_invoke_keeps_the_thread_and_passes_the_context(app_url, fake_openai):
    out = remote(app_url).invoke(
        {"request": REQUEST, "context": {"max_steps": 2}}, config=thread("inv-1")
    )
    assert out["success"] is True
    assert out["deliverable"] == primes_text(8)
    state = httpx.get(
        f"{app_url}/react/threads/inv-1/state", headers={"X-API-Key": KEYS["alice"]}
    ).json()
    assert state["values"]["deliverable"] == primes_text(8)
    assert state["next"] == []


def test_threads_are_per_user(app_url):
    remote(app_url).invoke({"request": REQUEST}, config=thread("private"))
    other = httpx.get(f"{app_url}/react/threads/private/state", headers={"X-API-Key": KEYS["bob"]})
    assert other.status_code == 404


def test_strategies_are_per_user(app_url, fake_openai):
    request = "List the first 9 prime numbers"
    remote(app_url, "alice").invoke({"request": request}, config=thread("learn-a1"))
    fake_openai.script.kinds.clear()
    again = remote(app_url, "alice").invoke({"request": request}, config=thread("learn-a2"))
    assert again["success"] and again["steps"][0]["strategy_id"]
    # alice's lesson answered without reading or planning the request again
    assert not {"intent", "plan"} & set(fake_openai.script.kinds)
    fake_openai.script.kinds.clear()
    bob = remote(app_url, "bob").invoke({"request": request}, config=thread("learn-b1"))
    assert bob["success"] and not bob["steps"][0]["strategy_id"]
    assert "intent" in fake_openai.script.kinds  # bob cannot see alice's strategies


def test_stream_and_batch(app_url):
    runnable = remote(app_url)
    chunks = list(
        runnable.stream(
            {"request": REQUEST, "context": {"max_steps": 3}}, config=thread("stream-1")
        )
    )
    assert len(chunks) > 2
    assert chunks[-1]["deliverable"] == primes_text(8)
    outs = runnable.batch(
        [
            {"request": "List the first 5 prime numbers"},
            {"request": "List the first 6 prime numbers"},
        ],
        config=[thread("batch-1"), thread("batch-2")],
    )
    assert [o["deliverable"] for o in outs] == [primes_text(5), primes_text(6)]


def test_client_cannot_name_server_files(app_url):
    r = httpx.post(
        f"{app_url}/react/invoke",
        headers={"X-API-Key": KEYS["alice"]},
        json={"input": {"request": REQUEST, "files": ["/etc/passwd"]}},
    )
    assert r.status_code == 422, r.text


def test_client_context_is_validated(app_url):
    headers = {"X-API-Key": KEYS["alice"]}
    for bad in ({"max_steps": 999}, {"model": "http://169.254.169.254/v1"}, {"namespace": "bob"}):
        r = httpx.post(
            f"{app_url}/react/invoke",
            headers=headers,
            json={"input": {"request": REQUEST, "context": bad}},
        )
        assert r.status_code == 422, (bad, r.text)


def test_input_schema_describes_the_real_input(app_url):
    schema = httpx.get(f"{app_url}/react/input_schema", headers={"X-API-Key": KEYS["alice"]}).json()
    assert {"request", "context"} <= set(schema["properties"])
    assert "files" not in schema["properties"]  # server paths are not the caller's to name
    context = schema["$defs"]["ClientContext"]["properties"]
    assert {"max_steps", "temperature", "learning"} <= set(context)
    assert "model" not in context and "namespace" not in context
    config = httpx.get(
        f"{app_url}/react/config_schema", headers={"X-API-Key": KEYS["alice"]}
    ).json()
    assert "thread_id" in str(config)


def test_unauthenticated_and_oversized_requests_are_refused(app_url):
    body = {"input": {"request": REQUEST}}
    assert httpx.post(f"{app_url}/react/invoke", json=body).status_code == 401
    assert (
        httpx.post(
            f"{app_url}/react/invoke", json=body, headers={"X-API-Key": "wrong-key-0123456789"}
        ).status_code
        == 401
    )
    assert httpx.get(f"{app_url}/react/input_schema").status_code == 401
    big = {"input": {"request": "x" * 300_000}}
    r = httpx.post(f"{app_url}/react/invoke", json=big, headers={"X-API-Key": KEYS["alice"]})
    assert r.status_code == 413

    def chunks():
        yield b'{"input": {"request": "'
        for _ in range(30):
            yield b"y" * 10_000
        yield b'"}}'

    r = httpx.post(
        f"{app_url}/react/invoke",
        content=chunks(),
        headers={"X-API-Key": KEYS["alice"], "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert httpx.get(f"{app_url}/ok").status_code == 200


def test_cors_is_off_by_default(app_url):
    r = httpx.options(
        f"{app_url}/react/invoke",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "X-API-Key": KEYS["alice"],
        },
    )
    assert "access-control-allow-origin" not in r.headers


def test_every_graph_is_served_with_its_playground(app_url):
    from adaptive_react.server import GRAPHS

    headers = {"X-API-Key": KEYS["alice"]}
    for name in GRAPHS:
        schema = httpx.get(f"{app_url}/{name}/input_schema", headers=headers).json()
        assert "request" in schema["properties"] and "files" not in schema["properties"], name
        page = httpx.get(f"{app_url}/{name}/playground/", headers=headers)
        assert page.status_code == 200, name


def test_concurrent_runs_in_batches_all_finish(app_url):
    """Regression: four runs in one batch share one SQLite store; a store batch that read
    while another connection held the write lock failed at once (a 500)."""
    runnable = remote(app_url)
    for round_ in range(4):
        counts = range(5 + round_, 9 + round_)
        outs = runnable.batch(
            [{"request": f"List the first {n} prime numbers"} for n in counts],
            config=[thread(f"many-{round_}-{n}") for n in counts],
        )
        assert [o["deliverable"] for o in outs] == [primes_text(n) for n in counts]
