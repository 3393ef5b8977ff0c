"""``AiohttpTransport.request_once`` against a real server on loopback: it connects to the pinned
addresses whatever the name says, and returns a redirect instead of following it."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from services.inference.transport import AiohttpTransport, ConnectFailed, Timeouts
from services.inference.upstreams import Kind, Upstream

TIMEOUTS = Timeouts(total_s=5.0, connect_s=2.0)


@pytest.fixture
async def server() -> AsyncIterator[tuple[int, list[tuple[str, str]]]]:
    """A server on 127.0.0.1 recording (path, Host header) of each request."""
    seen: list[tuple[str, str]] = []

    async def version(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("Host", "")))
        return web.json_response({"version": "0.12.6"})

    async def moved(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("Host", "")))
        return web.Response(status=302, headers={"Location": "/api/version"})

    app = web.Application()
    app.router.add_get("/api/version", version)
    app.router.add_get("/moved/api/version", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1], seen
    finally:
        await runner.cleanup()


async def test_the_request_goes_to_the_pinned_address_not_to_what_dns_says(server) -> None:
    port, seen = server
    transport = AiohttpTransport(max_connections=4)
    # ".invalid" never resolves: only the pinned address can have answered.
    probe = Upstream(Kind.OLLAMA, -1, f"http://checked.invalid:{port}")
    async with transport.request_once(probe, "/api/version", TIMEOUTS, ["127.0.0.1"]) as response:
        assert response.status == 200 and await response.read() == b'{"version": "0.12.6"}'
    assert seen == [("/api/version", f"checked.invalid:{port}")]
    await transport.close()


async def test_a_redirect_is_returned_not_followed(server) -> None:
    port, seen = server
    transport = AiohttpTransport(max_connections=4)
    probe = Upstream(Kind.OLLAMA, -1, f"http://127.0.0.1:{port}/moved")
    async with transport.request_once(probe, "/api/version", TIMEOUTS, ["127.0.0.1"]) as response:
        assert response.status == 302 and response.headers["Location"] == "/api/version"
    assert [path for path, _ in seen] == ["/moved/api/version"]
    await transport.close()


async def test_an_unreachable_pinned_address_is_a_connect_failure(server) -> None:
    port, seen = server
    transport = AiohttpTransport(max_connections=4)
    probe = Upstream(Kind.OLLAMA, -1, f"http://checked.invalid:{port}")
    with pytest.raises(ConnectFailed):
        # Nothing listens on 127.0.0.2 at this port (the server is bound to 127.0.0.1 only).
        async with transport.request_once(probe, "/api/version", TIMEOUTS, ["127.0.0.2"]):
            pass
    assert seen == []
    await transport.close()
