"""Runs blocking model work on one long-lived daemon thread, urgent calls first."""

import asyncio
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_Call = tuple[int, int, Callable[..., Any], tuple, asyncio.AbstractEventLoop, asyncio.Future]

URGENT = 0
NORMAL = 1


class DaemonThread:
    """One long-lived daemon thread fed by a priority queue, awaited from asyncio.

    One thread, not one per kind of work: torch keeps an OpenMP thread team per calling thread,
    and two teams on two cores slowed a single query from 8 ms to 15–18 ms. Search queries are
    ``URGENT`` and overtake queued document batches (they wait at most for the batch running).
    Unlike ``asyncio.to_thread``, the interpreter does not join the thread at exit: a load or a
    batch in progress when the service stops is abandoned (its job is handed back and redone
    elsewhere) instead of holding the process past its grace period.
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.PriorityQueue[_Call] = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[..., T], *args: object, priority: int = NORMAL) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((priority, next(self._order), fn, args, loop, future))
        return await future

    def _work(self) -> None:
        while True:
            _, _, fn, args, loop, future = self._queue.get()
            if future.cancelled():
                continue
            try:
                value = fn(*args)
            except BaseException as error:
                loop.call_soon_threadsafe(_settle, future, None, error)
            else:
                loop.call_soon_threadsafe(_settle, future, value, None)


def _settle(future: asyncio.Future, value: object, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
