"""Gateway pieces without a network: credential cache, credential lookup, the auth guard,
gRPC-to-HTTP error mapping, body reading, and the services' exception-to-status mapping."""

import asyncio
import json
import time
from collections.abc import AsyncIterator

import asyncpg
import grpc
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict
from pydantic import BaseModel

from services.auth import errors as auth_errors
from services.common import errors, messages
from services.common.grpc_errors import STATUS_BY_ERROR, ServiceInterceptor, status_for
from services.common.request_context import request_id_var
from services.gateway.auth_guard import AuthGuard, Level, find_credential
from services.gateway.body import MAX_JSON_DEPTH, query_int, read_body, read_json_object, read_model
from services.gateway.credential_cache import CredentialCache
from services.gateway.http_errors import RETRY_AFTER_S, ApiError, detail_response, error_from_rpc
from services.gateway.routes.proxy import forwarded_headers
from services.gateway.settings import GatewaySettings
from services.gateway.state import SETTINGS
from webui.auth.v1 import auth_pb2


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def auth_response(
    user_id: str = "u1",
    role: int = auth_pb2.ROLE_USER,
    kind: int = auth_pb2.CREDENTIAL_KIND_JWT,
    expires_at: int = 0,
) -> auth_pb2.AuthenticateResponse:
    return auth_pb2.AuthenticateResponse(
        user=auth_pb2.User(id=user_id, name=user_id, email=f"{user_id}@example.com", role=role),
        kind=kind,
        expires_at=expires_at,
    )


def rpc_error(code: grpc.StatusCode, details: str = "") -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(
        code,
        initial_metadata=grpc.aio.Metadata(),
        trailing_metadata=grpc.aio.Metadata(),
        details=details,
    )


# -- CredentialCache ---------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_cache_miss(clock: FakeClock) -> None:
    assert CredentialCache(2.0, 10, clock=clock).get("nope") is None


def test_cache_serves_within_ttl_only(clock: FakeClock) -> None:
    cache = CredentialCache(2.0, 10, clock=clock)
    result = auth_response()
    cache.put("tok", result)
    assert cache.get("tok") == result
    clock.advance(2.0)
    assert cache.get("tok") == result
    clock.advance(0.001)
    assert cache.get("tok") is None
    # The stale entry is gone, even if the clock went back.
    clock.now -= 10
    assert cache.get("tok") is None


def test_cache_put_again_refreshes_ttl(clock: FakeClock) -> None:
    cache = CredentialCache(2.0, 10, clock=clock)
    cache.put("tok", auth_response())
    clock.advance(1.5)
    newer = auth_response(role=auth_pb2.ROLE_ADMIN)
    cache.put("tok", newer)
    clock.advance(1.5)
    assert cache.get("tok") == newer


def test_cache_with_zero_ttl_stores_nothing(clock: FakeClock) -> None:
    cache = CredentialCache(0, 10, clock=clock)
    cache.put("tok", auth_response())
    assert cache.get("tok") is None


def test_cache_is_bounded_oldest_out(clock: FakeClock) -> None:
    cache = CredentialCache(60, 2, clock=clock)
    for name in ("a", "b", "c"):
        cache.put(name, auth_response(user_id=name))
    assert cache.get("a") is None
    assert cache.get("b").user.id == "b"
    assert cache.get("c").user.id == "c"


def test_cache_put_again_counts_as_recent(clock: FakeClock) -> None:
    cache = CredentialCache(60, 2, clock=clock)
    cache.put("a", auth_response(user_id="a"))
    cache.put("b", auth_response(user_id="b"))
    cache.put("a", auth_response(user_id="a"))
    cache.put("c", auth_response(user_id="c"))
    assert cache.get("a") is not None
    assert cache.get("b") is None


def test_cache_get_counts_as_recent_use(clock: FakeClock) -> None:
    cache = CredentialCache(60, 2, clock=clock)
    cache.put("hot", auth_response(user_id="hot"))
    cache.put("cold", auth_response(user_id="cold"))
    assert cache.get("hot") is not None
    cache.put("new", auth_response(user_id="new"))
    assert cache.get("hot") is not None
    assert cache.get("cold") is None


