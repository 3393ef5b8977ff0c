"""The model thread: results and errors come back to asyncio; it is a daemon; calls run in order."""

import asyncio
import threading

import pytest

from services.ingest.daemon_thread import URGENT, DaemonThread


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


async def test_urgent_calls_overtake_queued_ones() -> None:
    worker = DaemonThread("test-priority")
    gate = threading.Event()
    order: list[str] = []

    def blocker() -> None:
        gate.wait(5)

    running = asyncio.ensure_future(worker.run(blocker))
    await asyncio.sleep(0.05)
    normal = asyncio.ensure_future(worker.run(order.append, "document batch"))
    urgent = asyncio.ensure_future(worker.run(order.append, "query", priority=URGENT))
    await asyncio.sleep(0.05)
    gate.set()
    await asyncio.gather(running, normal, urgent)
    assert order == ["query", "document batch"]
