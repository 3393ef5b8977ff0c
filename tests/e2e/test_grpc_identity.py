"""Every RPC of every service, called as an internal caller would: without a credential, with a
forged one, and with a real one of the wrong role. Only health, reflection and the public auth
RPCs answer anyone."""

import time
from collections.abc import AsyncIterator

import grpc
import jwt
import pytest
from google.protobuf import descriptor, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.e2e.conftest import Account, Running
from webui.auth.v1 import auth_pb2
from webui.inference.v1 import chats_pb2, inference_pb2, prompts_pb2, tools_pb2
from webui.ingest.v1 import ingest_pb2

SERVICES = {
    "auth": auth_pb2.DESCRIPTOR.services_by_name["AuthService"],
    "inference": inference_pb2.DESCRIPTOR.services_by_name["InferenceService"],
    "ingest": ingest_pb2.DESCRIPTOR.services_by_name["IngestService"],
    "chats": chats_pb2.DESCRIPTOR.services_by_name["ChatsService"],
    "tools": tools_pb2.DESCRIPTOR.services_by_name["ToolsService"],
    "prompts": prompts_pb2.DESCRIPTOR.services_by_name["PromptsService"],
}
# The process serving each service, where it is not the one of the same name.
SERVED_BY = {"chats": "inference", "tools": "inference", "prompts": "inference"}
PUBLIC = {"Signup", "Signin", "Authenticate", "GetAuthStatus"}
ADMIN_AUTH_RPCS = {"AddUser", "ListUsers", "UpdateUser", "DeleteUser"}


def _methods(public: bool) -> list[tuple[str, descriptor.MethodDescriptor]]:
    return [
        (service, method)
        for service, desc in SERVICES.items()
        for method in desc.methods
        if (service == "auth" and method.name in PUBLIC) == public
    ]


PROTECTED = _methods(public=False)


def _ids(cases: list[tuple[str, descriptor.MethodDescriptor]]) -> list[str]:
    return [f"{service}.{method.name}" for service, method in cases]


