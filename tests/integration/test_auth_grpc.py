"""AuthService over real gRPC on a real PostgreSQL."""

import asyncio

import asyncpg
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.common import messages
from webui.auth.v1 import auth_pb2

PASSWORD = "correct horse"


async def signup(stub, email: str, name: str = "User", password: str = PASSWORD) -> auth_pb2.Session:
    response = await stub.Signup(auth_pb2.SignupRequest(name=name, email=email, password=password))
    return response.session


async def expect_error(call, code: grpc.StatusCode, details: str | None = None) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code
    if details is not None:
        assert caught.value.details() == details


async def test_first_user_is_admin_then_pending(auth_stub) -> None:
    first = await signup(auth_stub, "Admin@Example.com", "Admin")
    second = await signup(auth_stub, "second@example.com")
    assert first.user.role == auth_pb2.ROLE_ADMIN and first.user.primary_admin
    assert first.user.email == "admin@example.com"
    assert second.user.role == auth_pb2.ROLE_PENDING and not second.user.primary_admin
    assert first.token and first.expires_at > 0


async def test_concurrent_first_signups_make_exactly_one_admin(auth_stub) -> None:
    sessions = await asyncio.gather(*(signup(auth_stub, f"racer{i}@example.com") for i in range(6)))
    roles = [s.user.role for s in sessions]
    assert roles.count(auth_pb2.ROLE_ADMIN) == 1
    assert roles.count(auth_pb2.ROLE_PENDING) == 5


async def test_signup_errors_map_to_status_codes(auth_stub) -> None:
    await signup(auth_stub, "taken@example.com")
    await expect_error(
        signup(auth_stub, "TAKEN@example.com"), grpc.StatusCode.INVALID_ARGUMENT, messages.EMAIL_TAKEN
    )
    await expect_error(
        signup(auth_stub, "not-an-email"), grpc.StatusCode.INVALID_ARGUMENT, messages.INVALID_EMAIL_FORMAT
    )
    await expect_error(
        signup(auth_stub, "long@example.com", password="x" * 73),
        grpc.StatusCode.INVALID_ARGUMENT,
        messages.PASSWORD_TOO_LONG,
    )


async def test_failed_signup_leaves_no_rows(auth_stub, database_url) -> None:
    await signup(auth_stub, "one@example.com")
    await expect_error(signup(auth_stub, "one@example.com"), grpc.StatusCode.INVALID_ARGUMENT)
    await expect_error(
        signup(auth_stub, "two@example.com", password="é" * 37), grpc.StatusCode.INVALID_ARGUMENT
    )
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM auth_user") == 1
    finally:
        await conn.close()


async def test_signup_disabled_after_first_user(start_auth) -> None:
    stub, _, _ = await start_auth(ENABLE_SIGNUP=False)
    await signup(stub, "first@example.com")
    await expect_error(
        signup(stub, "second@example.com"), grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED
    )


async def test_signin_and_authenticate(auth_stub) -> None:
    created = await signup(auth_stub, "me@example.com", "Me")
    session = (
        await auth_stub.Signin(auth_pb2.SigninRequest(email="ME@example.com", password=PASSWORD))
    ).session
    assert session.user.id == created.user.id
    who = await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=session.token))
    assert who.user.email == "me@example.com" and who.kind == auth_pb2.CREDENTIAL_KIND_JWT
    await expect_error(
        auth_stub.Signin(auth_pb2.SigninRequest(email="me@example.com", password="wrong")),
        grpc.StatusCode.INVALID_ARGUMENT,
        messages.INVALID_CRED,
    )
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential="garbage")),
        grpc.StatusCode.UNAUTHENTICATED,
        messages.UNAUTHORIZED,
    )


async def test_api_key_is_stored_hashed_and_replaced(auth_stub, database_url) -> None:
    session = await signup(auth_stub, "keys@example.com")
    first = (await auth_stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(user_id=session.user.id))).api_key
    second = (await auth_stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(user_id=session.user.id))).api_key
    assert first != second and second.startswith("sk-") and len(second) == 35
    who = await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=second))
    assert who.kind == auth_pb2.CREDENTIAL_KIND_API_KEY
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=first)),
        grpc.StatusCode.UNAUTHENTICATED,
        messages.INVALID_TOKEN,
    )
    masked = (await auth_stub.GetApiKey(auth_pb2.GetApiKeyRequest(user_id=session.user.id))).masked_key
    assert masked == "sk-…" + second[-4:]
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetch("SELECT * FROM auth_api_key")
        password_hash = await conn.fetchval("SELECT password_hash FROM auth_user")
    finally:
        await conn.close()
    assert len(stored) == 1
    assert second not in str(dict(stored[0])) and second[3:] not in str(dict(stored[0]))
    assert password_hash.startswith("$2") and PASSWORD not in password_hash


