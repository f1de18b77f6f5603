"""The LangServe playground in headless chromium: the page loads and runs one request.

The browser sends the API key on every request (CDP ``Network.setExtraHTTPHeaders``), as a
header-injecting proxy or extension would for a person using a keyed server.
"""

from __future__ import annotations

import base64

import pytest

from tests.fixtures.cdp import browser_page, chromium_binary
from tests.fixtures.langserve_proc import KEYS, need_langserve, serve
from tests.fixtures.scripted import primes_text

pytestmark = pytest.mark.server

REQUEST_FIELD = "document.getElementById('#/properties/request-input')"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, fake_openai):
    need_langserve()
    if not chromium_binary():
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    work = tmp_path_factory.mktemp("playground")
    with serve(work, model=fake_openai.url, db=str(work / "state.sqlite")) as url:
        yield url


def test_playground_loads_and_runs_one_request(app_url, tmp_path):
    with browser_page() as page:
        page.call("Network.enable")
        page.call("Runtime.enable")
        page.call("Network.setExtraHTTPHeaders", headers={"X-API-Key": KEYS["alice"]})
        page.call("Page.navigate", url=f"{app_url}/react/playground/")
        page.wait_for(f"!!{REQUEST_FIELD}")
        text = page.eval("document.body.innerText")
        assert "THREAD ID" in text.upper() and "MAX STEPS" in text.upper()

        page.eval(f"{REQUEST_FIELD}.focus()")
        page.call("Input.insertText", text="List the first 6 prime numbers")
        # The form commits typed text after a short debounce.
        page.wait_for(f"{REQUEST_FIELD}.value.length > 0")
        import time

        time.sleep(1.0)
        page.eval(
            "Array.from(document.querySelectorAll('button'))"
            ".find(b => b.innerText.trim() === 'Start').click()"
        )
        page.wait_for(f"document.body.innerText.includes({primes_text(6)!r})", timeout=60)

        shot = page.call("Page.captureScreenshot", format="png")
        (tmp_path / "playground.png").write_bytes(base64.b64decode(shot["data"]))
        errors = [e for e in page.events if e["method"] == "Runtime.exceptionThrown"]
        assert not errors, errors[:1]
        statuses = {
            e["params"]["response"]["url"].rsplit("/", 1)[-1]: e["params"]["response"]["status"]
            for e in page.events
            if e["method"] == "Network.responseReceived"
        }
        assert statuses.get("stream_log") == 200
