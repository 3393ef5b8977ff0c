"""`python -m services.healthcheck`, the containers' health probe, against a real gRPC health server and a
real HTTP server on free ports."""

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestServer
from grpc_health.v1 import health_pb2

from services import healthcheck
from services.common.grpc_server import start_grpc_service
from services.common.infra import free_port


async def probe(*args: str) -> int:
    # The probe is blocking (it runs as its own process in a container): keep the loop serving.
    return await asyncio.to_thread(healthcheck.main, list(args))


async def test_grpc_probe_follows_the_health_service():
    # Health only, which every server answers without a credential: no authenticator needed.
    service = await start_grpc_service(
        "127.0.0.1:0", ["test.Service"], lambda server: None, authenticator=None
    )
    try:
        target = f"127.0.0.1:{service.port}"
        assert await probe(target) == 0
        # What a stopping service reports first (GrpcService.stop): balancers and probes see it.
        await service.health.enter_graceful_shutdown()
        assert await probe(target) == 1
    finally:
        await service.stop(0)


async def test_grpc_probe_of_a_named_service_follows_that_service():
    service = await start_grpc_service(
        "127.0.0.1:0", ["test.Service"], lambda server: None, authenticator=None
    )
    try:
        target = f"127.0.0.1:{service.port}"
        assert await probe(target, "test.Service") == 0
        # What a service reports while its database is down: the server as a whole stays alive.
        await service.health.set("test.Service", health_pb2.HealthCheckResponse.NOT_SERVING)
        assert await probe(target, "test.Service") == 1
        assert await probe(target) == 0
        assert await probe(target, "unknown.Service") == 1
    finally:
        await service.stop(0)


async def test_grpc_probe_fails_when_nothing_listens():
    assert await probe(f"127.0.0.1:{free_port()}") == 1


async def test_http_probe_wants_a_2xx():
    ready = {"status": 200}

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"status": ready["status"] == 200}, status=ready["status"])

    app = web.Application()
    app.router.add_get("/ready", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        url = str(server.make_url("/ready"))
        assert await probe(url) == 0
        ready["status"] = 503
        assert await probe(url) == 1
        assert await probe(str(server.make_url("/missing"))) == 1
    finally:
        await server.close()
    assert await probe(f"http://127.0.0.1:{free_port()}/ready") == 1