def test_cache_evict(clock: FakeClock) -> None:
    cache = CredentialCache(60, 10, clock=clock)
    cache.put("a", auth_response())
    cache.put("b", auth_response())
    cache.evict("a")
    cache.evict("never-there")
    assert cache.get("a") is None
    assert cache.get("b") is not None


def test_cache_evict_user(clock: FakeClock) -> None:
    cache = CredentialCache(60, 10, clock=clock)
    cache.put("jwt-1", auth_response(user_id="u1"))
    cache.put("sk-1", auth_response(user_id="u1", kind=auth_pb2.CREDENTIAL_KIND_API_KEY))
    cache.put("jwt-2", auth_response(user_id="u2"))
    cache.evict_user("u1")
    assert cache.get("jwt-1") is None
    assert cache.get("sk-1") is None
    assert cache.get("jwt-2").user.id == "u2"
    cache.evict_user("nobody")


def test_cache_does_not_serve_an_expired_token(clock: FakeClock) -> None:
    cache = CredentialCache(60, 10, clock=clock)
    cache.put("expired", auth_response(expires_at=int(time.time()) - 1))
    cache.put("valid", auth_response(expires_at=int(time.time()) + 3600))
    cache.put("never-expires", auth_response(expires_at=0))
    assert cache.get("expired") is None
    assert cache.get("valid") is not None
    assert cache.get("never-expires") is not None


# -- find_credential ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Authorization": "Bearer jwt-1"}, "jwt-1"),
        ({"Authorization": "bearer jwt-1"}, "jwt-1"),
        ({"Authorization": "BEARER   jwt-1  "}, "jwt-1"),
        ({"Authorization": "Bearer jwt-1", "Cookie": "token=cookie-1"}, "jwt-1"),
        ({"Authorization": "Bearer jwt-1", "x-api-key": "sk-key"}, "jwt-1"),
        ({"Cookie": "token=cookie-1"}, "cookie-1"),
        ({"Cookie": "other=1; token=cookie-1"}, "cookie-1"),
        ({"Authorization": "Basic other-1", "Cookie": "token=cookie-1"}, "cookie-1"),
        ({"Authorization": "Basic other-1"}, "other-1"),
        ({"Authorization": "Token sk-abc", "x-api-key": "sk-key"}, "sk-abc"),
        ({"Cookie": "token=cookie-1", "x-api-key": "sk-key"}, "cookie-1"),
        ({"x-api-key": "sk-key"}, "sk-key"),
        ({"X-API-KEY": "  sk-key  "}, "sk-key"),
        ({"Authorization": "Bearer", "Cookie": "token=cookie-1"}, "cookie-1"),
        ({"Authorization": "Bearer ", "x-api-key": "sk-key"}, "sk-key"),
        ({"Authorization": "sk-no-scheme"}, None),
        ({"Cookie": "token="}, None),
        ({"x-api-key": "   "}, None),
    ],
)
def test_find_credential_order(headers: dict[str, str], expected: str | None) -> None:
    request = make_mocked_request("GET", "/api/v1/auths/", headers=headers)
    assert find_credential(request, "x-api-key") == expected


class _Headers:
    """What find_credential and forwarded_headers read, with values as aiohttp's parser leaves bytes
    that are not UTF-8 (lone surrogates; make_mocked_request cannot build those)."""

    def __init__(self, headers: dict[str, str], cookies: dict[str, str] | None = None) -> None:
        self.headers = CIMultiDict(headers)
        self.cookies = cookies or {}


@pytest.mark.parametrize(
    "request_",
    [
        _Headers({"Authorization": "Bearer tok\udce9"}),
        _Headers({}, {"token": "tok\udce9"}),
        _Headers({"x-api-key": "sk-\udce9"}),
    ],
)
def test_a_credential_that_is_not_utf8_stays_text_grpc_can_carry(request_: _Headers) -> None:
    # Protobuf refused the surrogates (a 500, found by hand while fuzzing). They become "?": the
    # credential is then just an invalid one (401).
    credential = find_credential(request_, "x-api-key")  # type: ignore[arg-type]
    assert credential is not None and credential.endswith("?")
    credential.encode("utf-8")


