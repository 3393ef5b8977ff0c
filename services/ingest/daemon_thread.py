"""Runs blocking model work on a daemon thread, so that a SIGTERM exit never waits for it."""

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def run_in_daemon_thread(fn: Callable[..., T], *args: object) -> T:
    """Like ``asyncio.to_thread``, except that the interpreter does not join the thread at exit:
    a model load or an embedding batch in progress when the service stops is simply abandoned (its
    job is handed back and redone elsewhere), instead of holding the process past its grace period."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]

    def work() -> None:
        try:
            value = fn(*args)
        except BaseException as error:
            loop.call_soon_threadsafe(settle, None, error)
        else:
            loop.call_soon_threadsafe(settle, value, None)

    threading.Thread(target=work, name=f"daemon-{getattr(fn, '__name__', 'work')}", daemon=True).start()
    return await future
