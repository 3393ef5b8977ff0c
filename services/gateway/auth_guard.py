"""Finds the caller's credential, verifies it through AuthService (cached) and checks its role."""

import enum
import time
from dataclasses import dataclass

import grpc
from aiohttp import web

from services.common import messages
from services.common.credential_cache import CachedVerifier
from services.gateway.auth_client import AuthClient
from services.gateway.credential_cache import CredentialCache
from services.gateway.http_errors import ApiError
from webui.auth.v1 import auth_pb2

COOKIE_NAME = "token"
_EXPIRED_COOKIE = f'{COOKIE_NAME}=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'


class Level(enum.Enum):
    """Who may call a route (Open WebUI's get_current_user / verified / admin / human)."""

    ANY = "any"
    VERIFIED = "verified"
    ADMIN = "admin"
    HUMAN = "human"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    user: auth_pb2.User
    kind: int
    credential: str
    expires_at: int

    @property
    def is_jwt(self) -> bool:
        return self.kind == auth_pb2.CREDENTIAL_KIND_JWT


def _text(value: str) -> str:
    """``value`` as text gRPC can carry: aiohttp keeps bytes that are not UTF-8 as lone surrogates,
    which would fail the call; here they become "?", and the credential is simply invalid."""
    return value.encode("utf-8", "replace").decode("utf-8")


def find_credential(request: web.Request, custom_header: str) -> str | None:
    """Open WebUI's lookup order: Bearer header, ``token`` cookie, any-scheme header, API-key header."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return _text(value.strip())
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        return _text(cookie)
    if value.strip():
        return _text(value.strip())
    custom = request.headers.get(custom_header, "").strip()
    return _text(custom) if custom else None


class AuthGuard:
    """Authenticates requests through AuthService, reusing recent answers from a cache."""

    def __init__(
        self, client: AuthClient, cache: CredentialCache, custom_header: str, status_ttl_s: float
    ) -> None:
        self.client = client
        self.cache = cache
        self._verifier = CachedVerifier(cache, client.authenticate)
        self._custom_header = custom_header
        self._status_ttl_s = status_ttl_s
        self._status: auth_pb2.GetAuthStatusResponse | None = None
        self._status_fresh_until = 0.0

    async def auth_status(self) -> auth_pb2.GetAuthStatusResponse:
        """AuthService's flags (users exist, signup and keys enabled), reused for a few seconds."""
        now = time.monotonic()
        if self._status is None or now >= self._status_fresh_until:
            self._status = await self.client.get_auth_status()
            self._status_fresh_until = now + self._status_ttl_s
        return self._status

    def forget_auth_status(self) -> None:
        """After a signup through this gateway: 'users exist' may have just become true."""
        self._status = None

    async def verify(self, credential: str) -> auth_pb2.AuthenticateResponse:
        return await self._verifier.verify(credential)

    async def require(self, request: web.Request, level: Level) -> Principal:
        credential = find_credential(request, self._custom_header)
        if credential is None:
            raise ApiError(401, messages.NOT_AUTHENTICATED)
        try:
            result = await self.verify(credential)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAUTHENTICATED or credential.startswith("sk-"):
                raise
            # As Open WebUI does on any JWT failure: drop the cookie so browsers stop sending it.
            raise ApiError(401, error.details(), headers={"Set-Cookie": _EXPIRED_COOKIE}) from None
        principal = Principal(result.user, result.kind, credential, result.expires_at)
        role = result.user.role
        if level is Level.VERIFIED and role not in (auth_pb2.ROLE_USER, auth_pb2.ROLE_ADMIN):
            raise ApiError(401, messages.ACCESS_PROHIBITED)
        if level is Level.ADMIN and role != auth_pb2.ROLE_ADMIN:
            # Open WebUI answers 401 here, not 403.
            raise ApiError(401, messages.ACCESS_PROHIBITED)
        if level is Level.HUMAN and not principal.is_jwt:
            raise ApiError(403, messages.HUMAN_SESSION_REQUIRED)
        return principal

    async def optional_jwt_user(self, request: web.Request) -> auth_pb2.User | None:
        """The JWT user, or None; sk- keys and bad tokens count as anonymous (as /api/config does)."""
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.strip().partition(" ")
        credential = value.strip() if scheme.lower() == "bearer" else ""
        credential = _text(credential or request.cookies.get(COOKIE_NAME, ""))
        if not credential or credential.startswith("sk-"):
            return None
        try:
            return (await self.verify(credential)).user
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
                return None
            raise