def test_forwarded_headers_leave_out_values_that_are_not_text() -> None:
    request_ = _Headers({"Accept": "\udce9", "Content-Type": "application/json"})
    assert forwarded_headers(request_) == {"content-type": "application/json"}  # type: ignore[arg-type]


def test_find_credential_custom_header_name() -> None:
    request = make_mocked_request("GET", "/", headers={"X-My-Key": "sk-custom", "x-api-key": "sk-default"})
    assert find_credential(request, "X-My-Key") == "sk-custom"
    assert find_credential(request, "x-other") is None


# -- AuthGuard ---------------------------------------------------------------------------------


class FakeAuthClient:
    """Answers Authenticate from a dict: a response, or an exception to raise."""

    def __init__(self, answers: dict[str, auth_pb2.AuthenticateResponse | Exception]) -> None:
        self.answers = answers
        self.calls: list[str] = []
        self.status_calls = 0

    async def get_auth_status(self) -> auth_pb2.GetAuthStatusResponse:
        self.status_calls += 1
        return auth_pb2.GetAuthStatusResponse(has_users=self.status_calls > 1, enable_signup=True)

    async def authenticate(self, credential: str) -> auth_pb2.AuthenticateResponse:
        self.calls.append(credential)
        answer = self.answers[credential]
        if isinstance(answer, Exception):
            raise answer
        return answer


ANSWERS = {
    "pending-jwt": auth_response("p", auth_pb2.ROLE_PENDING),
    "user-jwt": auth_response("u", auth_pb2.ROLE_USER, expires_at=int(time.time()) + 3600),
    "admin-jwt": auth_response("a", auth_pb2.ROLE_ADMIN),
    "sk-admin": auth_response("a", auth_pb2.ROLE_ADMIN, kind=auth_pb2.CREDENTIAL_KIND_API_KEY),
    "revoked": rpc_error(grpc.StatusCode.UNAUTHENTICATED, messages.REVOKED_TOKEN),
    "denied": rpc_error(grpc.StatusCode.PERMISSION_DENIED, messages.API_KEY_NOT_ALLOWED),
    "down": rpc_error(grpc.StatusCode.UNAVAILABLE, "connection refused"),
}


def make_guard(clock: FakeClock, status_ttl_s: float = 60.0) -> tuple[AuthGuard, FakeAuthClient]:
    client = FakeAuthClient(ANSWERS)
    cache = CredentialCache(2.0, 100, clock=clock)
    guard = AuthGuard(client, cache, "x-api-key", status_ttl_s=status_ttl_s)  # type: ignore[arg-type]
    return guard, client


def bearer(credential: str) -> object:
    return make_mocked_request("GET", "/", headers={"Authorization": f"Bearer {credential}"})


async def test_guard_without_credential(clock: FakeClock) -> None:
    guard, client = make_guard(clock)
    with pytest.raises(ApiError) as excinfo:
        await guard.require(make_mocked_request("GET", "/"), Level.ANY)
    assert (excinfo.value.status, excinfo.value.detail) == (401, messages.NOT_AUTHENTICATED)
    assert client.calls == []


@pytest.mark.parametrize(
    ("credential", "level", "outcome"),
    [
        ("pending-jwt", Level.ANY, None),
        ("pending-jwt", Level.VERIFIED, (401, messages.ACCESS_PROHIBITED)),
        ("pending-jwt", Level.ADMIN, (401, messages.ACCESS_PROHIBITED)),
        ("pending-jwt", Level.HUMAN, None),
        ("user-jwt", Level.VERIFIED, None),
        ("user-jwt", Level.ADMIN, (401, messages.ACCESS_PROHIBITED)),
        ("admin-jwt", Level.VERIFIED, None),
        ("admin-jwt", Level.ADMIN, None),
        ("sk-admin", Level.ADMIN, None),
        ("sk-admin", Level.HUMAN, (403, messages.HUMAN_SESSION_REQUIRED)),
    ],
)
async def test_guard_levels(clock: FakeClock, credential: str, level: Level, outcome) -> None:
    guard, _ = make_guard(clock)
    if outcome is None:
        principal = await guard.require(bearer(credential), level)
        assert principal.credential == credential
        assert principal.user.id == ANSWERS[credential].user.id
        assert principal.is_jwt is (ANSWERS[credential].kind == auth_pb2.CREDENTIAL_KIND_JWT)
    else:
        with pytest.raises(ApiError) as excinfo:
            await guard.require(bearer(credential), level)
        assert (excinfo.value.status, excinfo.value.detail) == outcome


