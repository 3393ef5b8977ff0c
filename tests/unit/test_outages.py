"""Outage handling without I/O: which errors are outages, supervised loops, dependency health."""

import asyncio

import asyncpg
import pytest
from grpc_health.v1 import health, health_pb2
from nats import errors as nats_errors

from services.common.dependency_health import DependencyHealth
from services.common.outages import is_outage
from services.common.supervised import Supervised

SERVICE = "webui.test.v1.TestService"


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        TimeoutError(),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        nats_errors.ConnectionClosedError(),
        nats_errors.TimeoutError(),
    ],
)
def test_unreachable_dependencies_are_outages(error: BaseException) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("missing"),
        FileNotFoundError("/no/such/file"),
        PermissionError("denied"),
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    ],
)
def test_bugs_and_bad_input_are_not_outages(error: BaseException) -> None:
    assert not is_outage(error)


async def test_a_supervised_loop_that_fails_is_restarted_and_unhealthy_meanwhile() -> None:
    runs = []

    async def body() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise asyncpg.InterfaceError("connection is closed")
        await asyncio.sleep(3600)

    loop = Supervised("test-loop", body)
    loop.start()
    try:
        await asyncio.sleep(0.1)
        assert len(runs) == 1 and not loop.healthy
        await asyncio.sleep(0.6)
        assert len(runs) == 2 and loop.healthy
    finally:
        await loop.stop()
    assert not loop.healthy


async def status(servicer: health.aio.HealthServicer, name: str) -> int:
    reply = await servicer.Check(health_pb2.HealthCheckRequest(service=name), None)
    return reply.status


async def test_health_follows_the_dependencies_but_liveness_stays() -> None:
    servicer = health.aio.HealthServicer()
    for name in ("", SERVICE):
        await servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    up = {"postgres": True}

    async def postgres() -> bool:
        if not up["postgres"]:
            raise ConnectionRefusedError(111, "Connect call failed")
        return True

    async def hangs() -> bool:
        await asyncio.sleep(3600)
        return True

    watcher = DependencyHealth(servicer, [SERVICE], {"postgres": postgres}, interval_s=0.05)
    watcher.start()
    try:
        up["postgres"] = False
        await asyncio.sleep(0.3)
        assert await status(servicer, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await status(servicer, "") == health_pb2.HealthCheckResponse.SERVING
        up["postgres"] = True
        await asyncio.sleep(0.2)
        assert await status(servicer, SERVICE) == health_pb2.HealthCheckResponse.SERVING
    finally:
        await watcher.stop()
    # A check that does not answer within the timeout counts as failed.
    slow = DependencyHealth(servicer, [SERVICE], {"nats": hangs}, timeout_s=0.05)
    assert await slow.failing() == ["nats"]


async def test_a_server_that_is_stopping_stays_not_serving() -> None:
    servicer = health.aio.HealthServicer()
    await servicer.set(SERVICE, health_pb2.HealthCheckResponse.SERVING)
    up = {"nats": False}

    async def nats() -> bool:
        return up["nats"]

    watcher = DependencyHealth(servicer, [SERVICE], {"nats": nats}, interval_s=0.05)
    watcher.start()
    try:
        await asyncio.sleep(0.2)
        assert not watcher.serving
        await servicer.enter_graceful_shutdown()
        up["nats"] = True
        await asyncio.sleep(0.2)
        # The dependency is back, but a draining server must not be offered traffic again.
        assert await status(servicer, SERVICE) == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        await watcher.stop()