async def test_signout_and_password_change_revoke(auth_stub) -> None:
    await signup(auth_stub, "admin@example.com")
    user = await signup(auth_stub, "rev@example.com")
    other = (
        await auth_stub.Signin(auth_pb2.SigninRequest(email="rev@example.com", password=PASSWORD))
    ).session
    await auth_stub.Signout(auth_pb2.SignoutRequest(token=user.token))
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=user.token)),
        grpc.StatusCode.UNAUTHENTICATED,
        messages.REVOKED_TOKEN,
    )
    await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=other.token))
    await auth_stub.ChangePassword(
        auth_pb2.ChangePasswordRequest(user_id=user.user.id, password=PASSWORD, new_password="new pass")
    )
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=other.token)),
        grpc.StatusCode.UNAUTHENTICATED,
    )
    await auth_stub.Signin(auth_pb2.SigninRequest(email="rev@example.com", password="new pass"))


async def test_rate_limit_is_shared_by_replicas(start_auth) -> None:
    one, _, _ = await start_auth(SIGNIN_RATE_LIMIT=4)
    two, _, _ = await start_auth(SIGNIN_RATE_LIMIT=4)
    await signup(one, "limited@example.com")
    for stub in (one, two, one, two):
        await stub.Signin(auth_pb2.SigninRequest(email="limited@example.com", password=PASSWORD))
    await expect_error(
        two.Signin(auth_pb2.SigninRequest(email="limited@example.com", password=PASSWORD)),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        messages.RATE_LIMIT_EXCEEDED,
    )


async def test_admin_user_management(auth_stub) -> None:
    admin = await signup(auth_stub, "root@example.com", "Root")
    user = await signup(auth_stub, "bob@example.com", "Bob")
    page = await auth_stub.ListUsers(auth_pb2.ListUsersRequest(query="BOB", page=1, page_size=30))
    assert page.total == 1 and page.users[0].id == user.user.id
    updated = await auth_stub.UpdateUser(
        auth_pb2.UpdateUserRequest(actor_id=admin.user.id, user_id=user.user.id, role=auth_pb2.ROLE_USER)
    )
    assert updated.user.role == auth_pb2.ROLE_USER
    await expect_error(
        auth_stub.UpdateUser(
            auth_pb2.UpdateUserRequest(actor_id=admin.user.id, user_id=admin.user.id, role=auth_pb2.ROLE_USER)
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        messages.ACTION_PROHIBITED,
    )
    await expect_error(
        auth_stub.DeleteUser(auth_pb2.DeleteUserRequest(actor_id=admin.user.id, user_id=admin.user.id)),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(
        auth_stub.GetUser(auth_pb2.GetUserRequest(user_id="no-such-id")),
        grpc.StatusCode.NOT_FOUND,
        messages.USER_NOT_FOUND,
    )
    await auth_stub.DeleteUser(auth_pb2.DeleteUserRequest(actor_id=admin.user.id, user_id=user.user.id))
    assert (await auth_stub.ListUsers(auth_pb2.ListUsersRequest(page=1, page_size=30))).total == 1


async def test_health_and_reflection(start_auth) -> None:
    _, channel, _ = await start_auth()
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "webui.auth.v1.AuthService"):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = set()
    async for reply in call:
        names.update(s.name for s in reply.list_services_response.service)
    assert {"webui.auth.v1.AuthService", "grpc.health.v1.Health"} <= names


async def test_unexpected_errors_do_not_leak(start_auth, database_url) -> None:
    stub, _, _ = await start_auth()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP TABLE auth_signin_attempt")
    finally:
        await conn.close()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Signin(auth_pb2.SigninRequest(email="x@example.com", password="y"))
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details() == "internal error"


async def test_user_search_treats_wildcards_literally(auth_stub) -> None:
    await signup(auth_stub, "plain@example.com", "Plain")
    await signup(auth_stub, "under_score@example.com", "Under")
    for query, expected in (("_", 1), ("%", 0), ("under_", 1), ("\\", 0)):
        page = await auth_stub.ListUsers(auth_pb2.ListUsersRequest(query=query, page=1, page_size=30))
        assert page.total == expected, query


async def test_signin_touches_last_active_but_not_updated_at(auth_stub, database_url) -> None:
    created = await signup(auth_stub, "active@example.com")
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE auth_user SET last_active_at = 0, updated_at = 1")
        await auth_stub.Signin(auth_pb2.SigninRequest(email="active@example.com", password=PASSWORD))
        row = await conn.fetchrow(
            "SELECT last_active_at, updated_at FROM auth_user WHERE id = $1", created.user.id
        )
    finally:
        await conn.close()
    assert row["last_active_at"] > 0 and row["updated_at"] == 1
