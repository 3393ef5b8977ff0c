"""The auth repository on Postgres (asyncpg, parameterised SQL, explicit transactions)."""

import time
import uuid

import asyncpg

from services.auth.api_key_models import DEFAULT_KEY_NAME, ApiKeyRecord
from services.auth.models import Role, UserRecord
from services.auth.postgres_api_keys import KEY_COLUMNS, key_record
from services.auth.repository import ORDERABLE_FIELDS, UPDATABLE_FIELDS, EmailTakenError, SigninAttempt

_USER_COLUMNS = (
    "id, name, email, role, profile_image_url, created_at, updated_at, last_active_at, "
    "primary_admin, session_stamp"
)
# Any constant works: it only has to be the same for every replica.
_FIRST_USER_LOCK = 7_390_211_001
# Classes of the two-key advisory locks on a sign-in's source and e-mail (keys: their hashes).
_SOURCE_LOCK = 73_902_111
_EMAIL_LOCK = 73_902_112
# Rows older than the window count for nothing. SKIP LOCKED: replicas cleaning up at once neither
# wait for nor deadlock on each other, and the batch bounds the work of one sign-in.
_FORGET_OLD_ATTEMPTS = """
    DELETE FROM auth_signin_attempt WHERE id IN (
        SELECT id FROM auth_signin_attempt WHERE attempted_at < now() - make_interval(secs => $1)
        ORDER BY attempted_at LIMIT 1000 FOR UPDATE SKIP LOCKED)"""


