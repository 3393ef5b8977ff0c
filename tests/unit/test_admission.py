"""Admission control: the in-flight counter, and the gateway middleware that refuses past it."""

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.common import messages
from services.common.admission import Admission
from services.gateway.admission import admission_middleware


def test_admits_up_to_the_limit_then_refuses_and_counts():
    admission = Admission(2)
    assert admission.try_enter() and admission.try_enter()
    assert not admission.try_enter()
    assert (admission.inflight, admission.refused) == (2, 1)
    admission.leave()
    assert admission.try_enter()
    assert (admission.inflight, admission.refused) == (2, 1)


def test_no_limit_admits_everything():
    admission = Admission(0)
    assert all(admission.try_enter() for _ in range(10_000))
    assert (admission.inflight, admission.refused) == (10_000, 0)


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError):
        Admission(-1)


async def _app(admission: Admission, release: asyncio.Event) -> TestClient:
    async def slow(request: web.Request) -> web.StreamResponse:
        # A streamed reply: its place is held until the last byte, not until the head goes out.
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"first ")
        await release.wait()
        await response.write(b"last")
        await response.write_eof()
        return response

    async def fast(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def failing(request: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    app = web.Application(middlewares=[admission_middleware(admission)])
    app.router.add_get("/slow", slow)
    app.router.add_get("/fast", fast)
    app.router.add_get("/failing", failing)
    for path in ("/health", "/ready", "/metrics"):
        app.router.add_get(path, fast)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_past_the_limit_a_request_gets_503_with_retry_after_until_a_place_frees():
    admission, release = Admission(2), asyncio.Event()
    client = await _app(admission, release)
    try:
        streams = [await client.get("/slow") for _ in range(2)]
        assert admission.inflight == 2

        refused = await client.get("/fast")
        assert refused.status == 503
        assert refused.headers["Retry-After"] == "1"
        assert await refused.json() == {"detail": messages.SERVICE_UNAVAILABLE}
        for path in ("/health", "/ready", "/metrics"):
            assert (await client.get(path)).status == 200, path

        release.set()
        assert [await s.read() for s in streams] == [b"first last"] * 2
        await asyncio.sleep(0)
        assert (await client.get("/fast")).status == 200
        assert admission.inflight == 0
        assert admission.refused == 1
    finally:
        await client.close()


async def test_a_failed_or_abandoned_request_gives_its_place_back():
    admission, release = Admission(1), asyncio.Event()
    client = await _app(admission, release)
    try:
        assert (await client.get("/failing")).status == 404
        assert admission.inflight == 0
        stream = await client.get("/slow")
        assert admission.inflight == 1
        stream.close()
        release.set()
        for _ in range(100):
            if admission.inflight == 0:
                break
            await asyncio.sleep(0.01)
        assert admission.inflight == 0
        assert (await client.get("/fast")).status == 200
    finally:
        await client.close()
