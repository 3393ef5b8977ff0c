"""Who a gRPC call acts for: the credential in its metadata, resolved and checked on every call.

Every call but health, reflection and a service's few public methods must carry the end user's
own credential as ``authorization: Bearer <JWT or sk- key>``, exactly as HTTP clients send it to
the gateway. The server interceptor (services/common/grpc_errors.py) resolves it through an
``Authenticator`` before the servicer runs and leaves the result in ``identity_var``; servicers
read it with ``current_identity()``. Nothing in a request body can name a user.
"""

import contextvars
from collections.abc import Callable, Collection, Iterable
from typing import Protocol

from services.common import errors, messages
from services.common.identity import Identity

AUTHORIZATION_METADATA_KEY = "authorization"
# Open to every caller on every server: probes and tooling must work without a credential.
OPEN_SERVICES = frozenset(
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
        "grpc.reflection.v1.ServerReflection",
    }
)
identity_var: contextvars.ContextVar[Identity | None] = contextvars.ContextVar("identity", default=None)


# Decides, before the servicer runs, whether an identity may call a method (raises if not).
Authorize = Callable[[str, Identity], None]


class Authenticator(Protocol):
    """Resolves a credential to its identity, or raises ``errors.Unauthenticated``."""

    async def identify(self, credential: str) -> Identity: ...


def bearer_metadata(credential: str) -> tuple[tuple[str, str], ...]:
    """The metadata that presents ``credential`` on a call (none when it is empty)."""
    return ((AUTHORIZATION_METADATA_KEY, f"Bearer {credential}"),) if credential else ()


def credential_from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The bearer credential of a call's metadata, or "" when there is none."""
    for key, value in metadata or ():
        if key != AUTHORIZATION_METADATA_KEY or not isinstance(value, str):
            continue
        scheme, _, credential = value.strip().partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            return credential.strip()
    return ""


def is_open(method: str, public_methods: Collection[str]) -> bool:
    """Whether ``method`` (``/package.Service/Method``) may be called without a credential."""
    service = method.lstrip("/").partition("/")[0]
    return service in OPEN_SERVICES or method in public_methods


def current_identity() -> Identity:
    """The identity the interceptor resolved for the call in hand."""
    identity = identity_var.get()
    if identity is None:
        raise errors.Unauthenticated(messages.NOT_AUTHENTICATED)
    return identity


def require_verified(identity: Identity) -> Identity:
    """A user or admin: a pending account may do nothing but manage its own session."""
    if not identity.is_verified:
        raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
    return identity


def require_admin(identity: Identity) -> Identity:
    if not identity.is_admin:
        raise errors.PermissionDenied(messages.ACCESS_PROHIBITED)
    return identity


def verified_only(method: str, identity: Identity) -> None:
    """The rule of services that serve users and admins only: a pending account is refused every
    method before the servicer reads the request."""
    require_verified(identity)
