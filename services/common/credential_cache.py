"""Recently verified credentials, kept a few seconds so that a call needs no round trip to auth."""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    fresh_until: float
    user_id: str
    # Epoch seconds the credential itself stops being valid (a JWT's exp); 0 for never.
    expires_at: int
    value: V


class CredentialCache(Generic[V]):
    """Maps a credential to what verifying it gave, for ``ttl_s`` seconds (LRU-bounded).

    The TTL bounds how long a revocation made elsewhere (another replica, another service) takes
    to bite; ``describe`` names a value's user and expiry so that a user's entries can be dropped
    at once and an expired JWT is never served.
    """

    def __init__(
        self,
        ttl_s: float,
        max_entries: int,
        describe: Callable[[V], tuple[str, int]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max = max_entries
        self._describe = describe
        self._clock = clock
        self._entries: OrderedDict[str, _Entry[V]] = OrderedDict()

    @property
    def ttl_s(self) -> float:
        return self._ttl_s

    def get(self, credential: str) -> V | None:
        found = self.lookup(credential)
        return found[0] if found is not None else None

    def lookup(self, credential: str) -> tuple[V, float] | None:
        """The value and the seconds it stays fresh, or None."""
        entry = self._entries.get(credential)
        if entry is None:
            return None
        left = entry.fresh_until - self._clock()
        if left < 0 or (entry.expires_at and entry.expires_at <= time.time()):
            del self._entries[credential]
            return None
        self._entries.move_to_end(credential)
        return entry.value, left

    def put(self, credential: str, value: V) -> None:
        if self._ttl_s <= 0:
            return
        user_id, expires_at = self._describe(value)
        self._entries[credential] = _Entry(self._clock() + self._ttl_s, user_id, expires_at, value)
        self._entries.move_to_end(credential)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def evict(self, credential: str) -> None:
        self._entries.pop(credential, None)

    def evict_user(self, user_id: str) -> None:
        """Drops every credential of ``user_id`` (after a password, role or key change)."""
        stale = [c for c, e in self._entries.items() if e.user_id == user_id]
        for credential in stale:
            del self._entries[credential]


class CachedVerifier(Generic[V]):
    """Verifies credentials through ``fetch``, answering from ``cache`` where it can.

    A burst of calls with one new credential fetches once. A caller that keeps calling never waits
    on a verification once it has been verified: past half its TTL an entry is verified again in
    the background while it is still served, and it is never served past its TTL, so a revocation
    still bites within the TTL. A background verification that fails drops the entry.
    """

    def __init__(self, cache: CredentialCache[V], fetch: Callable[[str], Awaitable[V]]) -> None:
        self.cache = cache
        self._fetch = fetch
        self._pending: dict[str, asyncio.Future[V]] = {}

    async def verify(self, credential: str) -> V:
        found = self.cache.lookup(credential)
        if found is None:
            return await asyncio.shield(self._verification(credential))
        value, left = found
        if left < self.cache.ttl_s / 2 and credential not in self._pending:
            self._verification(credential).add_done_callback(self._drop_if_refused(credential))
        return value

    def _verification(self, credential: str) -> "asyncio.Future[V]":
        pending = self._pending.get(credential)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch_and_keep(credential))
            self._pending[credential] = pending
            pending.add_done_callback(lambda _: self._pending.pop(credential, None))
        return pending

    async def _fetch_and_keep(self, credential: str) -> V:
        value = await self._fetch(credential)
        self.cache.put(credential, value)
        return value

    def _drop_if_refused(self, credential: str) -> Callable[["asyncio.Future[V]"], None]:
        def done(future: "asyncio.Future[V]") -> None:
            if future.cancelled() or future.exception() is not None:
                self.cache.evict(credential)

        return done
