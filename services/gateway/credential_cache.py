"""The gateway's cache of verified credentials: AuthService's answers, reused a few seconds."""

import time
from collections.abc import Callable

from services.common import credential_cache
from webui.auth.v1 import auth_pb2


def _describe(result: auth_pb2.AuthenticateResponse) -> tuple[str, int]:
    return result.user.id, result.expires_at


class CredentialCache(credential_cache.CredentialCache[auth_pb2.AuthenticateResponse]):
    """Revocations made through this gateway evict at once; those made elsewhere bite within the TTL."""

    def __init__(self, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(ttl_s, max_entries, _describe, clock)
