"""HTTP to the upstreams: one pooled aiohttp session per upstream, deadlines from settings.

The rest of the service sees only ``Transport`` and ``UpstreamResponse`` and the two failure kinds,
so routing and failover can be unit-tested with a fake transport.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from services.inference.pinned_resolver import PinnedResolver
from services.inference.upstreams import Upstream


class ConnectFailed(Exception):
    """Nothing reached the upstream (refused, unresolvable, connect timeout): safe to retry."""


class UpstreamBroke(Exception):
    """The upstream failed after the request was sent (reset, read timeout, bad framing)."""


@dataclass(frozen=True)
class Timeouts:
    total_s: float
    connect_s: float


class UpstreamResponse(Protocol):
    status: int
    headers: Mapping[str, str]

    async def read(self) -> bytes: ...

    def chunks(self) -> AsyncIterator[bytes]:
        """Body bytes as they arrive."""
        ...

    def lines(self) -> AsyncIterator[bytes]:
        """Body lines (with their newline) as they complete, however the upstream split them."""
        ...


class Transport(Protocol):
    def request(
        self,
        upstream: Upstream,
        method: str,
        path: str,
        body: bytes | None,
        timeouts: Timeouts,
        headers: Mapping[str, str] | None = None,
    ) -> AbstractAsyncContextManager[UpstreamResponse]: ...

    def request_once(
        self, upstream: Upstream, path: str, timeouts: Timeouts, addresses: Sequence[str]
    ) -> AbstractAsyncContextManager[UpstreamResponse]:
        """GET ``path`` from a server used once (an admin's connection test): connecting only to
        ``addresses`` (the ones its host was checked against), following no redirect (a 3xx is the
        response), keeping nothing open afterwards."""
        ...


class _AiohttpResponse:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = response.headers

    async def read(self) -> bytes:
        try:
            return await self._response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamBroke(str(error) or type(error).__name__) from error

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamBroke(str(error) or type(error).__name__) from error

    async def lines(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while True:
                # readuntil keeps lines whole however the upstream split them, with no length cap
                # short of the stream's own limit.
                line = await content.readline()
                if not line:
                    return
                yield line
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise UpstreamBroke(str(error) or type(error).__name__) from error


async def _open(
    session: aiohttp.ClientSession,
    upstream: Upstream,
    method: str,
    path: str,
    body: bytes | None,
    timeouts: Timeouts,
    headers: Mapping[str, str] | None,
    redirects: bool = True,
) -> aiohttp.ClientResponse:
    """Sends the request; its failures as ``ConnectFailed`` or ``UpstreamBroke``."""
    all_headers = {"Content-Type": "application/json", **upstream.auth_headers(), **(headers or {})}
    timeout = aiohttp.ClientTimeout(total=timeouts.total_s, connect=timeouts.connect_s)
    try:
        return await session.request(
            method,
            upstream.base_url + path,
            data=body,
            headers=all_headers,
            timeout=timeout,
            allow_redirects=redirects,
        )
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
        raise ConnectFailed(str(error) or type(error).__name__) from error
    except aiohttp.ServerDisconnectedError as error:
        # A pooled connection the upstream had closed (e.g. it restarted): nothing was processed.
        raise ConnectFailed(str(error) or type(error).__name__) from error
    except (aiohttp.ClientError, TimeoutError) as error:
        raise UpstreamBroke(str(error) or type(error).__name__) from error


@asynccontextmanager
async def _answered(response: aiohttp.ClientResponse) -> AsyncIterator[UpstreamResponse]:
    try:
        yield _AiohttpResponse(response)
    finally:
        # Closing (not releasing) an unfinished response drops its connection, which is what
        # tells the upstream to stop generating when our caller went away.
        if response.content.at_eof():
            response.release()
        else:
            response.close()


class AiohttpTransport:
    """Owns one ``ClientSession`` (connection pool) per upstream; ``close()`` closes them all."""

    def __init__(self, max_connections: int) -> None:
        self._max_connections = max_connections
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    def _session(self, upstream: Upstream) -> aiohttp.ClientSession:
        session = self._sessions.get(upstream.base_url)
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=30)
            # No automatic decompression surprises: bodies are relayed as the upstream sent them.
            session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
            self._sessions[upstream.base_url] = session
        return session

    @asynccontextmanager
    async def request(
        self,
        upstream: Upstream,
        method: str,
        path: str,
        body: bytes | None,
        timeouts: Timeouts,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[UpstreamResponse]:
        response = await _open(self._session(upstream), upstream, method, path, body, timeouts, headers)
        async with _answered(response) as answered:
            yield answered

    @asynccontextmanager
    async def request_once(
        self, upstream: Upstream, path: str, timeouts: Timeouts, addresses: Sequence[str]
    ) -> AsyncIterator[UpstreamResponse]:
        # A session of its own: a pooled one would resolve the host again (and keep connections to
        # a server nobody configured); the resolver pins the checked addresses.
        connector = aiohttp.TCPConnector(limit=1, force_close=True, resolver=PinnedResolver(addresses))
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
            response = await _open(session, upstream, "GET", path, None, timeouts, None, redirects=False)
            async with _answered(response) as answered:
                yield answered

    async def close(self) -> None:
        sessions = list(self._sessions.values())
        self._sessions.clear()
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
