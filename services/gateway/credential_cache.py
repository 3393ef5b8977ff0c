"""Recently verified credentials, kept a few seconds so a request needs no round trip."""

import time
from collections import OrderedDict
from dataclasses import dataclass

from webui.auth.v1 import auth_pb2


@dataclass(frozen=True, slots=True)
class _Entry:
    fresh_until: float
    result: auth_pb2.AuthenticateResponse


class CredentialCache:
    """Maps a credential to its AuthenticateResponse for ``ttl_s`` seconds (LRU-bounded).

    The TTL bounds how long a revocation made elsewhere (another replica) takes to bite;
    revocations made through this gateway evict at once.
    """

    def __init__(self, ttl_s: float, max_entries: int, clock=time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, credential: str) -> auth_pb2.AuthenticateResponse | None:
        entry = self._entries.get(credential)
        if entry is None:
            return None
        now = self._clock()
        expires_at = entry.result.expires_at
        if entry.fresh_until < now or (expires_at and expires_at <= time.time()):
            del self._entries[credential]
            return None
        self._entries.move_to_end(credential)
        return entry.result

    def put(self, credential: str, result: auth_pb2.AuthenticateResponse) -> None:
        if self._ttl_s <= 0:
            return
        self._entries[credential] = _Entry(self._clock() + self._ttl_s, result)
        self._entries.move_to_end(credential)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def evict(self, credential: str) -> None:
        self._entries.pop(credential, None)

    def evict_user(self, user_id: str) -> None:
        """Drops every credential of ``user_id`` (after a password, role or key change)."""
        stale = [c for c, e in self._entries.items() if e.result.user.id == user_id]
        for credential in stale:
            del self._entries[credential]
