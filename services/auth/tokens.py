"""JWT sessions (HS256) and sk- API keys."""

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt

from services.auth.errors import BadToken

API_KEY_PREFIX = "sk-"
# `issue`'s lifetime when the caller names none: the one the issuer was built with.
DEFAULT_LIFETIME = object()


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The claims we read back from a session JWT."""

    user_id: str
    jti: str
    session_stamp: str
    expires_at: int | None


class TokenIssuer:
    """Signs and checks session JWTs with ``WEBUI_SECRET_KEY``."""

    def __init__(self, secret: str, expires_in_s: float | None) -> None:
        self._secret = secret
        self._expires_in_s = expires_in_s

    def issue(
        self, user_id: str, session_stamp: str, expires_in_s: float | object | None = DEFAULT_LIFETIME
    ) -> tuple[str, int | None]:
        """A new token for ``user_id`` and its expiry (epoch seconds, None when it never expires);
        ``expires_in_s`` overrides the issuer's lifetime (None: never expires)."""
        lifetime = self._expires_in_s if expires_in_s is DEFAULT_LIFETIME else expires_in_s
        now = int(time.time())
        claims: dict[str, object] = {
            "id": user_id,
            "typ": "session",
            "session_stamp": session_stamp,
            "jti": str(uuid.uuid4()),
            "iat": now,
        }
        expires_at = None
        if lifetime is not None:
            expires_at = now + int(lifetime)  # type: ignore[arg-type]
            claims["exp"] = expires_at
        return jwt.encode(claims, self._secret, algorithm="HS256"), expires_at

    def decode(self, token: str) -> TokenClaims:
        """The token's claims; raises BadToken when it is forged, malformed or expired."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"require": ["id", "jti", "iat"]},
            )
        except jwt.PyJWTError:
            raise BadToken() from None
        exp = claims.get("exp")
        return TokenClaims(
            user_id=str(claims["id"]),
            jti=str(claims["jti"]),
            session_stamp=str(claims.get("session_stamp", "")),
            expires_at=int(exp) if isinstance(exp, int | float) else None,
        )


def new_api_key() -> str:
    """``sk-`` and 32 hex characters, as Open WebUI makes them."""
    return API_KEY_PREFIX + uuid.uuid4().hex


def hash_api_key(key: str) -> str:
    """Keys carry 122 random bits, so one SHA-256 is enough to make a stolen table useless."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def mask_api_key(last4: str) -> str:
    """What GET shows of a stored key: the prefix and its last four characters."""
    return f"{API_KEY_PREFIX}…{last4}"


def new_session_stamp() -> str:
    """A fresh stamp; changing a user's stamp revokes every JWT issued before."""
    return secrets.token_hex(8)
