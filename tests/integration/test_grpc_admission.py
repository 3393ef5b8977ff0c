"""Admission control on a real gRPC server: past MAX_INFLIGHT_RPCS a call is refused at once, as
UNAVAILABLE not to be retried, while health checks still answer."""

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common import messages
from services.common.admission import Admission
from services.common.admission_interceptor import AdmissionInterceptor
from services.common.grpc_channel import open_channel
from services.common.grpc_server import start_grpc_service

SERVICE = "test.v1.SlowService"


class Slow:
    """A unary and a server-streaming method that hold their call until ``release`` is set."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.calls = 0

    async def wait(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        self.calls += 1
        await self.release.wait()
        return b"done"

    async def stream(self, request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        self.calls += 1
        yield b"first"
        await self.release.wait()
        yield b"last"

    def register(self, server: grpc.aio.Server) -> None:
        handlers = {
            "Wait": grpc.unary_unary_rpc_method_handler(self.wait),
            "Stream": grpc.unary_stream_rpc_method_handler(self.stream),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))


async def wait_until(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
async def slow_server() -> AsyncIterator[tuple[Slow, AdmissionInterceptor, grpc.aio.Channel]]:
    slow = Slow()
    interceptor = AdmissionInterceptor(Admission(2))
    server = grpc.aio.server(interceptors=[interceptor])
    slow.register(server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    # Our own channel, with the retry policy every client has: a refusal must not be sent again.
    channel = open_channel(f"127.0.0.1:{port}")
    try:
        yield slow, interceptor, channel
    finally:
        slow.release.set()
        await channel.close()
        await server.stop(0)


async def test_past_the_limit_a_call_is_refused_at_once_and_not_retried(slow_server):
    slow, interceptor, channel = slow_server
    wait = channel.unary_unary(f"/{SERVICE}/Wait")
    held = [asyncio.ensure_future(wait(b"", timeout=10)) for _ in range(2)]
    await wait_until(lambda: slow.calls == 2)

    started = time.perf_counter()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await wait(b"", timeout=10)
    assert time.perf_counter() - started < 0.1
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert refused.value.details() == messages.SERVICE_UNAVAILABLE
    assert ("grpc-retry-pushback-ms", "-1") in tuple(refused.value.trailing_metadata())
    # One refusal, no retries, and the servicer never ran for it.
    assert (interceptor.admission.refused, slow.calls) == (1, 2)

    slow.release.set()
    assert await asyncio.gather(*held) == [b"done", b"done"]
    assert interceptor.admission.inflight == 0
    assert await wait(b"", timeout=10) == b"done"


async def test_a_stream_holds_its_place_until_it_ends(slow_server):
    slow, interceptor, channel = slow_server
    stream = channel.unary_stream(f"/{SERVICE}/Stream")
    calls = [stream(b"", timeout=10) for _ in range(2)]
    assert [await call.read() for call in calls] == [b"first", b"first"]
    assert interceptor.admission.inflight == 2
    refused = stream(b"", timeout=10)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await refused.read()
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE

    calls[0].cancel()
    await wait_until(lambda: interceptor.admission.inflight == 1)
    slow.release.set()
    assert await calls[1].read() == b"last"
    assert await calls[1].read() is grpc.aio.EOF
    await wait_until(lambda: interceptor.admission.inflight == 0)


async def test_start_grpc_service_applies_the_limit_and_exempts_health():
    slow = Slow()
    service = await start_grpc_service(
        "127.0.0.1:0", [SERVICE], slow.register, authenticator=None, max_inflight_rpcs=1
    )
    channel = open_channel(f"127.0.0.1:{service.port}")
    try:
        wait = channel.unary_unary(f"/{SERVICE}/Wait")
        held = asyncio.ensure_future(wait(b"", timeout=10))
        await wait_until(lambda: slow.calls == 1)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await wait(b"", timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        check = health_pb2_grpc.HealthStub(channel).Check
        reply = await check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        slow.release.set()
        assert await held == b"done"
    finally:
        slow.release.set()
        await channel.close()
        await service.stop(0)