async def test_guard_principal_carries_expiry(clock: FakeClock) -> None:
    guard, _ = make_guard(clock)
    principal = await guard.require(bearer("user-jwt"), Level.ANY)
    assert principal.expires_at == ANSWERS["user-jwt"].expires_at


async def test_guard_reuses_cached_answer_until_ttl(clock: FakeClock) -> None:
    guard, client = make_guard(clock)
    await guard.require(bearer("user-jwt"), Level.ANY)
    await guard.require(bearer("user-jwt"), Level.VERIFIED)
    assert client.calls == ["user-jwt"]
    clock.advance(3)
    await guard.require(bearer("user-jwt"), Level.ANY)
    assert client.calls == ["user-jwt", "user-jwt"]


async def test_guard_does_not_cache_failures(clock: FakeClock) -> None:
    guard, client = make_guard(clock)
    for _ in range(2):
        with pytest.raises(ApiError) as caught:
            await guard.require(bearer("revoked"), Level.ANY)
        # A failed JWT answers 401 and clears the token cookie.
        assert caught.value.status == 401 and caught.value.headers["Set-Cookie"].startswith('token=""')
    assert client.calls == ["revoked", "revoked"]


async def test_optional_jwt_user(clock: FakeClock) -> None:
    guard, client = make_guard(clock)
    assert await guard.optional_jwt_user(make_mocked_request("GET", "/")) is None
    assert await guard.optional_jwt_user(bearer("sk-admin")) is None
    assert client.calls == []
    assert (await guard.optional_jwt_user(bearer("user-jwt"))).id == "u"
    cookie = make_mocked_request("GET", "/", headers={"Cookie": "token=admin-jwt"})
    assert (await guard.optional_jwt_user(cookie)).id == "a"
    # A non-Bearer Authorization header is not a JWT here; the cookie still is.
    basic = make_mocked_request("GET", "/", headers={"Authorization": "Basic x", "Cookie": "token=user-jwt"})
    assert (await guard.optional_jwt_user(basic)).id == "u"


@pytest.mark.parametrize("credential", ["revoked", "denied"])
async def test_optional_jwt_user_bad_token_is_anonymous(clock: FakeClock, credential: str) -> None:
    guard, _ = make_guard(clock)
    assert await guard.optional_jwt_user(bearer(credential)) is None


async def test_optional_jwt_user_backend_down_raises(clock: FakeClock) -> None:
    guard, _ = make_guard(clock)
    with pytest.raises(grpc.aio.AioRpcError):
        await guard.optional_jwt_user(bearer("down"))


async def test_auth_status_is_reused_until_forgotten(clock: FakeClock) -> None:
    guard, client = make_guard(clock, status_ttl_s=60.0)
    first = await guard.auth_status()
    assert await guard.auth_status() is first
    assert client.status_calls == 1
    guard.forget_auth_status()
    assert (await guard.auth_status()).has_users
    assert client.status_calls == 2


async def test_auth_status_with_zero_ttl_is_always_fresh(clock: FakeClock) -> None:
    guard, client = make_guard(clock, status_ttl_s=0)
    await guard.auth_status()
    await guard.auth_status()
    assert client.status_calls == 2


