"""The LangServe app against hostile clients: malformed bodies, forged threads, host files.

Unauthenticated, oversized and basic cross-user reads are covered in
tests/integration/test_langserve.py; this adds what an attacker would try next.
"""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.fake_openai import fake_openai  # noqa: F401 - fixture
from tests.fixtures.langserve_proc import KEYS, need_langserve, serve

pytestmark = [pytest.mark.server, pytest.mark.fault("server (hostile clients)")]
REQUEST = "List the first 8 prime numbers"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, fake_openai):  # noqa: F811
    need_langserve()
    work = tmp_path_factory.mktemp("reliability-serve")
    with serve(work, model=fake_openai.url, db=str(work / "state.sqlite")) as url:
        yield url


def _post(url: str, path: str, user: str = "alice", **kw) -> httpx.Response:
    return httpx.post(
        f"{url}{path}", headers={"X-API-Key": KEYS[user], **kw.pop("headers", {})}, timeout=60, **kw
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"input": 42}',
        b'{"input": {"request": ["a", "b"]}}',
        b'{"input": {"request": "x", "files": "not-a-list"}}',
        b'{"config": "x"}',
        # Was a 500 (the validation error handler could not encode the echoed input); now 422.
        '\ufeff{"input": {"request": "\\ud800"}}'.encode("utf-8", "surrogatepass"),
    ],
)
def test_malformed_bodies_are_4xx_and_the_server_survives(app_url, body, cases):
    r = _post(app_url, "/react/invoke", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, (body, r.status_code, r.text[:300])
    assert httpx.get(f"{app_url}/ok").status_code == 200
    cases(1, "malformed body: 4xx, server keeps serving")


def test_forged_thread_ids_stay_in_the_callers_scope(app_url, cases):
    ok = _post(
        app_url,
        "/react/invoke",
        user="bob",
        json={"input": {"request": REQUEST}, "config": {"configurable": {"thread_id": "secret"}}},
    )
    assert ok.status_code == 200
    for forged in ("bob:secret", "../bob:secret", "bob%3Asecret"):
        r = httpx.get(
            f"{app_url}/react/threads/{forged}/state",
            headers={"X-API-Key": KEYS["alice"]},
            timeout=30,
        )
        # 404, or (once alice used that name herself) alice's own thread: never bob's.
        assert r.status_code in (404, 422) or "2, 3, 5" not in r.text, (forged, r.text[:300])
        r = _post(
            app_url,
            "/react/invoke",
            json={"input": {"request": ""}, "config": {"configurable": {"thread_id": forged}}},
        )
        body = r.json() if r.status_code == 200 else {}
        assert "2, 3, 5" not in str(body), forged  # never bob's deliverable
    cases(3, "alice naming bob's thread (prefix, traversal, encoded) reads nothing of bob's")


def test_input_files_cannot_name_host_files(app_url, cases):
    r = _post(
        app_url,
        "/react/invoke",
        json={
            "input": {
                "request": "Summarise the attached document",
                "files": ["/etc/shadow", "../../root/.bashrc"],
            }
        },
    )
    text = r.text
    assert "root:" not in text and "bashrc" not in text.lower() or r.status_code >= 400
    cases(1, f"files naming host paths: status {r.status_code}, no content leaked")
