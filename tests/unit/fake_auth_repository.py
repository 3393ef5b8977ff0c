"""An in-memory AuthRepository with the semantics of PostgresAuthRepository, for unit tests."""

import dataclasses
import time
import uuid
from collections.abc import Callable

from services.auth.api_key_models import DEFAULT_KEY_NAME, ApiKeyRecord
from services.auth.api_key_repository import KeyNameTakenError
from services.auth.models import Role, UserRecord
from services.auth.repository import ORDERABLE_FIELDS, UPDATABLE_FIELDS, EmailTakenError, SigninAttempt


@dataclasses.dataclass
class FakeSigninAttempt:
    """A row of auth_signin_attempt; ``succeeded`` is None while the password is checked."""

    email: str
    source: str
    attempted_at: float
    succeeded: bool | None = None


class FakeAuthRepository:
    """Dicts instead of tables. ``clock`` (epoch seconds) drives updated_at, revocation clean-up
    and the sign-in attempt window, so tests can move time forward."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        # Insertion-ordered, like rows created one after the other.
        self.users: dict[str, UserRecord] = {}
        self.password_hashes: dict[str, str] = {}
        # key id -> (record, key_hash): every named key of every user (auth_api_key).
        self.keys: dict[str, tuple[ApiKeyRecord, str]] = {}
        self.revoked: dict[str, int | None] = {}
        # attempt id -> row of auth_signin_attempt
        self.signin_attempts: dict[int, FakeSigninAttempt] = {}
        self._next_attempt_id = 1

    # -- helpers ------------------------------------------------------------------------------

    def _email_owner(self, email: str) -> str | None:
        for user in self.users.values():
            if user.email == email:
                return user.id
        return None

    # -- AuthRepository -----------------------------------------------------------------------

    async def count_users(self) -> int:
        return len(self.users)

    async def count_active_users(self, since: int) -> int:
        return sum(1 for user in self.users.values() if user.last_active_at >= since)

    async def insert_user(self, user: UserRecord, password_hash: str, first_user_role: Role) -> UserRecord:
        if self._email_owner(user.email) is not None:
            raise EmailTakenError()
        if user.id in self.users:
            raise ValueError(f"duplicate id {user.id}")
        first = not self.users
        stored = dataclasses.replace(user, role=first_user_role if first else user.role, primary_admin=first)
        self.users[stored.id] = stored
        self.password_hashes[stored.id] = password_hash
        return stored

    async def get_user(self, user_id: str) -> UserRecord | None:
        return self.users.get(user_id)

    async def get_user_with_hash(self, email: str) -> tuple[UserRecord, str] | None:
        owner = self._email_owner(email)
        if owner is None:
            return None
        return self.users[owner], self.password_hashes[owner]

    async def get_password_hash(self, user_id: str) -> str | None:
        return self.password_hashes.get(user_id)

    async def get_session_user(self, user_id: str, jti: str) -> tuple[UserRecord, bool] | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        return user, jti in self.revoked

    @property
    def api_keys(self) -> dict[str, tuple[str, str]]:
        """user_id -> (key_hash, last4) of each user's key named `default` (Open WebUI's one key)."""
        return {
            record.user_id: (key_hash, record.last4)
            for record, key_hash in self.keys.values()
            if record.name == DEFAULT_KEY_NAME
        }

    def _default_key_id(self, user_id: str) -> str | None:
        for key_id, (record, _) in self.keys.items():
            if record.user_id == user_id and record.name == DEFAULT_KEY_NAME:
                return key_id
        return None

    async def get_api_key_user(self, key_hash: str) -> tuple[UserRecord, ApiKeyRecord] | None:
        for record, stored_hash in self.keys.values():
            if stored_hash == key_hash and record.user_id in self.users:
                return self.users[record.user_id], record
        return None

    async def touch_api_key(self, key_id: str, at: int) -> None:
        if key_id in self.keys:
            record, key_hash = self.keys[key_id]
            self.keys[key_id] = (dataclasses.replace(record, last_used_at=at), key_hash)

    # -- ApiKeyRepository ---------------------------------------------------------------------

    async def insert_api_key(self, record: ApiKeyRecord, key_hash: str, max_keys: int) -> bool:
        held = [r for r, _ in self.keys.values() if r.user_id == record.user_id]
        if len(held) >= max_keys:
            return False
        if any(r.name == record.name for r in held):
            raise KeyNameTakenError()
        self.keys[record.id] = (record, key_hash)
        return True

    async def list_api_keys(self, user_id: str) -> list[ApiKeyRecord]:
        found = [r for r, _ in self.keys.values() if r.user_id == user_id]
        return sorted(found, key=lambda r: (r.created_at, r.name))

    async def get_api_key(self, user_id: str, key_id: str) -> ApiKeyRecord | None:
        entry = self.keys.get(key_id)
        return entry[0] if entry is not None and entry[0].user_id == user_id else None

    async def delete_api_key_by_id(self, user_id: str, key_id: str) -> bool:
        if await self.get_api_key(user_id, key_id) is None:
            return False
        del self.keys[key_id]
        return True

    async def touch_last_active(self, user_id: str, at: int) -> UserRecord | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        self.users[user_id] = dataclasses.replace(user, last_active_at=at)
        return self.users[user_id]

    async def update_user(self, user_id: str, fields: dict[str, object]) -> UserRecord | None:
        unknown = set(fields) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        user = self.users.get(user_id)
        if user is None:
            return None
        if "email" in fields:
            owner = self._email_owner(str(fields["email"]))
            if owner is not None and owner != user_id:
                raise EmailTakenError()
        record_fields = {k: v for k, v in fields.items() if k != "password_hash"}
        if "role" in record_fields:
            record_fields["role"] = Role(record_fields["role"])
        updated = dataclasses.replace(user, **record_fields, updated_at=int(self.clock()))
        self.users[user_id] = updated
        if "password_hash" in fields:
            self.password_hashes[user_id] = str(fields["password_hash"])
        return updated

    async def delete_user(self, user_id: str) -> bool:
        if self.users.pop(user_id, None) is None:
            return False
        self.password_hashes.pop(user_id, None)
        # ON DELETE CASCADE
        self.keys = {k: v for k, v in self.keys.items() if v[0].user_id != user_id}
        return True

    async def list_users(
        self, query: str, order_by: str, descending: bool, limit: int, offset: int
    ) -> tuple[list[UserRecord], int]:
        column = order_by if order_by in ORDERABLE_FIELDS else "created_at"
        needle = query.lower()
        matched = [u for u in self.users.values() if needle in u.name.lower() or needle in u.email.lower()]
        # ORDER BY <column> <direction>, id: sort by the tie-breaker first; sorts are stable,
        # reverse=True included.
        matched.sort(key=lambda u: u.id)
        matched.sort(key=lambda u: getattr(u, column), reverse=descending)
        return matched[offset : offset + limit], len(matched)

    async def set_api_key(self, user_id: str, key_hash: str, last4: str) -> None:
        if user_id not in self.users:
            # auth_api_key.user_id REFERENCES auth_user (id)
            raise LookupError(f"no user {user_id}")
        for record, stored_hash in self.keys.values():
            if record.user_id != user_id and stored_hash == key_hash:
                raise ValueError("duplicate key hash")
        old = self._default_key_id(user_id)
        if old is not None:
            del self.keys[old]
        record = ApiKeyRecord(str(uuid.uuid4()), user_id, DEFAULT_KEY_NAME, "full", last4, int(self.clock()))
        self.keys[record.id] = (record, key_hash)

    async def get_api_key_last4(self, user_id: str) -> str | None:
        key_id = self._default_key_id(user_id)
        return self.keys[key_id][0].last4 if key_id is not None else None

    async def delete_api_key(self, user_id: str) -> None:
        key_id = self._default_key_id(user_id)
        if key_id is not None:
            del self.keys[key_id]

    async def revoke_token(self, jti: str, expires_at: int | None) -> None:
        self.revoked.setdefault(jti, expires_at)
        now = int(self.clock())
        for stale in [j for j, exp in self.revoked.items() if exp is not None and exp < now]:
            del self.revoked[stale]

    async def begin_signin_attempt(self, email: str, source: str, window_s: int) -> SigninAttempt:
        now = self.clock()
        self.signin_attempts = {
            key: row for key, row in self.signin_attempts.items() if row.attempted_at >= now - window_s
        }
        failed = [row for row in self.signin_attempts.values() if row.succeeded is not True]
        attempt = SigninAttempt(
            id=self._next_attempt_id,
            email_failures=sum(row.email == email for row in failed),
            email_source_failures=sum(row.email == email and row.source == source for row in failed),
            source_failures=sum(row.source == source for row in failed),
        )
        self.signin_attempts[attempt.id] = FakeSigninAttempt(email, source, now)
        self._next_attempt_id += 1
        return attempt

    async def settle_signin_attempt(self, attempt_id: int, succeeded: bool) -> None:
        row = self.signin_attempts.get(attempt_id)
        if row is not None:
            row.succeeded = succeeded

    async def withdraw_signin_attempt(self, attempt_id: int) -> None:
        self.signin_attempts.pop(attempt_id, None)
