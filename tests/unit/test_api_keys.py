"""Scoped API keys: the keys core, Authenticate's scope and expiry, and the caches' expiry."""

import dataclasses
import time

import pytest

from services.auth import errors
from services.auth.api_key_models import ApiKeySpec
from services.auth.api_keys_core import MAX_KEYS_PER_USER, ApiKeysCore
from services.auth.core import AuthCore, AuthPolicy
from services.auth.identity import identity_of
from services.auth.models import CredentialKind, Role, UserRecord
from services.auth.passwords import PasswordHasher
from services.auth.tokens import TokenIssuer, hash_api_key
from services.common import authenticators
from services.common.credential_cache import CredentialCache
from services.common.identity import Identity, KeyScope, identity_from_pb, identity_to_pb
from services.gateway.credential_cache import CredentialCache as GatewayCache
from tests.unit.fake_auth_repository import FakeAuthRepository
from webui.auth.v1 import auth_pb2

ADMIN = Identity(user_id="u-admin", role="admin")
USER_WITH_KEYS = Identity(user_id="u-1", role="user", permissions=frozenset({"features.api_keys"}))
USER_WITHOUT = Identity(user_id="u-2", role="user")


def _user(user_id: str, role: Role = Role.USER) -> UserRecord:
    now = int(time.time())
    return UserRecord(user_id, "Name", f"{user_id}@example.com", role, "/user.png", now, now, now, False, "s")


def _switch(on: bool):
    async def enabled() -> bool:
        return on

    return enabled


@pytest.fixture
def repo() -> FakeAuthRepository:
    repo = FakeAuthRepository()
    for user in (_user("u-admin", Role.ADMIN), _user("u-1"), _user("u-2")):
        repo.users[user.id] = user
        repo.password_hashes[user.id] = "x"
    return repo


@pytest.fixture
def keys(repo: FakeAuthRepository) -> ApiKeysCore:
    return ApiKeysCore(repo, _switch(True))


@pytest.fixture
def auth(repo: FakeAuthRepository) -> AuthCore:
    return AuthCore(repo, PasswordHasher(4), TokenIssuer("secret", None), AuthPolicy())


async def test_create_list_get_revoke(keys: ApiKeysCore) -> None:
    key, record = await keys.create(
        USER_WITH_KEYS, ApiKeySpec(name=" ci ", kind="chat", model_ids=("m1", "m1", "m2"))
    )
    assert key.startswith("sk-") and record.last4 == key[-4:]
    assert record.name == "ci" and record.kind == "chat" and record.model_ids == ("m1", "m2")
    assert [r.id for r in await keys.list(USER_WITH_KEYS)] == [record.id]
    assert (await keys.get(USER_WITH_KEYS, record.id)).name == "ci"
    # Another user sees nothing of it.
    assert await keys.list(ADMIN) == []
    with pytest.raises(errors.ApiKeyNotFound):
        await keys.get(ADMIN, record.id)
    with pytest.raises(errors.ApiKeyNotFound):
        await keys.revoke(ADMIN, record.id)
    assert (await keys.revoke(USER_WITH_KEYS, record.id)).id == record.id
    assert await keys.list(USER_WITH_KEYS) == []


async def test_names_are_unique_per_user(keys: ApiKeysCore) -> None:
    await keys.create(USER_WITH_KEYS, ApiKeySpec(name="ci"))
    with pytest.raises(errors.ApiKeyNameTaken):
        await keys.create(USER_WITH_KEYS, ApiKeySpec(name="ci"))
    await keys.create(ADMIN, ApiKeySpec(name="ci"))


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (ApiKeySpec(name=""), "name"),
        (ApiKeySpec(name="x" * 101), "name"),
        (ApiKeySpec(name="a\nb"), "control"),
        (ApiKeySpec(name="k", kind="admin"), "kind"),
        (ApiKeySpec(name="k", expires_at=1), "future"),
        (ApiKeySpec(name="k", model_ids=("",)), "model_ids"),
        (ApiKeySpec(name="k", file_ids=tuple(f"f{i}" for i in range(101))), "file_ids"),
    ],
)
async def test_bad_specs_are_refused_with_the_reason(keys: ApiKeysCore, spec: ApiKeySpec, text: str) -> None:
    with pytest.raises(errors.InvalidApiKeySpec) as caught:
        await keys.create(USER_WITH_KEYS, spec)
    assert text in caught.value.detail


