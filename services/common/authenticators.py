"""Authenticators for the server interceptor: AuthService over gRPC, behind a short cache."""

import grpc

from services.common import messages
from services.common.credential_cache import CachedVerifier, CredentialCache
from services.common.grpc_channel import open_channel
from services.common.grpc_errors import service_error_from_rpc
from services.common.grpc_identity import Authenticator
from services.common.grpc_tls import GrpcTls
from services.common.identity import Identity, identity_from_pb
from services.common.request_context import outgoing_metadata
from webui.auth.v1 import auth_pb2, auth_pb2_grpc

# The longest a verified credential is reused: the revocation bound the gateway keeps too.
MAX_CACHE_TTL_S = 5.0


def _describe(identity: Identity) -> tuple[str, int]:
    # An expiring API key's entry dies at its expiry, not up to a TTL later.
    return identity.user_id, identity.scope.expires_at if identity.scope is not None else 0


class CachedAuthenticator:
    """Reuses what ``inner`` answered for a credential for at most ``ttl_s`` (≤ 5) seconds."""

    def __init__(self, inner: Authenticator, ttl_s: float, max_entries: int = 10000) -> None:
        cache: CredentialCache[Identity] = CredentialCache(
            min(ttl_s, MAX_CACHE_TTL_S), max_entries, _describe
        )
        self._verifier = CachedVerifier(cache, inner.identify)

    @property
    def cache(self) -> CredentialCache[Identity]:
        return self._verifier.cache

    async def identify(self, credential: str) -> Identity:
        return await self._verifier.verify(credential)


class RemoteAuthenticator:
    """Asks AuthService.Authenticate, within a deadline; the credential is the call's own."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout_s = timeout_s

    async def identify(self, credential: str) -> Identity:
        try:
            reply = await self._stub.Authenticate(
                auth_pb2.AuthenticateRequest(credential=credential),
                timeout=self._timeout_s,
                # The request id only: the credential travels in the request itself.
                metadata=outgoing_metadata(),
            )
        except grpc.aio.AioRpcError as error:
            raise service_error_from_rpc(error, messages.SERVICE_UNAVAILABLE) from None
        return identity_from_pb(reply.identity, credential)


def open_remote_authenticator(
    target: str, timeout_s: float, cache_ttl_s: float, tls: GrpcTls | None
) -> tuple[CachedAuthenticator, grpc.aio.Channel]:
    """An authenticator over a new channel to AuthService; the caller closes the channel."""
    channel = open_channel(target, tls=tls)
    return CachedAuthenticator(RemoteAuthenticator(channel, timeout_s), cache_ttl_s), channel