# -- error_from_rpc ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "details", "status", "detail"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, messages.EMAIL_TAKEN, 400, messages.EMAIL_TAKEN),
        (grpc.StatusCode.FAILED_PRECONDITION, "precondition", 400, "precondition"),
        (grpc.StatusCode.UNAUTHENTICATED, messages.REVOKED_TOKEN, 401, messages.REVOKED_TOKEN),
        (grpc.StatusCode.PERMISSION_DENIED, messages.ACTION_PROHIBITED, 403, messages.ACTION_PROHIBITED),
        (grpc.StatusCode.NOT_FOUND, messages.USER_NOT_FOUND, 404, messages.USER_NOT_FOUND),
        (grpc.StatusCode.ALREADY_EXISTS, "exists", 409, "exists"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, messages.RATE_LIMIT_EXCEEDED, 429, messages.RATE_LIMIT_EXCEEDED),
        (
            grpc.StatusCode.UNAVAILABLE,
            "failed to connect to all addresses",
            503,
            messages.SERVICE_UNAVAILABLE,
        ),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded", 504, messages.DEADLINE_EXCEEDED),
        (grpc.StatusCode.INTERNAL, "internal error", 500, "Something went wrong :/"),
        (grpc.StatusCode.UNKNOWN, "Traceback (most recent call last) ...", 500, messages.DEFAULT),
        (grpc.StatusCode.UNIMPLEMENTED, "Method not found!", 500, messages.DEFAULT),
        (grpc.StatusCode.INVALID_ARGUMENT, "", 400, messages.DEFAULT),
    ],
)
def test_error_from_rpc(code: grpc.StatusCode, details: str, status: int, detail: str) -> None:
    error = error_from_rpc(rpc_error(code, details))
    assert isinstance(error, ApiError)
    assert (error.status, error.detail) == (status, detail)
    # An unavailable backend (or its database) says when to try again.
    assert error.headers == ({"Retry-After": RETRY_AFTER_S} if status in (429, 503) else {})


def test_detail_response_is_compact_json() -> None:
    response = detail_response(400, "Ünïcode text", {"X-Extra": "1"})
    assert response.status == 400
    assert response.content_type == "application/json"
    assert response.headers["X-Extra"] == "1"
    assert response.body == '{"detail":"Ünïcode text"}'.encode()


# -- status_for --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.InvalidArgument("x"), grpc.StatusCode.INVALID_ARGUMENT),
        (errors.Unauthenticated("x"), grpc.StatusCode.UNAUTHENTICATED),
        (errors.PermissionDenied("x"), grpc.StatusCode.PERMISSION_DENIED),
        (errors.NotFound("x"), grpc.StatusCode.NOT_FOUND),
        (errors.AlreadyExists("x"), grpc.StatusCode.ALREADY_EXISTS),
        (errors.ResourceExhausted("x"), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (errors.Unavailable("x"), grpc.StatusCode.UNAVAILABLE),
        (errors.ServiceError("x"), grpc.StatusCode.INTERNAL),
        (auth_errors.NotAuthenticated(), grpc.StatusCode.UNAUTHENTICATED),
        (auth_errors.BadToken(), grpc.StatusCode.UNAUTHENTICATED),
        (auth_errors.RevokedToken(), grpc.StatusCode.UNAUTHENTICATED),
        (auth_errors.InvalidToken(), grpc.StatusCode.UNAUTHENTICATED),
        (auth_errors.InvalidCredentials(), grpc.StatusCode.INVALID_ARGUMENT),
        (auth_errors.IncorrectPassword(), grpc.StatusCode.INVALID_ARGUMENT),
        (auth_errors.InvalidEmail(), grpc.StatusCode.INVALID_ARGUMENT),
        (auth_errors.EmailTaken(), grpc.StatusCode.INVALID_ARGUMENT),
        (auth_errors.PasswordTooLong(), grpc.StatusCode.INVALID_ARGUMENT),
        (auth_errors.SignupDisabled(), grpc.StatusCode.PERMISSION_DENIED),
        (auth_errors.ActionProhibited(), grpc.StatusCode.PERMISSION_DENIED),
        (auth_errors.ApiKeysDisabled(), grpc.StatusCode.PERMISSION_DENIED),
        (auth_errors.ApiKeyCreationDisabled(), grpc.StatusCode.PERMISSION_DENIED),
        (auth_errors.ApiKeyNotFound(), grpc.StatusCode.NOT_FOUND),
        (auth_errors.UserNotFound(), grpc.StatusCode.NOT_FOUND),
        (auth_errors.RateLimited(), grpc.StatusCode.RESOURCE_EXHAUSTED),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value.name,
)
def test_status_for(error: errors.ServiceError, code: grpc.StatusCode) -> None:
    assert status_for(error) == code


def test_status_for_a_subclass_of_a_subclass() -> None:
    class VeryRevoked(auth_errors.RevokedToken):
        pass

    assert status_for(VeryRevoked()) == grpc.StatusCode.UNAUTHENTICATED


