"""The identity plumbing every gRPC server shares: reading the credential, the open methods, the
cache in front of AuthService, and the one identity type."""

import asyncio

import pytest

from services.common import errors
from services.common.authenticators import MAX_CACHE_TTL_S, CachedAuthenticator
from services.common.grpc_identity import (
    bearer_metadata,
    credential_from_metadata,
    is_open,
    require_admin,
    verified_only,
)
from services.common.identity import Identity, identity_from_pb, identity_to_pb
from services.common.request_context import outgoing_metadata


class CountingAuthenticator:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.release = asyncio.Event()
        self.release.set()

    async def identify(self, credential: str) -> Identity:
        self.asked.append(credential)
        await self.release.wait()
        if credential == "bad":
            raise errors.Unauthenticated("Invalid token")
        return Identity(user_id=f"user-of-{credential}", credential=credential)


@pytest.mark.parametrize(
    ("metadata", "credential"),
    [
        ((("authorization", "Bearer tok"),), "tok"),
        ((("authorization", "bearer  tok "),), "tok"),
        ((("x-request-id", "r"), ("authorization", "Bearer sk-1")), "sk-1"),
        ((("authorization", "Basic tok"),), ""),
        ((("authorization", "Bearer "),), ""),
        ((("authorization-bin", b"tok"),), ""),
        ((), ""),
        (None, ""),
    ],
)
def test_credential_from_metadata(metadata, credential: str) -> None:
    assert credential_from_metadata(metadata) == credential


def test_outgoing_metadata_presents_a_credential_only_when_given() -> None:
    assert dict(outgoing_metadata("tok"))["authorization"] == "Bearer tok"
    assert "authorization" not in dict(outgoing_metadata())
    assert bearer_metadata("") == ()


def test_open_methods() -> None:
    assert is_open("/grpc.health.v1.Health/Check", ())
    assert is_open("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", ())
    assert is_open("/webui.auth.v1.AuthService/Signin", ("/webui.auth.v1.AuthService/Signin",))
    assert not is_open("/webui.auth.v1.AuthService/ListUsers", ("/webui.auth.v1.AuthService/Signin",))
    assert not is_open("/webui.ingest.v1.IngestService/GetFile", ())


def test_role_rules() -> None:
    verified_only("/m", Identity("u", "user"))
    with pytest.raises(errors.PermissionDenied):
        verified_only("/m", Identity("u", "pending"))
    with pytest.raises(errors.PermissionDenied):
        require_admin(Identity("u", "user"))
    assert require_admin(Identity("a", "admin")).is_admin


def test_the_credential_stays_out_of_logs_and_of_messages() -> None:
    identity = Identity("u1", "admin", "Ann", "a@x", via_api_key=True, credential="sk-secret")
    assert "sk-secret" not in repr(identity)
    message = identity_to_pb(identity)
    assert "sk-secret" not in str(message)
    back = identity_from_pb(message, "sk-secret")
    assert back == identity and back.credential == "sk-secret"


async def test_cache_answers_repeat_calls_without_asking_again() -> None:
    inner = CountingAuthenticator()
    cache = CachedAuthenticator(inner, ttl_s=5)
    first = await cache.identify("tok")
    assert await cache.identify("tok") == first
    assert inner.asked == ["tok"]


async def test_a_burst_with_a_new_credential_asks_once() -> None:
    inner = CountingAuthenticator()
    inner.release.clear()
    cache = CachedAuthenticator(inner, ttl_s=5)
    calls = [asyncio.create_task(cache.identify("tok")) for _ in range(20)]
    await asyncio.sleep(0)
    inner.release.set()
    assert len({(await c).user_id for c in calls}) == 1
    assert inner.asked == ["tok"]


async def test_refusals_are_not_cached() -> None:
    inner = CountingAuthenticator()
    cache = CachedAuthenticator(inner, ttl_s=5)
    for _ in range(2):
        with pytest.raises(errors.Unauthenticated):
            await cache.identify("bad")
    assert inner.asked == ["bad", "bad"]


async def test_zero_ttl_asks_every_time_and_the_ttl_is_capped() -> None:
    inner = CountingAuthenticator()
    cache = CachedAuthenticator(inner, ttl_s=0)
    await cache.identify("tok")
    await cache.identify("tok")
    assert inner.asked == ["tok", "tok"]
    assert CachedAuthenticator(inner, ttl_s=60).cache.ttl_s == MAX_CACHE_TTL_S


async def test_a_steady_caller_is_verified_again_in_the_background() -> None:
    inner = CountingAuthenticator()
    cache = CachedAuthenticator(inner, ttl_s=0.2)
    await cache.identify("tok")
    await asyncio.sleep(0.12)  # past half the TTL
    inner.release.clear()
    # Served at once from the cache while the background check waits on AuthService.
    assert (await asyncio.wait_for(cache.identify("tok"), 0.05)).user_id == "user-of-tok"
    assert inner.asked == ["tok", "tok"]
    inner.release.set()
    await asyncio.sleep(0.01)
    await asyncio.sleep(0.12)  # the refreshed entry is fresh again: no third check yet
    await cache.identify("tok")
    assert len(inner.asked) == 2


async def test_a_credential_refused_in_the_background_is_dropped() -> None:
    inner = CountingAuthenticator()
    cache = CachedAuthenticator(inner, ttl_s=0.2)
    await cache.identify("tok")
    await asyncio.sleep(0.12)

    async def revoked(credential: str) -> Identity:
        raise errors.Unauthenticated("Invalid token")

    inner.identify = revoked  # type: ignore[method-assign]
    cache._verifier._fetch = revoked
    await cache.identify("tok")  # still within the TTL: served, and checked again meanwhile
    await asyncio.sleep(0.01)
    with pytest.raises(errors.Unauthenticated):
        await cache.identify("tok")