async def _call(
    channel: grpc.aio.Channel, method: descriptor.MethodDescriptor, metadata: tuple = ()
) -> grpc.StatusCode:
    """Calls ``method`` with an empty request and returns the status it ended with."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    request_cls = message_factory.GetMessageClass(method.input_type)
    response_cls = message_factory.GetMessageClass(method.output_type)
    kinds = (method.client_streaming, method.server_streaming)
    serializer, deserializer = request_cls.SerializeToString, response_cls.FromString
    try:
        if kinds == (False, False):
            await channel.unary_unary(path, serializer, deserializer)(
                request_cls(), metadata=metadata, timeout=10
            )
        elif kinds == (False, True):
            call = channel.unary_stream(path, serializer, deserializer)(
                request_cls(), metadata=metadata, timeout=10
            )
            async for _ in call:
                pass
        else:

            async def requests() -> AsyncIterator:
                yield request_cls()

            stream = channel.stream_unary(path, serializer, deserializer)
            await stream(requests(), metadata=metadata, timeout=10)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


@pytest.fixture(scope="module")
async def channels(running: Running) -> AsyncIterator[dict[str, grpc.aio.Channel]]:
    opened = {
        service: grpc.aio.insecure_channel(
            f"127.0.0.1:{running.stack.grpc_ports[SERVED_BY.get(service, service)]}"
        )
        for service in SERVICES
    }
    try:
        yield opened
    finally:
        for channel in opened.values():
            await channel.close()


def _bearer(credential: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {credential}"),)


@pytest.mark.parametrize(("service", "method"), PROTECTED, ids=_ids(PROTECTED))
async def test_no_credential_is_unauthenticated(channels: dict, service: str, method) -> None:
    assert await _call(channels[service], method) == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(("service", "method"), PROTECTED, ids=_ids(PROTECTED))
async def test_forged_credentials_are_unauthenticated(
    channels: dict, running: Running, service: str, method
) -> None:
    # A token with the admin's id, signed with a key that is not the server's; a made-up API key;
    # a credential in a header that is not the bearer scheme.
    forged = jwt.encode(
        {"id": running.admin.id, "jti": "x", "iat": int(time.time()), "typ": "session"},
        "not-the-server-secret-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    for metadata in (
        _bearer(forged),
        _bearer("sk-" + "0" * 32),
        (("authorization", f"Basic {running.admin.token}"),),
        (("x-user-id", running.admin.id),),
    ):
        assert await _call(channels[service], method, metadata) == grpc.StatusCode.UNAUTHENTICATED, metadata


@pytest.mark.parametrize("name", sorted(ADMIN_AUTH_RPCS))
async def test_user_administration_needs_an_admin(channels: dict, user: Account, name: str) -> None:
    method = SERVICES["auth"].methods_by_name[name]
    assert await _call(channels["auth"], method, _bearer(user.token)) == grpc.StatusCode.PERMISSION_DENIED


SERVICE_RPCS = [case for case in PROTECTED if case[0] != "auth"]


@pytest.mark.parametrize(("service", "method"), SERVICE_RPCS, ids=_ids(SERVICE_RPCS))
async def test_pending_users_may_not_use_the_services(
    channels: dict, pending: Account, service: str, method
) -> None:
    assert await _call(channels[service], method, _bearer(pending.token)) == grpc.StatusCode.PERMISSION_DENIED


async def test_health_and_reflection_answer_anyone(channels: dict) -> None:
    for service, channel in channels.items():
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, service
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = [s.name async for r in replies for s in r.list_services_response.service]
        assert SERVICES[service].full_name in names


async def test_public_auth_rpcs_answer_without_a_credential(channels: dict) -> None:
    stub_call = channels["auth"].unary_unary(
        "/webui.auth.v1.AuthService/GetAuthStatus",
        auth_pb2.GetAuthStatusRequest.SerializeToString,
        auth_pb2.GetAuthStatusResponse.FromString,
    )
    assert (await stub_call(auth_pb2.GetAuthStatusRequest(), timeout=10)).has_users
    for name in PUBLIC - {"GetAuthStatus"}:
        code = await _call(channels["auth"], SERVICES["auth"].methods_by_name[name])
        # Refused for what the empty request says, not for the missing credential.
        assert code not in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED) or (
            name == "Authenticate" and code == grpc.StatusCode.UNAUTHENTICATED
        ), (name, code)


async def test_an_api_key_may_not_mint_keys(channels: dict, running: Running, user: Account) -> None:
    auth = channels["auth"]
    create = SERVICES["auth"].methods_by_name["CreateApiKey"]
    key_reply = await auth.unary_unary(
        "/webui.auth.v1.AuthService/CreateApiKey",
        auth_pb2.CreateApiKeyRequest.SerializeToString,
        auth_pb2.CreateApiKeyResponse.FromString,
    )(auth_pb2.CreateApiKeyRequest(), metadata=_bearer(user.token), timeout=10)
    key = key_reply.api_key
    assert key.startswith("sk-")
    assert await _call(auth, create, _bearer(key)) == grpc.StatusCode.PERMISSION_DENIED
    delete = SERVICES["auth"].methods_by_name["DeleteApiKey"]
    assert await _call(auth, delete, _bearer(key)) == grpc.StatusCode.PERMISSION_DENIED
    # The key still works where keys are meant to.
    assert await _call(
        channels["inference"], SERVICES["inference"].methods_by_name["ListModels"], _bearer(key)
    ) == (grpc.StatusCode.OK)


@pytest.mark.parametrize(
    ("backend", "method", "path"),
    [
        (inference_pb2.BACKEND_OLLAMA, "DELETE", "/api/delete"),
        (inference_pb2.BACKEND_OLLAMA, "GET", "/api/tags/0"),
        (inference_pb2.BACKEND_OPENAI, "POST", "/verify"),
        (inference_pb2.BACKEND_OPENAI, "GET", "/config/"),
    ],
)
async def test_admin_passthrough_routes_need_an_admin(
    channels: dict, user: Account, backend: int, method: str, path: str
) -> None:
    # The gateway refuses these itself; a direct caller meets the same rule at the service.
    proxy = channels["inference"].unary_stream(
        "/webui.inference.v1.InferenceService/Proxy",
        inference_pb2.ProxyRequest.SerializeToString,
        inference_pb2.ProxyResponse.FromString,
    )
    request = inference_pb2.ProxyRequest(backend=backend, method=method, path=path, body=b'{"name": "m"}')
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        async for _ in proxy(request, metadata=_bearer(user.token), timeout=10):
            pass
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
