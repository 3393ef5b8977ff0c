"""Where the auth core keeps users, key hashes, revocations and sign-in attempts."""

from dataclasses import dataclass
from typing import Protocol

from services.auth.api_key_models import ApiKeyRecord
from services.auth.models import Role, UserRecord

# Columns update_user may set, and the orders list_users may sort by.
UPDATABLE_FIELDS = frozenset(
    {"name", "email", "role", "profile_image_url", "password_hash", "session_stamp", "last_active_at"}
)
ORDERABLE_FIELDS = frozenset({"created_at", "updated_at", "last_active_at", "name", "email", "role"})


class EmailTakenError(Exception):
    """Raised by a repository when the e-mail belongs to another user."""


@dataclass(frozen=True, slots=True)
class SigninAttempt:
    """A recorded sign-in attempt and the failures that came before it within the window."""

    id: int
    email_failures: int
    email_source_failures: int
    source_failures: int


class AuthRepository(Protocol):
    """Storage the auth core needs; Postgres in production, a dict in unit tests."""

    async def count_users(self) -> int: ...

    async def count_active_users(self, since: int) -> int:
        """Users whose last_active_at is at or after ``since`` (epoch s)."""
        ...

    async def insert_user(self, user: UserRecord, password_hash: str, first_user_role: Role) -> UserRecord:
        """Stores ``user``; if it is the very first user, it gets ``first_user_role`` and
        becomes the primary admin. Atomic with respect to concurrent inserts."""
        ...

    async def get_user(self, user_id: str) -> UserRecord | None: ...

    async def get_user_with_hash(self, email: str) -> tuple[UserRecord, str] | None: ...

    async def get_password_hash(self, user_id: str) -> str | None: ...

    async def get_session_user(self, user_id: str, jti: str) -> tuple[UserRecord, bool] | None:
        """The user and whether ``jti`` is revoked, in one round trip."""
        ...

    async def get_api_key_user(self, key_hash: str) -> tuple[UserRecord, ApiKeyRecord] | None:
        """The key with this hash and its user, in one round trip."""
        ...

    async def touch_api_key(self, key_id: str, at: int) -> None:
        """Sets the key's last_used_at."""
        ...

    async def update_user(self, user_id: str, fields: dict[str, object]) -> UserRecord | None:
        """Sets columns (name, email, role, profile_image_url, password_hash, session_stamp,
        last_active_at); bumps updated_at. Raises EmailTakenError on a duplicate e-mail."""
        ...

    async def touch_last_active(self, user_id: str, at: int) -> UserRecord | None:
        """Sets last_active_at only (updated_at stays: activity is not an edit)."""
        ...

    async def delete_user(self, user_id: str) -> bool: ...

    async def list_users(
        self, query: str, order_by: str, descending: bool, limit: int, offset: int
    ) -> tuple[list[UserRecord], int]: ...

    async def set_api_key(self, user_id: str, key_hash: str, last4: str) -> None:
        """Replaces the user's key named `default` (a full key without expiry or lists)."""
        ...

    async def get_api_key_last4(self, user_id: str) -> str | None: ...

    async def delete_api_key(self, user_id: str) -> None: ...

    async def revoke_token(self, jti: str, expires_at: int | None) -> None: ...

    async def begin_signin_attempt(self, email: str, source: str, window_s: int) -> SigninAttempt:
        """Records an attempt whose outcome is not known yet and returns the failures of the last
        ``window_s`` seconds, not counting this one. Attempts without an outcome count as failures,
        so concurrent attempts see each other; replicas recording at once are serialised."""
        ...

    async def settle_signin_attempt(self, attempt_id: int, succeeded: bool) -> None: ...

    async def withdraw_signin_attempt(self, attempt_id: int) -> None:
        """Forgets an attempt that was refused before its password was checked."""
        ...
