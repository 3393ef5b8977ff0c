"""The model thread: results and errors come back to asyncio; it is a daemon; calls run in order."""

import threading

import pytest

from services.ingest.daemon_thread import DaemonThread


async def test_results_errors_and_order() -> None:
    worker = DaemonThread("test-model")
    seen: list[int] = []

    def work(n: int) -> tuple[int, str]:
        seen.append(n)
        return n * 2, threading.current_thread().name

    assert await worker.run(work, 21) == (42, "test-model")
    assert [await worker.run(work, n) for n in range(3)] == [
        (0, "test-model"),
        (2, "test-model"),
        (4, "test-model"),
    ]
    assert seen == [21, 0, 1, 2]

    def boom() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await worker.run(boom)
    assert await worker.run(work, 5) == (10, "test-model")
    assert worker._thread.daemon