def _user(row: asyncpg.Record) -> UserRecord:
    return UserRecord(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        role=Role(row["role"]),
        profile_image_url=row["profile_image_url"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_active_at=row["last_active_at"],
        primary_admin=row["primary_admin"],
        session_stamp=row["session_stamp"],
    )


def _escape_like(text: str) -> str:
    """Makes ``%``, ``_`` and ``\\`` match themselves in a LIKE pattern (default escape ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class PostgresAuthRepository:
    """AuthRepository on an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def count_users(self) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM auth_user"))

    async def count_active_users(self, since: int) -> int:
        query = "SELECT count(*) FROM auth_user WHERE last_active_at >= $1"
        return int(await self._pool.fetchval(query, since))

    async def insert_user(self, user: UserRecord, password_hash: str, first_user_role: Role) -> UserRecord:
        async with self._pool.acquire() as conn, conn.transaction():
            # Serialise signups so exactly one of several concurrent first signups becomes admin.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _FIRST_USER_LOCK)
            first = not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM auth_user)")
            role = first_user_role if first else user.role
            try:
                row = await conn.fetchrow(
                    f"""INSERT INTO auth_user (id, name, email, role, profile_image_url, primary_admin,
                            password_hash, session_stamp, created_at, updated_at, last_active_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                        RETURNING {_USER_COLUMNS}""",
                    user.id,
                    user.name,
                    user.email,
                    role.value,
                    user.profile_image_url,
                    first,
                    password_hash,
                    user.session_stamp,
                    user.created_at,
                    user.updated_at,
                    user.last_active_at,
                )
            except asyncpg.UniqueViolationError:
                raise EmailTakenError() from None
        return _user(row)

    async def get_user(self, user_id: str) -> UserRecord | None:
        row = await self._pool.fetchrow(f"SELECT {_USER_COLUMNS} FROM auth_user WHERE id = $1", user_id)
        return _user(row) if row else None

    async def get_user_with_hash(self, email: str) -> tuple[UserRecord, str] | None:
        row = await self._pool.fetchrow(
            f"SELECT {_USER_COLUMNS}, password_hash FROM auth_user WHERE email = $1", email
        )
        return (_user(row), row["password_hash"]) if row else None

    async def get_password_hash(self, user_id: str) -> str | None:
        return await self._pool.fetchval("SELECT password_hash FROM auth_user WHERE id = $1", user_id)

    async def get_session_user(self, user_id: str, jti: str) -> tuple[UserRecord, bool] | None:
        row = await self._pool.fetchrow(
            f"""SELECT {_USER_COLUMNS},
                       EXISTS (SELECT 1 FROM auth_revoked_token WHERE jti = $2) AS revoked
                FROM auth_user WHERE id = $1""",
            user_id,
            jti,
        )
        return (_user(row), row["revoked"]) if row else None

    async def get_api_key_user(self, key_hash: str) -> tuple[UserRecord, ApiKeyRecord] | None:
        row = await self._pool.fetchrow(
            f"""SELECT {", ".join("u." + c.strip() for c in _USER_COLUMNS.split(","))},
                       {", ".join(f"k.{c.strip()} AS k_{c.strip()}" for c in KEY_COLUMNS.split(","))}
                FROM auth_api_key k JOIN auth_user u ON u.id = k.user_id
                WHERE k.key_hash = $1""",
            key_hash,
        )
        return (_user(row), key_record(row, "k_")) if row else None

    async def touch_api_key(self, key_id: str, at: int) -> None:
        await self._pool.execute("UPDATE auth_api_key SET last_used_at = $2 WHERE id = $1", key_id, at)

    async def update_user(self, user_id: str, fields: dict[str, object]) -> UserRecord | None:
        unknown = set(fields) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = {**fields, "updated_at": int(time.time())}
        names = list(values)
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
        try:
            row = await self._pool.fetchrow(
                f"UPDATE auth_user SET {assignments} WHERE id = $1 RETURNING {_USER_COLUMNS}",
                user_id,
                *(values[n] for n in names),
            )
        except asyncpg.UniqueViolationError:
            raise EmailTakenError() from None
        return _user(row) if row else None

    async def touch_last_active(self, user_id: str, at: int) -> UserRecord | None:
        row = await self._pool.fetchrow(
            f"UPDATE auth_user SET last_active_at = $2 WHERE id = $1 RETURNING {_USER_COLUMNS}", user_id, at
        )
        return _user(row) if row else None

    async def delete_user(self, user_id: str) -> bool:
        result = await self._pool.execute("DELETE FROM auth_user WHERE id = $1", user_id)
        return result.endswith(" 1")

    async def list_users(
        self, query: str, order_by: str, descending: bool, limit: int, offset: int
    ) -> tuple[list[UserRecord], int]:
        column = order_by if order_by in ORDERABLE_FIELDS else "created_at"
        direction = "DESC" if descending else "ASC"
        pattern = f"%{_escape_like(query.lower())}%" if query else "%"
        rows = await self._pool.fetch(
            f"""SELECT {_USER_COLUMNS}, count(*) OVER () AS total FROM auth_user
                WHERE lower(name) LIKE $1 OR email LIKE $1
                ORDER BY {column} {direction}, id
                LIMIT $2 OFFSET $3""",
            pattern,
            limit,
            offset,
        )
        if rows:
            return [_user(r) for r in rows], int(rows[0]["total"])
        total = await self._pool.fetchval(
            "SELECT count(*) FROM auth_user WHERE lower(name) LIKE $1 OR email LIKE $1", pattern
        )
        return [], int(total)

    async def set_api_key(self, user_id: str, key_hash: str, last4: str) -> None:
        # The key named `default` is replaced whole: a new id, full kind, no expiry, no lists.
        await self._pool.execute(
            """INSERT INTO auth_api_key (id, user_id, name, kind, key_hash, last4, created_at)
               VALUES ($1, $2, $3, 'full', $4, $5, $6)
               ON CONFLICT (user_id, name) DO UPDATE
               SET id = EXCLUDED.id, kind = 'full', key_hash = EXCLUDED.key_hash, last4 = EXCLUDED.last4,
                   created_at = EXCLUDED.created_at, expires_at = NULL, model_ids = '{}',
                   knowledge_ids = '{}', file_ids = '{}', last_used_at = NULL""",
            str(uuid.uuid4()),
            user_id,
            DEFAULT_KEY_NAME,
            key_hash,
            last4,
            int(time.time()),
        )

    async def get_api_key_last4(self, user_id: str) -> str | None:
        return await self._pool.fetchval(
            "SELECT last4 FROM auth_api_key WHERE user_id = $1 AND name = $2", user_id, DEFAULT_KEY_NAME
        )

    async def delete_api_key(self, user_id: str) -> None:
        await self._pool.execute(
            "DELETE FROM auth_api_key WHERE user_id = $1 AND name = $2", user_id, DEFAULT_KEY_NAME
        )

    async def revoke_token(self, jti: str, expires_at: int | None) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO auth_revoked_token (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                jti,
                expires_at,
            )
            # An expired token fails on its own; its revocation row is no longer needed.
            await conn.execute(
                "DELETE FROM auth_revoked_token WHERE expires_at IS NOT NULL AND expires_at < $1",
                int(time.time()),
            )

    async def begin_signin_attempt(self, email: str, source: str, window_s: int) -> SigninAttempt:
        await self._pool.execute(_FORGET_OLD_ATTEMPTS, window_s)
        async with self._pool.acquire() as conn, conn.transaction():
            # Count and insert under locks on the source and the e-mail, so that no attempt of
            # another replica slips in between. Always the source first: no two waits can cross.
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _SOURCE_LOCK, source)
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _EMAIL_LOCK, email)
            counts = await conn.fetchrow(
                """SELECT count(*) FILTER (WHERE email = $1) AS email_failures,
                          count(*) FILTER (WHERE email = $1 AND source = $2) AS email_source_failures,
                          count(*) FILTER (WHERE source = $2) AS source_failures
                   FROM auth_signin_attempt
                   WHERE (email = $1 OR source = $2) AND succeeded IS NOT TRUE
                     AND attempted_at >= now() - make_interval(secs => $3)""",
                email,
                source,
                window_s,
            )
            attempt_id = await conn.fetchval(
                "INSERT INTO auth_signin_attempt (email, source) VALUES ($1, $2) RETURNING id", email, source
            )
        return SigninAttempt(
            id=attempt_id,
            email_failures=counts["email_failures"],
            email_source_failures=counts["email_source_failures"],
            source_failures=counts["source_failures"],
        )

    async def settle_signin_attempt(self, attempt_id: int, succeeded: bool) -> None:
        await self._pool.execute(
            "UPDATE auth_signin_attempt SET succeeded = $2 WHERE id = $1", attempt_id, succeeded
        )

    async def withdraw_signin_attempt(self, attempt_id: int) -> None:
        await self._pool.execute("DELETE FROM auth_signin_attempt WHERE id = $1", attempt_id)
