"""Client channels (services/common/grpc_channel.py) against real gRPC servers: a call no replica
served is retried, an error a server answered is not."""

import asyncio

import grpc
import pytest

from services.common import errors, messages
from services.common.authenticators import open_remote_authenticator
from services.common.grpc_channel import open_channel
from services.common.grpc_errors import ServiceInterceptor
from services.common.grpc_identity import Authenticator, bearer_metadata
from services.common.identity import Identity
from services.common.infra import free_port

METHOD = "/test.v1.Probe/Call"


def _identity(data: bytes) -> bytes:
    return data


async def _server(port: int, behaviour, authenticator: Authenticator | None = None) -> grpc.aio.Server:
    server = grpc.aio.server(interceptors=[ServiceInterceptor(authenticator)])
    handler = grpc.unary_unary_rpc_method_handler(behaviour, _identity, _identity)
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler("test.v1.Probe", {"Call": handler})]
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server


async def test_an_unavailable_answer_from_the_service_is_not_sent_again() -> None:
    calls = []

    async def failing(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        calls.append(request)
        raise errors.Unavailable("the upstream is down")

    port = free_port()
    server = await _server(port, failing)
    channel = open_channel(f"127.0.0.1:{port}")
    try:
        call = channel.unary_unary(METHOD, request_serializer=_identity, response_deserializer=_identity)
        try:
            await call(b"once", timeout=5)
            raise AssertionError("the call should fail")
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.UNAVAILABLE
        assert calls == [b"once"]
    finally:
        await channel.close()
        await server.stop(0)


async def test_a_call_while_the_replica_restarts_is_retried() -> None:
    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return request

    port = free_port()
    server = await _server(port, echo)
    channel = open_channel(f"127.0.0.1:{port}")
    call = channel.unary_unary(METHOD, request_serializer=_identity, response_deserializer=_identity)
    try:
        assert await call(b"first", timeout=5) == b"first"
        await server.stop(0)
        # The subchannel sees the connection go and backs off; the replica is back 0.3 s after the
        # call, which round_robin alone would have failed at once.
        await asyncio.sleep(0.2)

        async def start_again() -> grpc.aio.Server:
            await asyncio.sleep(0.3)
            return await _server(port, echo)

        starting = asyncio.create_task(start_again())
        assert await call(b"second", timeout=5) == b"second"
        server = await starting
    finally:
        await channel.close()
        await server.stop(0)


class _Counting:
    """Passes each credential to ``inner``, counting how often it was asked."""

    def __init__(self, inner: Authenticator) -> None:
        self.inner = inner
        self.asked = 0

    async def identify(self, credential: str) -> Identity:
        self.asked += 1
        return await self.inner.identify(credential)


async def test_a_call_whose_credential_cannot_be_checked_is_unavailable_once() -> None:
    calls = []

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        calls.append(request)
        return request

    # AuthService is down: nothing listens where the server resolves credentials.
    remote, auth_channel = open_remote_authenticator(
        f"127.0.0.1:{free_port()}", timeout_s=3, cache_ttl_s=1, tls=None
    )
    authenticator = _Counting(remote)
    port = free_port()
    server = await _server(port, echo, authenticator)
    channel = open_channel(f"127.0.0.1:{port}")
    call = channel.unary_unary(METHOD, request_serializer=_identity, response_deserializer=_identity)
    try:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(b"once", metadata=bearer_metadata("a-token"), timeout=10)
        assert (caught.value.code(), caught.value.details()) == (
            grpc.StatusCode.UNAVAILABLE,
            messages.SERVICE_UNAVAILABLE,
        )
        # Answered by the server, so not sent again: the credential was checked once.
        assert authenticator.asked == 1
        # Without a credential there is nothing to check: refused at once.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(b"anonymous", timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert authenticator.asked == 1 and calls == []
    finally:
        await channel.close()
        await server.stop(0)
        await auth_channel.close()
