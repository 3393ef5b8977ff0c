"""A value kept per process for a bounded time: how a stored setting changed on one replica reaches
every other replica within ``ttl_s``, without a database read per request."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class FreshValue(Generic[T]):
    """``load()``'s result, read again once it is ``ttl_s`` old. Callers that find it stale together
    wait for one read; a write made on this replica is kept at once with ``put``."""

    def __init__(
        self, load: Callable[[], Awaitable[T]], ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._clock = clock
        self._value: T | None = None
        self._fresh_until = 0.0
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._value is not None and self._clock() < self._fresh_until

    async def get(self) -> T:
        if self._fresh():
            return self._value  # type: ignore[return-value]
        async with self._lock:
            # Another caller may have read it while this one waited.
            if not self._fresh():
                self.put(await self._load())
            return self._value  # type: ignore[return-value]

    def put(self, value: T) -> None:
        self._value = value
        self._fresh_until = self._clock() + self._ttl_s