def test_every_auth_error_round_trips_to_its_http_status() -> None:
    """Core exception -> gRPC status (service) -> HTTP status (gateway), with the text intact."""
    expected_http = {
        grpc.StatusCode.INVALID_ARGUMENT: 400,
        grpc.StatusCode.UNAUTHENTICATED: 401,
        grpc.StatusCode.PERMISSION_DENIED: 403,
        grpc.StatusCode.NOT_FOUND: 404,
        grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    }
    classes = [
        c
        for c in vars(auth_errors).values()
        if isinstance(c, type) and issubclass(c, errors.ServiceError) and c not in STATUS_BY_ERROR
    ]
    assert len(classes) >= 15
    for cls in classes:
        error = cls()
        code = status_for(error)
        api_error = error_from_rpc(rpc_error(code, error.detail))
        assert api_error.status == expected_http[code], cls.__name__
        assert api_error.detail == error.detail, cls.__name__


# -- ServiceInterceptor (called directly, no server) ------------------------------------------


class FakeContext:
    """Records abort() and raises like grpc.aio does."""

    def __init__(self) -> None:
        self.aborted: tuple[grpc.StatusCode, str] | None = None

    async def abort(self, code: grpc.StatusCode, details: str = "", trailing_metadata: tuple = ()) -> None:
        self.aborted = (code, details)
        self.trailing_metadata = trailing_metadata
        raise grpc.aio.AbortError()


class CallDetails:
    def __init__(self, metadata: tuple[tuple[str, str], ...] = ()) -> None:
        self.method = "/webui.test.v1.Test/Call"
        self.invocation_metadata = metadata


async def _intercept(handler: grpc.RpcMethodHandler, metadata=()) -> grpc.RpcMethodHandler:
    async def continuation(details) -> grpc.RpcMethodHandler:
        return handler

    return await ServiceInterceptor().intercept_service(continuation, CallDetails(metadata))


async def _in_own_context(coro):
    # A task copies the context, so the request id the interceptor sets stays inside it.
    return await asyncio.create_task(coro)


async def test_interceptor_passes_results_and_sets_request_id() -> None:
    async def behaviour(request, context):
        return f"{request}:{request_id_var.get()}"

    handler = await _intercept(grpc.unary_unary_rpc_method_handler(behaviour), (("x-request-id", "rid-42"),))
    assert await _in_own_context(handler.unary_unary("ping", FakeContext())) == "ping:rid-42"


async def test_interceptor_new_request_id_when_none_sent() -> None:
    async def behaviour(request, context):
        return request_id_var.get()

    handler = await _intercept(grpc.unary_unary_rpc_method_handler(behaviour))
    rid = await _in_own_context(handler.unary_unary("ping", FakeContext()))
    assert rid not in ("", "-")


async def test_interceptor_maps_service_errors() -> None:
    async def behaviour(request, context):
        raise auth_errors.EmailTaken()

    handler = await _intercept(grpc.unary_unary_rpc_method_handler(behaviour))
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        await _in_own_context(handler.unary_unary("x", context))
    assert context.aborted == (grpc.StatusCode.INVALID_ARGUMENT, messages.EMAIL_TAKEN)


async def test_interceptor_hides_unexpected_errors() -> None:
    async def behaviour(request, context):
        raise KeyError("secret internals")

    handler = await _intercept(grpc.unary_unary_rpc_method_handler(behaviour))
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        await _in_own_context(handler.unary_unary("x", context))
    assert context.aborted == (grpc.StatusCode.INTERNAL, "internal error")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        TimeoutError(),
    ],
)
async def test_interceptor_answers_a_database_outage_unavailable_not_to_be_resent(error: Exception) -> None:
    async def behaviour(request, context):
        raise error

    handler = await _intercept(grpc.unary_unary_rpc_method_handler(behaviour))
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        await _in_own_context(handler.unary_unary("x", context))
    assert context.aborted == (grpc.StatusCode.UNAVAILABLE, messages.SERVICE_UNAVAILABLE)
    # Answered by the server: the channel's retry policy must not send it again at once.
    assert ("grpc-retry-pushback-ms", "-1") in context.trailing_metadata


