"""AuthService over real gRPC on a real PostgreSQL."""

import asyncio
import time

import asyncpg
import grpc
import jwt
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.common import messages
from services.common.grpc_identity import bearer_metadata
from tests.integration.accounts import PASSWORD, create_accounts
from webui.auth.v1 import auth_pb2
from webui.common.v1 import identity_pb2


def _without_access(identity: identity_pb2.Identity) -> identity_pb2.Identity:
    """The identity without its groups and permissions (tests/integration/test_groups_grpc.py)."""
    copy = identity_pb2.Identity()
    copy.CopyFrom(identity)
    copy.ClearField("group_ids")
    copy.ClearField("permissions")
    return copy


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
    # The identity every service acts on: the same user, in the shared shape.
    assert _without_access(who.identity) == identity_pb2.Identity(
        user_id=created.user.id, role="admin", name="Me", email="me@example.com", via_api_key=False
    )
    # With no group and no stored defaults, the permissions are the built-in defaults' true keys.
    assert "chat.delete" in who.identity.permissions and not who.identity.group_ids
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
    session = await signup(auth_stub, "keys@example.com", "Keys")
    mine = bearer_metadata(session.token)
    first = (await auth_stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(), metadata=mine)).api_key
    second = (await auth_stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(), metadata=mine)).api_key
    assert first != second and second.startswith("sk-") and len(second) == 35
    who = await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=second))
    assert who.kind == auth_pb2.CREDENTIAL_KIND_API_KEY
    # Open WebUI's one key is the key named `default`, of kind full (scoped keys: test_api_keys).
    assert (who.identity.key_scope.name, who.identity.key_scope.kind) == ("default", "full")
    identity = _without_access(who.identity)
    identity.ClearField("key_scope")
    assert identity == identity_pb2.Identity(
        user_id=session.user.id, role="admin", name="Keys", email="keys@example.com", via_api_key=True
    )
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=first)),
        grpc.StatusCode.UNAUTHENTICATED,
        messages.INVALID_TOKEN,
    )
    masked = (await auth_stub.GetApiKey(auth_pb2.GetApiKeyRequest(), metadata=mine)).masked_key
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
    # Signing out names the call's own token (or nothing: the call's credential is meant).
    await auth_stub.Signout(auth_pb2.SignoutRequest(token=user.token), metadata=bearer_metadata(user.token))
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=user.token)),
        grpc.StatusCode.UNAUTHENTICATED,
        messages.REVOKED_TOKEN,
    )
    await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=other.token))
    await auth_stub.ChangePassword(
        auth_pb2.ChangePasswordRequest(password=PASSWORD, new_password="new pass"),
        metadata=bearer_metadata(other.token),
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
        await expect_error(
            stub.Signin(auth_pb2.SigninRequest(email="limited@example.com", password="wrong")),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
    await expect_error(
        two.Signin(auth_pb2.SigninRequest(email="limited@example.com", password=PASSWORD)),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        messages.RATE_LIMIT_EXCEEDED,
    )


def signin_from(email: str, password: str, client_address: str) -> auth_pb2.SigninRequest:
    return auth_pb2.SigninRequest(email=email, password=password, client_address=client_address)


async def test_strangers_failures_do_not_lock_the_owner_out(start_auth, database_url) -> None:
    stub, _, _ = await start_auth(SIGNIN_RATE_LIMIT=3)
    await signup(stub, "owner@example.com")
    # Concurrent guesses see each other: the limit holds however many arrive at once.
    outcomes = await asyncio.gather(
        *(stub.Signin(signin_from("owner@example.com", "guess", "203.0.113.9")) for _ in range(8)),
        return_exceptions=True,
    )
    codes = sorted(o.code().name for o in outcomes if isinstance(o, grpc.aio.AioRpcError))
    assert len(codes) == 8 and codes.count("INVALID_ARGUMENT") <= 3, codes
    await expect_error(
        stub.Signin(signin_from("owner@example.com", PASSWORD, "203.0.113.9")),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    )
    await stub.Signin(signin_from("owner@example.com", PASSWORD, "198.51.100.20"))
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT source, succeeded FROM auth_signin_attempt ORDER BY id")
    finally:
        await conn.close()
    # Refused attempts are not kept; checked ones are, keyed by source, with their outcome.
    assert [tuple(r) for r in rows] == [("203.0.113.9", False)] * codes.count("INVALID_ARGUMENT") + [
        ("198.51.100.20", True)
    ]


async def test_source_limit_bounds_spraying_across_emails(start_auth) -> None:
    stub, _, _ = await start_auth(SIGNIN_SOURCE_RATE_LIMIT=3)
    await signup(stub, "sprayed@example.com")
    for i in range(3):
        await expect_error(
            stub.Signin(signin_from(f"user{i}@example.com", "Winter2024!", "2001:db8:1:2::1")),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
    # The same /64 is the same source.
    await expect_error(
        stub.Signin(signin_from("sprayed@example.com", PASSWORD, "2001:db8:1:2::99")),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    )
    await stub.Signin(signin_from("sprayed@example.com", PASSWORD, "2001:db8:1:3::1"))


async def test_client_address_of_an_untrusted_caller_is_ignored(start_auth) -> None:
    # Loopback is not trusted here: the test's own calls count as 127.0.0.1, whatever they claim.
    stub, _, _ = await start_auth(SIGNIN_SOURCE_RATE_LIMIT=2, AUTH_TRUSTED_NETWORKS="10.0.0.0/8")
    await signup(stub, "claims@example.com")
    for i in range(2):
        await expect_error(
            stub.Signin(signin_from(f"nobody{i}@example.com", "x", f"203.0.113.{i}")),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
    await expect_error(
        stub.Signin(signin_from("claims@example.com", PASSWORD, "198.51.100.20")),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    )


async def test_admin_user_management(auth_stub) -> None:
    admin = await signup(auth_stub, "root@example.com", "Root")
    user = await signup(auth_stub, "bob@example.com", "Bob")
    # The admin making each change is the caller.
    as_admin = bearer_metadata(admin.token)
    page = await auth_stub.ListUsers(
        auth_pb2.ListUsersRequest(query="BOB", page=1, page_size=30), metadata=as_admin
    )
    assert page.total == 1 and page.users[0].id == user.user.id
    updated = await auth_stub.UpdateUser(
        auth_pb2.UpdateUserRequest(user_id=user.user.id, role=auth_pb2.ROLE_USER), metadata=as_admin
    )
    assert updated.user.role == auth_pb2.ROLE_USER
    await expect_error(
        auth_stub.UpdateUser(
            auth_pb2.UpdateUserRequest(user_id=admin.user.id, role=auth_pb2.ROLE_USER), metadata=as_admin
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        messages.ACTION_PROHIBITED,
    )
    await expect_error(
        auth_stub.DeleteUser(auth_pb2.DeleteUserRequest(user_id=admin.user.id), metadata=as_admin),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(
        auth_stub.GetUser(auth_pb2.GetUserRequest(user_id="no-such-id"), metadata=as_admin),
        grpc.StatusCode.NOT_FOUND,
        messages.USER_NOT_FOUND,
    )
    await auth_stub.DeleteUser(auth_pb2.DeleteUserRequest(user_id=user.user.id), metadata=as_admin)
    assert (
        await auth_stub.ListUsers(auth_pb2.ListUsersRequest(page=1, page_size=30), metadata=as_admin)
    ).total == 1


def caller_rpcs(stub, user_id: str, other_id: str) -> dict:  # type: ignore[no-untyped-def]
    """Each RPC that acts for its caller, as a function of the call's metadata; the admin RPCs act
    on ``other_id`` (``user_id`` tries to make itself an admin)."""
    requests = {
        "Signout": auth_pb2.SignoutRequest(),
        "ChangePassword": auth_pb2.ChangePasswordRequest(password=PASSWORD, new_password="new pass"),
        "CreateApiKey": auth_pb2.CreateApiKeyRequest(),
        "GetApiKey": auth_pb2.GetApiKeyRequest(),
        "DeleteApiKey": auth_pb2.DeleteApiKeyRequest(),
        "GetUser": auth_pb2.GetUserRequest(user_id=other_id),
        "AddUser": auth_pb2.AddUserRequest(name="Eve", email="eve@example.com", password=PASSWORD),
        "ListUsers": auth_pb2.ListUsersRequest(page=1, page_size=30),
        "UpdateUser": auth_pb2.UpdateUserRequest(user_id=user_id, role=auth_pb2.ROLE_ADMIN),
        "DeleteUser": auth_pb2.DeleteUserRequest(user_id=other_id),
        "CountActiveUsers": auth_pb2.CountActiveUsersRequest(window_s=180),
    }
    return {
        name: (lambda metadata, name=name, request=request: getattr(stub, name)(request, metadata=metadata))
        for name, request in requests.items()
    }


ADMIN_RPCS = ("AddUser", "ListUsers", "UpdateUser", "DeleteUser")


async def users_and_roles(stub, admin_metadata) -> dict[str, int]:  # type: ignore[no-untyped-def]
    page = await stub.ListUsers(auth_pb2.ListUsersRequest(page=1, page_size=30), metadata=admin_metadata)
    return {user.email: user.role for user in page.users}


async def test_caller_rpcs_need_a_credential(auth_stub) -> None:
    accounts = await create_accounts(auth_stub)
    before = await users_and_roles(auth_stub, accounts.admin.metadata)
    rpcs = caller_rpcs(auth_stub, accounts.alice.user_id, accounts.admin.user_id)
    # Every RPC but the public four, so that an RPC added later must join one list or the other.
    service = auth_pb2.DESCRIPTOR.services_by_name["AuthService"]
    public = {"Signup", "Signin", "Authenticate", "GetAuthStatus"}
    assert set(rpcs) == {method.name for method in service.methods} - public
    # No metadata, or a credential that is not presented as a bearer one.
    for metadata in (
        (),
        (("authorization", f"Basic {accounts.admin.token}"),),
        (("authorization", "Bearer "),),
    ):
        for name, call in rpcs.items():
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call(metadata)
            assert (caught.value.code(), caught.value.details()) == (
                grpc.StatusCode.UNAUTHENTICATED,
                messages.NOT_AUTHENTICATED,
            ), (name, metadata)
    assert await users_and_roles(auth_stub, accounts.admin.metadata) == before
    # The public RPCs answer anyone.
    status = await auth_stub.GetAuthStatus(auth_pb2.GetAuthStatusRequest())
    assert status.has_users


async def test_count_active_users(auth_stub) -> None:
    """`GET /api/usage`'s user_count: users active within the window, for any verified caller."""
    accounts = await create_accounts(auth_stub)
    request = auth_pb2.CountActiveUsersRequest(window_s=180)
    # Adding a user stamps its last activity, so all four count as active now.
    reply = await auth_stub.CountActiveUsers(request, metadata=accounts.alice.metadata)
    assert reply.count == 4
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await auth_stub.CountActiveUsers(request, metadata=accounts.pending.metadata)
    assert caught.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)


async def test_user_administration_needs_an_admin(auth_stub) -> None:
    accounts = await create_accounts(auth_stub)
    before = await users_and_roles(auth_stub, accounts.admin.metadata)
    for who in (accounts.alice, accounts.pending):
        rpcs = caller_rpcs(auth_stub, who.user_id, accounts.admin.user_id)
        for name in ADMIN_RPCS:
            await expect_error(
                rpcs[name](who.metadata), grpc.StatusCode.PERMISSION_DENIED, messages.ACCESS_PROHIBITED
            )
    # Nobody was added, promoted or deleted.
    assert await users_and_roles(auth_stub, accounts.admin.metadata) == before
    # Looking a user up needs a verified account; a pending one may not.
    get_admin = auth_pb2.GetUserRequest(user_id=accounts.admin.user_id)
    assert (
        await auth_stub.GetUser(get_admin, metadata=accounts.alice.metadata)
    ).user.email == "admin@example.com"
    await expect_error(
        auth_stub.GetUser(get_admin, metadata=accounts.pending.metadata), grpc.StatusCode.PERMISSION_DENIED
    )


async def test_an_api_key_may_not_create_or_delete_keys(auth_stub) -> None:
    accounts = await create_accounts(auth_stub)
    key = (
        await auth_stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(), metadata=accounts.alice.metadata)
    ).api_key
    as_key = bearer_metadata(key)
    for call in (
        auth_stub.CreateApiKey(auth_pb2.CreateApiKeyRequest(), metadata=as_key),
        auth_stub.DeleteApiKey(auth_pb2.DeleteApiKeyRequest(), metadata=as_key),
    ):
        await expect_error(call, grpc.StatusCode.PERMISSION_DENIED, messages.HUMAN_SESSION_REQUIRED)
    # The key is still the one stored, and still does what a key may.
    assert (await auth_stub.GetApiKey(auth_pb2.GetApiKeyRequest(), metadata=as_key)).masked_key == (
        "sk-…" + key[-4:]
    )
    who = await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=key))
    assert who.identity.user_id == accounts.alice.user_id and who.identity.via_api_key


async def test_signout_ends_only_the_callers_own_session(auth_stub) -> None:
    accounts = await create_accounts(auth_stub)
    alice, bob = accounts.alice, accounts.bob
    await expect_error(
        auth_stub.Signout(auth_pb2.SignoutRequest(token=bob.token), metadata=alice.metadata),
        grpc.StatusCode.PERMISSION_DENIED,
        messages.ACTION_PROHIBITED,
    )
    for who in (alice, bob):
        await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=who.token))
    # Without a token named, the call's own session ends.
    await auth_stub.Signout(auth_pb2.SignoutRequest(), metadata=alice.metadata)
    await expect_error(
        auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=alice.token)),
        grpc.StatusCode.UNAUTHENTICATED,
        messages.REVOKED_TOKEN,
    )
    await auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=bob.token))


