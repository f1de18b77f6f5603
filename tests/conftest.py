import os

import pytest

# Tracing with no network hangs the process at exit; tests never trace.
os.environ.pop("LANGSMITH_TRACING", None)
os.environ.pop("LANGCHAIN_TRACING_V2", None)
os.environ["LANGSMITH_TEST_TRACKING"] = "false"


@pytest.fixture(autouse=True)
def _no_live_model_calls(request, monkeypatch):
    """Unit and graph tests must never reach a real model endpoint."""
    if request.node.get_closest_marker("local_model") or request.node.get_closest_marker("server"):
        return
    from langchain_openai.chat_models.base import BaseChatOpenAI

    def refuse(*args, **kwargs):
        raise AssertionError("live model calls are disabled in this test; use ScriptedChatModel")

    monkeypatch.setattr(BaseChatOpenAI, "_generate", refuse)
    monkeypatch.setattr(BaseChatOpenAI, "_agenerate", refuse)
    monkeypatch.setattr(BaseChatOpenAI, "_stream", refuse)
    monkeypatch.setattr(BaseChatOpenAI, "_astream", refuse)


@pytest.fixture(autouse=True)
def _no_answer_key_in_prompts(request, monkeypatch):
    """Every prompt a scripted model receives is scanned for numbers the rules computed.

    ``@pytest.mark.oracle_ok(reason="...")`` opts a test out; the reason is required.
    """
    marker = request.node.get_closest_marker("oracle_ok")
    if marker is not None:
        if not (marker.args or marker.kwargs.get("reason")):
            pytest.fail("oracle_ok needs a reason: why may this test's prompts hold an answer?")
        yield
        return
    from tests.helpers_oracle import OracleRecorder

    recorder = OracleRecorder()
    recorder.install(monkeypatch)
    yield
    leaks = recorder.leaks()
    if leaks:
        pytest.fail(
            "a rule's answer reached a model prompt:\n" + "\n".join(leaks[:10]), pytrace=False
        )
