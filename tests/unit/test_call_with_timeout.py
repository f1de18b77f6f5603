"""User code run under a timeout: a hung tool neither blocks the node nor the process's exit."""

import asyncio
import subprocess
import sys
import threading

import pytest

from adaptive_react.nodes._common import call_with_timeout


def test_a_timed_out_coroutine_is_cancelled_on_its_loop():
    cancelled = threading.Event()

    async def hangs():
        try:
            await asyncio.sleep(3600)
        finally:
            cancelled.set()

    with pytest.raises(TimeoutError):
        call_with_timeout(hangs, 0.2)
    assert cancelled.wait(10)


def test_results_and_errors_come_back_from_sync_and_async_calls():
    async def answer():
        return 42

    def fails():
        raise ValueError("bad tool")

    assert call_with_timeout(answer, 5) == 42
    assert call_with_timeout(lambda: "ok", 5) == "ok"
    with pytest.raises(ValueError, match="bad tool"):
        call_with_timeout(fails, 5)


HUNG_SYNC_TOOL = """
import time
from adaptive_react.nodes._common import call_with_timeout
try:
    call_with_timeout(lambda: time.sleep(3600), 0.2)
except TimeoutError:
    print("timed out")
"""


def test_the_process_exits_while_a_sync_tool_still_hangs():
    """Regression: the fast suite finished and then hung at exit, joining the pool thread of
    a tool that ignored its timeout."""
    proc = subprocess.run(
        [sys.executable, "-c", HUNG_SYNC_TOOL], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.strip() == "timed out"