async def test_permission_and_switch(repo: FakeAuthRepository, keys: ApiKeysCore) -> None:
    with pytest.raises(errors.ApiKeyFeatureDenied):
        await keys.create(USER_WITHOUT, ApiKeySpec(name="k"))
    await keys.create(ADMIN, ApiKeySpec(name="k"))  # admins have every permission
    off = ApiKeysCore(repo, _switch(False))
    with pytest.raises(errors.ApiKeyCreationDisabled):
        await off.create(ADMIN, ApiKeySpec(name="k2"))
    with pytest.raises(errors.ApiKeyCreationDisabled):
        await off.list(ADMIN)


async def test_keys_per_user_are_bounded(keys: ApiKeysCore) -> None:
    for i in range(MAX_KEYS_PER_USER):
        await keys.create(ADMIN, ApiKeySpec(name=f"k{i}"))
    with pytest.raises(errors.TooManyApiKeys):
        await keys.create(ADMIN, ApiKeySpec(name="one more"))


async def test_authenticate_fills_the_scope(keys: ApiKeysCore, auth: AuthCore) -> None:
    expires = int(time.time()) + 3600
    key, record = await keys.create(
        USER_WITH_KEYS,
        ApiKeySpec(name="scoped", kind="ingest", expires_at=expires, knowledge_ids=("k1",), file_ids=("f1",)),
    )
    result = await auth.authenticate(key)
    assert result.kind is CredentialKind.API_KEY and result.expires_at == expires
    scope = identity_of(result, key).scope
    assert scope == KeyScope(
        key_id=record.id,
        name="scoped",
        kind="ingest",
        knowledge_ids=frozenset({"k1"}),
        file_ids=frozenset({"f1"}),
        expires_at=expires,
    )
    # The scope survives the wire.
    assert identity_from_pb(identity_to_pb(identity_of(result))).scope == scope


async def test_the_default_key_is_a_full_key(auth: AuthCore, repo: FakeAuthRepository) -> None:
    key = await auth.create_api_key("u-1")
    scope = identity_of(await auth.authenticate(key)).scope
    assert scope is not None and scope.kind == "full" and scope.name == "default"
    # Replacing it replaces only the default key.
    await ApiKeysCore(repo, _switch(True)).create(USER_WITH_KEYS, ApiKeySpec(name="other"))
    await auth.create_api_key("u-1")
    assert sorted(r.name for r in await repo.list_api_keys("u-1")) == ["default", "other"]
    await auth.delete_api_key("u-1")
    assert [r.name for r in await repo.list_api_keys("u-1")] == ["other"]


async def test_an_expired_key_is_refused(keys: ApiKeysCore, auth: AuthCore, repo: FakeAuthRepository) -> None:
    key, record = await keys.create(USER_WITH_KEYS, ApiKeySpec(name="soon", expires_at=int(time.time()) + 60))
    await auth.authenticate(key)
    stored, key_hash = repo.keys[record.id]
    repo.keys[record.id] = (dataclasses.replace(stored, expires_at=int(time.time()) - 1), key_hash)
    with pytest.raises(errors.ExpiredApiKey):
        await auth.authenticate(key)


async def test_last_used_at_is_written_at_most_once_a_minute(
    keys: ApiKeysCore, auth: AuthCore, repo: FakeAuthRepository
) -> None:
    key, record = await keys.create(USER_WITH_KEYS, ApiKeySpec(name="k"))
    writes = []
    touch = repo.touch_api_key

    async def counting(key_id: str, at: int) -> None:
        writes.append(at)
        await touch(key_id, at)

    repo.touch_api_key = counting  # type: ignore[method-assign]
    for _ in range(5):
        await auth.authenticate(key)
    assert len(writes) == 1
    assert (await keys.get(USER_WITH_KEYS, record.id)).last_used_at == writes[0]
    assert repo.keys[record.id][1] == hash_api_key(key)


def test_service_cache_entries_die_at_the_key_expiry() -> None:
    soon = int(time.time()) + 1
    identity = Identity(user_id="u", scope=KeyScope(key_id="k", expires_at=soon))
    cache: CredentialCache[Identity] = CredentialCache(5.0, 10, authenticators._describe)
    cache.put("sk-x", identity)
    assert cache.get("sk-x") is identity
    time.sleep(max(0.0, soon - time.time()) + 0.05)
    assert cache.get("sk-x") is None


def test_gateway_cache_uses_the_key_expiry() -> None:
    cache = GatewayCache(5.0, 10)
    reply = auth_pb2.AuthenticateResponse(user=auth_pb2.User(id="u"), expires_at=int(time.time()) - 1)
    cache.put("sk-y", reply)
    assert cache.get("sk-y") is None
