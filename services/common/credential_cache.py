"""Recently verified credentials, kept a few seconds so that a call needs no round trip to auth."""

import time
from collections import OrderedDict
from collections.abc import Callable
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

    def get(self, credential: str) -> V | None:
        entry = self._entries.get(credential)
        if entry is None:
            return None
        if entry.fresh_until < self._clock() or (entry.expires_at and entry.expires_at <= time.time()):
            del self._entries[credential]
            return None
        self._entries.move_to_end(credential)
        return entry.value

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
