"""Plain records the auth core works with."""

import enum
from dataclasses import dataclass

from services.common.identity import KeyScope


class Role(enum.StrEnum):
    """A user's role."""

    PENDING = "pending"
    USER = "user"
    ADMIN = "admin"


class CredentialKind(enum.StrEnum):
    """How a request proved who it is."""

    JWT = "jwt"
    API_KEY = "api_key"


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A stored user, without its password hash."""

    id: str
    name: str
    email: str
    role: Role
    profile_image_url: str
    created_at: int
    updated_at: int
    last_active_at: int
    primary_admin: bool
    session_stamp: str


@dataclass(frozen=True, slots=True)
class Session:
    """A user with a freshly issued JWT; ``expires_at`` is None for tokens that never expire."""

    user: UserRecord
    token: str
    expires_at: int | None


@dataclass(frozen=True, slots=True)
class Authenticated:
    """The result of checking a credential."""

    user: UserRecord
    kind: CredentialKind
    expires_at: int | None
    # What the sk- key may reach (its kind, lists and expiry); None for a session JWT.
    scope: KeyScope | None = None
    # The user's effective groups (direct and inherited) and the permission keys that are true
    # for it (services/auth/groups.py GroupsCore.access_of).
    group_ids: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of users and the total that matched."""

    users: list[UserRecord]
    total: int


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Fields an admin may change; None leaves a field as it is."""

    role: Role | None = None
    name: str | None = None
    email: str | None = None
    profile_image_url: str | None = None
    password: str | None = None