async def test_interceptor_maps_errors_in_streams() -> None:
    async def behaviour(request, context) -> AsyncIterator[int]:
        yield 1
        raise auth_errors.RateLimited()

    handler = await _intercept(grpc.unary_stream_rpc_method_handler(behaviour))
    context = FakeContext()
    received = []

    async def consume() -> None:
        async for item in handler.unary_stream("x", context):
            received.append(item)

    with pytest.raises(grpc.aio.AbortError):
        await _in_own_context(consume())
    assert received == [1]
    assert context.aborted == (grpc.StatusCode.RESOURCE_EXHAUSTED, messages.RATE_LIMIT_EXCEEDED)


async def test_interceptor_lets_abort_through() -> None:
    async def behaviour(request, context):
        await context.abort(grpc.StatusCode.NOT_FOUND, "gone")

    handler = await _intercept(grpc.unary_unary_rpc_method_handler(behaviour))
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        await _in_own_context(handler.unary_unary("x", context))
    assert context.aborted == (grpc.StatusCode.NOT_FOUND, "gone")


# -- body reading ------------------------------------------------------------------------------


class FakePayload:
    """Stands in for the request's StreamReader; counts what was read."""

    def __init__(self, data: bytes, chunk: int = 4) -> None:
        self._chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
        self.read = 0

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        for piece in self._chunks:
            self.read += len(piece)
            yield piece


def body_request(
    data: bytes, content_length: bool = True, payload: FakePayload | None = None, max_values: int = 200_000
):
    headers = {"Content-Type": "application/json"}
    if content_length:
        headers["Content-Length"] = str(len(data))
    app = web.Application()
    app[SETTINGS] = GatewaySettings(JSON_MAX_VALUES=str(max_values))
    return make_mocked_request("POST", "/", headers=headers, payload=payload or FakePayload(data), app=app)


class SigninForm(BaseModel):
    email: str
    password: str


async def test_read_body_whole() -> None:
    assert await read_body(body_request(b'{"a": 1}'), 100) == b'{"a": 1}'


async def test_read_body_refuses_by_content_length_without_reading() -> None:
    payload = FakePayload(b"x" * 50)
    with pytest.raises(ApiError) as excinfo:
        await read_body(body_request(b"x" * 50, payload=payload), 10)
    assert (excinfo.value.status, excinfo.value.detail) == (413, messages.BODY_TOO_LARGE)
    assert payload.read == 0


async def test_read_body_refuses_streamed_body_over_the_limit() -> None:
    payload = FakePayload(b"x" * 50, chunk=4)
    with pytest.raises(ApiError) as excinfo:
        await read_body(body_request(b"x" * 50, content_length=False, payload=payload), 10)
    assert excinfo.value.status == 413
    assert payload.read <= 12


class UndecodablePayload(FakePayload):
    """A body aiohttp cannot decode (a `Content-Encoding: gzip` that is not gzip)."""

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        raise web.RequestPayloadError("Can not decode content-encoding: gzip")
        yield b""


async def test_read_body_that_cannot_be_decoded_is_400() -> None:
    # Found by fuzzing: this was a 500.
    with pytest.raises(ApiError) as excinfo:
        await read_body(body_request(b"notgzip", payload=UndecodablePayload(b"")), 100)
    assert (excinfo.value.status, excinfo.value.detail) == (400, messages.BODY_PARSE_ERROR)


async def test_read_body_exactly_at_the_limit() -> None:
    assert await read_body(body_request(b"x" * 10, content_length=False), 10) == b"x" * 10


async def test_read_model_ok_ignores_unknown_fields() -> None:
    raw = json.dumps({"email": "a@b.c", "password": "pw", "extra": True}).encode()
    form = await read_model(body_request(raw), SigninForm, 1000)
    assert form == SigninForm(email="a@b.c", password="pw")


@pytest.mark.parametrize("raw", [b"", b"   ", b"null"])
async def test_read_model_missing_body(raw: bytes) -> None:
    with pytest.raises(ApiError) as excinfo:
        await read_model(body_request(raw), SigninForm, 1000)
    assert excinfo.value.status == 422
    assert excinfo.value.detail == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]


