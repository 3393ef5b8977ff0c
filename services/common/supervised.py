"""A background loop that must run: restarted with capped backoff whenever it ends or fails."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Capped, and never a give-up: a loop that fails for as long as its database is down (minutes) must
# come back by itself once it is up.
_MIN_DELAY_S = 0.5
_MAX_DELAY_S = 10.0
# A run that lasted this long was healthy: the next failure starts the backoff from the bottom.
_STABLE_AFTER_S = 60.0


class Supervised:
    """Runs ``body`` in a task of its own, again after each failure; ``healthy`` is False from a
    failure until the restart."""

    def __init__(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self._body = body
        self._task: asyncio.Task | None = None
        self._restarting = False

    @property
    def healthy(self) -> bool:
        return self._task is not None and not self._task.done() and not self._restarting

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        delay = _MIN_DELAY_S
        while True:
            started = loop.time()
            try:
                await self._body()
            except Exception:
                # The reason to catch everything: this loop must keep running whatever killed it.
                log.exception("%s failed", self.name)
            else:
                log.error("%s ended", self.name)
            if loop.time() - started > _STABLE_AFTER_S:
                delay = _MIN_DELAY_S
            log.warning("restarting %s in %.1f s", self.name, delay)
            self._restarting = True
            try:
                await asyncio.sleep(delay)
            finally:
                self._restarting = False
            delay = min(delay * 2, _MAX_DELAY_S)
