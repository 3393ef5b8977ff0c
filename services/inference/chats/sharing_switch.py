"""Whether community sharing is on, as the admin config holds it (``POST /api/v1/auths/admin/config``,
kept by the auth service, over the environment's ``ENABLE_COMMUNITY_SHARING``): read from
AuthService.GetAuthStatus and reused a few seconds, as the gateway reuses it for ``/api/config``."""

import logging
import time
from collections.abc import Awaitable, Callable

import grpc

from webui.auth.v1 import auth_pb2, auth_pb2_grpc

log = logging.getLogger(__name__)

Read = Callable[[], Awaitable[bool]]


def auth_status_reader(channel: grpc.aio.Channel, timeout_s: float) -> Read:
    """Reads the switch from AuthService (GetAuthStatus needs no credential)."""
    stub = auth_pb2_grpc.AuthServiceStub(channel)

    async def read() -> bool:
        reply = await stub.GetAuthStatus(auth_pb2.GetAuthStatusRequest(), timeout=timeout_s)
        return reply.enable_community_sharing

    return read


class CommunitySharing:
    """The switch, re-read at most every ``ttl_s``; while the auth service cannot answer, the last
    value read (the environment's before any)."""

    def __init__(
        self,
        read: Read | None,
        default: bool,
        ttl_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._value = default
        self._ttl_s = ttl_s
        self._clock = clock
        self._fresh_until = float("-inf")

    async def enabled(self) -> bool:
        if self._read is None:
            return self._value
        now = self._clock()
        if now < self._fresh_until:
            return self._value
        try:
            self._value = await self._read()
        except grpc.aio.AioRpcError as error:
            log.warning("community sharing switch unread (%s); keeping %s", error.code().name, self._value)
        self._fresh_until = now + self._ttl_s
        return self._value