async def test_a_forged_token_is_unauthenticated(auth_stub) -> None:
    accounts = await create_accounts(auth_stub)
    # The admin's own claims, so that only the signature is wrong: another key's, or none at all.
    claims = jwt.decode(accounts.admin.token, options={"verify_signature": False})
    assert claims["id"] == accounts.admin.user_id and claims["iat"] <= time.time()
    forged = (
        jwt.encode(claims, "not-the-server-secret-but-long-enough-for-hs256", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
    )
    for token in forged:
        await expect_error(
            auth_stub.Authenticate(auth_pb2.AuthenticateRequest(credential=token)),
            grpc.StatusCode.UNAUTHENTICATED,
            messages.UNAUTHORIZED,
        )
        await expect_error(
            auth_stub.ListUsers(auth_pb2.ListUsersRequest(page=1), metadata=bearer_metadata(token)),
            grpc.StatusCode.UNAUTHENTICATED,
            messages.UNAUTHORIZED,
        )
    # The genuine token is unaffected.
    await auth_stub.ListUsers(auth_pb2.ListUsersRequest(page=1), metadata=accounts.admin.metadata)


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
    admin = await signup(auth_stub, "plain@example.com", "Plain")
    await signup(auth_stub, "under_score@example.com", "Under")
    for query, expected in (("_", 1), ("%", 0), ("under_", 1), ("\\", 0)):
        page = await auth_stub.ListUsers(
            auth_pb2.ListUsersRequest(query=query, page=1, page_size=30),
            metadata=bearer_metadata(admin.token),
        )
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
