"""`GET /ready` on an in-process gateway whose backends are real gRPC health servers on free ports."""

import socket
import time
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from services.common.grpc_server import GrpcService, start_grpc_service
from services.common.infra import free_port
from services.gateway.app import create_app
from services.gateway.readiness import BACKEND_SERVICES
from services.gateway.settings import GatewaySettings
from services.gateway.state import LIFECYCLE


@pytest.fixture
async def backends() -> AsyncIterator[dict[str, GrpcService]]:
    """A health-only gRPC server per backend, each reporting its service SERVING (health needs no
    credential, so no authenticator)."""
    started = {
        name: await start_grpc_service("127.0.0.1:0", [service], lambda server: None, authenticator=None)
        for name, service in BACKEND_SERVICES.items()
    }
    try:
        yield started
    finally:
        for service in started.values():
            await service.stop(0)


@pytest.fixture
async def gateway() -> AsyncIterator[Callable]:
    clients: list[TestClient] = []

    async def _start(ports: dict[str, int], **env: object) -> TestClient:
        settings = GatewaySettings(
            **{f"{name.upper()}_GRPC_TARGET": f"127.0.0.1:{port}" for name, port in ports.items()}, **env
        )
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        clients.append(client)
        return client

    try:
        yield _start
    finally:
        for client in clients:
            await client.close()


def ports_of(backends: dict[str, GrpcService]) -> dict[str, int]:
    return {name: service.port for name, service in backends.items()}


async def ready(client: TestClient) -> tuple[int, dict]:
    reply = await client.get("/ready")
    return reply.status, await reply.json()


async def test_ready_when_every_backend_serves(backends, gateway) -> None:
    client = await gateway(ports_of(backends))
    assert await ready(client) == (200, {"status": True})
    # Liveness does not depend on the backends.
    assert (await client.get("/health")).status == 200


async def test_a_backend_that_is_down_or_draining_is_named(backends, gateway) -> None:
    client = await gateway(ports_of(backends))
    await backends["inference"].stop(0)
    status, body = await ready(client)
    assert status == 503 and body["status"] is False
    assert body["detail"] == "inference is not ready (UNAVAILABLE)"
    # A replica that received SIGTERM reports NOT_SERVING while it drains.
    await backends["ingest"].health.enter_graceful_shutdown()
    status, body = await ready(client)
    assert status == 503
    assert body["detail"] == "inference is not ready (UNAVAILABLE); ingest is not ready (NOT_SERVING)"


async def test_no_backend_listening(gateway) -> None:
    client = await gateway({name: free_port() for name in BACKEND_SERVICES})
    status, body = await ready(client)
    assert status == 503
    assert body["detail"].count("is not ready (UNAVAILABLE)") == 3


async def test_silent_backends_are_checked_concurrently_within_the_deadline(gateway) -> None:
    # Sockets that accept connections (in the kernel's backlog) but never speak HTTP/2.
    silent = [socket.create_server(("127.0.0.1", 0)) for _ in BACKEND_SERVICES]
    try:
        ports = {name: s.getsockname()[1] for name, s in zip(BACKEND_SERVICES, silent, strict=True)}
        client = await gateway(ports, READY_TIMEOUT_S=0.5)
        started = time.monotonic()
        status, body = await ready(client)
        elapsed = time.monotonic() - started
    finally:
        for s in silent:
            s.close()
    assert status == 503
    assert body["detail"].count("is not ready (DEADLINE_EXCEEDED)") == 3
    assert 0.4 < elapsed < 1.2


async def test_not_ready_while_stopping(backends, gateway) -> None:
    client = await gateway(ports_of(backends))
    client.server.app[LIFECYCLE].stopping = True
    assert await ready(client) == (503, {"status": False, "detail": "gateway is shutting down"})
    assert (await client.get("/health")).status == 200