async def test_read_model_invalid_json() -> None:
    with pytest.raises(ApiError) as excinfo:
        await read_model(body_request(b'{"email": '), SigninForm, 1000)
    assert excinfo.value.status == 422
    [item] = excinfo.value.detail
    assert item["type"] == "json_invalid"
    assert item["loc"] == ["body", 10]
    assert item["msg"] == "JSON decode error"
    assert item["ctx"] == {"error": "Expecting value"}


async def test_read_model_invalid_utf8() -> None:
    with pytest.raises(ApiError) as excinfo:
        await read_model(body_request(b'{"email": "\xff"}'), SigninForm, 1000)
    assert excinfo.value.status == 422
    assert excinfo.value.detail[0]["type"] == "json_invalid"


@pytest.mark.parametrize(
    "depth",
    [
        255,  # orjson reads it but cannot write it back: refused before any service has to
        1100,  # past orjson's reading limit, then past Python's recursion limit in stdlib json
        100_000,
    ],
)
async def test_read_json_object_nested_too_deeply(depth: int) -> None:
    # Found by schemathesis: these were 500s (orjson's write limit, stdlib json's RecursionError).
    raw = b'{"a":' * depth + b"1" + b"}" * depth
    with pytest.raises(ApiError) as excinfo:
        await read_json_object(body_request(raw), 10_000_000)
    assert excinfo.value.status == 422
    [item] = excinfo.value.detail
    assert (item["type"], item["ctx"]) == ("json_invalid", {"error": messages.JSON_TOO_DEEP})


async def test_read_json_object_as_deep_as_can_be_written() -> None:
    body = b'{"a":' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    assert await read_json_object(body_request(body), 10_000) == body


async def test_read_json_object_with_too_many_values_is_413_before_parsing() -> None:
    # The memory probe's shape: a chat body with a key per few bytes (each parsed key costs ~100 B).
    raw = b'{"model":"m",' + b",".join(b'"k%d":1' % i for i in range(2000)) + b"}"
    with pytest.raises(ApiError) as excinfo:
        await read_json_object(body_request(raw, max_values=1000), len(raw))
    assert (excinfo.value.status, excinfo.value.detail) == (413, messages.JSON_TOO_MANY_VALUES)


async def test_read_model_with_too_many_values_is_413() -> None:
    raw = b'{"email":"a@b.c","password":"pw","x":[' + b"{}," * 1000 + b"{}]}"
    with pytest.raises(ApiError) as excinfo:
        await read_model(body_request(raw, max_values=1000), SigninForm, len(raw))
    assert excinfo.value.status == 413


async def test_read_json_object_counts_no_commas_inside_strings() -> None:
    # Text with many commas and brackets is one value: long messages must pass.
    raw = orjson.dumps({"messages": [{"role": "user", "content": 'a, [b], {c}, " d, ' * 5000}]})
    assert await read_json_object(body_request(raw, max_values=1000), len(raw)) == raw


async def test_read_model_validation_errors_like_fastapi() -> None:
    with pytest.raises(ApiError) as excinfo:
        await read_model(body_request(b'{"email": 5}'), SigninForm, 1000)
    assert excinfo.value.status == 422
    detail = excinfo.value.detail
    assert [(d["type"], d["loc"]) for d in detail] == [
        ("string_type", ["body", "email"]),
        ("missing", ["body", "password"]),
    ]
    assert detail[0]["input"] == 5
    assert all("url" not in d for d in detail)
    json.dumps(detail)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 1),
        ("?page=", 1),
        ("?page=3", 3),
        ("?page=0", 1),
        ("?page=-5", 1),
        ("?other=9", 1),
        # Past an int32 (the proto fields' type): clamped, not a 500.
        ("?page=364488563018609524736", 2**31 - 1),
    ],
)
def test_query_int(query: str, expected: int) -> None:
    assert query_int(make_mocked_request("GET", f"/users{query}"), "page", 1) == expected


def test_query_int_custom_minimum() -> None:
    request = make_mocked_request("GET", "/users?size=0")
    assert query_int(request, "size", 30, minimum=0) == 0


def test_query_int_not_a_number() -> None:
    with pytest.raises(ApiError) as excinfo:
        query_int(make_mocked_request("GET", "/users?page=two"), "page", 1)
    assert excinfo.value.status == 422
    assert excinfo.value.detail == [
        {
            "type": "int_parsing",
            "loc": ["query", "page"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "two",
        }
    ]
